//! The function being minimised, seen in internal (unbounded) coordinates of the free
//! parameters, with a call counter and numerical derivatives.

use std::cell::Cell;

use super::{Cost, FitResult, ParamSpec, Settings, Status};
use crate::stats::linalg::Matrix;

/// `f` restricted to the free parameters, in internal coordinates.
pub(super) struct Objective<'a> {
    f: &'a dyn Cost,
    params: &'a [ParamSpec],
    /// Indices of the free parameters in `params`.
    free: Vec<usize>,
    pub(super) settings: Settings,
    calls: Cell<usize>,
    /// MIGRAD steps with the analytic gradient while this holds; it is dropped for
    /// numerical differences when a line search along it fails (a kink, such as a
    /// polynomial background touching zero in an empty bin, which finite steps bridge).
    analytic: Cell<bool>,
}

impl<'a> Objective<'a> {
    pub(super) fn new(f: &'a dyn Cost, params: &'a [ParamSpec], settings: Settings) -> Self {
        let free = (0..params.len()).filter(|&i| !params[i].fixed).collect();
        Objective {
            f,
            params,
            free,
            settings,
            calls: Cell::new(0),
            analytic: Cell::new(f.has_gradient()),
        }
    }

    /// Number of free parameters.
    pub(super) fn n(&self) -> usize {
        self.free.len()
    }

    /// Function calls so far.
    pub(super) fn calls(&self) -> usize {
        self.calls.get()
    }

    /// The call budget: MINUIT's default 200 + 100 n + 5 n², doubled for the tighter
    /// tolerance, unless set.
    pub(super) fn max_calls(&self) -> usize {
        match self.settings.max_calls {
            0 => 2 * (200 + 100 * self.n() + 5 * self.n() * self.n()),
            m => m,
        }
    }

    /// All parameters in external coordinates for internal free values `x`.
    pub(super) fn external(&self, x: &[f64]) -> Vec<f64> {
        let mut values: Vec<f64> = self.params.iter().map(|p| p.value).collect();
        for (k, &i) in self.free.iter().enumerate() {
            values[i] = self.params[i].bounds.to_external(x[k]);
        }
        values
    }

    /// f at internal `x`; NaN counts as +∞ so that line searches step back from it.
    pub(super) fn value(&self, x: &[f64]) -> f64 {
        self.calls.set(self.calls.get() + 1);
        let v = self.f.value(&self.external(x));
        if v.is_nan() { f64::INFINITY } else { v }
    }

    /// True when the function supplies its own gradient.
    pub(super) fn has_gradient(&self) -> bool {
        self.f.has_gradient()
    }

    /// The analytic gradient at internal `x` (chain rule through the bound
    /// transformations), or `None` when the function has none or it is not finite.
    pub(super) fn analytic_gradient(&self, x: &[f64]) -> Option<Vec<f64>> {
        self.calls.set(self.calls.get() + 1);
        let external = self.f.gradient(&self.external(x))?;
        let g: Vec<f64> = self
            .free
            .iter()
            .zip(x)
            .map(|(&i, &xi)| external[i] * self.params[i].bounds.derivative(xi))
            .collect();
        g.iter().all(|v| v.is_finite()).then_some(g)
    }

    /// True while MIGRAD steps with the analytic gradient.
    pub(super) fn stepping_analytically(&self) -> bool {
        self.analytic.get()
    }

    /// Steps with numerical differences from now on.
    pub(super) fn stop_stepping_analytically(&self) {
        self.analytic.set(false);
    }

    /// The gradient MIGRAD steps with: analytic while allowed, else central differences
    /// with `steps` around `x` (where f = `f0`).
    pub(super) fn slope(&self, x: &[f64], f0: f64, steps: &[f64]) -> Vec<f64> {
        if self.stepping_analytically()
            && let Some(g) = self.analytic_gradient(x)
        {
            return g;
        }
        self.gradient(x, f0, steps).0
    }

