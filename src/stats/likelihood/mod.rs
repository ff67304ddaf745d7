//! Negative log-likelihoods of channels of data under sums of shapes: extended unbinned
//! (with optional per-event weights), binned Poisson, simultaneous over channels that
//! share parameters, with Gaussian and log-normal constraint terms.
//!
//! Sums over events run on rayon in fixed blocks whose partial sums are added in block
//! order, so the value is bit-identical for any thread count.

use std::sync::Arc;

use rayon::prelude::*;

use crate::stats::kernels;
use crate::stats::shape::Shape;

mod gradient;
mod template_statistics;

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

/// A multiplicative nuisance θ on a yield with relative uncertainty `relative`: its
/// parameter (named `name`, starting at 1 with step r, within six widths and above zero)
/// and its constraint at parameter `index`, Gaussian, or log-normal ("lnN") when
/// `lognormal`.
pub fn yield_nuisance(
    name: &str,
    index: usize,
    relative: f64,
    lognormal: bool,
) -> (crate::stats::minuit::ParamSpec, Constraint) {
    use crate::stats::minuit::{Bounds, ParamSpec};
    let r = relative;
    let param = ParamSpec::new(
        name,
        1.0,
        r,
        Bounds::Both((1.0 - 6.0 * r).max(1e-6), 1.0 + 6.0 * r),
    );
    let constraint = if lognormal {
        Constraint::LogNormal {
            param: index,
            relative: r,
            nominal: 1.0,
        }
    } else {
        Constraint::Gaussian {
            param: index,
            mean: 1.0,
            sigma: r,
        }
    };
    (param, constraint)
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
    /// A log-normal constraint of a multiplicative θ with relative uncertainty r:
    /// (ln(θ/θ₀))² / 2κ², κ = ln(1 + r), the Gaussian constraint of ln θ used for
    /// "lnN" nuisances; θ₀ is the auxiliary measurement (1, or the fitted value in
    /// Asimov data).
    LogNormal {
        /// Parameter index.
        param: usize,
        /// Relative uncertainty r.
        relative: f64,
        /// Auxiliary measurement θ₀.
        nominal: f64,
    },
    /// A Poisson auxiliary measurement of γτ (HistFactory's shapesys):
    /// γτ − aux·ln(γτ).
    Poisson {
        /// Parameter index (γ).
        param: usize,
        /// Scale τ = (nominal / uncertainty)².
        tau: f64,
        /// Auxiliary count (τ, or γ̂τ in Asimov data).
        aux: f64,
    },
}

/// A simultaneous likelihood. Components whose shape parameters are all fixed are
/// evaluated once at construction (normalised densities per event, or integrals per
/// bin), so fits pay only for what floats.
#[derive(Clone, Debug, Default)]
pub struct Likelihood {
    /// Channels, independent given the parameters.
    pub channels: Vec<Channel>,
    /// Constraint terms.
    pub constraints: Vec<Constraint>,
    /// Per channel and component: the fixed shape's normalised values, if fixed.
    frozen: Vec<Vec<Option<Arc<Vec<f64>>>>>,
    /// Per channel and component: Barlow–Beeston-lite variance factors of templates.
    variances: Vec<Vec<Option<Arc<Vec<f64>>>>>,
}

