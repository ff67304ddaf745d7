//! Derivatives of the shapes with respect to their parameters: per event (for the
//! gradient of an unbinned likelihood, computed in the same pass as its value) and of
//! their integrals (for the normalisation).
//!
//! Analytic where the density has a simple form: the Gaussian, Crystal Ball and double
//! Crystal Ball in their mean and width (location–scale shapes), the exponential, the
//! ARGUS function, the Breit–Wigner, and the polynomials (linear in their coefficients).
//! The remaining parameters (Crystal Ball tail parameters, the Voigtian) use central
//! differences per event with a step of 10⁻⁶ of the parameter's magnitude; their
//! integrals use the five-point stencil, whose error is fourth order in the step.

use super::{Shape, bernstein, chebychev_primitive, map_to_unit, power_tail};

/// Step for numerical derivatives in parameter `value`.
fn step(value: f64) -> f64 {
    1e-6 * value.abs().max(1.0)
}

impl Shape {
    /// The density at each of `xs` into `values`, and ∂density/∂p[wanted[m]] at each
    /// event into `gradients[m·xs.len() ..][..xs.len()]`.
    pub fn density_gradients(
        &self,
        xs: &[f64],
        p: &[f64],
        wanted: &[usize],
        values: &mut [f64],
        gradients: &mut [f64],
    ) {
        let n = xs.len();
        values.fill(0.0);
        self.accumulate(xs, p, 1.0, values);
        for (m, &j) in wanted.iter().enumerate() {
            let out = &mut gradients[m * n..(m + 1) * n];
            if !self.event_derivative(xs, p, j, values, out) {
                // Central differences per event.
                let h = step(p[j]);
                let (mut up, mut down) = (p.to_vec(), p.to_vec());
                up[j] += h;
                down[j] -= h;
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = (self.density(x, &up) - self.density(x, &down)) / (2.0 * h);
                }
            }
        }
    }

    /// ∂density/∂p[j] at each event into `out` (densities `values` given) where an
    /// analytic form is known; false otherwise.
    fn event_derivative(
        &self,
        xs: &[f64],
        p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
    ) -> bool {
        /// out[i] = d(x[i], f[i]), inlined per shape so that the loop vectorises.
        fn each(out: &mut [f64], xs: &[f64], values: &[f64], d: impl Fn(f64, f64) -> f64) {
            for ((o, &x), &f) in out.iter_mut().zip(xs).zip(values) {
                *o = d(x, f);
            }
        }
        match (self, j) {
            (Shape::Gaussian, 0 | 1) => {
                // ∂mean f = f t/σ, ∂σ f = f t²/σ.
                let (mean, inverse) = (p[0], 1.0 / p[1]);
                each(out, xs, values, |x, f| {
                    let t = (x - mean) * inverse;
                    if j == 0 {
                        f * t * inverse
                    } else {
                        f * t * t * inverse
                    }
                });
            }
            (Shape::CrystalBall | Shape::DoubleCrystalBall, 0 | 1) => {
                // Location–scale: f = g((x − mean)/sigma), ∂mean f = −g′/σ, ∂σ f = −t g′/σ.
                let (mean, sigma) = (p[0], p[1]);
                each(out, xs, values, |x, _| {
                    let t = (x - mean) / sigma;
                    let slope = self.standard_slope(t, p);
                    if j == 0 {
                        -slope / sigma
                    } else {
                        -t * slope / sigma
                    }
                });
            }
            (Shape::Exponential, 0) => each(out, xs, values, |x, f| x * f),
            (Shape::Chebychev { order, domain }, k) => {
                let mut unit = vec![0.0; *order];
                unit[k] = 1.0;
                let zero = vec![0.0; *order];
                each(out, xs, values, |x, _| {
                    let u = map_to_unit(x, *domain);
                    super::chebychev_series(u, &unit) - super::chebychev_series(u, &zero)
                });
            }
            (Shape::Bernstein { order, domain }, k) => {
                let mut unit = vec![0.0; order + 1];
                unit[k] = 1.0;
                each(out, xs, values, |x, _| {
                    bernstein(*order, (x - domain.0) / (domain.1 - domain.0), &unit)
                });
            }
            (Shape::Argus, _) => {
                let (m0, c, power) = (p[0], p[1], p[2]);
                each(out, xs, values, |x, f| {
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
            }
            (Shape::BreitWigner, _) => {
                let (mass, width) = (p[0], p[1]);
                each(out, xs, values, |x, f| {
                    let dq = if j == 0 {
                        -4.0 * mass * (x * x - mass * mass) + 2.0 * mass * width * width
                    } else {
                        2.0 * mass * mass * width
                    };
                    -f * f * dq
                });
            }
            _ => return false,
        }
        true
    }

    /// d/dt of a location–scale shape's density at t = (x − mean)/sigma.
    fn standard_slope(&self, t: f64, p: &[f64]) -> f64 {
        match self {
            Shape::Gaussian => -t * (-0.5 * t * t).exp(),
            Shape::CrystalBall => {
                // f = P(d), d = −t (tail low, alpha ≥ 0) or d = t (alpha < 0).
                let sign = if p[2] < 0.0 { 1.0 } else { -1.0 };
                sign * tail_slope(sign * t, p[2].abs(), p[3])
            }
            Shape::DoubleCrystalBall => {
                if t < 0.0 {
                    -tail_slope(-t, p[2], p[3])
                } else {
                    tail_slope(t, p[4], p[5])
                }
            }
            _ => unreachable!("only location–scale shapes"),
        }
    }

    /// ∂/∂p[j] of ∫ density over [lo, hi].
    pub fn integral_derivative(&self, lo: f64, hi: f64, p: &[f64], j: usize) -> f64 {
        if hi <= lo {
            return 0.0;
        }
        match (self, j) {
            (Shape::Gaussian | Shape::CrystalBall | Shape::DoubleCrystalBall, 0 | 1) => {
                // ∂mean ∫ g((x − μ)/σ) dx = g(a) − g(b); ∂σ = I/σ − t_b g(b) + t_a g(a).
                let (f_lo, f_hi) = (self.density(lo, p), self.density(hi, p));
                if j == 0 {
                    f_lo - f_hi
                } else {
                    let (t_lo, t_hi) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
                    self.integral(lo, hi, p) / p[1] - t_hi * f_hi + t_lo * f_lo
                }
            }
            (Shape::Exponential, 0) => {
                // ∫ x e^{sx} = lo·I + e^{s·lo} ∫₀ʷ y e^{sy} dy, w = hi − lo.
                let (s, w) = (p[0], hi - lo);
                lo * self.integral(lo, hi, p) + (s * lo).exp() * moment_of_exponential(s, w)
            }
            (Shape::Chebychev { order, domain }, k) => {
                let mut unit = vec![0.0; *order];
                unit[k] = 1.0;
                let zero = vec![0.0; *order];
                let primitive = |x: f64| {
                    let u = map_to_unit(x, *domain);
                    chebychev_primitive(u, &unit) - chebychev_primitive(u, &zero)
                };
                0.5 * (domain.1 - domain.0) * (primitive(hi) - primitive(lo))
            }
            (Shape::Bernstein { order, .. }, k) => {
                let mut unit = vec![0.0; order + 1];
                unit[k] = 1.0;
                self.integral(lo, hi, &unit)
            }
            _ => {
                // Five-point stencil: error O(h⁴).
                let h = step(p[j]);
                let at = |offset: f64| {
                    let mut q = p.to_vec();
                    q[j] += offset;
                    self.integral(lo, hi, &q)
                };
                (at(-2.0 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2.0 * h)) / (12.0 * h)
            }
        }
    }
}

/// ∫₀ʷ y e^{sy} dy = (e^{sw}(sw − 1) + 1)/s², by its series w² Σ (sw)ᵏ/(k!(k + 2))
/// where the closed form cancels (|sw| < ½).
fn moment_of_exponential(s: f64, w: f64) -> f64 {
    let z = s * w;
    if z.abs() >= 0.5 {
        return (z.exp() * (z - 1.0) + 1.0) / (s * s);
    }
    let (mut term, mut sum) = (1.0, 0.5);
    for k in 1..30 {
        term *= z / k as f64;
        sum += term / (k as f64 + 2.0);
    }
    w * w * sum
}

/// d/dd of a Crystal Ball side `power_tail(d, alpha, n)`.
fn tail_slope(d: f64, alpha: f64, n: f64) -> f64 {
    if d <= alpha {
        -d * (-0.5 * d * d).exp()
    } else {
        -n * power_tail(d, alpha, n) / (n / alpha - alpha + d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every parameter of every shape: per-event derivatives and integral derivatives
    /// against a five-point stencil with a step chosen per parameter.
    #[test]
    fn derivatives_match_finite_differences() {
        let cases: Vec<(Shape, Vec<f64>, (f64, f64))> = vec![
            (Shape::Gaussian, vec![0.135, 0.006], (0.10, 0.18)),
            (
                Shape::CrystalBall,
                vec![0.135, 0.006, 1.3, 4.0],
                (0.09, 0.18),
            ),
            (
                Shape::CrystalBall,
                vec![0.135, 0.006, -1.1, 2.5],
                (0.09, 0.18),
            ),
            (
                Shape::DoubleCrystalBall,
                vec![1.5, 0.02, 1.2, 3.0, 1.6, 5.0],
                (1.35, 1.7),
            ),
            (Shape::Exponential, vec![-3.2], (0.5, 2.0)),
            (Shape::Exponential, vec![0.0], (0.5, 2.0)),
            (Shape::Exponential, vec![0.2], (0.5, 2.0)),
            (Shape::Exponential, vec![-0.001], (-1.0, 3.0)),
            (
                Shape::Chebychev {
                    order: 3,
                    domain: (0.0, 4.0),
                },
                vec![0.2, -0.1, 0.05],
                (0.3, 3.5),
            ),
            (
                Shape::Bernstein {
                    order: 2,
                    domain: (0.0, 4.0),
                },
                vec![1.0, 0.6, 0.3],
                (0.3, 3.5),
            ),
            (Shape::Argus, vec![5.29, -20.0, 0.5], (5.2, 5.289)),
            (Shape::Argus, vec![5.29, -15.0, 0.7], (5.2, 5.289)),
            (Shape::BreitWigner, vec![0.775, 0.149], (0.4, 1.2)),
            (Shape::Voigtian, vec![0.775, 0.149, 0.02], (0.5, 1.1)),
            (Shape::Voigtian, vec![1.02, 0.0043, 0.003], (0.99, 1.05)),
        ];
        for (shape, p, (lo, hi)) in cases {
            let xs: Vec<f64> = (0..23)
                .map(|k| lo + (hi - lo) * (k as f64 + 0.37) / 23.0)
                .collect();
            let wanted: Vec<usize> = (0..p.len()).collect();
            let mut values = vec![0.0; xs.len()];
            let mut gradients = vec![0.0; xs.len() * p.len()];
            shape.density_gradients(&xs, &p, &wanted, &mut values, &mut gradients);
            for j in 0..p.len() {
                // A step small against the parameter's own scale of influence: the
                // width for a location–scale shape's mean and width.
                let location_scale = matches!(
                    shape,
                    Shape::Gaussian | Shape::CrystalBall | Shape::DoubleCrystalBall
                ) && j < 2;
                let h = 1e-6
                    * if location_scale {
                        p[1]
                    } else {
                        p[j].abs().max(0.1)
                    };
                let stencil = |f: &dyn Fn(&[f64]) -> f64| {
                    let at = |o: f64| {
                        let mut q = p.clone();
                        q[j] += o;
                        f(&q)
                    };
                    (at(-2.0 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2.0 * h)) / (12.0 * h)
                };
                for (i, &x) in xs.iter().enumerate() {
                    assert_eq!(values[i], shape.density(x, &p));
                    let numeric = stencil(&|q| shape.density(x, q));
                    let analytic = gradients[j * xs.len() + i];
                    assert!(
                        (analytic - numeric).abs() <= 1e-6 * numeric.abs().max(values[i].abs()),
                        "{shape:?} p[{j}] at {x}: {analytic} vs {numeric}"
                    );
                }
                let numeric = stencil(&|q| shape.integral(lo, hi, q));
                let analytic = shape.integral_derivative(lo, hi, &p, j);
                assert!(
                    (analytic - numeric).abs()
                        <= 1e-6 * numeric.abs().max(shape.integral(lo, hi, &p)),
                    "{shape:?} ∫ p[{j}]: {analytic} vs {numeric}"
                );
            }
        }
    }
}
