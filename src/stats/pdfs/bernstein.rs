//! Bernstein polynomials, RooBernstein's convention.

use super::PdfSignature;
use crate::stats::shape::{Density, Shape, each_event};

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "bernstein",
    required: &[],
    optional: &["order"],
    numbered: Some(("b", 1.0)),
    defaults: &[],
    example: &[("b0", 1.0), ("b1", 2.0), ("b2", 0.5)],
    shape: Some(|order, domain| Shape::new(Bernstein { order, domain })),
    doc: "Bernstein polynomial (coefficients b0, b1, …)",
};

/// Σₖ bₖ C(order, k) uᵏ (1 − u)^(order − k), u the observable mapped from `domain` onto
/// [0, 1]. Parameters: b0 … b_order.
#[derive(Clone, Copy, Debug)]
pub struct Bernstein {
    /// Polynomial order.
    pub order: usize,
    /// The range mapped onto [0, 1].
    pub domain: (f64, f64),
}

impl Density for Bernstein {
    fn parameter_names(&self) -> Vec<String> {
        (0..=self.order).map(|k| format!("b{k}")).collect()
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        let u = (x - self.domain.0) / (self.domain.1 - self.domain.0);
        polynomial(self.order, u, p)
    }

    /// Closed form: a primitive of one degree more.
    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let width = self.domain.1 - self.domain.0;
        let unit = |x: f64| (x - self.domain.0) / width;
        width * (primitive(self.order, unit(hi), p) - primitive(self.order, unit(lo), p))
    }

    /// Linear in its coefficients: ∂f/∂bₖ is the k-th basis polynomial.
    fn event_derivative(
        &self,
        xs: &[f64],
        _p: &[f64],
        k: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        let unit = self.coefficient(k);
        let (order, domain) = (self.order, self.domain);
        each_event(out, xs, values, |x, _| {
            polynomial(order, (x - domain.0) / (domain.1 - domain.0), &unit)
        });
        true
    }

    fn integral_derivative(&self, lo: f64, hi: f64, _p: &[f64], k: usize) -> Option<f64> {
        Some(self.integral(lo, hi, &self.coefficient(k)))
    }
}

impl Bernstein {
    /// Coefficients with only bₖ = 1.
    fn coefficient(&self, k: usize) -> Vec<f64> {
        let mut unit = vec![0.0; self.order + 1];
        unit[k] = 1.0;
        unit
    }
}

/// Σₖ bₖ C(n, k) uᵏ (1 − u)^(n − k).
fn polynomial(order: usize, u: f64, b: &[f64]) -> f64 {
    let mut binomial = 1.0;
    let mut sum = 0.0;
    for (k, bk) in b.iter().enumerate().take(order + 1) {
        if k > 0 {
            binomial *= (order - k + 1) as f64 / k as f64;
        }
        sum += bk * binomial * u.powi(k as i32) * (1.0 - u).powi((order - k) as i32);
    }
    sum
}

/// The primitive of Σₖ bₖ C(n, k) uᵏ (1 − u)^(n − k) that vanishes at u = 0: the
/// degree-(n + 1) Bernstein polynomial with coefficients (b₀ + … + b_{j−1}) / (n + 1).
fn primitive(order: usize, u: f64, b: &[f64]) -> f64 {
    let mut sums = Vec::with_capacity(order + 2);
    sums.push(0.0);
    for k in 0..=order {
        sums.push(sums[k] + b.get(k).copied().unwrap_or(0.0));
    }
    polynomial(order + 1, u, &sums) / (order + 1) as f64
}
