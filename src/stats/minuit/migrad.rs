//! MIGRAD: quasi-Newton descent with a BFGS update of the inverse Hessian, a line search
//! with parabolic interpolation, and convergence when the estimated distance to the
//! minimum EDM = ½ gᵀVg falls below tolerance. At convergence HESSE recomputes V; if
//! the EDM with the exact V is still too large MIGRAD continues from there (as MINUIT
//! does). A simplex search rescues starts where no descent step is found.

use super::objective::Objective;
use super::{FitResult, Status, hesse, simplex};
use crate::stats::linalg::Matrix;

/// Runs MIGRAD (and HESSE when the settings ask for it). A descent with an analytic
/// gradient that fails is retried once from the start with finite differences, which
/// bridge kinks the exact gradient cannot see past.
pub(super) fn run(objective: &Objective) -> FitResult {
    let result = descend(objective);
    if result.status == Status::Failed && objective.has_gradient() {
        objective.stop_stepping_analytically();
        let retry = descend(objective);
        return FitResult {
            calls: objective.calls(),
            ..retry
        };
    }
    result
}

/// One MIGRAD descent from the start values.
fn descend(objective: &Objective) -> FitResult {
    let n = objective.n();
    let up = objective.settings.up;
    let tolerance = objective.settings.edm_tolerance * up;
    let mut x = objective.start();
    let mut f = objective.value(&x);
    if n == 0 || !f.is_finite() {
        let status = if f.is_finite() {
            Status::Converged
        } else {
            Status::Failed
        };
        return objective.result(&x, &Matrix::zeros(n), f, 0.0, status);
    }
    let mut steps = objective.initial_steps(&x);
    let g2 = objective.gradient(&x, f, &steps).1;
    let initial_metric = |g2: &[f64], steps: &[f64]| {
        Matrix::diagonal(
            &g2.iter()
                .zip(steps)
                .map(|(&c, &s)| {
                    if c > 0.0 && c.is_finite() {
                        1.0 / c
                    } else {
                        s * s / (2.0 * up)
                    }
                })
                .collect::<Vec<_>>(),
        )
    };
    let mut v = initial_metric(&g2, &steps);
    // The start steps are guesses; central differences with them can be biased by the
    // function's asymmetry. Refine them once from the curvature just measured.
    steps = objective.steps_from(&x, f, &v);
    let mut g = objective.slope(&x, f, &steps);
    let mut restarts = 0;
    let mut refined_here = true;
    let mut rescued = false;
    loop {
        let edm = 0.5 * v.quadratic_form(&g);
        if objective.calls() > objective.max_calls() {
            return finish(objective, &x, f, &v, edm, Status::CallLimit);
        }
        if edm < tolerance {
            if !objective.settings.hesse {
                return finish(objective, &x, f, &v, edm, Status::Converged);
            }
            let Some(h) = hesse::hessian(objective, &x, f, &v) else {
                return finish(objective, &x, f, &v, edm, Status::Failed);
            };
            let (exact, positive) = match h.inverse_positive_definite() {
                Some(inverse) => (inverse, true),
                None => (hesse::forced_inverse(&h), false),
            };
            let edm_exact = 0.5 * exact.quadratic_form(&g);
            if (edm_exact < tolerance && positive) || restarts >= 2 {
                let status = if !positive {
                    Status::CovarianceForcedPositive
                } else if edm_exact < 10.0 * tolerance {
                    Status::Converged
                } else {
                    Status::CallLimit
                };
                // A last Newton step with the exact metric removes the residual
                // distance the EDM allowed; kept only if it lowers f.
                let newton: Vec<f64> = x.iter().zip(exact.times(&g)).map(|(a, d)| a - d).collect();
                let f_newton = objective.value(&newton);
                if positive && f_newton < f {
                    return finish(objective, &newton, f_newton, &exact, edm_exact, status);
                }
                return finish(objective, &x, f, &exact, edm_exact, status);
            }
            restarts += 1;
            v = exact;
            continue;
        }
        let mut direction: Vec<f64> = v.times(&g).iter().map(|d| -d).collect();
        let mut slope: f64 = direction.iter().zip(&g).map(|(d, g)| d * g).sum();
        if slope >= 0.0 {
            // V lost positive definiteness: fall back to steepest descent scaled by steps.
            v = initial_metric(&vec![0.0; n], &steps);
            direction = v.times(&g).iter().map(|d| -d).collect();
            slope = direction.iter().zip(&g).map(|(d, g)| d * g).sum();
        }
        let Some((alpha, f_new)) = line_search(objective, &x, f, &direction, slope) else {
            if edm < 100.0 * tolerance {
                // Machine precision limits further descent: accept, HESSE checks.
                if !objective.settings.hesse {
                    return finish(objective, &x, f, &v, edm, Status::Converged);
                }
                let Some(h) = hesse::hessian(objective, &x, f, &v) else {
                    return finish(objective, &x, f, &v, edm, Status::Failed);
                };
                return match h.inverse_positive_definite() {
                    Some(exact) => {
                        let edm = 0.5 * exact.quadratic_form(&g);
                        finish(objective, &x, f, &exact, edm, Status::Converged)
                    }
                    None => finish(
                        objective,
                        &x,
                        f,
                        &hesse::forced_inverse(&h),
                        edm,
                        Status::CovarianceForcedPositive,
                    ),
                };
            }
            if objective.stepping_analytically() {
                // The analytic gradient is exact, yet no step along it descends: a kink.
                // Continue with finite differences, which bridge it.
                objective.stop_stepping_analytically();
                steps = objective.steps_from(&x, f, &v);
                g = objective.gradient(&x, f, &steps).0;
                continue;
            }
            if !refined_here {
                // The gradient may be off at this point: differentiate again with
                // steps from the current metric before giving up on the direction.
                refined_here = true;
                steps = objective.steps_from(&x, f, &v);
                g = objective.gradient(&x, f, &steps).0;
                continue;
            }
            if rescued {
                return finish(objective, &x, f, &v, edm, Status::Failed);
            }
            rescued = true;
            let (best, f_best) = simplex::search(objective, &x, &steps, tolerance, 50 * (n + 1));
            x = best;
            f = f_best;
            steps = objective.initial_steps(&x);
            let (g_new, g2_new) = objective.gradient(&x, f, &steps);
            g = g_new;
            v = initial_metric(&g2_new, &steps);
            continue;
        };
        let delta: Vec<f64> = direction.iter().map(|d| alpha * d).collect();
        let x_new: Vec<f64> = x.iter().zip(&delta).map(|(a, b)| a + b).collect();
        steps = objective.steps_from(&x_new, f_new, &v);
        let g_new = objective.slope(&x_new, f_new, &steps);
        let gamma: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        bfgs_update(&mut v, &delta, &gamma);
        x = x_new;
        f = f_new;
        g = g_new;
        refined_here = false;
    }
}

