//! CLs from pseudo-experiments (toys), as pyhf's `ToyCalculator` computes it with the
//! q̃μ test statistic, for binned HistFactory models and the unbinned likelihoods of fit
//! scans alike:
//!
//! 1. q̃μ on the observed data;
//! 2. toys generated at the conditional fits to the observed data with the POI at μ
//!    (signal + background) and at 0 (background only): Poisson main counts (for an
//!    unbinned model, events drawn from its expectation) and auxiliary measurements drawn
//!    from their constraints;
//! 3. CLs+b and CLb are the fractions of each set with q̃μ ≥ the observed value, CLs
//!    their ratio;
//! 4. the expected band: CLs of every background-only toy's q̃μ, at the percentiles of
//!    the normal distribution at −2…+2 σ (linear interpolation, numpy's default).
//!
//! Toys run in parallel; toy `k` of a hypothesis draws from its own random stream,
//! a function of (seed, hypothesis, k) only, so results are identical for any thread
//! count. A toy whose fit fails is left out and counted; more than 1% failures fail the
//! computation rather than bias it quietly.

use super::asymptotic::{
    Cls, ClsError, Model, UpperLimits, conditional_fit, free_fit, q_tilde_given,
};
use super::histfactory::HistFactory;
use super::likelihood::Likelihood;
use super::minuit::ParamSpec;
use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;

/// CLs at one μ from toys.
#[derive(Clone, Debug, PartialEq)]
pub struct ToyCls {
    /// Observed CLs.
    pub observed: f64,
    /// Expected CLs at −2, −1, 0, +1, +2 σ.
    pub expected: [f64; 5],
    /// CLs+b of the observed data.
    pub clsb: f64,
    /// CLb of the observed data.
    pub clb: f64,
    /// Toys per hypothesis whose fits converged (signal + background, background only).
    pub toys: [usize; 2],
    /// Toys left out because a fit failed.
    pub failed: usize,
}

/// A model whose pseudo-data can be drawn at given parameters.
pub trait Sampled: Model + Sync {
    /// The same model with data and auxiliary measurements drawn at `p`.
    fn sample(&self, p: &[f64], rng: &mut Pcg64Mcg) -> Self;
}

impl Sampled for HistFactory {
    fn sample(&self, p: &[f64], rng: &mut Pcg64Mcg) -> Self {
        HistFactory::sample(self, p, rng)
    }
}

impl Sampled for Likelihood {
    fn sample(&self, p: &[f64], rng: &mut Pcg64Mcg) -> Self {
        Likelihood::sample(self, p, rng)
    }
}

/// Percentiles of the normal distribution at −2, −1, 0, +1, +2 σ (as pyhf uses them).
const BAND_PERCENTILES: [f64; 5] = [2.27501319, 15.86552539, 50.0, 84.13447461, 97.72498681];

/// The random stream of toy `k` of `hypothesis` (0: background only, 1: signal + background).
pub(crate) fn toy_rng(seed: u64, hypothesis: u64, k: usize) -> Pcg64Mcg {
    let stream = (k as u64) << 1 | hypothesis;
    Pcg64Mcg::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Fraction of `distribution` at or above `t`.
fn pvalue(distribution: &[f64], t: f64) -> f64 {
    distribution.iter().filter(|&&x| x >= t).count() as f64 / distribution.len() as f64
}

/// numpy's `percentile(values, q)` with linear interpolation; `sorted` ascending.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let position = q / 100.0 * (sorted.len() - 1) as f64;
    let low = position.floor() as usize;
    let high = (low + 1).min(sorted.len() - 1);
    sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64)
}

/// q̃μ of one toy, or None when one of its fits failed.
fn toy_statistic<M: Sampled>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
    generating: &[f64],
    mu: f64,
    rng: &mut Pcg64Mcg,
) -> Option<f64> {
    let toy = model.sample(generating, rng);
    let best = free_fit(&toy, params, poi).ok()?;
    q_tilde_given(&toy, params, poi, &best, mu).ok()
}

