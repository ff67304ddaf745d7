//! Negative log-likelihoods of channels of data under sums of shapes: extended unbinned
//! (with optional per-event weights), binned Poisson, simultaneous over channels that
//! share parameters, with Gaussian and log-normal constraint terms.
//!
//! Sums over events run on rayon in fixed blocks whose partial sums are added in block
//! order, so the value is bit-identical for any thread count.

use std::sync::Arc;

use rayon::prelude::*;

use crate::stats::shape::Shape;

/// A shape parameter or a yield: a free parameter, a constant, or a function of the
/// parameter vector (for expressions such as `sigma: 0.018 * m_a ** 0.7` once the
/// hypothesis is bound, or a yield = BR × N_BB × efficiency × nuisances).
#[derive(Clone)]
pub enum Value {
    /// Parameter number i.
    Free(usize),
    /// A constant.
    Fixed(f64),
    /// Computed from the parameters.
    Derived(ParamFunction),
}

/// A function of the parameter vector, shareable across threads.
pub type ParamFunction = Arc<dyn Fn(&[f64]) -> f64 + Send + Sync>;

impl Value {
    /// The value at parameters `p`.
    pub fn at(&self, p: &[f64]) -> f64 {
        match self {
            Value::Free(i) => p[*i],
            Value::Fixed(v) => *v,
            Value::Derived(f) => f(p),
        }
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Free(i) => write!(f, "p[{i}]"),
            Value::Fixed(v) => write!(f, "{v}"),
            Value::Derived(_) => write!(f, "<derived>"),
        }
    }
}

/// One term of a channel's density: a shape with its parameters and expected yield.
#[derive(Clone, Debug)]
pub struct Component {
    /// Name (`signal`, `background`).
    pub name: String,
    /// The shape.
    pub shape: Shape,
    /// Its parameters, in the shape's order.
    pub params: Vec<Value>,
    /// Expected number of events in the fit ranges.
    pub yield_: Value,
}

/// Observed data of a channel.
#[derive(Clone, Debug)]
pub enum Data {
    /// Events (inside the channel's ranges), optionally weighted.
    Unbinned {
        /// Observable values.
        x: Vec<f64>,
        /// Per-event weights (`None`: all 1).
        weights: Option<Vec<f64>>,
    },
    /// Counts in bins (each bin inside the ranges; gaps allowed).
    Binned {
        /// Bin edges (low, high).
        bins: Vec<(f64, f64)>,
        /// Observed (possibly non-integer, for Asimov data) counts.
        counts: Vec<f64>,
    },
}

/// One channel: data and the components that describe it over `ranges`.
#[derive(Clone, Debug)]
pub struct Channel {
    /// Name.
    pub name: String,
    /// Disjoint intervals over which the shapes are normalised (fit range minus vetoes).
    pub ranges: Vec<(f64, f64)>,
    /// The components.
    pub components: Vec<Component>,
    /// The data.
    pub data: Data,
}

/// A constraint term on one parameter.
#[derive(Clone, Copy, Debug)]
pub enum Constraint {
    /// (θ − mean)² / 2σ².
    Gaussian {
        /// Parameter index.
        param: usize,
        /// Central value.
        mean: f64,
        /// Width.
        sigma: f64,
    },
    /// A log-normal density for a multiplicative θ around 1 with relative uncertainty
    /// r: (ln θ)² / 2κ² + ln θ, κ = ln(1 + r).
    LogNormal {
        /// Parameter index.
        param: usize,
        /// Relative uncertainty r.
        relative: f64,
    },
}

/// A simultaneous likelihood.
#[derive(Clone, Debug, Default)]
pub struct Likelihood {
    /// Channels, independent given the parameters.
    pub channels: Vec<Channel>,
    /// Constraint terms.
    pub constraints: Vec<Constraint>,
}

/// Events per block in parallel sums; blocks are summed in order.
const BLOCK: usize = 16_384;

impl Component {
    /// Parameters and the normalisation ∫ over the channel's ranges.
    fn evaluate(&self, p: &[f64], ranges: &[(f64, f64)]) -> (Vec<f64>, f64, f64) {
        let params: Vec<f64> = self.params.iter().map(|v| v.at(p)).collect();
        let norm: f64 = ranges
            .iter()
            .map(|&(lo, hi)| self.shape.integral(lo, hi, &params))
            .sum();
        (params, norm, self.yield_.at(p))
    }
}

