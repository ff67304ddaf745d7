//! The gradient of −ln L with respect to every parameter, computed in one pass over the
//! events together with the value, so that MIGRAD pays one pass per iteration instead of
//! 2n + 1.
//!
//! For an unbinned channel with density D(x) = Σₖ νₖ fₖ(x)/Iₖ and weights w:
//! ∂/∂νₖ = 1 − Σᵢ wᵢ (fₖ(xᵢ)/Iₖ)/D(xᵢ), and for a shape parameter θ of component k
//! ∂/∂θ = −(νₖ/Iₖ) Σᵢ wᵢ ∂θfₖ(xᵢ)/D(xᵢ) + νₖ (∂θIₖ/Iₖ) Σᵢ wᵢ (fₖ(xᵢ)/Iₖ)/D(xᵢ).
//! Binned channels differentiate the deviance through each bin's fraction Iₖ_b/Iₖ.
//! Yields and shape parameters that are functions of the parameters (`Value::Derived`)
//! are differentiated numerically: they involve no events and cost little.
//!
//! Sums over events use the same fixed blocks as the value, added in block order, so the
//! gradient too is bit-identical for any thread count.

use std::sync::Arc;

use rayon::prelude::*;

use crate::stats::kernels;

use super::template_statistics;
use super::{BLOCK, Channel, Component, Constraint, Data, Likelihood, Value};

impl Value {
    /// ∂value/∂pᵢ as (i, derivative) pairs: one pair for a free parameter, none for a
    /// constant, and five-point differences in every parameter for a derived value.
    fn partials(&self, p: &[f64]) -> Vec<(usize, f64)> {
        match self {
            Value::Free(i) => vec![(*i, 1.0)],
            Value::Fixed(_) => Vec::new(),
            Value::Derived(f) => {
                let mut q = p.to_vec();
                (0..p.len())
                    .filter_map(|i| {
                        let h = if p[i] == 0.0 { 1e-8 } else { 1e-6 * p[i].abs() };
                        let mut at = |offset: f64| {
                            q[i] = p[i] + offset;
                            let v = f(&q);
                            q[i] = p[i];
                            v
                        };
                        let d =
                            (at(-2.0 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2.0 * h)) / (12.0 * h);
                        (d != 0.0).then_some((i, d))
                    })
                    .collect()
            }
        }
    }
}

/// A component's state at the current parameters.
struct Evaluated {
    /// Expected yield ν and its partials.
    yield_: f64,
    yield_partials: Vec<(usize, f64)>,
    /// For a floating shape: parameter values, normalisation I, the indices of the shape
    /// parameters that are not constants, ∂I/∂θ and ∂θ/∂p for each of them.
    floating: Option<Floating>,
}

struct Floating {
    params: Vec<f64>,
    norm: f64,
    wanted: Vec<usize>,
    norm_derivatives: Vec<f64>,
    param_partials: Vec<Vec<(usize, f64)>>,
}

/// Per-block sums of an unbinned channel: Σ w ln D, and per component
/// a = Σ w (f/I)/D and b_θ = Σ w ∂θf/D.
struct Sums {
    log: f64,
    a: Vec<f64>,
    b: Vec<Vec<f64>>,
}

impl Component {
    fn evaluated(&self, p: &[f64], ranges: &[(f64, f64)], frozen: bool) -> Evaluated {
        let floating = (!frozen).then(|| {
            let (params, norm, _) = self.evaluate(p, ranges);
            let wanted: Vec<usize> = (0..self.params.len())
                .filter(|&j| !matches!(self.params[j], Value::Fixed(_)))
                .collect();
            let norm_derivatives = wanted
                .iter()
                .map(|&j| {
                    ranges
                        .iter()
                        .map(|&(lo, hi)| self.shape.integral_derivative(lo, hi, &params, j))
                        .sum()
                })
                .collect();
            let param_partials = wanted.iter().map(|&j| self.params[j].partials(p)).collect();
            Floating {
                params,
                norm,
                wanted,
                norm_derivatives,
                param_partials,
            }
        });
        Evaluated {
            yield_: self.yield_.at(p),
            yield_partials: self.yield_.partials(p),
            floating,
        }
    }
}

