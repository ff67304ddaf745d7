//! Upper limits for a Poisson count with a known or uncertain background and signal
//! efficiency: exact CLs and Bayesian with a flat prior (Feldman–Cousins intervals are in
//! `feldman_cousins.rs`). All are right at zero and one observed events, where the
//! asymptotic formulae fail, and hold to [`MAX_COUNT`] events: probabilities are computed
//! in logarithms where e^−μ is no longer a double (`poisson.rs`).
//!
//! Conventions. The limit is quoted on the signal s before efficiency: the expected count
//! is ε·s + b. Uncertainties are integrated out (Cousins–Highland for CLs, marginalised
//! for Bayesian) by Gauss–Legendre quadrature:
//! - the background is Gaussian of absolute width σ_b with its probability below zero
//!   placed at b = 0 (a background-free window is possible, and widening the Gaussian
//!   never moves probability upward);
//! - the efficiency carries a relative Gaussian uncertainty, truncated at zero and
//!   renormalised (additive, as HistFactory's `histosys`), and a relative log-normal one,
//!   ε·κ^θ with κ = 1 + r and θ ~ N(0, 1) (multiplicative, as `normsys` or Combine's
//!   `lnN`); the product when both are given.
//!
//! [`check_domain`] states where the methods are exact and refuses everything else.

use std::fmt;

use super::poisson;
use super::quadrature::{brent, gauss_legendre_64, rule};
use super::special::{ln_gamma, normal_cdf};

/// Most observed events the exact methods accept.
pub const MAX_COUNT: u64 = 200_000;
/// Largest background (and background uncertainty) the exact methods accept.
pub const MAX_BACKGROUND: f64 = 100_000.0;
/// Largest relative Gaussian efficiency uncertainty: beyond it the truncated Gaussian puts
/// visible probability at zero efficiency, and wider priors would give stronger limits.
pub const MAX_GAUSSIAN_RELATIVE: f64 = 0.5;
/// Largest relative Gaussian efficiency uncertainty of a Bayesian limit: a flat-prior
/// posterior is improper once the efficiency prior reaches zero within its 8σ support
/// (Heinrich et al., CDF note 7117, 2004).
pub const MAX_GAUSSIAN_RELATIVE_BAYES: f64 = 0.12;
/// Largest relative log-normal efficiency uncertainty (κ = 5).
pub const MAX_LOGNORMAL_RELATIVE: f64 = 4.0;
/// Confidence levels accepted: [0.5, 1 − 10⁻⁹].
pub const CL_RANGE: (f64, f64) = (0.5, 1.0 - 1e-9);

/// Why a counting limit cannot be given.
#[derive(Clone, Debug, PartialEq)]
pub enum CountingError {
    /// An input outside the documented domain of the method.
    OutOfDomain(String),
    /// The inputs admit no finite upper limit at this confidence level.
    NoLimit(String),
}

impl fmt::Display for CountingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CountingError::OutOfDomain(m) | CountingError::NoLimit(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for CountingError {}

/// Which limit a domain is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Exact CLs.
    Cls,
    /// Bayesian with a flat prior.
    Bayes,
    /// Feldman–Cousins.
    FeldmanCousins,
}

/// The expected background in the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Background {
    /// Central value.
    pub value: f64,
    /// Absolute Gaussian uncertainty (0 when known).
    pub sigma: f64,
}

impl Background {
    /// A background known exactly.
    pub fn known(value: f64) -> Self {
        Background { value, sigma: 0.0 }
    }

    /// Quadrature nodes (b, weight), weights summing to 1: the Gaussian over b ± 8σ cut at
    /// zero by the Gauss–Legendre `rule`, and the probability below zero as a node at 0.
    pub(crate) fn nodes(&self, rule: &[(f64, f64)]) -> Vec<(f64, f64)> {
        if self.sigma <= 0.0 {
            return vec![(self.value, 1.0)];
        }
        let below = normal_cdf(-self.value / self.sigma);
        let lo = (self.value - 8.0 * self.sigma).max(0.0);
        let mut nodes = gaussian_nodes(
            self.value,
            self.sigma,
            lo,
            self.value + 8.0 * self.sigma,
            rule,
        );
        for node in &mut nodes {
            node.1 *= 1.0 - below;
        }
        if below > 0.0 {
            nodes.push((0.0, below));
        }
        nodes
    }
}

/// The signal efficiency: expected events per unit of the quoted signal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Efficiency {
    /// Central value (> 0).
    pub value: f64,
    /// Relative Gaussian uncertainty (truncated at zero).
    pub gaussian: f64,
    /// Relative log-normal uncertainty r (κ = 1 + r).
    pub lognormal: f64,
}

