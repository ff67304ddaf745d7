//! The binned model of one cut-and-count window, written as a pyhf (HistFactory) JSON
//! workspace: one bin with a signal sample scaled by the POI and a background sample
//! measured in the sidebands.
//!
//! - Signal: the efficiency × normalisation (events per unit POI) with a `normfactor`
//!   (the POI) and one modifier per source of uncertainty: a Gaussian nuisance a
//!   symmetric `histosys` (with pyhf's default `code4p` interpolation exactly linear, the
//!   Gaussian-constrained relative uncertainty), a log-normal one a `normsys` with κ and
//!   1/κ, an asymmetric one a `normsys` with 1 + up and 1 − down, a weight or column
//!   variation a `normsys` with its efficiency ratios (code 4: κ^α beyond |α| = 1, a
//!   polynomial inside), the efficiency's MC-statistical uncertainty a `staterror`, a
//!   Gaussian nuisance named `luminosity` or `lumi` pyhf's `lumi` (a factor λ ~ N(1, σ),
//!   the same linear Gaussian as a histosys).
//! - Background: the sideband estimate b = n_sb · r (r the window-to-sideband width
//!   ratio) with a `shapesys` of σ = √n_sb · r; pyhf turns it into the Poisson constraint
//!   Pois(n_sb | γ·n_sb) — exactly the sideband measurement (the "on/off" problem).
//! - Observations: the count in the window when unblinded; while blinded the
//!   background-only expectation (an Asimov observation), so only expected limits mean
//!   anything.
//!
//! The same document feeds `export pyhf` and the `cls-asymptotic` method of counting
//! scans, so a run's asymptotic limits are by construction what pyhf computes from the
//! export (checked by `scripts/check_pyhf.py`).

use serde_json::{Value, json};

use crate::stats::asymptotic::Cls;
use crate::stats::histfactory;
use crate::stats::toys::upper_limits_toys;

/// One source of uncertainty on a window's signal, as a HistFactory modifier.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Modifier {
    /// A Gaussian relative uncertainty: linear in α ~ N(0, 1) (symmetric `histosys`).
    Histosys {
        /// The nuisance's name.
        name: String,
        /// Relative width.
        relative: f64,
    },
    /// Factors κ at ±1σ, interpolated by code 4 (`normsys`): a log-normal nuisance
    /// (κ, 1/κ), an asymmetric one, a weight or column variation.
    Normsys {
        /// The source's name.
        name: String,
        /// κ at +1σ.
        hi: f64,
        /// κ at −1σ.
        lo: f64,
    },
    /// The efficiency's MC-statistical uncertainty (`staterror`).
    Staterror {
        /// Relative width.
        relative: f64,
    },
    /// The luminosity's Gaussian uncertainty (`lumi`): a nuisance named `luminosity` or
    /// `lumi`.
    Lumi {
        /// Relative width.
        relative: f64,
    },
}

impl Modifier {
    /// The pyhf modifier on a sample of `nominal` events.
    fn json(&self, nominal: f64) -> Value {
        match self {
            Modifier::Histosys { name, relative } => json!({
                "name": name,
                "type": "histosys",
                "data": {
                    "hi_data": [nominal * (1.0 + relative)],
                    "lo_data": [nominal * (1.0 - relative)],
                },
            }),
            Modifier::Normsys { name, hi, lo } => json!({
                "name": name,
                "type": "normsys",
                "data": {"hi": hi, "lo": lo},
            }),
            Modifier::Staterror { relative } => json!({
                "name": "staterror_window",
                "type": "staterror",
                "data": [nominal * relative],
            }),
            Modifier::Lumi { .. } => json!({"name": "lumi", "type": "lumi", "data": null}),
        }
    }
}

/// What one window of a counting scan measured.
#[derive(Clone, Debug)]
pub struct CountModel {
    /// Events in the window (None while blinded).
    pub observed: Option<u64>,
    /// Background expected in the window.
    pub background: f64,
    /// Its standard deviation from the sideband count.
    pub background_error: f64,
    /// Signal events per unit POI.
    pub efficiency: f64,
    /// Its uncertainties, one modifier per source.
    pub modifiers: Vec<Modifier>,
}