impl Channel {
    /// Expected events of each component in [lo, hi] at parameters `p`.
    pub fn expected_in(&self, p: &[f64], lo: f64, hi: f64) -> f64 {
        self.components
            .iter()
            .map(|c| {
                let (params, norm, nu) = c.evaluate(p, &self.ranges);
                nu * c.shape.integral(lo, hi, &params) / norm
            })
            .sum()
    }

    /// −ln L of this channel (extended), up to a parameter-independent constant.
    pub fn nll(&self, p: &[f64]) -> f64 {
        let evaluated: Vec<(Vec<f64>, f64, f64)> = self
            .components
            .iter()
            .map(|c| c.evaluate(p, &self.ranges))
            .collect();
        let total: f64 = evaluated.iter().map(|e| e.2).sum();
        if evaluated
            .iter()
            .any(|(_, norm, nu)| !(norm.is_finite() && *norm > 0.0 && nu.is_finite()))
        {
            return f64::INFINITY;
        }
        match &self.data {
            Data::Unbinned { x, weights } => {
                let coefficient: Vec<f64> =
                    evaluated.iter().map(|(_, norm, nu)| nu / norm).collect();
                let density = |xi: f64| -> f64 {
                    self.components
                        .iter()
                        .zip(&evaluated)
                        .zip(&coefficient)
                        .map(|((c, (params, _, _)), k)| k * c.shape.density(xi, params))
                        .sum()
                };
                let block = |start: usize| -> f64 {
                    let end = (start + BLOCK).min(x.len());
                    let mut sum = 0.0;
                    for i in start..end {
                        let d = density(x[i]);
                        let w = weights.as_ref().map_or(1.0, |w| w[i]);
                        sum += if d > 0.0 {
                            w * d.ln()
                        } else if w == 0.0 {
                            0.0
                        } else {
                            f64::NEG_INFINITY
                        };
                    }
                    sum
                };
                let starts: Vec<usize> = (0..x.len()).step_by(BLOCK).collect();
                let partial: Vec<f64> = if starts.len() > 1 {
                    starts.par_iter().map(|&s| block(s)).collect()
                } else {
                    starts.iter().map(|&s| block(s)).collect()
                };
                total - partial.iter().sum::<f64>()
            }
            Data::Binned { bins, counts } => {
                let mut nll = 0.0;
                for (&(lo, hi), &n) in bins.iter().zip(counts) {
                    let nu: f64 = self
                        .components
                        .iter()
                        .zip(&evaluated)
                        .map(|(c, (params, norm, yield_))| {
                            yield_ * c.shape.integral(lo, hi, params) / norm
                        })
                        .sum();
                    nll += poisson_deviance(n, nu);
                }
                nll
            }
        }
    }
}

