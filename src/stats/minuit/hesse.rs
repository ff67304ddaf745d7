//! HESSE: the matrix of second derivatives by finite differences at the minimum, in
//! internal coordinates, and its inverse. Steps are a tenth of the current error
//! estimate, refined once from the diagonal; off-diagonal terms use the symmetric
//! four-point formula, so errors are second order in the step. A function with an
//! analytic gradient has its gradient differentiated instead (2n calls, not 2n²).

use super::objective::Objective;
use crate::stats::linalg::Matrix;

/// The Hessian at internal `x` (where f = `f0`), with steps from the inverse-Hessian
/// estimate `v`; `None` when a second derivative is not finite.
pub(super) fn hessian(objective: &Objective, x: &[f64], f0: f64, v: &Matrix) -> Option<Matrix> {
    let n = objective.n();
    let up = objective.settings.up;
    let mut steps: Vec<f64> = (0..n)
        .map(|k| (0.1 * (2.0 * up * v[(k, k)].abs()).sqrt()).max(1e-9 * (1.0 + x[k].abs())))
        .collect();
    if objective.stepping_analytically()
        && let Some(h) = from_gradients(objective, x, &steps)
        && h.inverse_positive_definite().is_some()
    {
        return Some(h);
    }
    // Without a gradient, or where its differences are not positive definite (a
    // parameter pressed against a bound, a kink): second differences of the value.
    let mut h = Matrix::zeros(n);
    let mut probe = x.to_vec();
    for k in 0..n {
        for _attempt in 0..2 {
            let d = steps[k];
            probe[k] = x[k] + d;
            let plus = objective.value(&probe);
            probe[k] = x[k] - d;
            let minus = objective.value(&probe);
            probe[k] = x[k];
            let second = (plus + minus - 2.0 * f0) / (d * d);
            if !second.is_finite() {
                return None;
            }
            h[(k, k)] = second;
            // Refine the step to a tenth of the error the curvature implies.
            let refined = if second > 0.0 {
                0.1 * (2.0 * up / second).sqrt()
            } else {
                d * 4.0
            };
            let refined = refined.max(1e-9 * (1.0 + x[k].abs()));
            if (refined / d - 1.0).abs() < 0.5 {
                break;
            }
            steps[k] = refined;
        }
    }
    for i in 0..n {
        for j in 0..i {
            let (di, dj) = (steps[i], steps[j]);
            let mut corner = |si: f64, sj: f64| {
                probe[i] = x[i] + si * di;
                probe[j] = x[j] + sj * dj;
                let value = objective.value(&probe);
                probe[i] = x[i];
                probe[j] = x[j];
                value
            };
            let mixed = (corner(1.0, 1.0) - corner(1.0, -1.0) - corner(-1.0, 1.0)
                + corner(-1.0, -1.0))
                / (4.0 * di * dj);
            if !mixed.is_finite() {
                return None;
            }
            h[(i, j)] = mixed;
            h[(j, i)] = mixed;
        }
    }
    Some(h)
}

/// The Hessian as central differences of the analytic gradient, symmetrised: column k
/// from the gradients at x ± steps[k]·eₖ.
fn from_gradients(objective: &Objective, x: &[f64], steps: &[f64]) -> Option<Matrix> {
    let n = objective.n();
    let mut h = Matrix::zeros(n);
    let mut probe = x.to_vec();
    for k in 0..n {
        probe[k] = x[k] + steps[k];
        let plus = objective.analytic_gradient(&probe)?;
        probe[k] = x[k] - steps[k];
        let minus = objective.analytic_gradient(&probe)?;
        probe[k] = x[k];
        for j in 0..n {
            h[(j, k)] = (plus[j] - minus[j]) / (2.0 * steps[k]);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let mean = 0.5 * (h[(i, j)] + h[(j, i)]);
            h[(i, j)] = mean;
            h[(j, i)] = mean;
        }
    }
    Some(h)
}

/// Makes a symmetric matrix positive definite the way MINUIT's MnPosDef does: shift the
/// diagonal until the Cholesky factorisation succeeds. Returns the inverse.
pub(super) fn forced_inverse(h: &Matrix) -> Matrix {
    let n = h.size();
    let scale = (0..n).map(|k| h[(k, k)].abs()).fold(1e-300, f64::max);
    let mut shift = 1e-3 * scale;
    loop {
        let mut shifted = h.clone();
        for k in 0..n {
            shifted[(k, k)] = h[(k, k)].max(0.0) + shift;
        }
        if let Some(inverse) = shifted.inverse_positive_definite() {
            return inverse;
        }
        shift *= 10.0;
    }
}
