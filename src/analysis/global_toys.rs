//! The global significance of a scan's largest excess from background-only
//! pseudo-experiments of the whole scan (`limits.global_toys`): for fit scans the
//! alternative to the Gross–Vitells estimate that needs no asymptotic assumption, for
//! cut-and-count scans (whose local significances are exact at any count, where that
//! estimate does not hold) the only one.
//!
//! Each pseudo-experiment redraws every channel's data from a smoothed copy of itself —
//! a Poisson number of events, each a data event moved by a Gaussian of
//! [`SMOOTHING`] × the resolution at its mass — so the broad shape of the spectrum is kept
//! and any structure as narrow as a signal is washed out: a background-only sample with
//! no model beyond the spec's own resolution. Events moved outside the observable range
//! or into a vetoed window are drawn again. The whole scan is then redone (q₀ at every
//! fit point, or every window counted) and its largest local significance recorded; the global p-value is the fraction
//! of pseudo-experiments whose largest local significance reaches the observed one.
//!
//! Pseudo-experiment `k` draws from its own random stream (a function of `k` only), so
//! the result does not depend on the thread count.

use rand::Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::Serialize;

use super::ScanPoint;
use super::collect::{Candidates, ChannelCandidates};
use crate::stats::special::normal_quantile;
use crate::stats::toys::toy_rng;

/// Width of the smoothing kernel, in resolutions at the event's mass.
pub const SMOOTHING: f64 = 3.0;

/// Seed of the pseudo-experiments' random streams.
const SEED: u64 = 0x61_6c_6f_62_61_6c;

/// Redraws of one event before its kernel is declared to fall outside the fit range.
const MAX_REDRAWS: usize = 1000;

/// How the global significance was obtained from pseudo-experiments.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GlobalToys {
    /// Pseudo-experiments of the whole scan.
    pub toys: usize,
    /// Those whose largest local significance reached the observed one.
    pub exceeding: usize,
    /// `exceeding / toys`, or `1 / toys` when none did (then an upper bound).
    pub p_value: f64,
    /// True when no pseudo-experiment reached the observed excess: the global
    /// significance is then a lower bound.
    pub lower_bound: bool,
    /// The observed largest local significance.
    pub largest_local: f64,
    /// Fits that failed in the pseudo-experiments (those points are left out of their
    /// maxima).
    pub failed_fits: usize,
    /// Kernel width of the smoothed data, in resolutions ([`SMOOTHING`]).
    pub smoothing: f64,
}

impl GlobalToys {
    /// The global significance Z = Φ⁻¹(1 − p), at least 0.
    pub fn significance(&self) -> f64 {
        (-normal_quantile(self.p_value)).max(0.0)
    }
}

