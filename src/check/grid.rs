//! The scan grid: hypotheses from `scan.range` in steps of `scan.step`, where the step may
//! depend on the resolution σ at the current hypothesis (`step: sigma / 2`).

use crate::diag::Span;
use crate::expr::eval_const;
use crate::spec::{Model, Param, Spec, SpecExpr};

/// Most hypotheses a scan may have.
pub const MAX_POINTS: usize = 100_000;

/// Why a grid cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub struct GridError {
    /// Where.
    pub span: Span,
    /// What.
    pub message: String,
}

/// The expression of the resolution σ: `counting.resolution` or the signal PDF's `sigma`.
pub fn resolution(spec: &Spec) -> Option<&SpecExpr> {
    match &spec.model {
        Some(Model::Counting(c)) => Some(&c.resolution),
        Some(Model::Fit(f)) => f.signal.params.iter().find_map(|(n, p)| match p {
            Param::Fixed(e) if n.value == "sigma" => Some(e),
            _ => None,
        }),
        None => None,
    }
}

/// Evaluates a model expression at hypothesis `m` (σ given when known).
pub fn eval_at(spec: &Spec, e: &SpecExpr, m: f64, sigma: Option<f64>) -> Result<f64, GridError> {
    let parameter = spec.scan.as_ref().map(|s| s.parameter.value.as_str());
    let env = |name: &str| {
        if Some(name) == parameter {
            Some(m)
        } else if name == "sigma" {
            sigma
        } else {
            spec.constant(name)
        }
    };
    eval_const(&e.expr, &env).map_err(|err| GridError {
        span: err.span,
        message: err.message,
    })
}

/// σ at hypothesis `m`, if the spec defines a resolution.
pub fn sigma_at(spec: &Spec, m: f64) -> Option<Result<f64, GridError>> {
    resolution(spec).map(|r| eval_at(spec, r, m, None))
}

/// Every hypothesis of the scan, in increasing order.
pub fn grid(spec: &Spec) -> Result<Vec<f64>, GridError> {
    let Some(scan) = &spec.scan else {
        return Ok(Vec::new());
    };
    let (low, high) = (scan.range.low.value, scan.range.high.value);
    let mut points = Vec::new();
    let mut m = low;
    while m <= high * (1.0 + 1e-12) {
        if points.len() == MAX_POINTS {
            return Err(GridError {
                span: scan.step.span,
                message: format!("the scan has more than {MAX_POINTS} hypotheses"),
            });
        }
        points.push(m);
        let sigma = sigma_at(spec, m).transpose()?;
        let step = eval_at(spec, &scan.step, m, sigma)?;
        if !(step.is_finite() && step > 0.0) {
            return Err(GridError {
                span: scan.step.span,
                message: format!(
                    "the scan step is {step} at {} = {m}; it must be positive",
                    scan.parameter.value
                ),
            });
        }
        m += step;
    }
    Ok(points)
}

/// True when hypothesis `m` lies in the window of a veto named in `scan.exclude`.
pub fn excluded(spec: &Spec, m: f64) -> bool {
    let Some(scan) = &spec.scan else { return false };
    spec.vetoes
        .iter()
        .filter(|v| scan.exclude.iter().any(|e| e.value == v.name.value))
        .any(|v| v.window.low.value <= m && m <= v.window.high.value)
}
