//! Numerical integration and root finding used across the statistics library.

use std::sync::OnceLock;

/// Gauss–Legendre nodes and weights on [−1, 1], by Newton's method on the Legendre
/// polynomial from Tricomi's starting values.
pub(crate) fn gauss_legendre(k: usize) -> Vec<(f64, f64)> {
    let n = k as f64;
    (1..=k)
        .map(|i| {
            let mut x = (std::f64::consts::PI * (i as f64 - 0.25) / (n + 0.5)).cos();
            let mut derivative = 1.0;
            for _ in 0..100 {
                // P_k(x) and P_k'(x) by the three-term recurrence.
                let (mut p0, mut p1) = (1.0, x);
                for j in 2..=k {
                    let j = j as f64;
                    (p0, p1) = (p1, ((2.0 * j - 1.0) * x * p1 - (j - 1.0) * p0) / j);
                }
                derivative = n * (x * p1 - p0) / (x * x - 1.0);
                let step = p1 / derivative;
                x -= step;
                if step.abs() < 1e-16 {
                    break;
                }
            }
            (x, 2.0 / ((1.0 - x * x) * derivative * derivative))
        })
        .collect()
}

/// The 64-point Gauss–Legendre rule on [−1, 1], computed once.
pub fn gauss_legendre_64() -> &'static [(f64, f64)] {
    rule(64)
}

/// The `k`-point Gauss–Legendre rule on [−1, 1], computed once per k (k ≤ 128).
pub(crate) fn rule(k: usize) -> &'static [(f64, f64)] {
    static RULES: [OnceLock<Vec<(f64, f64)>>; 129] = [const { OnceLock::new() }; 129];
    RULES[k].get_or_init(|| gauss_legendre(k))
}

/// ∫ f over [lo, hi] by the 64-point Gauss–Legendre rule on `pieces` equal sub-intervals:
/// exact for polynomials of degree ≤ 127 on each piece, and ~1e-15 relative for the
/// smooth densities it is used on when their features span a few pieces.
pub fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64, pieces: usize) -> f64 {
    if hi <= lo {
        return 0.0;
    }
    let width = (hi - lo) / pieces as f64;
    let rule = gauss_legendre_64();
    (0..pieces)
        .map(|i| {
            let (a, b) = (lo + i as f64 * width, lo + (i + 1) as f64 * width);
            let (half, mid) = (0.5 * (b - a), 0.5 * (b + a));
            half * rule.iter().map(|(x, w)| w * f(mid + half * x)).sum::<f64>()
        })
        .sum()
}

/// A root of `f` in [a, b] where f(a) and f(b) differ in sign, by Brent's method
/// (inverse quadratic interpolation safeguarded by bisection) to `tolerance` in x.
/// `None` when the end points do not bracket a root.
pub fn brent(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64, tolerance: f64) -> Option<f64> {
    let (mut fa, mut fb) = (f(a), f(b));
    if fa == 0.0 {
        return Some(a);
    }
    if fb == 0.0 {
        return Some(b);
    }
    if !(fa.is_finite() && fb.is_finite()) || fa.signum() == fb.signum() {
        return None;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if fb.signum() == fc.signum() {
            (c, fc) = (a, fa);
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            (a, fa, b, fb, c, fc) = (b, fb, c, fc, b, fb);
        }
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * tolerance;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return Some(b);
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q) = if a == c {
                (2.0 * m * s, 1.0 - s)
            } else {
                let (q, r) = (fa / fc, fb / fc);
                (
                    s * (2.0 * m * q * (q - r) - (b - a) * (r - 1.0)),
                    (q - 1.0) * (r - 1.0) * (s - 1.0),
                )
            };
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = d;
            }
        } else {
            d = m;
            e = d;
        }
        (a, fa) = (b, fb);
        b += if d.abs() > tol { d } else { tol.copysign(m) };
        fb = f(b);
    }
    Some(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gauss_legendre_is_exact_for_polynomials() {
        let integral = |f: &dyn Fn(f64) -> f64| integrate(f, -1.0, 1.0, 1);
        assert!((integral(&|_| 1.0) - 2.0).abs() < 1e-13);
        assert!((integral(&|x| x.powi(10)) - 2.0 / 11.0).abs() < 1e-13);
        assert!(integral(&|x| x.powi(9)).abs() < 1e-13);
        assert!((integrate(f64::exp, 0.0, 3.0, 4) - (3f64.exp() - 1.0)).abs() < 1e-12);
    }

    #[test]
    fn brent_finds_roots_and_refuses_unbracketed_intervals() {
        let root = brent(|x| x * x - 2.0, 0.0, 2.0, 1e-14).unwrap();
        assert!((root - std::f64::consts::SQRT_2).abs() < 1e-13);
        let root = brent(|x| (-x).exp() - 0.05, 0.0, 100.0, 1e-12).unwrap();
        assert!((root - 20f64.ln()).abs() < 1e-11);
        assert!(brent(|x| x * x + 1.0, -1.0, 1.0, 1e-12).is_none());
    }
}