impl Channel {
    /// −ln L of this channel and its gradient added into `gradient`. Without `exact`
    /// the logarithms of unbinned densities are skipped: the value returned is then only
    /// finite or infinite (an event where the density vanishes), which is all a
    /// gradient-only call needs to know.
    fn nll_and_gradient(
        &self,
        p: &[f64],
        frozen: &[Option<Arc<Vec<f64>>>],
        variances: &[Option<Arc<Vec<f64>>>],
        gradient: &mut [f64],
        exact: bool,
    ) -> f64 {
        let evaluated: Vec<Evaluated> = self
            .components
            .iter()
            .zip(frozen)
            .map(|(c, f)| c.evaluated(p, &self.ranges, f.is_some()))
            .collect();
        let valid = evaluated.iter().all(|e| {
            e.yield_.is_finite()
                && e.floating
                    .as_ref()
                    .is_none_or(|f| f.norm.is_finite() && f.norm > 0.0)
        });
        if !valid {
            return f64::INFINITY;
        }
        // ∂(−ln L)/∂ν and ∂(−ln L)/∂θ per component, then the chain rule to p.
        let (value, d_yield, d_shape) = match &self.data {
            Data::Unbinned { x, weights } => {
                let sums = self.unbinned_sums(x, weights.as_deref(), &evaluated, frozen, exact);
                let total: f64 = evaluated.iter().map(|e| e.yield_).sum();
                let d_yield: Vec<f64> = sums.a.iter().map(|a| 1.0 - a).collect();
                let d_shape = evaluated
                    .iter()
                    .zip(&sums.a)
                    .zip(&sums.b)
                    .map(|((e, &a), b)| match &e.floating {
                        Some(f) => b
                            .iter()
                            .zip(&f.norm_derivatives)
                            .map(|(&b, &di)| -e.yield_ / f.norm * b + e.yield_ * di / f.norm * a)
                            .collect(),
                        None => Vec::new(),
                    })
                    .collect::<Vec<Vec<f64>>>();
                (total - sums.log, d_yield, d_shape)
            }
            Data::Binned { bins, counts } => {
                self.binned(bins, counts, &evaluated, frozen, variances)
            }
        };
        for (k, e) in evaluated.iter().enumerate() {
            for &(i, d) in &e.yield_partials {
                gradient[i] += d_yield[k] * d;
            }
            if let Some(f) = &e.floating {
                for (m, partials) in f.param_partials.iter().enumerate() {
                    for &(i, d) in partials {
                        gradient[i] += d_shape[k][m] * d;
                    }
                }
            }
        }
        value
    }

    /// The block sums of an unbinned channel, added in block order.
    fn unbinned_sums(
        &self,
        x: &[f64],
        weights: Option<&[f64]>,
        evaluated: &[Evaluated],
        frozen: &[Option<Arc<Vec<f64>>>],
        exact: bool,
    ) -> Sums {
        let block = |start: usize| -> Sums {
            let end = (start + BLOCK).min(x.len());
            let events = &x[start..end];
            let n = events.len();
            // Per component: f/I per event; for floating shapes also ∂θf per event.
            let mut normalised: Vec<Vec<f64>> = Vec::with_capacity(evaluated.len());
            let mut derivatives: Vec<Vec<f64>> = Vec::with_capacity(evaluated.len());
            let mut density = vec![0.0; n];
            for ((c, e), f) in self.components.iter().zip(evaluated).zip(frozen) {
                let (values, gradient) = match (f, &e.floating) {
                    (Some(values), _) => (values[start..end].to_vec(), Vec::new()),
                    (None, Some(fl)) => {
                        let mut values = vec![0.0; n];
                        let mut gradient = vec![0.0; n * fl.wanted.len()];
                        c.shape.density_gradients(
                            events,
                            &fl.params,
                            &fl.wanted,
                            &mut values,
                            &mut gradient,
                        );
                        let inverse = 1.0 / fl.norm;
                        values.iter_mut().for_each(|v| *v *= inverse);
                        (values, gradient)
                    }
                    (None, None) => unreachable!("a component is frozen or floating"),
                };
                for (d, v) in density.iter_mut().zip(&values) {
                    *d += e.yield_ * v;
                }
                normalised.push(values);
                derivatives.push(gradient);
            }
            // Σ w ln D, and r = w/D.
            let weights = weights.map(|w| &w[start..end]);
            let log = if exact {
                super::log_density_sum(&density, weights)
            } else if density
                .iter()
                .enumerate()
                .any(|(i, &d)| d <= 0.0 && weights.is_none_or(|w| w[i] != 0.0))
            {
                f64::NEG_INFINITY
            } else {
                0.0
            };
            let mut ratio = vec![0.0; n];
            kernels::weight_over_density(&density, weights, &mut ratio);
            let dot = |v: &[f64]| kernels::dot(v, &ratio);
            Sums {
                log,
                a: normalised.iter().map(|v| dot(v)).collect(),
                b: derivatives
                    .iter()
                    .map(|g| g.chunks(n.max(1)).map(dot).collect())
                    .collect(),
            }
        };
        let starts: Vec<usize> = (0..x.len()).step_by(BLOCK).collect();
        let blocks: Vec<Sums> = if starts.len() > 1 {
            starts.par_iter().map(|&s| block(s)).collect()
        } else {
            starts.iter().map(|&s| block(s)).collect()
        };
        let mut total = Sums {
            log: 0.0,
            a: vec![0.0; evaluated.len()],
            b: evaluated
                .iter()
                .map(|e| vec![0.0; e.floating.as_ref().map_or(0, |f| f.wanted.len())])
                .collect(),
        };
        for s in blocks {
            total.log += s.log;
            total.a.iter_mut().zip(&s.a).for_each(|(t, v)| *t += v);
            for (t, v) in total.b.iter_mut().zip(&s.b) {
                t.iter_mut().zip(v).for_each(|(t, v)| *t += v);
            }
        }
        total
    }

