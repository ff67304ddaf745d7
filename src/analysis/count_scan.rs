//! The cut-and-count scan: at each hypothesis a window of ±k σ, the background from
//! sidebands scaled by width, the efficiency from the signal toy, and an exact limit
//! (CLs, Bayesian or Feldman–Cousins) that is right at zero and one observed events, or
//! CLs on the window's binned model (`count_model`): asymptotic for large counts, or
//! from pseudo-experiments (`cls-toys`).
//! The expected band is the limit at the quantiles of the background-only Poisson count.

use rayon::prelude::*;

use super::collect::Candidates;
use super::count_model::{CountModel, Modifier as CountModifier};
use super::efficiency;
use super::global_toys::Rescan;
use super::{ScanInputs, ScanPoint, channel_groups, window_ranges};
use crate::spec::{Counting, SystematicKind, efficiency_uncertainties};
use crate::stats::counting::{Background, Efficiency, bayes_upper, cls_upper, on_off_p_value};
use crate::stats::feldman_cousins::feldman_cousins_each;
use crate::stats::poisson;
use crate::stats::special::{normal_cdf, normal_quantile};

/// Fewest pseudo-experiments per μ `cls-toys` accepts (as `limit workspace`).
const MIN_TOYS: usize = 10;

/// Pseudo-experiments per μ for `cls-toys` when `limits.toys` is not given.
pub const DEFAULT_TOYS: usize = 1000;

/// Everything a counting scan needs besides the hypotheses.
pub struct CountScan<'a> {
    /// The spec (nuisance widths that depend on the hypothesis).
    pub spec: &'a crate::spec::Spec,
    /// Its `counting:`.
    pub counting: &'a Counting,
    /// Method name (`cls-exact`, `bayesian`, `feldman-cousins`, `cls-asymptotic`,
    /// `cls-toys`).
    pub method: String,
    /// Pseudo-experiments per μ for `cls-toys`.
    pub toys: usize,
    /// Data, efficiencies, channels and settings shared with fit scans.
    pub common: ScanInputs<'a>,
}

impl Rescan for CountScan<'_> {
    /// Z_Bi at every window of the scan on `data`.
    fn local_significances_on(
        &self,
        data: &Candidates,
        grid: &[f64],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Vec<Option<f64>> {
        let scan = CountScan {
            method: self.method.clone(),
            common: self.common.on(data),
            ..*self
        };
        scan.jobs(grid)
            .iter()
            .map(|job| {
                let s = sigma(job.m).ok()?;
                scan.window(job.m, s, job.ctau, &job.active).significance()
            })
            .collect()
    }
}

/// One window of the scan.
struct Job {
    m: f64,
    ctau: Option<f64>,
    active: Vec<usize>,
    seed: u64,
}

/// Counts, background and efficiency in one window.
struct Window {
    observed: u64,
    /// Events in the sidebands.
    sideband: u64,
    /// Width of the window over that of the sidebands (0 without sidebands).
    ratio: f64,
    background: Background,
    efficiency: Efficiency,
    /// The efficiency's uncertainties, one per source (the binned model's modifiers).
    modifiers: Vec<CountModifier>,
}

impl Window {
    /// The local significance of the observed count against the sideband estimate
    /// (Z_Bi, exact at any count); `None` without sidebands.
    fn significance(&self) -> Option<f64> {
        if self.ratio <= 0.0 {
            return None;
        }
        let p = on_off_p_value(self.observed, self.sideband, self.ratio);
        let z = (-normal_quantile(p)).max(0.0);
        z.is_finite().then_some(z)
    }

    /// The window as a binned model (see `count_model`).
    fn model(&self, unblind: bool) -> CountModel {
        CountModel {
            observed: unblind.then_some(self.observed),
            background: self.background.value,
            background_error: self.background.sigma,
            efficiency: self.efficiency.value,
            modifiers: self.modifiers.clone(),
        }
    }
}