impl CountModel {
    /// The pyhf workspace of this window with the POI named `poi`.
    pub fn workspace(&self, poi: &str) -> Value {
        let mut signal_modifiers = vec![json!({"name": poi, "type": "normfactor", "data": null})];
        signal_modifiers.extend(self.modifiers.iter().map(|m| m.json(self.efficiency)));
        let mut background_modifiers = Vec::new();
        if self.background > 0.0 && self.background_error > 0.0 {
            background_modifiers.push(json!({
                "name": "sideband_background",
                "type": "shapesys",
                "data": [self.background_error],
            }));
        }
        let mut parameters = vec![json!({
            "name": poi,
            "bounds": [[0.0, self.poi_ceiling()]],
            "inits": [self.poi_start()],
        })];
        if let Some(relative) = self.modifiers.iter().find_map(|m| match m {
            Modifier::Lumi { relative } => Some(*relative),
            _ => None,
        }) {
            parameters.push(json!({
                "name": "lumi",
                "auxdata": [1.0],
                "sigmas": [relative],
                "bounds": [[(1.0 - 5.0 * relative).max(0.0), 1.0 + 5.0 * relative]],
                "inits": [1.0],
            }));
        }
        let observed = match self.observed {
            Some(n) => n as f64,
            None => self.background,
        };
        json!({
            "version": "1.0.0",
            "channels": [{
                "name": "window",
                "samples": [
                    {"name": "signal", "data": [self.efficiency], "modifiers": signal_modifiers},
                    {"name": "background", "data": [self.background], "modifiers": background_modifiers},
                ],
            }],
            "observations": [{"name": "window", "data": [observed]}],
            "measurements": [{
                "name": "counting",
                "config": {
                    "poi": poi,
                    "parameters": parameters,
                },
            }],
        })
    }

    /// An upper bound for the POI far above any limit: many standard deviations past the
    /// observed count and background, per unit efficiency.
    fn poi_ceiling(&self) -> f64 {
        let n = self.observed.unwrap_or(0) as f64 + self.background;
        (n + 10.0 * (n + 1.0).sqrt() + 20.0) / self.efficiency
    }

    /// A start for the POI inside its bounds (pyhf's default of 1 may lie outside): a
    /// signal of one standard deviation of the background-only count.
    fn poi_start(&self) -> f64 {
        (self.background + 1.0).sqrt() / self.efficiency
    }

    /// CLs limits (observed unless blinded, and the expected band) at `cl` from this
    /// window's workspace with the POI named `poi`: asymptotic, or from `toys`
    /// pseudo-experiments per μ drawn with `seed` when given.
    pub fn cls_limits(
        &self,
        poi: &str,
        cl: f64,
        toys: Option<(usize, u64)>,
    ) -> Result<(Option<f64>, [f64; 5]), String> {
        if self.efficiency <= 0.0 {
            return Err("no signal efficiency in this window".into());
        }
        let text = self.workspace(poi).to_string();
        let model = histfactory::from_json(&text, None).map_err(|e| e.to_string())?;
        let limits = match toys {
            None => Cls::new(&model, &model.params, model.poi)
                .and_then(|cls| cls.upper_limits(cl, self.observed.is_some())),
            Some((toys, seed)) => {
                upper_limits_toys(&model, &model.params, model.poi, cl, toys, seed).map(|(l, _)| l)
            }
        }
        .map_err(|e| e.to_string())?;
        Ok((self.observed.map(|_| limits.observed), limits.expected))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(observed: Option<u64>) -> CountModel {
        CountModel {
            observed,
            background: 2.0,
            background_error: 2.0_f64 / 3.0_f64.sqrt(),
            efficiency: 50.0,
            modifiers: vec![Modifier::Histosys {
                name: "efficiency".into(),
                relative: 0.1,
            }],
        }
    }

    #[test]
    fn workspace_loads_and_has_the_sideband_constraint() {
        let w = window(Some(3)).workspace("xsec");
        let model = histfactory::from_json(&w.to_string(), None).unwrap();
        // POI, the efficiency's histosys and the background's shapesys.
        assert_eq!(model.params.len(), 3);
        assert_eq!(model.params[model.poi].name, "xsec");
    }

    #[test]
    fn limits_grow_with_the_observed_count() {
        let (low, _) = window(Some(0)).cls_limits("xsec", 0.95, None).unwrap();
        let (high, expected) = window(Some(6)).cls_limits("xsec", 0.95, None).unwrap();
        assert!(low.unwrap() < expected[2] && expected[2] < high.unwrap());
    }

    #[test]
    fn blinded_window_has_expected_limits_only() {
        let (observed, expected) = window(None).cls_limits("xsec", 0.95, None).unwrap();
        assert!(observed.is_none());
        assert!(expected.windows(2).all(|p| p[0] < p[1]));
    }
}