impl Efficiency {
    /// An efficiency known exactly.
    pub fn known(value: f64) -> Self {
        Efficiency {
            value,
            gaussian: 0.0,
            lognormal: 0.0,
        }
    }

    /// Whether any uncertainty is given.
    pub fn is_uncertain(&self) -> bool {
        self.gaussian > 0.0 || self.lognormal > 0.0
    }

    /// Quadrature nodes (factor, weight) of ε/ε₀, weights summing to 1: Gauss–Legendre
    /// rules of `points` nodes per uncertainty over ±8σ (the log-normal's in ln ε, with
    /// half as many again: its factor spreads further), their product when both are given.
    pub(crate) fn factors(&self, points: usize) -> Vec<(f64, f64)> {
        let gaussian = if self.gaussian > 0.0 {
            let lo = (1.0 - 8.0 * self.gaussian).max(0.0);
            gaussian_nodes(
                1.0,
                self.gaussian,
                lo,
                1.0 + 8.0 * self.gaussian,
                rule(points),
            )
        } else {
            vec![(1.0, 1.0)]
        };
        let lognormal = if self.lognormal > 0.0 {
            let width = self.lognormal.ln_1p();
            gaussian_nodes(0.0, 1.0, -8.0, 8.0, rule(points + points / 2))
                .into_iter()
                .map(|(z, w)| ((width * z).exp(), w))
                .collect()
        } else {
            vec![(1.0, 1.0)]
        };
        gaussian
            .iter()
            .flat_map(|&(g, wg)| lognormal.iter().map(move |&(l, wl)| (g * l, wg * wl)))
            .collect()
    }

    /// Nodes per uncertainty for the exact limits: 64, or 32 each when both are given.
    fn points(&self) -> usize {
        if self.gaussian > 0.0 && self.lognormal > 0.0 {
            32
        } else {
            64
        }
    }
}

/// Nodes of N(mean, σ) on [lo, hi] by the Gauss–Legendre `rule`, weights normalised to 1.
fn gaussian_nodes(mean: f64, sigma: f64, lo: f64, hi: f64, rule: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let nodes: Vec<(f64, f64)> = rule
        .iter()
        .map(|(x, w)| {
            let v = 0.5 * (hi - lo) * x + 0.5 * (hi + lo);
            let z = (v - mean) / sigma;
            (v, w * (-0.5 * z * z).exp())
        })
        .collect();
    let total: f64 = nodes.iter().map(|n| n.1).sum();
    nodes.into_iter().map(|(v, w)| (v, w / total)).collect()
}

/// A number for a message: short however large or small.
fn show(v: f64) -> String {
    let plain = v == 0.0 || (1e-4..1e6).contains(&v.abs()) || !v.is_finite();
    if plain {
        format!("{v}")
    } else {
        format!("{v:.4e}")
    }
}

/// Refuses inputs outside the domain where `method` is computed exactly.
pub fn check_domain(
    method: Method,
    observed: u64,
    background: &Background,
    efficiency: &Efficiency,
    cl: f64,
) -> Result<(), CountingError> {
    let out = |m: String| Err(CountingError::OutOfDomain(m));
    if !(CL_RANGE.0..=CL_RANGE.1).contains(&cl) {
        return out(format!(
            "the confidence level must lie in [{}, 1 − 1e-9], not {}",
            CL_RANGE.0,
            show(cl)
        ));
    }
    if observed > MAX_COUNT {
        return out(format!(
            "{observed} observed events are beyond the exact methods' domain (at most {MAX_COUNT}); use an asymptotic method"
        ));
    }
    for (what, v) in [
        ("background", background.value),
        ("background uncertainty", background.sigma),
    ] {
        if !(0.0..=MAX_BACKGROUND).contains(&v) {
            return out(format!(
                "the {what} must be finite and in [0, {MAX_BACKGROUND}], not {}",
                show(v)
            ));
        }
    }
    if !(efficiency.value > 0.0 && efficiency.value.is_finite()) {
        return out(format!(
            "the signal efficiency must be finite and positive, not {}",
            show(efficiency.value)
        ));
    }
    let gaussian_max = if method == Method::Bayes {
        MAX_GAUSSIAN_RELATIVE_BAYES
    } else {
        MAX_GAUSSIAN_RELATIVE
    };
    if !(0.0..=gaussian_max).contains(&efficiency.gaussian) {
        return out(format!(
            "a relative Gaussian efficiency uncertainty must lie in [0, {gaussian_max}] here, not {}; state wider ones as log-normal",
            show(efficiency.gaussian)
        ));
    }
    if !(0.0..=MAX_LOGNORMAL_RELATIVE).contains(&efficiency.lognormal) {
        return out(format!(
            "a relative log-normal efficiency uncertainty must lie in [0, {MAX_LOGNORMAL_RELATIVE}], not {}",
            show(efficiency.lognormal)
        ));
    }
    if method == Method::FeldmanCousins {
        super::feldman_cousins::check_domain(observed, background, efficiency)?;
    }
    Ok(())
}

