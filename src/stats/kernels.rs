//! The per-event loops of unbinned likelihoods, compiled for the x86-64 baseline, AVX2
//! and AVX-512 and chosen at run time ([`crate::simd`]). They use
//! [`crate::stats::vecmath`]'s branch-free `exp` and `ln` and no fused multiply–add, so
//! every version computes bit-identical results: a fit gives the same numbers on any
//! x86-64 machine (`tests/it/run.rs` checks a scan's results.json at every level).

use crate::simd::multiversioned;
use crate::stats::vecmath::{exp, ln};

multiversioned! {
    /// out += scale · exp(−½((x − mean)·inverse_sigma)²).
    pub fn gaussian(xs: &[f64], mean: f64, inverse_sigma: f64, scale: f64, out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(xs) {
            let t = (x - mean) * inverse_sigma;
            *o += scale * exp(-0.5 * t * t);
        }
    }
}

multiversioned! {
    /// out += scale · exp(slope · x).
    pub fn exponential(xs: &[f64], slope: f64, scale: f64, out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(xs) {
            *o += scale * exp(slope * x);
        }
    }
}

multiversioned! {
    /// out += scale · x·√u·exp(c·u), u = 1 − (x/m0)², for u > 0 and x ≥ 0 (the ARGUS
    /// function with power ½).
    pub fn argus_half(xs: &[f64], inverse_m0: f64, c: f64, scale: f64, out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(xs) {
            let scaled = x * inverse_m0;
            let u = 1.0 - scaled * scaled;
            let value = x * u.max(0.0).sqrt() * exp(c * u);
            *o += if u > 0.0 && x >= 0.0 {
                scale * value
            } else {
                0.0
            };
        }
    }
}

multiversioned! {
    /// terms = w · ln d (w = 1 without weights; −∞ where d ≤ 0, and 0 where w = 0 with
    /// weights).
    pub fn log_terms(density: &[f64], weights: Option<&[f64]>, terms: &mut [f64]) {
        match weights {
            None => {
                for (t, &d) in terms.iter_mut().zip(density) {
                    *t = if d > 0.0 { ln(d) } else { f64::NEG_INFINITY };
                }
            }
            Some(w) => {
                for ((t, &d), &w) in terms.iter_mut().zip(density).zip(w) {
                    let log = if d > 0.0 { ln(d) } else { f64::NEG_INFINITY };
                    *t = if w == 0.0 { 0.0 } else { w * log };
                }
            }
        }
    }
}

multiversioned! {
    /// ratio = w / d where d > 0, else 0 (w = 1 without weights).
    pub fn weight_over_density(density: &[f64], weights: Option<&[f64]>, ratio: &mut [f64]) {
        match weights {
            None => {
                for (r, &d) in ratio.iter_mut().zip(density) {
                    *r = if d > 0.0 { 1.0 / d } else { 0.0 };
                }
            }
            Some(w) => {
                for ((r, &d), &w) in ratio.iter_mut().zip(density).zip(w) {
                    *r = if d > 0.0 { w / d } else { 0.0 };
                }
            }
        }
    }
}

/// Independent partial sums in [`sum`] and [`dot`]: a sequential sum waits for each
/// addition to finish (four cycles), eight running sums keep the adder busy.
const LANES: usize = 8;

/// Σ v, with [`LANES`] partial sums combined in a fixed order: the result depends only on
/// the values and their order, never on the machine or the thread count.
pub fn sum(v: &[f64]) -> f64 {
    let mut lanes = [0.0; LANES];
    let chunks = v.chunks_exact(LANES);
    let tail: f64 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (l, x) in lanes.iter_mut().zip(chunk) {
            *l += x;
        }
    }
    combine(lanes) + tail
}

/// Σ a·b, summed as in [`sum`].
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut lanes = [0.0; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f64 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for ((l, x), y) in lanes.iter_mut().zip(x).zip(y) {
            *l += x * y;
        }
    }
    combine(lanes) + tail
}

/// The partial sums added pairwise in a fixed tree.
fn combine(l: [f64; LANES]) -> f64 {
    ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_agree_with_exact_sums_and_handle_any_length() {
        for n in [0, 1, 7, 8, 9, 1000, 16_387] {
            let v: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1000) as f64 / 7.0 - 50.0)
                .collect();
            let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 13) as f64 / 3.0).collect();
            let exact: f64 = v.iter().sum();
            assert!((sum(&v) - exact).abs() <= 1e-9 * (1.0 + exact.abs()), "{n}");
            let exact_dot: f64 = v.iter().zip(&w).map(|(a, b)| a * b).sum();
            assert!(
                (dot(&v, &w) - exact_dot).abs() <= 1e-9 * (1.0 + exact_dot.abs()),
                "{n}"
            );
        }
    }
}
