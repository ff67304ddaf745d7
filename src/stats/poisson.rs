//! The Poisson distribution without underflow: probabilities and the distribution function
//! in logarithms, so that counts and means up to 10⁶ stay exact where e^−μ is no longer a
//! double (μ > 745).
//!
//! P(N ≤ n | μ) is the regularised upper incomplete gamma function Q(n + 1, μ), computed
//! by its power series below μ = n + 2 and by Lentz's continued fraction above
//! (Numerical Recipes §6.2); both converge in O(√n) terms. Small counts at moderate means
//! keep the direct sum of the terms, which is exact to a few ulp and cheaper.

use super::special::{ln_gamma, ln_upper_gamma_regularised, normal_quantile};

/// Largest count for which the direct sum of terms is used.
const DIRECT_MAX_COUNT: u64 = 64;
/// Largest mean for which the direct sum is used (e^−μ is then a normal double).
const DIRECT_MAX_MEAN: f64 = 700.0;

/// ln P(N = k | μ); −∞ where the probability is zero.
pub fn ln_pmf(k: u64, mu: f64) -> f64 {
    if mu <= 0.0 {
        return if k == 0 { 0.0 } else { f64::NEG_INFINITY };
    }
    let k = k as f64;
    // k ln μ is 0 at k = 0 even for μ = ∞.
    let power = if k == 0.0 { 0.0 } else { k * mu.ln() };
    power - mu - ln_gamma(k + 1.0)
}

/// P(N ≤ n | μ).
pub fn cdf(n: u64, mu: f64) -> f64 {
    if mu <= 0.0 {
        return 1.0;
    }
    if n <= DIRECT_MAX_COUNT && mu <= DIRECT_MAX_MEAN {
        return direct_cdf(n, mu);
    }
    ln_cdf(n, mu).exp()
}

/// ln P(N ≤ n | μ), finite for every finite μ.
pub fn ln_cdf(n: u64, mu: f64) -> f64 {
    if mu <= 0.0 {
        return 0.0;
    }
    if mu.is_infinite() {
        return f64::NEG_INFINITY;
    }
    if n <= DIRECT_MAX_COUNT && mu <= DIRECT_MAX_MEAN {
        return direct_cdf(n, mu).ln();
    }
    ln_upper_gamma_regularised(n as f64 + 1.0, mu)
}

/// The smallest n with P(N ≤ n | μ) ≥ q, for q in (0, 1).
pub fn quantile(q: f64, mu: f64) -> u64 {
    if mu <= 0.0 || q <= 0.0 {
        return 0;
    }
    let target = q.min(1.0).ln();
    let reaches = |n: u64| ln_cdf(n, mu) >= target;
    // Bracket around the normal approximation, then bisect.
    let guess = (mu + normal_quantile(q.min(1.0 - 1e-16)) * mu.sqrt()).max(0.0) as u64;
    let spread = (mu.sqrt() as u64).max(1);
    let (mut lo, mut hi) = (guess, guess);
    while lo > 0 && reaches(lo) {
        lo = lo.saturating_sub(spread);
    }
    if reaches(lo) {
        return lo;
    }
    while !reaches(hi) {
        hi = hi.saturating_add(spread);
    }
    // reaches(lo) is false, reaches(hi) is true.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reaches(mid) { hi = mid } else { lo = mid }
    }
    hi
}

/// Σₖ≤ₙ e^−μ μᵏ/k!, the terms by recurrence (every term positive: no cancellation).
fn direct_cdf(n: u64, mu: f64) -> f64 {
    let mut term = (-mu).exp();
    let mut sum = term;
    for k in 1..=n {
        term *= mu / k as f64;
        sum += term;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_algorithms_agree_where_they_meet() {
        for n in [0u64, 1, 5, 30, 64] {
            for mu in [0.1, 1.0, 7.5, 40.0, 120.0, 650.0] {
                let direct = direct_cdf(n, mu).ln();
                let gamma = ln_upper_gamma_regularised(n as f64 + 1.0, mu);
                assert!(
                    (direct - gamma).abs() <= 1e-12 * direct.abs().max(1.0),
                    "n {n} μ {mu}: {direct} {gamma}"
                );
            }
        }
    }

    #[test]
    fn far_tails_are_logarithms_not_zeros() {
        // P(N = 0 | μ) = e^−μ exactly, far below the smallest double.
        assert!((ln_cdf(0, 1e5) + 1e5).abs() < 1e-6);
        assert!((ln_pmf(0, 2000.0) + 2000.0).abs() < 1e-12);
        assert!(ln_cdf(1000, 1000.0).exp() > 0.5);
        assert_eq!(ln_cdf(3, 0.0), 0.0);
        assert_eq!(ln_cdf(3, f64::INFINITY), f64::NEG_INFINITY);
    }

    #[test]
    fn quantiles_invert_the_distribution_function() {
        for mu in [0.0, 0.3, 4.0, 1000.0, 1e5] {
            for q in [0.022_75, 0.158_65, 0.5, 0.841_34, 0.977_25] {
                let n = quantile(q, mu);
                assert!(cdf(n, mu) >= q, "μ {mu} q {q} n {n}");
                assert!(n == 0 || cdf(n - 1, mu) < q, "μ {mu} q {q} n {n}");
            }
        }
    }
}