/// ln Σ exp(xᵢ), −∞ for none.
fn log_sum_exp(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let top = values.clone().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return top;
    }
    top + values.map(|x| (x - top).exp()).sum::<f64>().ln()
}

/// The upper limit on t = ε₀·s where Σᵢⱼ wᵢⱼ P(N ≤ n | fⱼ t + bᵢ) falls to α times its
/// value at t = 0, with background nodes (bᵢ, wᵢ) and efficiency factors (fⱼ, wⱼ). This is
/// exact CLs, and the flat-prior Bayesian limit when wⱼ carries 1/fⱼ.
fn solve(
    n: u64,
    backgrounds: &[(f64, f64)],
    factors: &[(f64, f64)],
    alpha: f64,
) -> Result<f64, CountingError> {
    let at_zero: f64 = backgrounds
        .iter()
        .map(|(b, w)| w * poisson::cdf(n, *b))
        .sum();
    // Linear sums while the reference value is a normal double; logarithms otherwise.
    let ratio: Box<dyn Fn(f64) -> f64> = if at_zero > 1e-250 {
        Box::new(move |t: f64| {
            let sum: f64 = backgrounds
                .iter()
                .flat_map(|&(b, wb)| {
                    factors
                        .iter()
                        .map(move |&(f, wf)| wb * wf * poisson::cdf(n, f * t + b))
                })
                .sum();
            sum / at_zero - alpha
        })
    } else {
        let ln_at_zero = log_sum_exp(
            backgrounds
                .iter()
                .map(|(b, w)| w.ln() + poisson::ln_cdf(n, *b)),
        );
        let ln_alpha = alpha.ln();
        Box::new(move |t: f64| {
            let terms = backgrounds.iter().flat_map(|&(b, wb)| {
                factors
                    .iter()
                    .map(move |&(f, wf)| (wb * wf).ln() + poisson::ln_cdf(n, f * t + b))
            });
            log_sum_exp(terms) - ln_at_zero - ln_alpha
        })
    };
    // Bracket: well past n + b, widened until the ratio has fallen below α.
    let mut hi = n as f64 + 10.0 * (n as f64 + 1.0).sqrt() + 20.0;
    let mut widenings = 0;
    while ratio(hi) > 0.0 {
        widenings += 1;
        if widenings > 60 {
            return Err(CountingError::NoLimit(
                "the efficiency uncertainty leaves more than 1 − CL of the probability at no signal: no upper limit at this confidence level".into(),
            ));
        }
        hi *= 4.0;
    }
    brent(&ratio, 0.0, hi, 1e-12 * hi).ok_or_else(|| {
        CountingError::NoLimit("the limit equation has no root (internal inconsistency)".into())
    })
}

/// The limit on t converted to s and checked to be finite and positive.
fn on_signal(t: f64, efficiency: &Efficiency) -> Result<f64, CountingError> {
    let s = t / efficiency.value;
    if s.is_finite() && s > 0.0 {
        Ok(s)
    } else {
        Err(CountingError::NoLimit(format!(
            "the limit {} on the signal is not a finite positive number (efficiency {})",
            show(s),
            show(efficiency.value)
        )))
    }
}

/// Exact CLs upper limit on s: CLs(s) = P(N ≤ n | εs + b) / P(N ≤ n | b) = 1 − CL, with
/// the uncertainties integrated out in numerator and denominator.
pub fn cls_upper(
    n: u64,
    background: &Background,
    efficiency: &Efficiency,
    cl: f64,
) -> Result<f64, CountingError> {
    check_domain(Method::Cls, n, background, efficiency, cl)?;
    let backgrounds = background.nodes(gauss_legendre_64());
    let factors = efficiency.factors(efficiency.points());
    on_signal(solve(n, &backgrounds, &factors, 1.0 - cl)?, efficiency)
}

