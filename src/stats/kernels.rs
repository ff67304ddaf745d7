//! The per-event loops of unbinned likelihoods, compiled twice: for the x86-64 baseline
//! (SSE2, two doubles per instruction) and for AVX2 (four), chosen at run time by
//! `multiversion`. They use [`crate::stats::vecmath`]'s branch-free `exp` and `ln` and
//! no fused multiply–add, so both versions compute bit-identical results: a fit gives
//! the same numbers on any x86-64 machine.

use multiversion::multiversion;

use crate::stats::vecmath::{exp, ln};

/// out += scale · exp(−½((x − mean)·inverse_sigma)²).
#[multiversion(targets("x86_64+avx2"))]
pub fn gaussian(xs: &[f64], mean: f64, inverse_sigma: f64, scale: f64, out: &mut [f64]) {
    for (o, &x) in out.iter_mut().zip(xs) {
        let t = (x - mean) * inverse_sigma;
        *o += scale * exp(-0.5 * t * t);
    }
}

/// out += scale · exp(slope · x).
#[multiversion(targets("x86_64+avx2"))]
pub fn exponential(xs: &[f64], slope: f64, scale: f64, out: &mut [f64]) {
    for (o, &x) in out.iter_mut().zip(xs) {
        *o += scale * exp(slope * x);
    }
}

/// out += scale · x·√u·exp(c·u), u = 1 − (x/m0)², for u > 0 and x ≥ 0 (the ARGUS
/// function with power ½).
#[multiversion(targets("x86_64+avx2"))]
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

/// terms = w · ln d (w = 1 without weights; −∞ where d ≤ 0, and 0 where w = 0 with
/// weights).
#[multiversion(targets("x86_64+avx2"))]
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

/// ratio = w / d where d > 0, else 0 (w = 1 without weights).
#[multiversion(targets("x86_64+avx2"))]
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

/// Σ a·b in order (a sequential sum, as every sum over events here, so that it does
/// not depend on the vector width).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