    /// Internal start values; a start exactly at a bound (where the transformation has a
    /// zero derivative and the minimiser would be stuck) is moved inside by a tenth of a
    /// step.
    pub(super) fn start(&self) -> Vec<f64> {
        self.free
            .iter()
            .map(|&i| {
                let p = &self.params[i];
                let mut value = p.value;
                if p.bounds.at_limit(value) {
                    let inward = match p.bounds {
                        super::Bounds::Upper(_) => -1.0,
                        super::Bounds::Both(a, b) if value > 0.5 * (a + b) => -1.0,
                        _ => 1.0,
                    };
                    let mut nudge = 0.1 * p.step.abs().max(1e-8);
                    if let super::Bounds::Both(a, b) = p.bounds {
                        nudge = nudge.min(0.01 * (b - a));
                    }
                    value += inward * nudge;
                }
                p.bounds.to_internal(value)
            })
            .collect()
    }

    /// Internal steps corresponding to the external initial steps at internal `x`.
    pub(super) fn initial_steps(&self, x: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .zip(x)
            .map(|(&i, &xi)| {
                let p = &self.params[i];
                let derivative = p.bounds.derivative(xi).abs().max(1e-3);
                (p.step.abs() / derivative)
                    .clamp(1e-8, 1.0e300)
                    .min(match p.bounds {
                        super::Bounds::Both(..) => 0.5,
                        _ => f64::INFINITY,
                    })
            })
            .collect()
    }

    /// Differentiation steps from a current inverse-Hessian estimate `v` at a point where
    /// f = `f0`: the estimated error times the step that balances truncation against
    /// rounding for central differences, (ε·(|f| + up)/up)^⅓, kept within [1e-4, 0.1]
    /// of the error and floored by machine precision relative to the value.
    pub(super) fn steps_from(&self, x: &[f64], f0: f64, v: &Matrix) -> Vec<f64> {
        let up = self.settings.up;
        let relative = (10.0 * (f64::EPSILON * (f0.abs() + up) / up).cbrt()).clamp(1e-4, 0.1);
        (0..self.n())
            .map(|k| {
                let error = (2.0 * up * v[(k, k)].abs()).sqrt();
                let floor = 1e-9 * (1.0 + x[k].abs());
                let step = (relative * error).max(floor);
                match self.params[self.free[k]].bounds {
                    super::Bounds::Both(..) => step.min(0.5),
                    _ => step,
                }
            })
            .collect()
    }

    /// Gradient and diagonal second derivatives by central differences with `steps`.
    pub(super) fn gradient(&self, x: &[f64], f0: f64, steps: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut g = vec![0.0; self.n()];
        let mut g2 = vec![0.0; self.n()];
        let mut probe = x.to_vec();
        for k in 0..self.n() {
            let d = steps[k];
            probe[k] = x[k] + d;
            let plus = self.value(&probe);
            probe[k] = x[k] - d;
            let minus = self.value(&probe);
            probe[k] = x[k];
            g[k] = (plus - minus) / (2.0 * d);
            g2[k] = (plus + minus - 2.0 * f0) / (d * d);
        }
        (g, g2)
    }

    /// The result at internal `x` with internal covariance `cov_int` (already scaled by
    /// 2·up), mapped to external coordinates through the transformation's Jacobian.
    pub(super) fn result(
        &self,
        x: &[f64],
        cov_int: &Matrix,
        fval: f64,
        edm: f64,
        status: Status,
    ) -> FitResult {
        let values = self.external(x);
        let n_all = self.params.len();
        let mut covariance = Matrix::zeros(n_all);
        let jacobian: Vec<f64> = self
            .free
            .iter()
            .zip(x)
            .map(|(&i, &xi)| self.params[i].bounds.derivative(xi))
            .collect();
        for (a, &i) in self.free.iter().enumerate() {
            for (b, &j) in self.free.iter().enumerate() {
                covariance[(i, j)] = jacobian[a] * cov_int[(a, b)] * jacobian[b];
            }
        }
        let errors = (0..n_all)
            .map(|i| covariance[(i, i)].max(0.0).sqrt())
            .collect();
        let at_limit = self
            .free
            .iter()
            .filter(|&&i| self.params[i].bounds.at_limit(values[i]))
            .map(|&i| self.params[i].name.clone())
            .collect();
        FitResult {
            values,
            errors,
            covariance,
            fval,
            edm,
            calls: self.calls(),
            status,
            at_limit,
        }
    }
}
