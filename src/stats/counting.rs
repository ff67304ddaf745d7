//! Upper limits for a Poisson count with a known or uncertain background: exact CLs,
//! Bayesian with a flat prior (Feldman–Cousins intervals are in `feldman_cousins.rs`).
//! All are right at zero and one
//! observed events, where the asymptotic formulae fail.
//!
//! Conventions. `s` is the signal yield after efficiency; with an efficiency ε the limit
//! is quoted on s/ε. Uncertain background and efficiency are Gaussian, truncated at 0,
//! and integrated out (Cousins–Highland for CLs, marginalisation for Bayesian) with
//! Gauss–Legendre quadrature.

use super::quadrature::gauss_legendre_64;

/// Poisson probability P(N ≤ n | μ), summed in a numerically stable recurrence.
pub fn poisson_cdf(n: u64, mu: f64) -> f64 {
    if mu <= 0.0 {
        return 1.0;
    }
    let mut term = (-mu).exp();
    let mut sum = term;
    for k in 1..=n {
        term *= mu / k as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// ln k!.
pub fn ln_factorial(k: u64) -> f64 {
    (2..=k).map(|i| (i as f64).ln()).sum()
}

/// The background-only p-value of `n_on` or more events in a signal window whose
/// background is measured by `n_off` events in sidebands `1 / ratio` times as wide: the
/// exact conditional test of Cousins, Linnemann and Tucker (NIM A 595 (2008) 480, Z_Bi),
/// P(X ≥ n_on) for X ~ Binomial(n_on + n_off, ratio / (1 + ratio)), which equals the
/// regularized incomplete beta I_ρ(n_on, n_off + 1). Right at zero and one event, where
/// the asymptotic q₀ is not. `ratio` must be positive.
pub fn on_off_p_value(n_on: u64, n_off: u64, ratio: f64) -> f64 {
    if n_on == 0 {
        return 1.0;
    }
    let total = n_on + n_off;
    let rho = ratio / (1.0 + ratio);
    let odds = rho / (1.0 - rho);
    // Start at the largest term in range (the binomial mode, or n_on above it), in
    // logarithms, and walk both ways by the ratio of successive terms: no underflow.
    let mode = ((total + 1) as f64 * rho).floor() as u64;
    let start = mode.clamp(n_on, total);
    let first = (ln_factorial(total) - ln_factorial(start) - ln_factorial(total - start)
        + start as f64 * rho.ln()
        + (total - start) as f64 * (-rho).ln_1p())
    .exp();
    let mut sum = first;
    let mut term = first;
    for j in start..total {
        term *= (total - j) as f64 / (j + 1) as f64 * odds;
        sum += term;
    }
    term = first;
    for j in (n_on + 1..=start).rev() {
        term *= j as f64 / ((total - j + 1) as f64 * odds);
        sum += term;
    }
    sum.min(1.0)
}

/// A Gaussian nuisance: central value and absolute uncertainty (0 for known).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Uncertain {
    /// Central value.
    pub value: f64,
    /// Standard deviation.
    pub sigma: f64,
}

impl Uncertain {
    /// A value known exactly.
    pub fn known(value: f64) -> Self {
        Uncertain { value, sigma: 0.0 }
    }

    /// Quadrature nodes and weights of the Gaussian truncated at 0 (weights sum to 1):
    /// 64-point Gauss–Legendre over [max(0, μ − 8σ), μ + 8σ] weighted by the density.
    fn nodes(&self) -> Vec<(f64, f64)> {
        self.nodes_with(gauss_legendre_64())
    }

    /// The same with another Gauss–Legendre `rule` on [−1, 1].
    pub(crate) fn nodes_with(&self, rule: &[(f64, f64)]) -> Vec<(f64, f64)> {
        if self.sigma <= 0.0 {
            return vec![(self.value, 1.0)];
        }
        let (lo, hi) = (
            (self.value - 8.0 * self.sigma).max(0.0),
            self.value + 8.0 * self.sigma,
        );
        let nodes: Vec<(f64, f64)> = rule
            .iter()
            .map(|(x, w)| {
                let v = 0.5 * (hi - lo) * x + 0.5 * (hi + lo);
                let z = (v - self.value) / self.sigma;
                (v, w * (-0.5 * z * z).exp())
            })
            .collect();
        let total: f64 = nodes.iter().map(|n| n.1).sum();
        nodes.into_iter().map(|(v, w)| (v, w / total)).collect()
    }
}

/// Finds x in [lo, hi] with f(x) = 0 for f decreasing, by bisection to 1e-10 relative.
fn solve_decreasing(f: impl Fn(f64) -> f64, mut lo: f64, mut hi: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if f(mid) > 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// An upper bound on any sensible limit: well past n + b by many standard deviations.
fn search_ceiling(n: u64, efficiency: &Uncertain) -> f64 {
    (n as f64 + 10.0 * (n as f64 + 1.0).sqrt() + 20.0)
        / (efficiency.value - 3.0 * efficiency.sigma).max(0.05 * efficiency.value)
}

/// Exact CLs upper limit on s/ε: CLs(s) = P(N ≤ n | εs + b) / P(N ≤ n | b) = 1 − CL, with the
/// uncertainties integrated out in numerator and denominator.
pub fn cls_upper(n: u64, background: Uncertain, efficiency: Uncertain, cl: f64) -> f64 {
    let (bs, es) = (background.nodes(), efficiency.nodes());
    let cl_b: f64 = bs.iter().map(|(b, w)| w * poisson_cdf(n, *b)).sum();
    let cls = |s: f64| {
        let cl_sb: f64 = bs
            .iter()
            .flat_map(|(b, wb)| {
                es.iter()
                    .map(move |(e, we)| wb * we * poisson_cdf(n, e * s + b))
            })
            .sum();
        cl_sb / cl_b - (1.0 - cl)
    };
    solve_decreasing(cls, 0.0, search_ceiling(n, &efficiency))
}

/// Bayesian upper limit on s/ε with a flat prior on s ≥ 0: ∫₀^U p(s | n) ds = CL, the
/// likelihood marginalised over background and efficiency.
pub fn bayes_upper(n: u64, background: Uncertain, efficiency: Uncertain, cl: f64) -> f64 {
    let (bs, es) = (background.nodes(), efficiency.nodes());
    if background.sigma == 0.0 && efficiency.sigma == 0.0 {
        // Closed form: P(s ≤ U | n) = 1 − P(N ≤ n | εU + b) / P(N ≤ n | b).
        let e = efficiency.value;
        let denominator = poisson_cdf(n, background.value);
        return solve_decreasing(
            |u| poisson_cdf(n, e * u + background.value) / denominator - (1.0 - cl),
            0.0,
            search_ceiling(n, &efficiency),
        );
    }
    // ∫₀^U L(s) ds per (b, ε) node is (1/ε)[P(N≤n|b) − P(N≤n|εU+b)] (Γ-function identity).
    let integral = |u: f64| -> f64 {
        bs.iter()
            .flat_map(|(b, wb)| {
                es.iter().map(move |(e, we)| {
                    wb * we * (poisson_cdf(n, *b) - poisson_cdf(n, e * u + b)) / e
                })
            })
            .sum()
    };
    let total = integral(f64::INFINITY.min(1e12));
    solve_decreasing(
        |u| cl - integral(u) / total,
        0.0,
        search_ceiling(n, &efficiency),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_events_no_background_is_minus_log_alpha() {
        let k = Uncertain::known;
        assert!((cls_upper(0, k(0.0), k(1.0), 0.95) - 2.995_732_273_553_991).abs() < 1e-9);
        assert!((bayes_upper(0, k(0.0), k(1.0), 0.95) - 2.995_732_273_553_991).abs() < 1e-9);
        // With n = 0 the CLs limit does not depend on the background.
        assert!((cls_upper(0, k(3.0), k(1.0), 0.90) - std::f64::consts::LN_10).abs() < 1e-9);
        // An efficiency of 0.5 doubles the limit on s/ε.
        assert!((cls_upper(0, k(0.0), k(0.5), 0.95) - 2.0 * 2.995_732_273_553_991).abs() < 1e-8);
    }
}
