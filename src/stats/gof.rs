//! Goodness of fit of an unbinned likelihood fit: the saturated-model deviance
//! D = 2 Σ (ν − n + n ln(n/ν)) of the data binned on fixed bins against the fit's
//! expectation in them, and its p-value from pseudo-experiments — each drawn from the
//! fitted model (the constraints' auxiliary measurements held at their values), refitted,
//! and binned the same way. D has no reliable χ² distribution with the few events per
//! bin of a sliding window, hence the pseudo-experiments.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use serde::Serialize;

use super::likelihood::{Channel, Data, Likelihood};
use super::minuit::{FitResult, ParamSpec, Settings, Status, minimize};

/// A goodness-of-fit test.
#[derive(Clone, Debug, Serialize)]
pub struct GoodnessOfFit {
    /// The saturated deviance D of the data.
    pub statistic: f64,
    /// Bins it is computed on, over all channels.
    pub bins: usize,
    /// Pseudo-experiments fitted.
    pub toys: usize,
    /// Pseudo-experiments whose fit did not converge (left out).
    pub failed: usize,
    /// Fraction of the converged pseudo-experiments with D at least the data's.
    pub p_value: f64,
}

/// Why the test could not be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GofError {
    /// The bins do not match the channels.
    #[error("one set of bins per channel is needed")]
    BinsPerChannel,
    /// No pseudo-experiment could be fitted.
    #[error("none of the {toys} pseudo-experiments' fits converged")]
    NoToyConverged {
        /// Pseudo-experiments drawn.
        toys: usize,
    },
}

/// The test of `likelihood`'s fit `best` on `bins` (per channel), with `toys`
/// pseudo-experiments drawn from seed `seed` (each its own stream: the result does not
/// depend on the thread count).
pub fn goodness_of_fit(
    likelihood: &Likelihood,
    params: &[ParamSpec],
    best: &FitResult,
    bins: &[Vec<(f64, f64)>],
    toys: usize,
    seed: u64,
) -> Result<GoodnessOfFit, GofError> {
    if bins.len() != likelihood.channels.len() {
        return Err(GofError::BinsPerChannel);
    }
    let statistic = deviance(likelihood, &best.values, bins);
    let start: Vec<ParamSpec> = params
        .iter()
        .zip(&best.values)
        .map(|(p, v)| ParamSpec {
            value: *v,
            ..p.clone()
        })
        .collect();
    let settings = Settings {
        hesse: false,
        ..Settings::default()
    };
    let outcomes: Vec<Option<f64>> = (0..toys)
        .into_par_iter()
        .map(|k| {
            let mut rng =
                Pcg64Mcg::seed_from_u64(seed ^ (k as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let channels = likelihood.drawn_channels(&best.values, &mut rng);
            let toy = Likelihood::new(channels, likelihood.constraints.clone());
            let fit = minimize(&toy, &start, settings);
            (fit.status == Status::Converged).then(|| deviance(&toy, &fit.values, bins))
        })
        .collect();
    let done: Vec<f64> = outcomes.iter().flatten().copied().collect();
    if done.is_empty() {
        return Err(GofError::NoToyConverged { toys });
    }
    let at_least = done.iter().filter(|&&d| d >= statistic).count();
    Ok(GoodnessOfFit {
        statistic,
        bins: bins.iter().map(Vec::len).sum(),
        toys: done.len(),
        failed: toys - done.len(),
        p_value: at_least as f64 / done.len() as f64,
    })
}

/// D = 2 Σ (ν − n + n ln(n/ν)) over every channel's bins, at parameters `p`.
fn deviance(likelihood: &Likelihood, p: &[f64], bins: &[Vec<(f64, f64)>]) -> f64 {
    likelihood
        .channels
        .iter()
        .zip(bins)
        .map(|(channel, bins)| {
            let expected: Vec<f64> = channel.expected_in_bins(p, bins).iter().fold(
                vec![0.0; bins.len()],
                |mut sum, component| {
                    sum.iter_mut().zip(component).for_each(|(s, c)| *s += c);
                    sum
                },
            );
            observed(channel, bins)
                .iter()
                .zip(&expected)
                .map(|(&n, &nu)| {
                    let log_term = if n > 0.0 { n * (n / nu).ln() } else { 0.0 };
                    2.0 * (nu - n + log_term)
                })
                .sum::<f64>()
        })
        .sum()
}

/// The channel's data (summed weights) in `bins`; the last bin of a contiguous run
/// includes its upper edge.
fn observed(channel: &Channel, bins: &[(f64, f64)]) -> Vec<f64> {
    let mut counts = vec![0.0; bins.len()];
    match &channel.data {
        Data::Unbinned { x, weights } => {
            for (i, &v) in x.iter().enumerate() {
                let w = weights.as_ref().map_or(1.0, |w| w[i]);
                let bin = bins.iter().enumerate().position(|(k, &(lo, hi))| {
                    let last = k + 1 == bins.len() || bins[k + 1].0 != hi;
                    lo <= v && (v < hi || (last && v == hi))
                });
                if let Some(b) = bin {
                    counts[b] += w;
                }
            }
        }
        Data::Binned { counts: c, .. } => counts.copy_from_slice(&c[..bins.len().min(c.len())]),
    }
    counts
}