/// Bayesian upper limit on s with a flat prior on s ≥ 0: ∫₀^U p(s | n) ds = CL, the
/// likelihood marginalised over background and efficiency. Per node, ∫₀^U L ds =
/// [P(N ≤ n | b) − P(N ≤ n | εU + b)] / ε (a Γ-function identity), so the limit solves the
/// CLs equation with efficiency weights divided by ε; without uncertainties the two
/// limits coincide (Helene).
pub fn bayes_upper(
    n: u64,
    background: &Background,
    efficiency: &Efficiency,
    cl: f64,
) -> Result<f64, CountingError> {
    check_domain(Method::Bayes, n, background, efficiency, cl)?;
    let backgrounds = background.nodes(gauss_legendre_64());
    let factors = efficiency.factors(efficiency.points());
    let total: f64 = factors.iter().map(|(f, w)| w / f).sum();
    let factors: Vec<(f64, f64)> = factors.iter().map(|&(f, w)| (f, w / f / total)).collect();
    on_signal(solve(n, &backgrounds, &factors, 1.0 - cl)?, efficiency)
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
    let ln_factorial = |k: u64| ln_gamma(k as f64 + 1.0);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_events_no_background_is_minus_log_alpha() {
        let (b, e) = (Background::known, Efficiency::known);
        let cls = |n, bg, eff, cl| cls_upper(n, &b(bg), &e(eff), cl).unwrap();
        let bayes = |n, bg, eff, cl| bayes_upper(n, &b(bg), &e(eff), cl).unwrap();
        assert!((cls(0, 0.0, 1.0, 0.95) - 2.995_732_273_553_991).abs() < 1e-9);
        assert!((bayes(0, 0.0, 1.0, 0.95) - 2.995_732_273_553_991).abs() < 1e-9);
        // With n = 0 the CLs limit does not depend on the background, however large.
        assert!((cls(0, 3.0, 1.0, 0.90) - std::f64::consts::LN_10).abs() < 1e-9);
        assert!((cls(0, 1e5, 1.0, 0.90) - std::f64::consts::LN_10).abs() < 1e-6);
        // An efficiency of 0.5 doubles the limit on s/ε.
        assert!((cls(0, 0.0, 0.5, 0.95) - 2.0 * 2.995_732_273_553_991).abs() < 1e-8);
    }

    #[test]
    fn large_counts_do_not_underflow() {
        // scipy: brentq on poisson.cdf(1000, 1000 + s) / poisson.cdf(1000, 1000) = 0.05.
        let limit = cls_upper(
            1000,
            &Background::known(1000.0),
            &Efficiency::known(1.0),
            0.95,
        )
        .unwrap();
        assert!((limit - 63.7).abs() < 0.1, "{limit}");
        let limit =
            cls_upper(1000, &Background::known(0.3), &Efficiency::known(1.0), 0.95).unwrap();
        assert!((limit - 1053.3).abs() < 0.1, "{limit}");
    }

    #[test]
    fn inputs_outside_the_domain_are_refused() {
        let e = Efficiency::known(1.0);
        let refused = |n, b: Background, e: Efficiency, cl| {
            matches!(cls_upper(n, &b, &e, cl), Err(CountingError::OutOfDomain(_)))
        };
        assert!(refused(MAX_COUNT + 1, Background::known(1.0), e, 0.95));
        assert!(refused(3, Background::known(1e300), e, 0.95));
        assert!(refused(
            3,
            Background {
                value: 1.0,
                sigma: 1e308
            },
            e,
            0.95
        ));
        assert!(refused(3, Background::known(f64::NAN), e, 0.95));
        assert!(refused(
            3,
            Background::known(1.0),
            Efficiency::known(0.0),
            0.95
        ));
        assert!(refused(
            3,
            Background::known(1.0),
            Efficiency::known(-1.0),
            0.95
        ));
        assert!(refused(
            3,
            Background::known(1.0),
            Efficiency {
                gaussian: -0.1,
                ..e
            },
            0.95
        ));
        assert!(refused(
            3,
            Background::known(1.0),
            Efficiency { gaussian: 0.6, ..e },
            0.95
        ));
        assert!(refused(
            3,
            Background::known(1.0),
            Efficiency {
                lognormal: 1e300,
                ..e
            },
            0.95
        ));
        assert!(refused(3, Background::known(1.0), e, 1.0));
        assert!(refused(3, Background::known(1.0), e, f64::NAN));
    }

    #[test]
    fn lognormal_and_gaussian_priors_differ() {
        let b = Background::known(2.0);
        let gaussian = Efficiency {
            gaussian: 0.3,
            ..Efficiency::known(1.0)
        };
        let lognormal = Efficiency {
            lognormal: 0.3,
            ..Efficiency::known(1.0)
        };
        let (g, l) = (
            cls_upper(2, &b, &gaussian, 0.95).unwrap(),
            cls_upper(2, &b, &lognormal, 0.95).unwrap(),
        );
        assert!((g - l).abs() > 0.05 * g, "{g} {l}");
    }
}
