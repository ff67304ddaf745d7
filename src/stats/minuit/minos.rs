//! Profile likelihoods, and MINOS: the asymmetric interval of one parameter where the
//! profile of f (minimised over all other parameters) rises by `up` above the minimum.
//! Crossings are bracketed from the parabolic error and located with Brent's method; a
//! crossing beyond a bound gives the bound.

use super::{Cost, FitResult, ParamSpec, Settings, minimize};
use crate::stats::quadrature::brent;

/// One side of a MINOS interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crossing {
    /// Signed distance from the best value (negative for the lower side).
    pub error: f64,
    /// True when the profile never rose by `up` before the parameter's bound: `error`
    /// then points at the bound.
    pub at_limit: bool,
    /// True when every profile fit on the way converged.
    pub valid: bool,
}

/// The MINOS interval (lower, upper) of parameter `index` around the minimum `best`.
pub fn minos(
    f: &dyn Cost,
    params: &[ParamSpec],
    settings: Settings,
    best: &FitResult,
    index: usize,
) -> (Crossing, Crossing) {
    (
        crossing(f, params, settings, best, index, -1.0),
        crossing(f, params, settings, best, index, 1.0),
    )
}

/// f minimised over the other free parameters with parameter `index` fixed at `value`,
/// started from the minimum `best` (no HESSE).
fn fixed_fit(
    f: &dyn Cost,
    params: &[ParamSpec],
    settings: Settings,
    best: &FitResult,
    index: usize,
    value: f64,
) -> FitResult {
    let mut fixed: Vec<ParamSpec> = params.to_vec();
    for (p, v) in fixed.iter_mut().zip(&best.values) {
        p.value = *v;
    }
    fixed[index].value = value;
    fixed[index].fixed = true;
    minimize(
        f,
        &fixed,
        Settings {
            hesse: false,
            ..settings
        },
    )
}

/// One point of a profile likelihood.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize)]
pub struct ProfilePoint {
    /// The parameter's value.
    pub value: f64,
    /// The profiled f minus its minimum (Δ(−ln L) for a likelihood).
    pub delta: f64,
    /// True when the profile fit converged.
    pub valid: bool,
}

/// The profile of parameter `index` at each of `values`: f minimised over the other
/// free parameters with it fixed, minus the minimum `best`.
pub fn profile(
    f: &dyn Cost,
    params: &[ParamSpec],
    settings: Settings,
    best: &FitResult,
    index: usize,
    values: &[f64],
) -> Vec<ProfilePoint> {
    values
        .iter()
        .map(|&value| {
            let result = fixed_fit(f, params, settings, best, index, value);
            ProfilePoint {
                value,
                delta: result.fval - best.fval,
                valid: result.status.is_valid(),
            }
        })
        .collect()
}

fn crossing(
    f: &dyn Cost,
    params: &[ParamSpec],
    settings: Settings,
    best: &FitResult,
    index: usize,
    side: f64,
) -> Crossing {
    let center = best.values[index];
    let sigma = best.errors[index].max(1e-12 * (1.0 + center.abs()));
    let bounds = params[index].bounds;
    let valid = std::cell::Cell::new(true);
    // Profile minus (minimum + up): negative inside the interval, positive outside.
    let excess = |value: f64| -> f64 {
        let result = fixed_fit(f, params, settings, best, index, value);
        if !result.status.is_valid() {
            valid.set(false);
        }
        result.fval - best.fval - settings.up
    };
    let clamp = |value: f64| -> Option<f64> {
        if bounds.contains(value) {
            return Some(value);
        }
        let edge = match bounds {
            super::Bounds::Lower(a) | super::Bounds::Both(a, _) if side < 0.0 => a,
            super::Bounds::Upper(b) | super::Bounds::Both(_, b) if side > 0.0 => b,
            _ => return Some(value),
        };
        (edge != center).then_some(edge)
    };
    let mut inside = center;
    let mut distance = sigma;
    for _ in 0..12 {
        let Some(trial) = clamp(center + side * distance) else {
            return Crossing {
                error: 0.0,
                at_limit: true,
                valid: valid.get(),
            };
        };
        let value = excess(trial);
        if value >= 0.0 {
            let root = brent(excess, inside, trial, 1e-4 * sigma).unwrap_or(trial);
            return Crossing {
                error: root - center,
                at_limit: false,
                valid: valid.get(),
            };
        }
        if trial != center + side * distance {
            // Reached the bound with the profile still below the threshold.
            return Crossing {
                error: trial - center,
                at_limit: true,
                valid: valid.get(),
            };
        }
        inside = trial;
        distance *= 2.0;
    }
    Crossing {
        error: side * distance,
        at_limit: false,
        valid: false,
    }
}
