//! The exponential function.

use super::PdfSignature;
use crate::stats::kernels;
use crate::stats::shape::{Density, Shape, each_event, guarded};
use crate::stats::vecmath::exp;

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "exponential",
    required: &["slope"],
    optional: &[],
    numbered: None,
    defaults: &[],
    example: &[("slope", -0.3)],
    shape: Some(|_, _| Shape::new(Exponential)),
    doc: "exp(slope · x)",
};

/// exp(slope·x). Parameters: slope.
#[derive(Clone, Copy, Debug)]
pub struct Exponential;

impl Density for Exponential {
    fn parameter_names(&self) -> Vec<String> {
        vec!["slope".into()]
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        exp(p[0] * x)
    }

    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let s = p[0];
        if (s * (hi - lo)).abs() < 1e-8 {
            (s * lo).exp() * (hi - lo) * (1.0 + 0.5 * s * (hi - lo))
        } else {
            (s * lo).exp() * (s * (hi - lo)).exp_m1() / s
        }
    }

    fn accumulate(&self, xs: &[f64], p: &[f64], scale: f64, out: &mut [f64]) {
        kernels::exponential(xs, p[0], scale, out);
    }

    /// By a geometric recurrence over runs of equal-width bins.
    fn integrals(&self, bins: &[(f64, f64)], p: &[f64]) -> Vec<f64> {
        let s = p[0];
        let integral = |lo, hi| guarded(lo, hi, |lo, hi| self.integral(lo, hi, p));
        let mut out = Vec::with_capacity(bins.len());
        let mut run: Option<(f64, f64, f64)> = None; // (next edge, width, integral)
        for &(lo, hi) in bins {
            let width = hi - lo;
            let value = match run {
                Some((edge, w, last)) if edge == lo && (w - width).abs() <= 1e-12 * w => {
                    last * (s * width).exp()
                }
                _ => integral(lo, hi),
            };
            // Restart the recurrence from an exact value now and then.
            let value = if out.len() % 64 == 63 {
                integral(lo, hi)
            } else {
                value
            };
            run = Some((hi, width, value));
            out.push(value);
        }
        out
    }

    fn event_derivative(
        &self,
        xs: &[f64],
        _p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        if j > 0 {
            return false;
        }
        each_event(out, xs, values, |x, f| x * f);
        true
    }

    /// ∫ x e^{sx} = lo·I + e^{s·lo} ∫₀ʷ y e^{sy} dy, w = hi − lo.
    fn integral_derivative(&self, lo: f64, hi: f64, p: &[f64], j: usize) -> Option<f64> {
        if j > 0 {
            return None;
        }
        let (s, w) = (p[0], hi - lo);
        Some(lo * self.integral(lo, hi, p) + (s * lo).exp() * moment(s, w))
    }
}

/// ∫₀ʷ y e^{sy} dy = (e^{sw}(sw − 1) + 1)/s², by its series w² Σ (sw)ᵏ/(k!(k + 2))
/// where the closed form cancels (|sw| < ½).
fn moment(s: f64, w: f64) -> f64 {
    let z = s * w;
    if z.abs() >= 0.5 {
        return (z.exp() * (z - 1.0) + 1.0) / (s * s);
    }
    let (mut term, mut sum) = (1.0, 0.5);
    for k in 1..30 {
        term *= z / k as f64;
        sum += term / (k as f64 + 2.0);
    }
    w * w * sum
}
