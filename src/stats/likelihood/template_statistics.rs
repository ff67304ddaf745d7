//! Barlow–Beeston-lite: the statistical uncertainty of templates filled from finite
//! samples, in binned likelihoods, by Conway's method (PHYSTAT 2011, arXiv:1103.0354).
//!
//! Each bin's total expectation ν gets a factor β with a Gaussian constraint of width
//! √V/ν, V the variance of ν from the templates' sample statistics
//! (V = Σₖ νₖ² Varₖ(bin)/Iₖ², templates normalised to their yield). The cost of a bin,
//! ν β − n + n ln(n/(νβ)) + (β − 1)² ν²/(2V), is minimised over β in closed form (the
//! positive root of β² + (νV/ν² − 1)β − nV/ν² = 0), so no parameter per bin is added to
//! the fit. This is iminuit's `Template(method="jsc")` up to its factor 2 (χ² against
//! −ln L), which `tests/it/fits.rs` checks.

use std::sync::Arc;

use super::{Channel, Data};

impl Channel {
    /// For a binned channel, per component: the factors rᵦ with Var(component in bin b)
    /// = ν² rᵦ, for templates that carry variances; None for every other component.
    pub(super) fn template_variances(&self) -> Vec<Option<Arc<Vec<f64>>>> {
        let Data::Binned { bins, .. } = &self.data else {
            return vec![None; self.components.len()];
        };
        self.components
            .iter()
            .map(|component| {
                let template = component.shape.as_template()?;
                template.variances.as_ref()?;
                let norm: f64 = self
                    .ranges
                    .iter()
                    .map(|&(lo, hi)| component.shape.integral(lo, hi, &[]))
                    .sum();
                if !(norm > 0.0 && norm.is_finite()) {
                    return None;
                }
                let factors = bins
                    .iter()
                    .map(|&(lo, hi)| template.variance_in(lo, hi).unwrap_or(0.0) / (norm * norm))
                    .collect();
                Some(Arc::new(factors))
            })
            .collect()
    }
}

/// The variance of each bin's expectation given per-component `yields`.
pub(super) fn bin_variances(
    bins: usize,
    yields: &[f64],
    factors: &[Option<Arc<Vec<f64>>>],
) -> Option<Vec<f64>> {
    if factors.iter().all(Option::is_none) {
        return None;
    }
    let mut variance = vec![0.0; bins];
    for (nu, f) in yields.iter().zip(factors) {
        if let Some(f) = f {
            variance
                .iter_mut()
                .zip(f.iter())
                .for_each(|(v, r)| *v += nu * nu * r);
        }
    }
    Some(variance)
}

/// A bin's cost with observed `n`, expectation `nu` and its template variance `v`:
/// (value, ∂/∂ν, ∂/∂V) with β profiled. Without variance (or without expectation) it
/// is the Poisson deviance.
pub(super) fn bin_cost(n: f64, nu: f64, v: f64) -> (f64, f64, f64) {
    if !(v > 0.0 && nu > 0.0) {
        let slope = match (n > 0.0, nu > 0.0) {
            (true, true) => 1.0 - n / nu,
            (false, true) => 1.0,
            _ => 0.0,
        };
        return (super::poisson_deviance(n, nu), slope, 0.0);
    }
    let relative = v / (nu * nu);
    let p = 0.5 - 0.5 * nu * relative;
    let q = n.max(0.0) * relative;
    let root = (p * p + q).sqrt();
    // p + √(p² + q), without cancellation when p < 0.
    let beta = if p >= 0.0 { p + root } else { q / (root - p) };
    let penalty = (beta - 1.0).powi(2) / (2.0 * relative);
    let value = super::poisson_deviance(n, nu * beta) + penalty;
    let d_nu = beta - n / nu + (beta - 1.0).powi(2) * nu / v;
    let d_v = -penalty / v;
    (value, d_nu, d_v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profiled_factor_minimises_the_bin_cost() {
        for &(n, nu, v) in &[
            (7.0, 5.0, 2.0),
            (0.0, 3.0, 1.5),
            (40.0, 55.0, 30.0),
            (2.0, 1e-3, 1e-4),
        ] {
            let (value, _, _) = bin_cost(n, nu, v);
            let cost = |beta: f64| {
                super::super::poisson_deviance(n, nu * beta)
                    + (beta - 1.0).powi(2) * nu * nu / (2.0 * v)
            };
            for beta in (1..400).map(|k| k as f64 / 100.0) {
                assert!(value <= cost(beta) + 1e-12, "{n} {nu} {v}: β = {beta}");
            }
        }
    }

    #[test]
    fn derivatives_match_finite_differences() {
        for &(n, nu, v) in &[(7.0, 5.0, 2.0), (0.0, 3.0, 1.5), (40.0, 55.0, 30.0)] {
            let (_, d_nu, d_v) = bin_cost(n, nu, v);
            let h = 1e-5;
            let numeric_nu = (bin_cost(n, nu + h, v).0 - bin_cost(n, nu - h, v).0) / (2.0 * h);
            let numeric_v = (bin_cost(n, nu, v + h).0 - bin_cost(n, nu, v - h).0) / (2.0 * h);
            assert!((d_nu - numeric_nu).abs() < 1e-7, "{d_nu} vs {numeric_nu}");
            assert!((d_v - numeric_v).abs() < 1e-7, "{d_v} vs {numeric_v}");
        }
    }

    #[test]
    fn no_variance_is_the_poisson_deviance() {
        assert_eq!(
            bin_cost(7.0, 5.0, 0.0).0,
            super::super::poisson_deviance(7.0, 5.0)
        );
    }
}
