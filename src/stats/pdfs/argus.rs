//! The ARGUS threshold function.

use super::PdfSignature;
use crate::stats::kernels;
use crate::stats::quadrature::integrate;
use crate::stats::shape::{Density, Shape, each_event};
use crate::stats::vecmath::exp;

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "argus",
    required: &["m0", "c"],
    optional: &["p"],
    numbered: None,
    // The square-root ARGUS power.
    defaults: &[("p", 0.5)],
    example: &[("m0", 9.0), ("c", -4.0), ("p", 0.5)],
    shape: Some(|_, _| Shape::new(Argus)),
    doc: "ARGUS threshold function, endpoint m0",
};

/// x·(1 − x²/m0²)^p·exp(c·(1 − x²/m0²)) below m0 (RooArgusBG). Parameters: m0, c, p.
#[derive(Clone, Copy, Debug)]
pub struct Argus;

impl Density for Argus {
    fn parameter_names(&self) -> Vec<String> {
        ["m0", "c", "p"].map(String::from).to_vec()
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        let scaled = x * (1.0 / p[0]);
        let u = 1.0 - scaled * scaled;
        if u <= 0.0 || x < 0.0 {
            return 0.0;
        }
        // The usual p = ½ by sqrt: several times faster than powf per event.
        let power = if p[2] == 0.5 { u.sqrt() } else { u.powf(p[2]) };
        x * power * exp(p[1] * u)
    }

    /// With u = 1 − x²/m0², x dx = −m0²/2 du, and v = √u removes the square-root
    /// endpoint: ∫ = m0² ∫ v^(2p+1) e^(c v²) dv over the mapped range.
    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let (m0, c, power) = (p[0], p[1], p[2]);
        let (lo, hi) = (lo.max(0.0), hi.min(m0));
        if hi <= lo {
            return 0.0;
        }
        let v = |x: f64| (1.0 - (x / m0).powi(2)).max(0.0).sqrt();
        let (v_hi, v_lo) = (v(lo), v(hi));
        m0 * m0
            * integrate(
                |v| v.powf(2.0 * power + 1.0) * (c * v * v).exp(),
                v_lo,
                v_hi,
                4,
            )
    }

    fn accumulate(&self, xs: &[f64], p: &[f64], scale: f64, out: &mut [f64]) {
        if p[2] == 0.5 {
            kernels::argus_half(xs, 1.0 / p[0], p[1], scale, out);
        } else {
            for (o, &x) in out.iter_mut().zip(xs) {
                *o += scale * self.density(x, p);
            }
        }
    }

    fn event_derivative(
        &self,
        xs: &[f64],
        p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        let (m0, c, power) = (p[0], p[1], p[2]);
        each_event(out, xs, values, |x, f| {
            let u = 1.0 - (x / m0).powi(2);
            if f == 0.0 || u <= 0.0 {
                return 0.0;
            }
            match j {
                0 => f * (power / u + c) * 2.0 * x * x / (m0 * m0 * m0),
                1 => u * f,
                _ => u.ln() * f,
            }
        });
        true
    }
}