/// Fine bins per channel from which pseudo-data are drawn ([`Channel::draw`]).
const DRAW_BINS: usize = 4000;

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
    /// Events drawn from the channel's expectation at `p`: a Poisson count in each of
    /// [`DRAW_BINS`] fine bins over its ranges, placed uniformly inside it (the density
    /// within a bin a 4000th of the window wide taken as flat).
    pub fn draw(&self, p: &[f64], rng: &mut rand_pcg::Pcg64Mcg) -> Vec<f64> {
        use rand_distr::{Distribution, Poisson};
        let total: f64 = self.ranges.iter().map(|(lo, hi)| hi - lo).sum();
        let fine: Vec<(f64, f64)> = self
            .ranges
            .iter()
            .flat_map(|&(lo, hi)| {
                let n = (((hi - lo) / total) * DRAW_BINS as f64).ceil().max(1.0) as usize;
                let w = (hi - lo) / n as f64;
                (0..n).map(move |k| (lo + k as f64 * w, lo + (k + 1) as f64 * w))
            })
            .collect();
        let expected = self.expected_in_bins(p, &fine);
        let mut x = Vec::new();
        for (k, &(lo, hi)) in fine.iter().enumerate() {
            let nu: f64 = expected.iter().map(|c| c[k]).sum();
            if !(nu > 0.0 && nu.is_finite()) {
                continue;
            }
            let n = Poisson::new(nu).map_or(0.0, |d| d.sample(rng));
            for _ in 0..n as u64 {
                x.push(lo + (hi - lo) * rand::Rng::random::<f64>(rng));
            }
        }
        x
    }

    /// Expected events of each component in each of `bins` at parameters `p` (per
    /// component, per bin): for plots and Asimov data.
    pub fn expected_in_bins(&self, p: &[f64], bins: &[(f64, f64)]) -> Vec<Vec<f64>> {
        self.components
            .iter()
            .map(|c| {
                let (params, norm, nu) = c.evaluate(p, &self.ranges);
                c.shape
                    .integrals(bins, &params)
                    .iter()
                    .map(|i| nu * i / norm)
                    .collect()
            })
            .collect()
    }

    /// −ln L of this channel (extended), up to a parameter-independent constant.
    pub fn nll(&self, p: &[f64]) -> f64 {
        self.nll_with(
            p,
            &vec![None; self.components.len()],
            &self.template_variances(),
        )
    }

    /// The normalised values of a component whose parameters are all fixed: density per
    /// event, or integral per bin, over the normalisation.
    fn freeze(&self, component: &Component) -> Option<Arc<Vec<f64>>> {
        let params: Vec<f64> = component
            .params
            .iter()
            .map(|v| match v {
                Value::Fixed(x) => Some(*x),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let norm: f64 = self
            .ranges
            .iter()
            .map(|&(lo, hi)| component.shape.integral(lo, hi, &params))
            .sum();
        if !(norm.is_finite() && norm > 0.0) {
            return None;
        }
        let values = match &self.data {
            Data::Unbinned { x, .. } => x
                .iter()
                .map(|&xi| component.shape.density(xi, &params) / norm)
                .collect(),
            Data::Binned { bins, .. } => component
                .shape
                .integrals(bins, &params)
                .iter()
                .map(|i| i / norm)
                .collect(),
        };
        Some(Arc::new(values))
    }

    /// −ln L with the frozen components' values and the templates' variance factors
    /// given.
    fn nll_with(
        &self,
        p: &[f64],
        frozen: &[Option<Arc<Vec<f64>>>],
        variances: &[Option<Arc<Vec<f64>>>],
    ) -> f64 {
        // Per component: yield, and for floating shapes the parameters and normalisation.
        let mut floating: Vec<Option<(Vec<f64>, f64)>> = Vec::with_capacity(self.components.len());
        let mut yields = Vec::with_capacity(self.components.len());
        for (c, f) in self.components.iter().zip(frozen) {
            let nu = c.yield_.at(p);
            if !nu.is_finite() {
                return f64::INFINITY;
            }
            yields.push(nu);
            floating.push(match f {
                Some(_) => None,
                None => {
                    let (params, norm, _) = c.evaluate(p, &self.ranges);
                    if !(norm.is_finite() && norm > 0.0) {
                        return f64::INFINITY;
                    }
                    Some((params, norm))
                }
            });
        }
        let total: f64 = yields.iter().sum();
        match &self.data {
            Data::Unbinned { x, weights } => {
                // Component by component over a block of events (the shape's match is
                // decided once per block, not per event), then one logarithm per event.
                let block = |start: usize| -> f64 {
                    let end = (start + BLOCK).min(x.len());
                    let events = &x[start..end];
                    let mut density = vec![0.0; events.len()];
                    for (k, c) in self.components.iter().enumerate() {
                        match (&frozen[k], &floating[k]) {
                            (Some(values), _) => {
                                for (d, v) in density.iter_mut().zip(&values[start..end]) {
                                    *d += yields[k] * v;
                                }
                            }
                            (None, Some((params, norm))) => {
                                c.shape
                                    .accumulate(events, params, yields[k] / norm, &mut density);
                            }
                            (None, None) => {}
                        }
                    }
                    log_density_sum(&density, weights.as_ref().map(|w| &w[start..end]))
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
                let mut expected = vec![0.0; bins.len()];
                for (k, c) in self.components.iter().enumerate() {
                    match (&frozen[k], &floating[k]) {
                        (Some(values), _) => {
                            for (e, v) in expected.iter_mut().zip(values.iter()) {
                                *e += yields[k] * v;
                            }
                        }
                        (None, Some((params, norm))) => {
                            for (e, integral) in
                                expected.iter_mut().zip(c.shape.integrals(bins, params))
                            {
                                *e += yields[k] * integral / norm;
                            }
                        }
                        (None, None) => {}
                    }
                }
                let variance = template_statistics::bin_variances(bins.len(), &yields, variances)
                    .unwrap_or_else(|| vec![0.0; bins.len()]);
                counts
                    .iter()
                    .zip(&expected)
                    .zip(&variance)
                    .map(|((&n, &nu), &v)| template_statistics::bin_cost(n, nu, v).0)
                    .sum()
            }
        }
    }
}

/// Σ w ln d over a block (w = 1 without weights); a density that is not positive where
/// the weight is not zero gives −∞. The logarithms are taken in one vectorised pass and
/// summed in a second (`kernels::sum`, in a fixed order).
pub(super) fn log_density_sum(density: &[f64], weights: Option<&[f64]>) -> f64 {
    let mut terms = vec![0.0; density.len()];
    kernels::log_terms(density, weights, &mut terms);
    kernels::sum(&terms)
}

/// ν − n + n ln(n/ν): the Poisson −ln L relative to the saturated model (0 at ν = n).
/// An expectation below zero (a polynomial background dipping negative) counts as zero
/// in empty bins, so that a fit gains nothing from it, and is impossible where events
/// were seen.
pub(crate) fn poisson_deviance(n: f64, nu: f64) -> f64 {
    if n <= 0.0 {
        return nu.max(0.0);
    }
    if nu <= 0.0 {
        return f64::INFINITY;
    }
    nu - n + n * (n / nu).ln()
}

/// A Poisson draw of mean `mean` (0 for a mean that is not positive).
pub fn poisson(mean: f64, rng: &mut impl rand::Rng) -> f64 {
    use rand_distr::{Distribution, Poisson};
    Poisson::new(mean).map_or(0.0, |d| d.sample(rng))
}

impl Constraint {
    /// The constraint's −ln L term.
    pub fn nll(&self, p: &[f64]) -> f64 {
        match *self {
            Constraint::Gaussian { param, mean, sigma } => {
                0.5 * ((p[param] - mean) / sigma).powi(2)
            }
            Constraint::LogNormal {
                param,
                relative,
                nominal,
            } => {
                let theta = p[param];
                if theta <= 0.0 {
                    return f64::INFINITY;
                }
                0.5 * ((theta / nominal).ln() / (1.0 + relative).ln()).powi(2)
            }
            Constraint::Poisson { param, tau, aux } => {
                let nu = p[param] * tau;
                if nu <= 0.0 {
                    return f64::INFINITY;
                }
                // Relative to its minimum at ν = aux, like the binned deviance.
                nu - aux
                    + if aux > 0.0 {
                        aux * (aux / nu).ln()
                    } else {
                        0.0
                    }
            }
        }
    }

    /// The same constraint with its auxiliary measurement drawn from the constraint's
    /// distribution at `p` (a pseudo-experiment): Gaussian around θ, Poisson of γτ, and
    /// for the log-normal ln θ₀ Gaussian around ln θ.
    pub fn sampled(&self, p: &[f64], rng: &mut impl rand::Rng) -> Constraint {
        use rand_distr::{Distribution, Normal};
        let predicted = self.predicted(p);
        let mut gauss = || -> f64 { Normal::new(0.0, 1.0).expect("unit").sample(rng) };
        self.measured(match *self {
            Constraint::Gaussian { sigma, .. } => predicted + sigma * gauss(),
            Constraint::LogNormal { relative, .. } => predicted * (1.0 + relative).powf(gauss()),
            Constraint::Poisson { .. } => poisson(predicted, rng),
        })
    }

    /// The same constraint with its auxiliary measurement at the value `p` predicts:
    /// the constraint of Asimov data.
    pub fn at_asimov(&self, p: &[f64]) -> Constraint {
        self.measured(self.predicted(p))
    }

    /// The auxiliary measurement's expectation at `p`: θ, or γτ for a Poisson term.
    fn predicted(&self, p: &[f64]) -> f64 {
        match *self {
            Constraint::Gaussian { param, .. } | Constraint::LogNormal { param, .. } => p[param],
            Constraint::Poisson { param, tau, .. } => p[param] * tau,
        }
    }

    /// The same constraint with auxiliary measurement `value`.
    fn measured(&self, value: f64) -> Constraint {
        match *self {
            Constraint::Gaussian { param, sigma, .. } => Constraint::Gaussian {
                param,
                mean: value,
                sigma,
            },
            Constraint::LogNormal {
                param, relative, ..
            } => Constraint::LogNormal {
                param,
                relative,
                nominal: value,
            },
            Constraint::Poisson { param, tau, .. } => Constraint::Poisson {
                param,
                tau,
                aux: value,
            },
        }
    }
}

impl Likelihood {
    /// A likelihood of `channels` with `constraints`; fixed-shape components are
    /// evaluated here, once.
    pub fn new(channels: Vec<Channel>, constraints: Vec<Constraint>) -> Self {
        let frozen: Vec<Vec<Option<Arc<Vec<f64>>>>> = channels
            .iter()
            .map(|ch| {
                ch.components
                    .iter()
                    .map(|c| ch.freeze(c))
                    .collect::<Vec<_>>()
            })
            .collect();
        let variances = channels.iter().map(Channel::template_variances).collect();
        Likelihood {
            channels,
            constraints,
            frozen,
            variances,
        }
    }

    /// The total −ln L at parameters `p`.
    pub fn nll(&self, p: &[f64]) -> f64 {
        self.channels
            .iter()
            .zip(&self.frozen)
            .zip(&self.variances)
            .map(|((c, f), v)| c.nll_with(p, f, v))
            .sum::<f64>()
            + self.constraints.iter().map(|c| c.nll(p)).sum::<f64>()
    }

    /// The same model with pseudo-data drawn at `p`: each channel's events from its
    /// expectation ([`Channel::draw`]), each constraint's auxiliary measurement from it.
    pub fn sample(&self, p: &[f64], rng: &mut rand_pcg::Pcg64Mcg) -> Likelihood {
        let channels = self.drawn_channels(p, rng);
        let constraints = self.constraints.iter().map(|c| c.sampled(p, rng)).collect();
        Likelihood::new(channels, constraints)
    }

    /// The channels with events drawn from their expectation at `p` ([`Channel::draw`]).
    pub fn drawn_channels(&self, p: &[f64], rng: &mut rand_pcg::Pcg64Mcg) -> Vec<Channel> {
        self.channels
            .iter()
            .map(|c| Channel {
                data: Data::Unbinned {
                    x: c.draw(p, rng),
                    weights: None,
                },
                ..c.clone()
            })
            .collect()
    }

    /// The same model with the data of `other`, a model of the same channels in the same
    /// order (another background function's Asimov data, say), and the constraints'
    /// auxiliary measurements at `p`.
    pub fn with_data_of(&self, other: &Likelihood, p: &[f64]) -> Likelihood {
        debug_assert_eq!(self.channels.len(), other.channels.len());
        let channels = self
            .channels
            .iter()
            .zip(&other.channels)
            .map(|(channel, theirs)| Channel {
                data: theirs.data.clone(),
                ..channel.clone()
            })
            .collect();
        let constraints = self.constraints.iter().map(|c| c.at_asimov(p)).collect();
        Likelihood::new(channels, constraints)
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
                // The same integrals the binned likelihood uses, so that the generating
                // point is its exact minimum; negative expectations count as empty.
                let mut counts = vec![0.0; edges.len()];
                for component in channel.expected_in_bins(p, &edges) {
                    counts.iter_mut().zip(component).for_each(|(c, v)| *c += v);
                }
                let counts = counts.into_iter().map(|c: f64| c.max(0.0)).collect();
                Channel {
                    data: Data::Binned {
                        bins: edges,
                        counts,
                    },
                    ..channel.clone()
                }
            })
            .collect();
        let constraints = self.constraints.iter().map(|c| c.at_asimov(p)).collect();
        Likelihood::new(channels, constraints)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::pdfs::gaussian::Gaussian;

    fn gaussian_channel(x: Vec<f64>) -> Channel {
        Channel {
            name: "c".into(),
            ranges: vec![(-5.0, 5.0)],
            components: vec![Component {
                name: "signal".into(),
                shape: Shape::new(Gaussian),
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
        let likelihood = Likelihood::new(vec![channel], vec![]);
        let asimov = likelihood.asimov(&[0.0, 50.0], 100);
        let Data::Binned { counts, .. } = &asimov.channels[0].data else {
            panic!()
        };
        assert!((counts.iter().sum::<f64>() - 50.0).abs() < 1e-9);
        // At the generating parameters the deviance is zero.
        assert!(asimov.nll(&[0.0, 50.0]).abs() < 1e-12);
    }

    #[test]
    fn lognormal_constraint_is_a_gaussian_in_the_logarithm() {
        let c = Constraint::LogNormal {
            param: 0,
            relative: 0.05,
            nominal: 1.0,
        };
        assert_eq!(c.nll(&[1.0]), 0.0);
        // One standard deviation up is θ = 1 + r.
        assert!((c.nll(&[1.05]) - 0.5).abs() < 1e-12);
        assert!((c.nll(&[1.0 / 1.05]) - 0.5).abs() < 1e-12);
        assert_eq!(c.nll(&[-1.0]), f64::INFINITY);
    }
}
