//! A MINUIT-style minimiser: MIGRAD (a variable-metric quasi-Newton method with an
//! estimated-distance-to-minimum convergence test), HESSE (covariance from numerical
//! second derivatives), MINOS (asymmetric intervals from the profile), with bounded
//! parameters handled by MINUIT's transformations and a simplex fallback.
//!
//! Hand-written because, as measured for the fit issue, argmin has no bounds, numerical
//! derivatives or covariance output, and the `minuit2` crate is LGPL and was seen to
//! stall with limits while reporting a valid fit. The algorithms follow James & Roos,
//! "MINUIT: a system for function minimization" (1975) and the MINUIT2 user guide.

mod hesse;
mod migrad;
mod minos;
mod objective;
mod simplex;
mod transform;

pub use minos::{ProfilePoint, minos, profile};
pub use transform::Bounds;

use crate::stats::linalg::Matrix;

/// A function to minimise: its value, and optionally its gradient computed in the same
/// pass. With a gradient MIGRAD needs one call per iteration instead of 2n + 1, and HESSE
/// differentiates the gradient (2n calls) instead of the value (2n² calls).
pub trait Cost: Sync {
    /// f at external parameters `p`.
    fn value(&self, p: &[f64]) -> f64;
    /// f and ∂f/∂pᵢ for every parameter (fixed ones included), when known analytically.
    fn value_and_gradient(&self, p: &[f64]) -> Option<(f64, Vec<f64>)> {
        let _ = p;
        None
    }
    /// The gradient alone (a cost may skip work the value needs).
    fn gradient(&self, p: &[f64]) -> Option<Vec<f64>> {
        self.value_and_gradient(p).map(|(_, g)| g)
    }
    /// True when [`Cost::value_and_gradient`] returns a gradient.
    fn has_gradient(&self) -> bool {
        false
    }
}

impl<F: Fn(&[f64]) -> f64 + Sync> Cost for F {
    fn value(&self, p: &[f64]) -> f64 {
        self(p)
    }
}

/// One parameter as the minimiser sees it.
#[derive(Clone, Debug)]
pub struct ParamSpec {
    /// Name, for reports.
    pub name: String,
    /// Start value.
    pub value: f64,
    /// Initial step (a guess of the error).
    pub step: f64,
    /// Allowed range.
    pub bounds: Bounds,
    /// Held constant.
    pub fixed: bool,
}

impl ParamSpec {
    /// A free parameter with a start value, step and range.
    pub fn new(name: &str, value: f64, step: f64, bounds: Bounds) -> Self {
        ParamSpec {
            name: name.to_owned(),
            value,
            step,
            bounds,
            fixed: false,
        }
    }
}

/// How a minimisation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// EDM below tolerance with an accurate, positive-definite covariance.
    Converged,
    /// Converged, but the Hessian had to be made positive definite: errors approximate.
    CovarianceForcedPositive,
    /// The call limit was reached before convergence.
    CallLimit,
    /// No decrease could be found, or the function was not finite at the start.
    Failed,
}

impl Status {
    /// True when the fit may be used without qualification.
    pub fn is_valid(&self) -> bool {
        *self == Status::Converged
    }
}

/// What a minimisation returns. Vectors are over all parameters (fixed ones keep their
/// value and have error 0); the covariance is over all parameters too, zero for fixed.
#[derive(Clone, Debug)]
pub struct FitResult {
    /// Parameter values at the minimum.
    pub values: Vec<f64>,
    /// Parabolic (HESSE) errors.
    pub errors: Vec<f64>,
    /// Covariance matrix (external coordinates).
    pub covariance: Matrix,
    /// Function value at the minimum.
    pub fval: f64,
    /// Estimated distance to the minimum, ½ gᵀVg.
    pub edm: f64,
    /// Number of function calls.
    pub calls: usize,
    /// Outcome.
    pub status: Status,
    /// Names of free parameters that ended at a bound.
    pub at_limit: Vec<String>,
}

/// Settings of a minimisation.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// The function change that defines one standard deviation: 0.5 for −ln L, 1 for χ².
    pub up: f64,
    /// Convergence when EDM < `edm_tolerance` × up.
    pub edm_tolerance: f64,
    /// Maximum number of function calls (0: MINUIT's default for the parameter count).
    pub max_calls: usize,
    /// Verify convergence with HESSE and report its covariance. Without it the
    /// covariance is MIGRAD's running estimate: enough for profile fits that only need
    /// the minimum value.
    pub hesse: bool,
}

impl Default for Settings {
    /// For −ln L, with a tolerance 100× tighter than MINUIT's default (EDM < 2e-4·up),
    /// so fitted values agree with an exact minimum to ~1e-5 relative.
    fn default() -> Self {
        Settings {
            up: 0.5,
            edm_tolerance: 2e-6,
            max_calls: 0,
            hesse: true,
        }
    }
}

/// Minimises `f` over `params`: MIGRAD, then HESSE at the minimum; if MIGRAD fails a
/// simplex search restarts it once. The result always carries a status.
pub fn minimize(f: &dyn Cost, params: &[ParamSpec], settings: Settings) -> FitResult {
    let objective = objective::Objective::new(f, params, settings);
    migrad::run(&objective)
}

#[cfg(test)]
mod tests;
