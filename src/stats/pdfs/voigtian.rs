//! The Voigt profile: a Breit–Wigner convolved with a Gaussian.

use super::PdfSignature;
use super::gaussian::SQRT_2PI;
use crate::stats::quadrature::integrate;
use crate::stats::shape::{Density, Shape};

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "voigtian",
    required: &["mean", "width", "sigma"],
    optional: &[],
    numbered: None,
    defaults: &[],
    example: &[("mean", 5.0), ("width", 0.5), ("sigma", 0.6)],
    shape: Some(|_, _| Shape::new(Voigtian)),
    doc: "Breit-Wigner convolved with a Gaussian",
};

/// A non-relativistic Breit–Wigner of full width Γ convolved with a Gaussian of width σ
/// (RooVoigtian): Re w(z)/(σ√2π), z = (x − mean + iΓ/2)/(σ√2), w the Faddeeva function.
/// Parameters: mean, width, sigma. Derivatives are numerical.
#[derive(Clone, Copy, Debug)]
pub struct Voigtian;

impl Density for Voigtian {
    fn parameter_names(&self) -> Vec<String> {
        ["mean", "width", "sigma"].map(String::from).to_vec()
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        profile(x - p[0], p[1], p[2])
    }

    /// 64-point Gauss–Legendre panels whose edges sit at the centre ± (½, 1, 2, 4, …) ×
    /// the profile's scale, so that each panel sees a smooth, slowly varying piece of the
    /// peak or of its Lorentzian tails.
    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let (mean, gamma, sigma) = (p[0], p[1], p[2]);
        let scale = (0.5 * gamma).max(sigma).max(1e-300);
        let mut edges = vec![lo, hi];
        let mut offset = 0.5 * scale;
        while offset < (hi - lo).abs() + (mean - lo).abs() + (mean - hi).abs() {
            for edge in [mean - offset, mean + offset] {
                if edge > lo && edge < hi {
                    edges.push(edge);
                }
            }
            offset *= 2.0;
        }
        edges.sort_by(f64::total_cmp);
        edges
            .windows(2)
            .map(|e| integrate(|x| profile(x - mean, gamma, sigma), e[0], e[1], 1))
            .sum()
    }
}

/// The Voigt profile at distance `d` from its centre: Re w(z)/(σ√2π) with
/// z = (d + iΓ/2)/(σ√2), by the Faddeeva package's algorithm (the `errorfunctions` crate,
/// a port of the code scipy's `voigt_profile` uses). A width σ of zero is the Lorentzian.
fn profile(d: f64, gamma: f64, sigma: f64) -> f64 {
    use errorfunctions::ComplexErrorFunctions;
    let half = 0.5 * gamma.max(0.0);
    if sigma <= 0.0 {
        return half / std::f64::consts::PI / (d * d + half * half);
    }
    let scale = 1.0 / (sigma * std::f64::consts::SQRT_2);
    let w = num_complex::Complex64::new(d * scale, half * scale).w();
    w.re / (sigma * SQRT_2PI)
}
