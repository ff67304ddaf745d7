//! What a change of a spec did to its results (`diff --run`): events selected per
//! channel, and the expected limits at the hypotheses both scans computed.

use crate::analysis::ScanPoint;
use crate::report::results::RunResults;
use serde_json::{Value, json};

/// The differences between two runs: one human line per finding, and the same as JSON.
pub struct RunChanges {
    /// One line per finding (`run: …`); empty when the results agree.
    pub lines: Vec<String>,
    /// `{cutflow: [{channel, old, new}], limits: {common, only_old, only_new,
    /// expected_ratio: {min, median, max}} | null}`.
    pub json: Value,
}

/// Compares the results of the old and the new version.
pub fn compare_runs(old: &RunResults, new: &RunResults) -> RunChanges {
    let mut lines = Vec::new();
    let mut cutflow = Vec::new();
    let empty = Default::default();
    let (ca, cb) = (
        old.cutflow.as_ref().unwrap_or(&empty),
        new.cutflow.as_ref().unwrap_or(&empty),
    );
    for channel in ca.keys().chain(cb.keys().filter(|k| !ca.contains_key(*k))) {
        let last = |c: &std::collections::BTreeMap<String, Vec<_>>| {
            c.get(channel)
                .and_then(|rows: &Vec<crate::report::results::CutflowRow>| rows.last()?.weighted)
        };
        let (x, y) = (last(ca), last(cb));
        if x != y {
            lines.push(format!(
                "run: channel {channel}: {} → {} events selected{}",
                x.map_or("none".into(), |v| v.to_string()),
                y.map_or("none".into(), |v| v.to_string()),
                match (x, y) {
                    (Some(x), Some(y)) if x > 0.0 => format!(" ({:+.1}%)", 100.0 * (y / x - 1.0)),
                    _ => String::new(),
                }
            ));
        }
        cutflow.push(json!({"channel": channel, "old": x, "new": y}));
    }
    let limits = limit_ratios(&old.scan, &new.scan);
    if let Some(r) = &limits
        && (r.min != Some(1.0) || r.max != Some(1.0) || r.only_old != 0 || r.only_new != 0)
    {
        lines.push(format!(
            "run: expected limits at {} common hypotheses: new/old median {:.3} (range {:.3}–{:.3}); {} hypotheses only in the old scan, {} only in the new",
            r.common,
            r.median.unwrap_or(f64::NAN),
            r.min.unwrap_or(f64::NAN),
            r.max.unwrap_or(f64::NAN),
            r.only_old,
            r.only_new
        ));
    }
    let limits = limits.map(|r| {
        json!({
            "common": r.common,
            "only_old": r.only_old,
            "only_new": r.only_new,
            "expected_ratio": {"min": r.min, "median": r.median, "max": r.max},
        })
    });
    RunChanges {
        lines,
        json: json!({"cutflow": cutflow, "limits": limits}),
    }
}

/// New/old ratios of the median expected limit at the common hypotheses.
#[derive(Debug, PartialEq)]
struct LimitRatios {
    common: usize,
    only_old: usize,
    only_new: usize,
    min: Option<f64>,
    median: Option<f64>,
    max: Option<f64>,
}

/// Ratios new/old of the median expected limit at the hypotheses (channel, lifetime,
/// mass) both scans computed; None when either run has no scan.
fn limit_ratios(a: &[ScanPoint], b: &[ScanPoint]) -> Option<LimitRatios> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let same = |p: &ScanPoint, q: &ScanPoint| {
        p.channel == q.channel && p.ctau == q.ctau && p.mass == q.mass
    };
    let median = |p: &ScanPoint| p.expected.map(|e| e[2]);
    let mut ratios = Vec::new();
    let mut only_old = 0;
    for p in a {
        match b.iter().find(|q| same(q, p)) {
            Some(q) => {
                if let (Some(x), Some(y)) = (median(p), median(q))
                    && x > 0.0
                {
                    ratios.push(y / x);
                }
            }
            None => only_old += 1,
        }
    }
    let only_new = b.iter().filter(|q| !a.iter().any(|p| same(p, q))).count();
    ratios.sort_by(f64::total_cmp);
    let pick = |f: f64| {
        ratios
            .get(((ratios.len() as f64 - 1.0) * f).round() as usize)
            .copied()
    };
    Some(LimitRatios {
        common: ratios.len(),
        only_old,
        only_new,
        min: pick(0.0),
        median: pick(0.5),
        max: pick(1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_ratios_use_the_common_hypotheses() {
        let point = |m: f64, e: f64| -> ScanPoint {
            serde_json::from_value(json!({"channel": "K+", "mass": m, "observed": null,
                "expected": [0, 0, e, 0, 0], "local_significance": null, "status": "ok"}))
            .unwrap()
        };
        let old = [point(1.0, 2.0), point(2.0, 4.0), point(3.0, 1.0)];
        let new = [point(1.0, 1.0), point(2.0, 4.0), point(4.0, 1.0)];
        let r = limit_ratios(&old, &new).unwrap();
        assert_eq!((r.common, r.only_old, r.only_new), (2, 1, 1));
        assert_eq!((r.min, r.max), (Some(0.5), Some(1.0)));
    }
}
