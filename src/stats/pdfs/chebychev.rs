//! Chebychev series of any order, RooChebychev's convention.

use super::PdfSignature;
use crate::stats::shape::{Density, Shape, each_event};

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "chebychev",
    required: &[],
    optional: &["order"],
    numbered: Some(("c", 0.0)),
    defaults: &[],
    example: &[("c1", 0.3), ("c2", 0.1)],
    shape: Some(|order, domain| Shape::new(Chebychev { order, domain })),
    doc: "Chebychev polynomial of any order (coefficients c1, c2, …)",
};

/// 1 + Σₖ cₖ Tₖ(x′) with x′ the observable mapped from `domain` onto [−1, 1].
/// Parameters: c1 … c_order.
#[derive(Clone, Copy, Debug)]
pub struct Chebychev {
    /// Polynomial order.
    pub order: usize,
    /// The range mapped onto [−1, 1] (the observable's full range).
    pub domain: (f64, f64),
}

impl Chebychev {
    /// x mapped from the domain onto [−1, 1].
    fn unit(&self, x: f64) -> f64 {
        (2.0 * x - self.domain.0 - self.domain.1) / (self.domain.1 - self.domain.0)
    }
}

impl Density for Chebychev {
    fn parameter_names(&self) -> Vec<String> {
        (1..=self.order).map(|k| format!("c{k}")).collect()
    }

    fn density(&self, x: f64, p: &[f64]) -> f64 {
        series(self.unit(x), p)
    }

    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        let (a, b) = (self.unit(lo), self.unit(hi));
        0.5 * (self.domain.1 - self.domain.0) * (primitive(b, p) - primitive(a, p))
    }

    /// The primitive at each shared edge once.
    fn integrals(&self, bins: &[(f64, f64)], p: &[f64]) -> Vec<f64> {
        let scale = 0.5 * (self.domain.1 - self.domain.0);
        let primitive = |x: f64| primitive(self.unit(x), p);
        let mut previous: Option<(f64, f64)> = None;
        bins.iter()
            .map(|&(lo, hi)| {
                let a = match previous {
                    Some((edge, value)) if edge == lo => value,
                    _ => primitive(lo),
                };
                let b = primitive(hi);
                previous = Some((hi, b));
                scale * (b - a)
            })
            .collect()
    }

    /// Linear in its coefficients: ∂f/∂cₖ = Tₖ.
    fn event_derivative(
        &self,
        xs: &[f64],
        _p: &[f64],
        k: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        let (unit, zero) = self.coefficient(k);
        each_event(out, xs, values, |x, _| {
            let u = self.unit(x);
            series(u, &unit) - series(u, &zero)
        });
        true
    }

    fn integral_derivative(&self, lo: f64, hi: f64, _p: &[f64], k: usize) -> Option<f64> {
        let (unit, zero) = self.coefficient(k);
        let primitive = |x: f64| {
            let u = self.unit(x);
            primitive(u, &unit) - primitive(u, &zero)
        };
        Some(0.5 * (self.domain.1 - self.domain.0) * (primitive(hi) - primitive(lo)))
    }
}

impl Chebychev {
    /// Coefficients with only cₖ₊₁ = 1, and all zero.
    fn coefficient(&self, k: usize) -> (Vec<f64>, Vec<f64>) {
        let mut unit = vec![0.0; self.order];
        unit[k] = 1.0;
        (unit, vec![0.0; self.order])
    }
}

/// 1 + Σₖ cₖ Tₖ(x), by the three-term recurrence.
fn series(x: f64, c: &[f64]) -> f64 {
    let (mut previous, mut current) = (1.0, x);
    let mut sum = 1.0;
    for (k, ck) in c.iter().enumerate() {
        if k > 0 {
            (previous, current) = (current, 2.0 * x * current - previous);
        }
        sum += ck * current;
    }
    sum
}

/// A primitive of 1 + Σₖ cₖ Tₖ: ∫T₀ = T₁, ∫T₁ = T₂/4 (+ const), and for k ≥ 2
/// ∫Tₖ = T_{k+1}/(2(k+1)) − T_{k−1}/(2(k−1)).
fn primitive(x: f64, c: &[f64]) -> f64 {
    // Rolling T_{k−1}, T_k, T_{k+1}; no allocation, as this runs per bin edge per call.
    let (mut below, mut at, mut above) = (1.0, x, 2.0 * x * x - 1.0);
    let mut sum = x;
    for (index, ck) in c.iter().enumerate() {
        let k = index + 1;
        sum += ck
            * if k == 1 {
                0.25 * above
            } else {
                above / (2.0 * (k as f64 + 1.0)) - below / (2.0 * (k as f64 - 1.0))
            };
        (below, at, above) = (at, above, 2.0 * x * above - at);
    }
    sum
}

#[cfg(test)]
mod tests {
    #[test]
    fn recurrence_matches_the_cosine_definition() {
        let x: f64 = 0.3;
        let c = [0.0, 0.0, 1.0]; // T3
        let t3 = (3.0 * x.acos()).cos();
        assert!((super::series(x, &c) - 1.0 - t3).abs() < 1e-14);
    }
}