    /// Value, ∂/∂ν and ∂/∂θ of a binned channel's deviance.
    fn binned(
        &self,
        bins: &[(f64, f64)],
        counts: &[f64],
        evaluated: &[Evaluated],
        frozen: &[Option<Arc<Vec<f64>>>],
        variances: &[Option<Arc<Vec<f64>>>],
    ) -> (f64, Vec<f64>, Vec<Vec<f64>>) {
        // Per component the fraction of its yield in each bin.
        let fractions: Vec<Vec<f64>> = self
            .components
            .iter()
            .zip(evaluated)
            .zip(frozen)
            .map(|((c, e), f)| match (f, &e.floating) {
                (Some(values), _) => values.to_vec(),
                (None, Some(fl)) => c
                    .shape
                    .integrals(bins, &fl.params)
                    .iter()
                    .map(|i| i / fl.norm)
                    .collect(),
                (None, None) => unreachable!("a component is frozen or floating"),
            })
            .collect();
        let mut expected = vec![0.0; bins.len()];
        for (e, fraction) in evaluated.iter().zip(&fractions) {
            expected
                .iter_mut()
                .zip(fraction)
                .for_each(|(x, v)| *x += e.yield_ * v);
        }
        let yields: Vec<f64> = evaluated.iter().map(|e| e.yield_).collect();
        let variance = template_statistics::bin_variances(bins.len(), &yields, variances);
        let costs: Vec<(f64, f64, f64)> = counts
            .iter()
            .zip(&expected)
            .enumerate()
            .map(|(b, (&n, &nu))| {
                template_statistics::bin_cost(n, nu, variance.as_ref().map_or(0.0, |v| v[b]))
            })
            .collect();
        let value: f64 = costs.iter().map(|c| c.0).sum();
        // ∂ cost/∂ν_b, and through the template variance V_b = Σ νₖ² rₖ_b also
        // ∂ cost/∂νₖ = Σ_b ∂ cost/∂V_b · 2νₖ rₖ_b.
        let slope: Vec<f64> = costs.iter().map(|c| c.1).collect();
        let dot = |v: &[f64]| kernels::dot(v, &slope);
        let d_yield = fractions
            .iter()
            .zip(variances)
            .zip(&yields)
            .map(|((f, factors), &nu)| {
                dot(f)
                    + factors.as_ref().map_or(0.0, |r| {
                        costs
                            .iter()
                            .zip(r.iter())
                            .map(|(c, r)| c.2 * 2.0 * nu * r)
                            .sum()
                    })
            })
            .collect();
        let d_shape = self
            .components
            .iter()
            .zip(evaluated)
            .zip(&fractions)
            .map(|((c, e), fraction)| match &e.floating {
                Some(fl) => fl
                    .wanted
                    .iter()
                    .zip(&fl.norm_derivatives)
                    .map(|(&j, &d_norm)| {
                        let d_fraction: Vec<f64> = bins
                            .iter()
                            .zip(fraction)
                            .map(|(&(lo, hi), &f)| {
                                (c.shape.integral_derivative(lo, hi, &fl.params, j) - f * d_norm)
                                    / fl.norm
                            })
                            .collect();
                        e.yield_ * dot(&d_fraction)
                    })
                    .collect(),
                None => Vec::new(),
            })
            .collect();
        (value, d_yield, d_shape)
    }
}