/// ν − n + n ln(n/ν): the Poisson −ln L relative to the saturated model (0 at ν = n).
fn poisson_deviance(n: f64, nu: f64) -> f64 {
    if nu <= 0.0 {
        return if n == 0.0 && nu == 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if n == 0.0 {
        nu
    } else {
        nu - n + n * (n / nu).ln()
    }
}

impl Constraint {
    /// The constraint's −ln L term.
    pub fn nll(&self, p: &[f64]) -> f64 {
        match *self {
            Constraint::Gaussian { param, mean, sigma } => {
                0.5 * ((p[param] - mean) / sigma).powi(2)
            }
            Constraint::LogNormal { param, relative } => {
                let theta = p[param];
                if theta <= 0.0 {
                    return f64::INFINITY;
                }
                let kappa = (1.0 + relative).ln();
                let l = theta.ln();
                0.5 * (l / kappa).powi(2) + l
            }
        }
    }
}

impl Likelihood {
    /// The total −ln L at parameters `p`.
    pub fn nll(&self, p: &[f64]) -> f64 {
        self.channels.iter().map(|c| c.nll(p)).sum::<f64>()
            + self.constraints.iter().map(|c| c.nll(p)).sum::<f64>()
    }

    /// The same model with Asimov data at `p`: each channel's expected counts in its own
    /// bins, or for unbinned data in `bins` equal-width bins per range (binned Poisson),
    /// and Gaussian constraints centred at `p`, for asymptotic formulae.
    pub fn asimov(&self, p: &[f64], bins: usize) -> Likelihood {
        let channels = self
            .channels
            .iter()
            .map(|channel| {
                let edges = match &channel.data {
                    Data::Binned { bins, .. } => bins.clone(),
                    Data::Unbinned { .. } => channel
                        .ranges
                        .iter()
                        .flat_map(|&(lo, hi)| {
                            let width = (hi - lo) / bins as f64;
                            (0..bins)
                                .map(move |k| (lo + k as f64 * width, lo + (k + 1) as f64 * width))
                        })
                        .collect(),
                };
                let counts = edges
                    .iter()
                    .map(|&(lo, hi)| channel.expected_in(p, lo, hi))
                    .collect();
                Channel {
                    data: Data::Binned {
                        bins: edges,
                        counts,
                    },
                    ..channel.clone()
                }
            })
            .collect();
        let constraints = self
            .constraints
            .iter()
            .map(|c| match *c {
                // Auxiliary measurements at their Asimov values: the nominal θ.
                Constraint::Gaussian { param, sigma, .. } => Constraint::Gaussian {
                    param,
                    mean: p[param],
                    sigma,
                },
                other => other,
            })
            .collect();
        Likelihood {
            channels,
            constraints,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gaussian_channel(x: Vec<f64>) -> Channel {
        Channel {
            name: "c".into(),
            ranges: vec![(-5.0, 5.0)],
            components: vec![Component {
                name: "signal".into(),
                shape: Shape::Gaussian,
                params: vec![Value::Free(0), Value::Fixed(1.0)],
                yield_: Value::Free(1),
            }],
            data: Data::Unbinned { x, weights: None },
        }
    }

    #[test]
    fn extended_unbinned_nll_matches_its_definition() {
        let x = vec![-0.3, 0.1, 0.4, 1.2];
        let channel = gaussian_channel(x.clone());
        let p = [0.2, 3.5];
        let norm = (2.0 * std::f64::consts::PI).sqrt()
            * (crate::stats::special::normal_cdf(4.8) - crate::stats::special::normal_cdf(-5.2));
        let expected = 3.5
            - x.iter()
                .map(|xi| (3.5 * (-0.5 * (xi - 0.2f64).powi(2)).exp() / norm).ln())
                .sum::<f64>();
        assert!((channel.nll(&p) - expected).abs() < 1e-12);
    }

    #[test]
    fn parallel_sum_is_identical_for_any_thread_count() {
        let x: Vec<f64> = (0..100_000)
            .map(|i| ((i * 7919) % 1000) as f64 / 250.0 - 2.0)
            .collect();
        let channel = gaussian_channel(x);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let three = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let a = one.install(|| channel.nll(&[0.1, 9e4]));
        let b = three.install(|| channel.nll(&[0.1, 9e4]));
        assert_eq!(a.to_bits(), b.to_bits());
    }

    #[test]
    fn asimov_data_reproduce_the_expectation() {
        let channel = gaussian_channel(vec![0.0]);
        let likelihood = Likelihood {
            channels: vec![channel],
            constraints: vec![],
        };
        let asimov = likelihood.asimov(&[0.0, 50.0], 100);
        let Data::Binned { counts, .. } = &asimov.channels[0].data else {
            panic!()
        };
        assert!((counts.iter().sum::<f64>() - 50.0).abs() < 1e-9);
        // At the generating parameters the deviance is zero.
        assert!(asimov.nll(&[0.0, 50.0]).abs() < 1e-12);
    }

    #[test]
    fn lognormal_constraint_is_minimal_near_one() {
        let c = Constraint::LogNormal {
            param: 0,
            relative: 0.05,
        };
        // Minimum of (ln θ)²/2κ² + ln θ is at ln θ = −κ².
        let kappa = 1.05f64.ln();
        let best = (-kappa * kappa).exp();
        assert!(c.nll(&[best]) < c.nll(&[best * 1.001]) && c.nll(&[best]) < c.nll(&[best / 1.001]));
        assert_eq!(c.nll(&[-1.0]), f64::INFINITY);
    }
}
