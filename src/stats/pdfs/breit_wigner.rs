//! The relativistic Breit–Wigner.

use super::PdfSignature;
use crate::stats::shape::{Density, Shape, each_event};

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "breit_wigner",
    required: &["mass", "width"],
    optional: &[],
    numbered: None,
    defaults: &[],
    example: &[("mass", 5.0), ("width", 0.5)],
    shape: Some(|_, _| Shape::new(BreitWigner)),
    doc: "relativistic Breit-Wigner",
};

/// 1/((x² − M²)² + M²Γ²). Parameters: mass, width.
#[derive(Clone, Copy, Debug)]
pub struct BreitWigner;

impl Density for BreitWigner {
    fn parameter_names(&self) -> Vec<String> {
        vec!["mass".into(), "width".into()]
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        let (m2, mg) = (p[0] * p[0], p[0] * p[1]);
        1.0 / ((x * x - m2).powi(2) + mg * mg)
    }

    /// In closed form over [lo, hi] ∩ [0, ∞).
    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let (m, gamma) = (p[0], p[1]);
        // 1/((x² − m²)² + m²Γ²) = Im[1/(x² − a)]/(mΓ) with a = m² + i·mΓ, whose
        // antiderivative is −artanh(x/√a)/√a: continuous for real x, since x/√a never
        // meets the cuts.
        let root = num_complex::Complex64::new(m * m, m * gamma).sqrt();
        let antiderivative = |x: f64| {
            -((num_complex::Complex64::from(x.max(0.0)) / root).atanh() / root).im / (m * gamma)
        };
        antiderivative(hi) - antiderivative(lo)
    }

    fn event_derivative(
        &self,
        xs: &[f64],
        p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        let (mass, width) = (p[0], p[1]);
        each_event(out, xs, values, |x, f| {
            let dq = if j == 0 {
                -4.0 * mass * (x * x - mass * mass) + 2.0 * mass * width * width
            } else {
                2.0 * mass * mass * width
            };
            -f * f * dq
        });
        true
    }
}