impl Constraint {
    /// ∂(constraint term)/∂θ, added into `gradient`.
    fn add_gradient(&self, p: &[f64], gradient: &mut [f64]) {
        match *self {
            Constraint::Gaussian { param, mean, sigma } => {
                gradient[param] += (p[param] - mean) / (sigma * sigma);
            }
            Constraint::LogNormal {
                param,
                relative,
                nominal,
            } => {
                let kappa = (1.0 + relative).ln();
                gradient[param] += (p[param] / nominal).ln() / (kappa * kappa * p[param]);
            }
            Constraint::Poisson { param, tau, aux } => {
                gradient[param] += tau - aux / p[param];
            }
        }
    }
}

impl Likelihood {
    /// −ln L at `p` and its gradient with respect to every parameter.
    pub fn nll_and_gradient(&self, p: &[f64]) -> (f64, Vec<f64>) {
        self.value_and_gradient_with(p, true)
    }

    /// The value (exact, or only finite-or-not) and the gradient.
    fn value_and_gradient_with(&self, p: &[f64], exact: bool) -> (f64, Vec<f64>) {
        let mut gradient = vec![0.0; p.len()];
        let mut value = 0.0;
        for ((channel, frozen), variances) in
            self.channels.iter().zip(&self.frozen).zip(&self.variances)
        {
            value += channel.nll_and_gradient(p, frozen, variances, &mut gradient, exact);
        }
        for c in &self.constraints {
            value += c.nll(p);
            c.add_gradient(p, &mut gradient);
        }
        (value, gradient)
    }
}

impl crate::stats::minuit::Cost for Likelihood {
    fn value(&self, p: &[f64]) -> f64 {
        self.nll(p)
    }

    fn value_and_gradient(&self, p: &[f64]) -> Option<(f64, Vec<f64>)> {
        let (value, gradient) = self.nll_and_gradient(p);
        value.is_finite().then_some((value, gradient))
    }

    fn gradient(&self, p: &[f64]) -> Option<Vec<f64>> {
        let (value, gradient) = self.value_and_gradient_with(p, false);
        value.is_finite().then_some(gradient)
    }

