//! The normal distribution.

use super::PdfSignature;
use crate::stats::kernels;
use crate::stats::shape::{Density, Shape, each_event, location_scale};
use crate::stats::special::normal_cdf;
use crate::stats::vecmath::exp;

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "gaussian",
    required: &["mean", "sigma"],
    optional: &[],
    numbered: None,
    defaults: &[],
    example: &[("mean", 5.0), ("sigma", 0.6)],
    shape: Some(|_, _| Shape::new(Gaussian)),
    doc: "normal distribution",
};

/// exp(−t²/2), t = (x − mean)/sigma. Parameters: mean, sigma.
#[derive(Clone, Copy, Debug)]
pub struct Gaussian;

impl Density for Gaussian {
    fn parameter_names(&self) -> Vec<String> {
        vec!["mean".into(), "sigma".into()]
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        let t = (x - p[0]) * (1.0 / p[1]);
        exp(-0.5 * t * t)
    }

    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let (a, b) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
        p[1] * SQRT_2PI * gaussian_mass(a, b)
    }

    fn accumulate(&self, xs: &[f64], p: &[f64], scale: f64, out: &mut [f64]) {
        kernels::gaussian(xs, p[0], 1.0 / p[1], scale, out);
    }

    /// The CDF at each shared edge once, in whichever tail is accurate.
    fn integrals(&self, bins: &[(f64, f64)], p: &[f64]) -> Vec<f64> {
        // Φ(t) for t ≤ 0 and 1 − Φ(t) for t > 0: each is accurate on its side.
        let tail = |x: f64| {
            let t = (x - p[0]) / p[1];
            if t <= 0.0 {
                (t, normal_cdf(t))
            } else {
                (t, normal_cdf(-t))
            }
        };
        let mut previous: Option<(f64, (f64, f64))> = None;
        bins.iter()
            .map(|&(lo, hi)| {
                let a = match previous {
                    Some((edge, value)) if edge == lo => value,
                    _ => tail(lo),
                };
                let b = tail(hi);
                previous = Some((hi, b));
                let mass = match (a.0 <= 0.0, b.0 <= 0.0) {
                    (true, true) => b.1 - a.1,
                    (false, false) => a.1 - b.1,
                    _ => (1.0 - b.1) - a.1,
                };
                p[1] * SQRT_2PI * mass.max(0.0)
            })
            .collect()
    }

    fn event_derivative(
        &self,
        xs: &[f64],
        p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        if j > 1 {
            return false;
        }
        // ∂mean f = f t/σ, ∂σ f = f t²/σ.
        let (mean, inverse) = (p[0], 1.0 / p[1]);
        each_event(out, xs, values, |x, f| {
            let t = (x - mean) * inverse;
            if j == 0 {
                f * t * inverse
            } else {
                f * t * t * inverse
            }
        });
        true
    }

    fn integral_derivative(&self, lo: f64, hi: f64, p: &[f64], j: usize) -> Option<f64> {
        location_scale::integral_derivative(self, lo, hi, p, j)
    }
}

/// √(2π).
pub(super) const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// Φ(b) − Φ(a) without cancellation in either tail.
pub(super) fn gaussian_mass(a: f64, b: f64) -> f64 {
    if a > 0.0 {
        normal_cdf(-a) - normal_cdf(-b)
    } else {
        normal_cdf(b) - normal_cdf(a)
    }
}
