//! Exclusion in the plane of the scan parameter and a model coupling that sets the
//! signal's lifetime (`limits.model_plane`): at each hypothesis and coupling, the model's
//! predicted POI value against the limit at the lifetime the coupling gives.
//!
//! The limit at a lifetime between two of the scan's is interpolated linearly in
//! log(limit) against log(cτ) — exact when the efficiency is a power law of cτ between
//! them — and is not extrapolated: outside the lifetime grid nothing is excluded, except
//! below the shortest lifetime when the spec says it is prompt (`shortest_is_prompt`). Along
//! the coupling, the edges of an excluded interval are where log(prediction / limit)
//! crosses zero, interpolated linearly in log(coupling) between neighbouring couplings.

use super::{FormulaScope, ScanPoint, read_tables};
use crate::diag::Diagnostic;
use crate::spec::{self, Spec};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The exclusion of one model plane (results.json `model_plane`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelPlane {
    /// The coupling's name.
    pub coupling: String,
    /// Its range.
    pub range: [f64; 2],
    /// Couplings tested in the range, equally spaced in their logarithm.
    pub points: usize,
    /// Per channel with its own POI (one entry without a channel otherwise).
    pub channels: Vec<PlaneChannel>,
}

/// The excluded couplings of one channel at each hypothesis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaneChannel {
    /// The channel, for channels with their own POI.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub channel: Option<String>,
    /// Each hypothesis with a limit at two lifetimes or more.
    pub masses: Vec<PlaneMass>,
}

/// Excluded intervals of the coupling at one hypothesis: `[low, high]` pairs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaneMass {
    /// The hypothesis.
    pub mass: f64,
    /// By the observed limit (null while blinded).
    pub observed: Option<Vec<[f64; 2]>>,
    /// By each expected limit: −2σ, −1σ, median, +1σ, +2σ.
    pub expected: Option<[Vec<[f64; 2]>; 5]>,
}

/// The limits at one hypothesis and lifetime.
struct AtLifetime {
    ctau: f64,
    observed: Option<f64>,
    expected: Option<[f64; 5]>,
}

/// The exclusion of `plane` from the scan's usable points.
pub fn exclusion(
    spec: &Spec,
    base: &Path,
    plane: &spec::ModelPlane,
    points: &[ScanPoint],
) -> Result<ModelPlane, Diagnostic> {
    let tables = read_tables(base, &plane.tables)?;
    let (low, high) = (plane.range.low.value, plane.range.high.value);
    let count = plane
        .points
        .as_ref()
        .map_or(200, |p| p.value as usize)
        .max(2);
    let couplings: Vec<f64> = (0..count)
        .map(|k| low * (high / low).powf(k as f64 / (count - 1) as f64))
        .collect();
    let coupling = plane.coupling.value.as_str();
    let prompt = plane.shortest_is_prompt.as_ref().is_some_and(|b| b.value);
    let mut channels: Vec<Option<String>> = Vec::new();
    for p in points {
        if !channels.contains(&p.channel) {
            channels.push(p.channel.clone());
        }
    }
    let channels = channels
        .into_iter()
        .map(|channel| {
            let formula = channel
                .as_ref()
                .and_then(|c| plane.channels.iter().find(|(n, _)| &n.value == c))
                .map_or(&plane.prediction, |(_, f)| f);
            // Hypotheses in scan order, each with its limits by lifetime.
            let mut hypotheses: Vec<(f64, Vec<AtLifetime>)> = Vec::new();
            for p in points
                .iter()
                .filter(|p| p.channel == channel && p.status == "ok")
            {
                let Some(ctau) = p.ctau.filter(|t| *t > 0.0) else {
                    continue;
                };
                let at = AtLifetime {
                    ctau,
                    observed: p.observed,
                    expected: p.expected,
                };
                match hypotheses.iter_mut().find(|(m, _)| *m == p.mass) {
                    Some((_, by_lifetime)) => by_lifetime.push(at),
                    None => hypotheses.push((p.mass, vec![at])),
                }
            }
            let masses = hypotheses
                .into_iter()
                .filter(|(_, by_lifetime)| by_lifetime.len() >= 2)
                .map(|(mass, mut by_lifetime)| {
                    by_lifetime.sort_by(|a, b| a.ctau.total_cmp(&b.ctau));
                    let scope = FormulaScope::new(spec, &tables, mass, channel.as_deref());
                    let value = |expr, g| scope.value(expr, (coupling, g));
                    // Per coupling: the lifetime and the prediction.
                    let model: Vec<Option<(f64, f64)>> = couplings
                        .iter()
                        .map(|&g| {
                            let ctau = value(&plane.ctau.expr, g).filter(|t| *t > 0.0)?;
                            Some((ctau, value(&formula.expr, g)?))
                        })
                        .collect();
                    let excluded = |limit_of: &dyn Fn(&AtLifetime) -> Option<f64>| {
                        let ratios: Vec<Option<f64>> = model
                            .iter()
                            .map(|m| {
                                let (ctau, prediction) = (*m)?;
                                let shortest = by_lifetime[0].ctau;
                                let ctau = if prompt { ctau.max(shortest) } else { ctau };
                                let limit = limit_at(&by_lifetime, ctau, limit_of)?;
                                (prediction > 0.0 && limit > 0.0).then(|| (prediction / limit).ln())
                            })
                            .collect();
                        intervals(&couplings, &ratios)
                    };
                    let observed = by_lifetime
                        .iter()
                        .all(|l| l.observed.is_some())
                        .then(|| excluded(&|l| l.observed));
                    let expected = by_lifetime.iter().all(|l| l.expected.is_some()).then(|| {
                        std::array::from_fn(|band| {
                            excluded(&|l: &AtLifetime| l.expected.map(|e| e[band]))
                        })
                    });
                    PlaneMass {
                        mass,
                        observed,
                        expected,
                    }
                })
                .collect();
            PlaneChannel { channel, masses }
        })
        .collect();
    Ok(ModelPlane {
        coupling: plane.coupling.value.clone(),
        range: [low, high],
        points: count,
        channels,
    })
}