    fn has_gradient(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::pdfs::argus::Argus;
    use crate::stats::pdfs::chebychev::Chebychev;
    use crate::stats::pdfs::exponential::Exponential;
    use crate::stats::pdfs::gaussian::Gaussian;
    use crate::stats::shape::Shape;

    /// A model touching every path: an unbinned weighted channel (Gaussian with free mean
    /// and width, ARGUS with a free curvature, a frozen exponential, a derived yield), a
    /// binned channel (Chebychev, and a template with sample variances), and one
    /// constraint of each kind.
    fn model() -> (Likelihood, Vec<f64>) {
        let x: Vec<f64> = (0..40_000)
            .map(|i| 5.2 + 0.089 * ((i * 7919) % 40_000) as f64 / 40_000.0)
            .collect();
        let weights = Some(x.iter().map(|v| 0.5 + (v * 1e3).sin().abs()).collect());
        let unbinned = Channel {
            name: "mbc".into(),
            ranges: vec![(5.2, 5.25), (5.26, 5.289)],
            components: vec![
                Component {
                    name: "signal".into(),
                    shape: Shape::new(Gaussian),
                    params: vec![Value::Free(0), Value::Free(1)],
                    // ν = BR × 1e4 × efficiency (a derived yield).
                    yield_: Value::Derived(Arc::new(|p: &[f64]| p[2] * 1e4 * p[5])),
                },
                Component {
                    name: "continuum".into(),
                    shape: Shape::new(Argus),
                    params: vec![Value::Fixed(5.29), Value::Free(3), Value::Fixed(0.5)],
                    yield_: Value::Free(4),
                },
                Component {
                    name: "peaking".into(),
                    shape: Shape::new(Exponential),
                    params: vec![Value::Fixed(-2.0)],
                    yield_: Value::Fixed(300.0),
                },
            ],
            data: Data::Unbinned { x, weights },
        };
        let bins: Vec<(f64, f64)> = (0..20)
            .map(|k| (k as f64 * 0.1, (k + 1) as f64 * 0.1))
            .collect();
        let counts = (0..20).map(|k| ((k * 37) % 11) as f64).collect();
        let binned = Channel {
            name: "binned".into(),
            ranges: vec![(0.0, 2.0)],
            components: vec![
                Component {
                    name: "background".into(),
                    shape: Shape::new(Chebychev {
                        order: 2,
                        domain: (0.0, 2.0),
                    }),
                    params: vec![Value::Free(6), Value::Free(7)],
                    yield_: Value::Free(8),
                },
                Component {
                    // A peaking template from a small weighted sample: Barlow–Beeston-lite.
                    name: "peaking".into(),
                    shape: Shape::new(crate::stats::pdfs::histogram::Template {
                        low: 0.0,
                        high: 2.0,
                        contents: (0..40).map(|k| 1.0 + ((k * 13) % 7) as f64).collect(),
                        linear: false,
                        variances: Some((0..40).map(|k| 0.5 + ((k * 5) % 3) as f64).collect()),
                    }),
                    params: vec![],
                    yield_: Value::Free(11),
                },
            ],
            data: Data::Binned { bins, counts },
        };
        let constraints = vec![
            Constraint::Gaussian {
                param: 5,
                mean: 1.0,
                sigma: 0.1,
            },
            Constraint::LogNormal {
                param: 9,
                relative: 0.2,
                nominal: 1.0,
            },
            Constraint::Poisson {
                param: 10,
                tau: 50.0,
                aux: 45.0,
            },
        ];
        let p = vec![
            5.279, 0.0031, 0.21, -18.0, 31_000.0, 1.05, 0.1, -0.05, 95.0, 1.1, 0.93, 12.0,
        ];
        (Likelihood::new(vec![unbinned, binned], constraints), p)
    }

    #[test]
    fn gradient_matches_finite_differences_of_the_value() {
        let (likelihood, p) = model();
        let (value, gradient) = likelihood.nll_and_gradient(&p);
        assert!((value - likelihood.nll(&p)).abs() < 1e-9 * value.abs());
        for i in 0..p.len() {
            let h = if i == 0 {
                1e-5 * p[1]
            } else {
                1e-4 * p[i].abs().max(0.1)
            };
            let at = |offset: f64| {
                let mut q = p.clone();
                q[i] += offset;
                likelihood.nll(&q)
            };
            let numeric = (at(-2.0 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2.0 * h)) / (12.0 * h);
            assert!(
                (gradient[i] - numeric).abs() <= 1e-5 * numeric.abs().max(10.0),
                "∂/∂p[{i}]: {} vs {numeric}",
                gradient[i]
            );
        }
    }

    #[test]
    fn the_gradient_alone_equals_the_gradient_with_the_value() {
        use crate::stats::minuit::Cost;
        let (likelihood, p) = model();
        let alone = likelihood.gradient(&p).unwrap();
        let with = likelihood.nll_and_gradient(&p).1;
        assert!(
            alone
                .iter()
                .zip(&with)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
        let mut impossible = p.clone();
        impossible[4] = -1e6; // a negative continuum yield: unbinned densities below zero
        assert!(likelihood.gradient(&impossible).is_none());
    }

    #[test]
    fn gradient_is_identical_for_any_thread_count() {
        let (likelihood, p) = model();
        let pool = |n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .unwrap()
        };
        let one = pool(1).install(|| likelihood.nll_and_gradient(&p));
        let three = pool(3).install(|| likelihood.nll_and_gradient(&p));
        assert_eq!(one.0.to_bits(), three.0.to_bits());
        assert!(
            one.1
                .iter()
                .zip(&three.1)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }
}