/// The result at `x` with inverse Hessian `v` (covariance 2·up·V in internal space).
fn finish(
    objective: &Objective,
    x: &[f64],
    f: f64,
    v: &Matrix,
    edm: f64,
    status: Status,
) -> FitResult {
    let mut cov = v.clone();
    let scale = 2.0 * objective.settings.up;
    for i in 0..v.size() {
        for j in 0..v.size() {
            cov[(i, j)] *= scale;
        }
    }
    objective.result(x, &cov, f, edm, status)
}

/// A step length α along `direction` giving a sufficient decrease (Armijo) from `f0`,
/// with parabolic interpolation between trials; `None` when none is found.
fn line_search(
    objective: &Objective,
    x: &[f64],
    f0: f64,
    direction: &[f64],
    slope: f64,
) -> Option<(f64, f64)> {
    let at = |alpha: f64| -> f64 {
        let probe: Vec<f64> = x
            .iter()
            .zip(direction)
            .map(|(a, d)| a + alpha * d)
            .collect();
        objective.value(&probe)
    };
    let mut alpha = 1.0;
    for _ in 0..30 {
        let f1 = at(alpha);
        if f1.is_finite() && f1 <= f0 + 1e-4 * alpha * slope {
            // The parabola through f0, slope and f1 may place the minimum further on.
            let curvature = f1 - f0 - slope * alpha;
            let best = if curvature > 0.0 {
                -slope * alpha * alpha / (2.0 * curvature)
            } else {
                f64::INFINITY
            };
            if best > 1.5 * alpha && best < 4.0 * alpha {
                let f2 = at(best);
                if f2 < f1 {
                    return Some((best, f2));
                }
            }
            if best >= 4.0 * alpha {
                // Hardly any curvature along the step: the metric underestimates how
                // far the minimum is. Expand while the function keeps falling.
                let (mut alpha, mut f1) = (alpha, f1);
                for _ in 0..20 {
                    let f2 = at(4.0 * alpha);
                    if f2 >= f1 {
                        break;
                    }
                    (alpha, f1) = (4.0 * alpha, f2);
                }
                return Some((alpha, f1));
            }
            return if f1 < f0 { Some((alpha, f1)) } else { None };
        }
        let next = if f1.is_finite() {
            let curvature = f1 - f0 - slope * alpha;
            if curvature > 0.0 {
                -slope * alpha * alpha / (2.0 * curvature)
            } else {
                0.5 * alpha
            }
        } else {
            0.1 * alpha
        };
        // A step or slope that is no number (parameters at the edge of what a double
        // holds) ends the search: no step along this direction is found.
        if !(next.is_finite() && alpha.is_finite() && alpha > 0.0) {
            break;
        }
        alpha = next.clamp(0.05 * alpha, 0.5 * alpha);
        if alpha < 1e-14 {
            break;
        }
    }
    None
}

/// BFGS update of the inverse Hessian V from step δ and gradient change γ; skipped when
/// the curvature condition δᵀγ > 0 fails (the update would lose positive definiteness).
fn bfgs_update(v: &mut Matrix, delta: &[f64], gamma: &[f64]) {
    let n = delta.len();
    let dg: f64 = delta.iter().zip(gamma).map(|(a, b)| a * b).sum();
    if dg.is_nan() || dg <= 0.0 || dg.is_infinite() {
        return;
    }
    let vg = v.times(gamma);
    let gvg: f64 = gamma.iter().zip(&vg).map(|(a, b)| a * b).sum();
    let factor = (1.0 + gvg / dg) / dg;
    for i in 0..n {
        for j in 0..n {
            v[(i, j)] += factor * delta[i] * delta[j] - (delta[i] * vg[j] + vg[i] * delta[j]) / dg;
        }
    }
}