impl CountScan<'_> {
    /// Scan points for every hypothesis, lifetime and channel group.
    pub fn run(
        &self,
        grid: &[f64],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Vec<ScanPoint> {
        self.jobs(grid)
            .par_iter()
            .map(|job| {
                let channel = self
                    .counting
                    .poi
                    .per_channel
                    .value
                    .then(|| self.common.channels[job.active[0]].clone());
                let mut point = ScanPoint::new(job.m, channel, job.ctau);
                let window = |s| self.point(job.m, s, job.ctau, &job.active, job.seed, &mut point);
                match sigma(job.m).and_then(window) {
                    Ok(()) => {}
                    Err(message) => point.status = format!("failed: {message}"),
                }
                point
            })
            .collect()
    }

    /// The scan's windows in order: per channel group, lifetime and hypothesis, the open
    /// channels (hypotheses where none is open are left out) and the seed of the window's
    /// pseudo-experiments, from its position, so whatever thread runs it.
    fn jobs(&self, grid: &[f64]) -> Vec<Job> {
        let groups = channel_groups(
            self.counting.poi.per_channel.value,
            self.common.channels.len(),
        );
        let lifetimes = efficiency::EfficiencyTable::grid_lifetimes(self.common.efficiency);
        let mut jobs = Vec::new();
        let mut index = 0u64;
        for group in &groups {
            for &ctau in &lifetimes {
                for &m in grid {
                    index += 1;
                    let active = self.common.active(m, group, ctau);
                    if !active.is_empty() {
                        jobs.push(Job {
                            m,
                            ctau,
                            active,
                            seed: index.wrapping_mul(0xD1B5_4A32_D192_ED03),
                        });
                    }
                }
            }
        }
        jobs
    }

    fn window(&self, m: f64, sigma: f64, ctau: Option<f64>, active: &[usize]) -> Window {
        let range = (
            self.counting.observable.range.low.value,
            self.counting.observable.range.high.value,
        );
        let half = self.counting.window.at(sigma);
        let window = window_ranges(range, m, half, &self.common.vetoed);
        let sidebands: Vec<(f64, f64)> = self
            .counting
            .sidebands
            .iter()
            .flat_map(|s| {
                let (a, b) = (m + s.low.value * sigma, m + s.high.value * sigma);
                window_ranges(
                    (range.0.max(a), range.1.min(b)),
                    0.5 * (a + b),
                    0.5 * (b - a),
                    &self.common.vetoed,
                )
            })
            .collect();
        let width = |r: &[(f64, f64)]| r.iter().map(|(lo, hi)| hi - lo).sum::<f64>();
        let inside = |r: &[(f64, f64)], x: f64| r.iter().any(|&(lo, hi)| lo <= x && x <= hi);
        let count = |r: &[(f64, f64)]| -> u64 {
            active
                .iter()
                .map(|&c| {
                    self.common.data.channels[c]
                        .x
                        .iter()
                        .filter(|&&x| inside(r, x))
                        .count() as u64
                })
                .sum()
        };
        let sideband = count(&sidebands);
        let n_sideband = sideband as f64;
        let ratio = if width(&sidebands) > 0.0 {
            width(&window) / width(&sidebands)
        } else {
            0.0
        };
        let part = |c: usize| self.common.scale_at(c, m) * self.common.efficiency[c].at(m, ctau);
        let efficiency: f64 = active.iter().map(|&c| part(c)).sum();
        // A nuisance of some channels only is that share of the summed efficiency's.
        // The fraction of the summed efficiency in the channels nuisance `n` acts in.
        let share = |n: &crate::spec::Nuisance| -> f64 {
            let acted: f64 = active
                .iter()
                .filter(|&&c| n.acts_in(&self.common.channels[c]))
                .map(|&c| part(c))
                .sum();
            acted / efficiency
        };
        let (gaussian, lognormal) = efficiency_uncertainties(&self.counting.nuisances, |n| {
            share(n) * super::relative_at(self.spec, n, m)
        });
        let mut modifiers: Vec<CountModifier> = Vec::new();
        for n in &self.counting.nuisances {
            let (up, down) = super::widths_at(self.spec, n, m);
            let (up, down) = (share(n) * up, share(n) * down);
            if up == 0.0 && down == 0.0 {
                continue;
            }
            let name = n.name.value.clone();
            modifiers.push(match (&n.down, n.constraint.value.as_str()) {
                (Some(_), _) => CountModifier::Normsys {
                    name,
                    hi: 1.0 + up,
                    lo: 1.0 - down,
                },
                (None, "lognormal") => CountModifier::Normsys {
                    name,
                    hi: 1.0 + up,
                    lo: 1.0 / (1.0 + up),
                },
                // pyhf's lumi modifier (one per workspace) for the luminosity.
                (None, _) if matches!(name.as_str(), "luminosity" | "lumi") => {
                    CountModifier::Lumi { relative: up }
                }
                (None, _) => CountModifier::Histosys { name, relative: up },
            });
        }
        // The systematics' relative widths at this hypothesis add in quadrature for the
        // exact methods (symmetric: a variation's larger relative change).
        let systematics = self.systematic_modifiers(m, ctau, active, efficiency);
        let gaussian = systematics
            .iter()
            .map(|s| match s {
                CountModifier::Normsys { hi, lo, .. } => (hi - 1.0).abs().max((lo - 1.0).abs()),
                CountModifier::Histosys { relative, .. }
                | CountModifier::Staterror { relative }
                | CountModifier::Lumi { relative } => *relative,
            })
            .fold(gaussian * gaussian, |sum, w| sum + w * w)
            .sqrt();
        modifiers.extend(systematics);
        Window {
            // The signal window of the data is read only when unblinded.
            observed: if self.common.unblind {
                count(&window)
            } else {
                0
            },
            sideband,
            ratio,
            background: Background {
                value: n_sideband * ratio,
                sigma: n_sideband.sqrt() * ratio,
            },
            efficiency: Efficiency {
                value: efficiency,
                gaussian,
                lognormal,
            },
            modifiers,
        }
    }

    /// The modifiers `systematics` give the summed signal efficiency `efficiency` of
    /// channels `active` at `m`: a weight or column variation its efficiency ratios up and
    /// down (`normsys`), the efficiencies' own uncertainties one `staterror` (added in
    /// quadrature over the channels and the sources).
    fn systematic_modifiers(
        &self,
        m: f64,
        ctau: Option<f64>,
        active: &[usize],
        efficiency: f64,
    ) -> Vec<CountModifier> {
        let mut variation = 0;
        let mut modifiers = Vec::new();
        let mut mc_variance = 0.0;
        for s in self.common.systematics {
            let acts = |c: usize| {
                s.channels.is_empty()
                    || s.channels
                        .iter()
                        .any(|n| n.value == self.common.channels[c])
            };
            match &s.kind {
                SystematicKind::Weight { .. } | SystematicKind::Columns { .. } => {
                    let k = variation;
                    variation += 1;
                    let varied = |up: bool| -> f64 {
                        active
                            .iter()
                            .map(|&c| {
                                let table = &self.common.efficiency[c];
                                let (hi, lo) = table.varied_at(m, ctau, k);
                                let e = match (acts(c), up) {
                                    (false, _) => table.at(m, ctau),
                                    (true, true) => hi,
                                    (true, false) => lo,
                                };
                                self.common.scale_at(c, m) * e
                            })
                            .sum()
                    };
                    modifiers.push(CountModifier::Normsys {
                        name: s.name.value.clone(),
                        hi: varied(true) / efficiency,
                        lo: varied(false) / efficiency,
                    });
                }
                SystematicKind::McStat => {
                    mc_variance += active
                        .iter()
                        .filter(|&&c| acts(c))
                        .map(|&c| {
                            (self.common.scale_at(c, m)
                                * self.common.efficiency[c].uncertainty_at(m, ctau))
                            .powi(2)
                        })
                        .sum::<f64>();
                }
            }
        }
        if mc_variance > 0.0 {
            modifiers.push(CountModifier::Staterror {
                relative: mc_variance.sqrt() / efficiency,
            });
        }
        modifiers
    }

    /// The upper limits for each of `counts` in window `w`.
    fn limits(&self, counts: &[u64], w: &Window) -> Result<Vec<f64>, String> {
        let (b, e, cl) = (&w.background, &w.efficiency, self.common.cl);
        match self.method.as_str() {
            "cls-exact" => counts.iter().map(|&n| cls_upper(n, b, e, cl)).collect(),
            "bayesian" => counts.iter().map(|&n| bayes_upper(n, b, e, cl)).collect(),
            "feldman-cousins" => feldman_cousins_each(counts, b, e, cl)
                .map(|intervals| intervals.iter().map(|i| i.1).collect()),
            other => {
                return Err(format!(
                    "the `{other}` method is not available for cut-and-count scans; use cls-exact, bayesian, feldman-cousins or cls-asymptotic"
                ));
            }
        }
        .map_err(|e| e.to_string())
    }

    fn point(
        &self,
        m: f64,
        sigma: f64,
        ctau: Option<f64>,
        active: &[usize],
        seed: u64,
        point: &mut ScanPoint,
    ) -> Result<(), String> {
        let w = self.window(m, sigma, ctau, active);
        point.background = Some(w.background.value);
        point.background_error = Some(w.background.sigma);
        point.efficiency = Some(w.efficiency.value);
        point.efficiency_error = Some(w.efficiency.value * w.efficiency.gaussian);
        point.efficiency_lognormal =
            (w.efficiency.lognormal > 0.0).then_some(w.efficiency.lognormal);
        point.efficiency_modifiers = w.modifiers.clone();
        if self.common.unblind {
            point.observed_events = Some(w.observed);
            point.local_significance = w.significance();
        }
        if !(w.efficiency.value > 0.0 && w.efficiency.value.is_finite()) {
            return Err(format!(
                "no limit: {} signal events per unit {} here",
                w.efficiency.value, self.counting.poi.name.value
            ));
        }
        let toys = match self.method.as_str() {
            "cls-asymptotic" => Some(None),
            "cls-toys" if self.toys < MIN_TOYS => {
                return Err(format!("limits.toys must be at least {MIN_TOYS}"));
            }
            "cls-toys" => Some(Some((self.toys, seed))),
            _ => None,
        };
        if let Some(toys) = toys {
            let (observed, expected) = w.model(self.common.unblind).cls_limits(
                &self.counting.poi.name.value,
                self.common.cl,
                toys,
            )?;
            point.observed = observed;
            point.expected = Some(expected);
            point.status = "ok".into();
            return Ok(());
        }
        // Expected band: limits at the background-only count quantiles.
        let mut counts: Vec<u64> = [-2.0, -1.0, 0.0, 1.0, 2.0]
            .iter()
            .map(|z| poisson::quantile(normal_cdf(*z), w.background.value))
            .collect();
        if self.common.unblind {
            counts.push(w.observed);
        }
        let limits = self.limits(&counts, &w)?;
        point.expected = Some([limits[0], limits[1], limits[2], limits[3], limits[4]]);
        point.observed = limits.get(5).copied();
        point.status = "ok".into();
        Ok(())
    }
}