/// The limit at `ctau`, log–log interpolated between the two lifetimes around it; None
/// outside the grid or where either has no limit.
fn limit_at(
    by_lifetime: &[AtLifetime],
    ctau: f64,
    limit_of: &dyn Fn(&AtLifetime) -> Option<f64>,
) -> Option<f64> {
    let upper = by_lifetime.iter().position(|l| l.ctau >= ctau)?;
    if by_lifetime[upper].ctau == ctau {
        return limit_of(&by_lifetime[upper]);
    }
    let (a, b) = (by_lifetime.get(upper.checked_sub(1)?)?, &by_lifetime[upper]);
    let (la, lb) = (limit_of(a)?, limit_of(b)?);
    if !(la > 0.0 && lb > 0.0) {
        return None;
    }
    let f = (ctau / a.ctau).ln() / (b.ctau / a.ctau).ln();
    Some((la.ln() + f * (lb / la).ln()).exp())
}

/// The intervals of couplings where log(prediction / limit) ≥ 0, each edge where it
/// crosses zero between two couplings (linear in log coupling), or at the last coupling
/// with a ratio where the next has none.
fn intervals(couplings: &[f64], log_ratios: &[Option<f64>]) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    let mut start: Option<f64> = None;
    for k in 0..couplings.len() {
        let here = log_ratios[k];
        let inside = here.is_some_and(|r| r >= 0.0);
        let previous = k.checked_sub(1).and_then(|j| log_ratios[j].map(|r| (j, r)));
        match (inside, start) {
            (true, None) => {
                start = Some(match (previous, here) {
                    (Some((j, r0)), Some(r1)) => crossing(couplings[j], couplings[k], r0, r1),
                    _ => couplings[k],
                });
            }
            (false, Some(s)) => {
                let end = match (previous, here) {
                    (Some((j, r0)), Some(r1)) => crossing(couplings[j], couplings[k], r0, r1),
                    _ => couplings[k - 1],
                };
                out.push([s, end]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push([s, couplings[couplings.len() - 1]]);
    }
    out
}

/// Where a function with values r0 at g0 and r1 at g1 (opposite signs) is zero, linear
/// in log g.
fn crossing(g0: f64, g1: f64, r0: f64, r1: f64) -> f64 {
    let f = r0 / (r0 - r1);
    (g0.ln() + f * (g1 / g0).ln()).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_edged_where_the_ratio_crosses_one() {
        let g = [1.0, 10.0, 100.0, 1000.0];
        // log ratio −1, +1, +1, −1: crossings halfway in log g.
        let r = [Some(-1.0), Some(1.0), Some(1.0), Some(-1.0)];
        let got = intervals(&g, &r);
        assert_eq!(got.len(), 1);
        assert!(
            (got[0][0] - 10f64.sqrt()).abs() < 1e-12 && (got[0][1] - 10f64.powf(2.5)).abs() < 1e-9
        );
        // Open at the top, cut where the ratio is undefined.
        assert_eq!(
            intervals(&g, &[Some(-1.0), Some(1.0), Some(1.0), Some(1.0)])[0][1],
            1000.0
        );
        assert_eq!(
            intervals(&g, &[Some(1.0), Some(1.0), None, Some(1.0)]),
            vec![[1.0, 10.0], [1000.0, 1000.0]]
        );
        assert!(intervals(&g, &[Some(-0.1); 4]).is_empty());
    }

    #[test]
    fn limits_are_log_log_interpolated_and_not_extrapolated() {
        let grid: Vec<AtLifetime> = [(1.0, 4.0), (100.0, 400.0)]
            .map(|(ctau, limit)| AtLifetime {
                ctau,
                observed: Some(limit),
                expected: None,
            })
            .into();
        let of = |l: &AtLifetime| l.observed;
        // A power law (limit ∝ cτ) is reproduced exactly between the lifetimes.
        assert!((limit_at(&grid, 10.0, &of).unwrap() - 40.0).abs() < 1e-12);
        assert_eq!(limit_at(&grid, 100.0, &of), Some(400.0));
        assert_eq!(limit_at(&grid, 0.5, &of), None);
        assert_eq!(limit_at(&grid, 200.0, &of), None);
    }
}
