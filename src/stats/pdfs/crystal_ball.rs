//! The Crystal Ball function: a Gaussian core with a power-law tail on one side.

use super::PdfSignature;
use super::gaussian::{SQRT_2PI, gaussian_mass};
use crate::stats::shape::{Density, Shape, location_scale};
use crate::stats::vecmath::exp;

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "crystal_ball",
    required: &["mean", "sigma", "alpha", "n"],
    optional: &[],
    numbered: None,
    defaults: &[],
    example: &[("mean", 5.0), ("sigma", 0.6), ("alpha", 1.2), ("n", 3.0)],
    shape: Some(|_, _| Shape::new(CrystalBall)),
    doc: "Gaussian core with a power-law low tail",
};

/// Gaussian core with a power-law tail below mean − |alpha|·sigma (RooCBShape's
/// convention; a negative alpha puts the tail above). Parameters: mean, sigma, alpha, n.
#[derive(Clone, Copy, Debug)]
pub struct CrystalBall;

impl Density for CrystalBall {
    fn parameter_names(&self) -> Vec<String> {
        ["mean", "sigma", "alpha", "n"].map(String::from).to_vec()
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        let t = (x - p[0]) / p[1];
        let t = if p[2] < 0.0 { -t } else { t };
        power_tail(-t, p[2].abs(), p[3])
    }

    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let (a, b) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
        let (a, b) = if p[2] < 0.0 { (-b, -a) } else { (a, b) };
        p[1] * tailed_integral(a, b, p[2].abs(), p[3], f64::INFINITY, 1.0)
    }

    fn event_derivative(
        &self,
        xs: &[f64],
        p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        // f = P(d), d = −t (tail low, alpha ≥ 0) or d = t (alpha < 0).
        let sign = if p[2] < 0.0 { 1.0 } else { -1.0 };
        let (alpha, n) = (p[2].abs(), p[3]);
        location_scale::event_derivative(xs, p, j, values, out, |t| {
            sign * tail_slope(sign * t, alpha, n)
        })
    }

    fn integral_derivative(&self, lo: f64, hi: f64, p: &[f64], j: usize) -> Option<f64> {
        location_scale::integral_derivative(self, lo, hi, p, j)
    }
}

/// A Crystal Ball side in units of sigma: exp(−t²/2) for t ≤ alpha, and the power law
/// A·(B + t)^(−n) matched in value and slope beyond, for t = distance from the mean
/// towards the tail.
pub(super) fn power_tail(t: f64, alpha: f64, n: f64) -> f64 {
    if t <= alpha {
        exp(-0.5 * t * t)
    } else {
        let r = n / alpha;
        exp(-0.5 * alpha * alpha) * (r / (r - alpha + t)).powf(n)
    }
}

/// d/dd of a Crystal Ball side `power_tail(d, alpha, n)`.
pub(super) fn tail_slope(d: f64, alpha: f64, n: f64) -> f64 {
    if d <= alpha {
        -d * (-0.5 * d * d).exp()
    } else {
        -n * power_tail(d, alpha, n) / (n / alpha - alpha + d)
    }
}

/// ∫ over t ∈ [a, b] of the density with a low tail (alpha_low, n_low) and a high tail
/// (alpha_high, n_high; infinite alpha for none), in units of sigma.
pub(super) fn tailed_integral(
    a: f64,
    b: f64,
    alpha_low: f64,
    n_low: f64,
    alpha_high: f64,
    n_high: f64,
) -> f64 {
    let mut total = 0.0;
    // Low tail: t < −alpha_low, distance d = −t from alpha_low up.
    if a < -alpha_low {
        total += tail_integral(-b.min(-alpha_low), -a, alpha_low, n_low);
    }
    // Core.
    let (c0, c1) = (a.max(-alpha_low), b.min(alpha_high));
    if c1 > c0 {
        total += SQRT_2PI * gaussian_mass(c0, c1);
    }
    if b > alpha_high {
        total += tail_integral(a.max(alpha_high), b, alpha_high, n_high);
    }
    total
}

/// ∫ from d0 to d1 (both ≥ alpha) of A·(B + d)^(−n), with A, B from `power_tail`.
fn tail_integral(d0: f64, d1: f64, alpha: f64, n: f64) -> f64 {
    let r = n / alpha;
    let a = (-0.5 * alpha * alpha).exp() * r.powf(n);
    let (u0, u1) = (r - alpha + d0, r - alpha + d1);
    if (n - 1.0).abs() < 1e-10 {
        a * (u1 / u0).ln()
    } else {
        a * (u0.powf(1.0 - n) - u1.powf(1.0 - n)) / (n - 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::CrystalBall;
    use crate::stats::shape::Density;

    #[test]
    fn crystal_ball_is_continuous_with_continuous_slope_at_the_junction() {
        let p = [0.0, 1.0, 1.5, 4.0];
        let at = |x: f64| CrystalBall.density(x, &p);
        let h = 1e-7;
        assert!((at(-1.5 - h) - at(-1.5 + h)).abs() < 1e-6);
        let slope = |x: f64| (at(x + h) - at(x - h)) / (2.0 * h);
        assert!((slope(-1.5 - 2e-6) - slope(-1.5 + 2e-6)).abs() < 1e-4);
    }
}