/// CLs at `mu` from `toys` pseudo-experiments per hypothesis, for `model` with
/// parameters `params` (the POI at index `poi`).
pub fn cls_toys<M: Sampled>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
    mu: f64,
    toys: usize,
    seed: u64,
) -> Result<ToyCls, ClsError> {
    let best = free_fit(model, params, poi)?;
    let observed = q_tilde_given(model, params, poi, &best, mu)?;
    let generating = [
        conditional_fit(model, params, poi, 0.0)?,
        conditional_fit(model, params, poi, mu)?,
    ];
    let distributions: Vec<Vec<f64>> = (0..2)
        .map(|h| {
            (0..toys)
                .into_par_iter()
                .filter_map(|k| {
                    let rng = &mut toy_rng(seed, h as u64, k);
                    toy_statistic(model, params, poi, &generating[h], mu, rng)
                })
                .collect()
        })
        .collect();
    let (background, signal) = (&distributions[0], &distributions[1]);
    let failed = 2 * toys - background.len() - signal.len();
    if background.is_empty() || signal.is_empty() || failed * 100 > 2 * toys {
        return Err(ClsError::Toys(format!(
            "{failed} of {} toy fits failed",
            2 * toys
        )));
    }
    let (clsb, clb) = (pvalue(signal, observed), pvalue(background, observed));
    if clb == 0.0 {
        return Err(ClsError::Toys(format!(
            "no background-only toy reaches the observed q̃μ = {observed:.3}: CLs is 0/0; use more toys"
        )));
    }
    let mut expected: Vec<f64> = background
        .iter()
        .map(|&t| pvalue(signal, t) / pvalue(background, t))
        .collect();
    expected.sort_by(f64::total_cmp);
    Ok(ToyCls {
        observed: clsb / clb,
        expected: BAND_PERCENTILES.map(|q| percentile(&expected, q)),
        clsb,
        clb,
        toys: [signal.len(), background.len()],
        failed,
    })
}

/// Points of the μ scan of [`upper_limits_toys`].
pub const SCAN_POINTS: usize = 16;

/// Upper limits on the POI at confidence level `cl` from toys, as pyhf's toy-based
/// `upper_limit` finds them: CLs (observed and the expected band) on a scan of μ, each
/// limit where its CLs first falls through 1 − CL, by linear interpolation between scan
/// points. The scan spans 0.5× the smallest to 2× the largest asymptotic limit, widened
/// where that does not bracket every crossing (few events, where the asymptotic
/// formulae are far off); every μ reuses the same seed, so CLs varies smoothly with μ
/// (common random numbers).
pub fn upper_limits_toys<M: Sampled>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
    cl: f64,
    toys: usize,
    seed: u64,
) -> Result<(UpperLimits, Vec<(f64, ToyCls)>), ClsError> {
    let asymptotic = Cls::new(model, params, poi)?.upper_limits(cl, true)?;
    let all = asymptotic.expected.iter().chain([&asymptotic.observed]);
    let mut low = 0.5 * all.clone().copied().fold(f64::INFINITY, f64::min);
    let mut high = 2.0 * all.copied().fold(0.0, f64::max);
    let alpha = 1.0 - cl;
    let series = |c: &ToyCls| {
        [c.observed]
            .into_iter()
            .chain(c.expected)
            .collect::<Vec<f64>>()
    };
    let mut scan: Vec<(f64, ToyCls)> = Vec::new();
    // Where the asymptotic formulae are far off (a few events), the crossings may lie
    // outside the first range: it is widened, by 4× at a time, up to three times.
    for _ in 0..4 {
        scan = (0..SCAN_POINTS)
            .map(|k| {
                let mu = low + (high - low) * k as f64 / (SCAN_POINTS - 1) as f64;
                cls_toys(model, params, poi, mu, toys, seed).map(|c| (mu, c))
            })
            .collect::<Result<_, _>>()?;
        let starts_below = series(&scan[0].1).iter().any(|&v| v <= alpha);
        let ends_above = series(&scan[SCAN_POINTS - 1].1).iter().any(|&v| v > alpha);
        if !starts_below && !ends_above {
            break;
        }
        if starts_below {
            low /= 4.0;
        }
        if ends_above {
            high *= 4.0;
        }
    }
    let (low, high) = (scan[0].0, scan[SCAN_POINTS - 1].0);
    let crossing = |what: &str, value: &dyn Fn(&ToyCls) -> f64| -> Result<f64, ClsError> {
        if value(&scan[0].1) <= alpha {
            return Err(ClsError::Toys(format!(
                "the {what} CLs is already below {alpha} at μ = {low:.4}, the start of the scan"
            )));
        }
        scan.windows(2)
            .find_map(|w| {
                let ((m0, c0), (m1, c1)) = (&w[0], &w[1]);
                let (v0, v1) = (value(c0), value(c1));
                (v0 > alpha && v1 <= alpha).then(|| m0 + (m1 - m0) * (v0 - alpha) / (v0 - v1))
            })
            .ok_or_else(|| {
                ClsError::Toys(format!(
                    "the {what} CLs stays above {alpha} up to μ = {high:.4}, the end of the scan"
                ))
            })
    };
    let observed = crossing("observed", &|c| c.observed)?;
    let mut expected = [0.0; 5];
    for (k, e) in expected.iter_mut().enumerate() {
        *e = crossing("expected", &|c| c.expected[k])?;
    }
    Ok((UpperLimits { observed, expected }, scan))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 100]) == [1, 1.75, 2.5, 4]
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(
            [0.0, 25.0, 50.0, 100.0].map(|q| percentile(&v, q)),
            [1.0, 1.75, 2.5, 4.0]
        );
    }
}