/// A scan that can be redone on other data.
pub trait Rescan: Sync {
    /// The local significance at every point of the scan of `grid` on `data`, in order
    /// (`None` where there is none: a failed fit, a window without sidebands); points
    /// one after the other (pseudo-experiments run in parallel instead).
    fn local_significances_on(
        &self,
        data: &Candidates,
        grid: &[f64],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Vec<Option<f64>>;
}

/// The background-only model the pseudo-experiments draw from: every channel's data,
/// smoothed.
pub struct SmoothedData {
    /// Each channel's smoothed events.
    kernels: Vec<Kernel>,
    /// The observable's range.
    range: (f64, f64),
    /// Windows removed by vetoes.
    vetoed: Vec<(f64, f64)>,
}

impl SmoothedData {
    /// `data` of an observable over `range` without the `vetoed` windows, smoothed with
    /// the resolution `sigma` at each event's mass, clamped to the scanned `grid` (where
    /// the spec's resolution is meant to hold).
    pub fn new(
        data: &Candidates,
        vetoed: &[(f64, f64)],
        range: (f64, f64),
        grid: &[f64],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Result<Self, String> {
        let (first, last) = match (grid.first(), grid.last()) {
            (Some(&a), Some(&b)) => (a.min(b), a.max(b)),
            _ => return Err("the scan has no hypotheses".into()),
        };
        let mut null = SmoothedData {
            kernels: Vec::new(),
            range,
            vetoed: vetoed.to_vec(),
        };
        for channel in &data.channels {
            let x: Vec<f64> = channel
                .x
                .iter()
                .copied()
                .filter(|&v| null.allowed(v))
                .collect();
            let width = x
                .iter()
                .map(|&v| sigma(v.clamp(first, last)).map(|s| SMOOTHING * s))
                .collect::<Result<_, _>>()?;
            null.kernels.push(Kernel { x, width });
        }
        Ok(null)
    }

    /// Inside the range and outside every veto.
    fn allowed(&self, v: f64) -> bool {
        self.range.0 <= v && v <= self.range.1 && !self.vetoed.iter().any(|&(a, b)| a < v && v < b)
    }

    /// A pseudo-dataset: per channel, Poisson(n) events of its smoothed data.
    fn draw(&self, rng: &mut impl Rng) -> Candidates {
        Candidates {
            channels: self
                .kernels
                .iter()
                .map(|k| self.draw_channel(k, rng))
                .collect(),
        }
    }

    fn draw_channel(&self, kernel: &Kernel, rng: &mut impl Rng) -> ChannelCandidates {
        let mut out = ChannelCandidates::default();
        if kernel.x.is_empty() {
            return out;
        }
        let n = crate::stats::likelihood::poisson(kernel.x.len() as f64, rng) as usize;
        for _ in 0..n {
            for _ in 0..MAX_REDRAWS {
                let i = rng.random_range(0..kernel.x.len());
                let z: f64 = rng.sample(StandardNormal);
                let v = kernel.x[i] + kernel.width[i] * z;
                if self.allowed(v) {
                    out.x.push(v);
                    out.weight.push(1.0);
                    break;
                }
            }
        }
        out
    }
}

/// Runs `toys` pseudo-experiments drawn from `null` through `scan` over `grid` and
/// compares their largest local significances with the one in `observed`.
pub fn run(
    scan: &dyn Rescan,
    null: &SmoothedData,
    grid: &[f64],
    sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    observed: &[ScanPoint],
    toys: usize,
) -> Result<GlobalToys, String> {
    let largest_local = observed
        .iter()
        .filter_map(|p| p.local_significance)
        .fold(0.0, f64::max);
    let outcomes: Vec<(f64, usize)> = (0..toys)
        .into_par_iter()
        .map(|k| {
            let data = null.draw(&mut toy_rng(SEED, 0, k));
            let z = scan.local_significances_on(&data, grid, sigma);
            let failed = z.iter().filter(|z| z.is_none()).count();
            (z.into_iter().flatten().fold(0.0, f64::max), failed)
        })
        .collect();
    let exceeding = outcomes.iter().filter(|(z, _)| *z >= largest_local).count();
    let failed_fits = outcomes.iter().map(|(_, f)| f).sum();
    let lower_bound = exceeding == 0;
    let p_value = exceeding.max(1) as f64 / toys.max(1) as f64;
    Ok(GlobalToys {
        toys,
        exceeding,
        p_value,
        lower_bound,
        largest_local,
        failed_fits,
        smoothing: SMOOTHING,
    })
}

/// One channel's smoothed data: its events in the allowed range and their kernel widths.
struct Kernel {
    x: Vec<f64>,
    width: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::toys::toy_rng;

    #[test]
    fn smoothed_data_keep_the_count_and_broad_shape_and_avoid_vetoes() {
        // Half the events in a narrow spike at 1.0, half spread over [0, 4].
        let mut x: Vec<f64> = (0..2000).map(|i| 4.0 * i as f64 / 2000.0).collect();
        x.extend(std::iter::repeat_n(1.0, 2000));
        let null = SmoothedData {
            kernels: vec![Kernel {
                width: vec![0.3; x.len()],
                x,
            }],
            range: (0.0, 4.0),
            vetoed: vec![(2.0, 2.5)],
        };
        let draw = |stream| null.draw(&mut toy_rng(1, 0, stream)).channels.remove(0);
        let toy = draw(0);
        let n = toy.x.len() as f64;
        assert!((n - 4000.0).abs() < 5.0 * 4000f64.sqrt(), "{n}");
        assert!(toy.x.iter().all(|&v| null.allowed(v)));
        // The spike is smeared: the fraction within ±0.05 of it drops from 50% to ~7%.
        let near = toy.x.iter().filter(|&&v| (v - 1.0).abs() < 0.05).count() as f64 / n;
        assert!(near < 0.12, "{near}");
        // Deterministic per stream.
        assert_eq!(toy, draw(0));
        assert_ne!(toy, draw(1));
    }

    #[test]
    fn the_p_value_counts_toys_at_or_above_the_observed_maximum() {
        let g = GlobalToys {
            toys: 200,
            exceeding: 10,
            p_value: 0.05,
            lower_bound: false,
            largest_local: 3.0,
            failed_fits: 0,
            smoothing: SMOOTHING,
        };
        assert!((g.significance() - 1.6448536269514722).abs() < 1e-9);
    }
}
