//! The double-sided Crystal Ball function.

use super::PdfSignature;
use super::crystal_ball::{power_tail, tail_slope, tailed_integral};
use crate::stats::shape::{Density, Shape, location_scale};

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "double_crystal_ball",
    required: &["mean", "sigma"],
    optional: &["alpha_low", "n_low", "alpha_high", "n_high"],
    numbered: None,
    // A side not given has no tail.
    defaults: &[
        ("alpha_low", 1e3),
        ("n_low", 2.0),
        ("alpha_high", 1e3),
        ("n_high", 2.0),
    ],
    example: &[
        ("mean", 5.0),
        ("sigma", 0.6),
        ("alpha_low", 1.2),
        ("n_low", 3.0),
        ("alpha_high", 1.8),
        ("n_high", 5.0),
    ],
    shape: Some(|_, _| Shape::new(DoubleCrystalBall)),
    doc: "Gaussian core with power-law tails on both sides",
};

/// Power-law tails on both sides. Parameters: mean, sigma, alpha_low, n_low, alpha_high,
/// n_high.
#[derive(Clone, Copy, Debug)]
pub struct DoubleCrystalBall;

impl Density for DoubleCrystalBall {
    fn parameter_names(&self) -> Vec<String> {
        ["mean", "sigma", "alpha_low", "n_low", "alpha_high", "n_high"]
            .map(String::from)
            .to_vec()
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        let t = (x - p[0]) / p[1];
        if t < 0.0 {
            power_tail(-t, p[2], p[3])
        } else {
            power_tail(t, p[4], p[5])
        }
    }

    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let (a, b) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
        p[1] * tailed_integral(a, b, p[2], p[3], p[4], p[5])
    }

    fn event_derivative(
        &self,
        xs: &[f64],
        p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        location_scale::event_derivative(xs, p, j, values, out, |t| {
            if t < 0.0 {
                -tail_slope(-t, p[2], p[3])
            } else {
                tail_slope(t, p[4], p[5])
            }
        })
    }

    fn integral_derivative(&self, lo: f64, hi: f64, p: &[f64], j: usize) -> Option<f64> {
        location_scale::integral_derivative(self, lo, hi, p, j)
    }
}
