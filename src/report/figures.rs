//! The figures a run writes from its statistics: one Brazil plot per channel (and
//! lifetime) for the POI and for each reinterpreted parameter, and the local p-value
//! when unblinded.

use super::plots::{Labels, LimitPoint, brazil, local_pvalue};
use crate::analysis::{Outcome, ScanPoint};
use std::path::{Path, PathBuf};

/// A file-name-safe form of a label.
fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes every figure of `outcome` into `out`; returns the files written.
pub fn write(
    out: &Path,
    title: &str,
    parameter: &str,
    outcome: &Outcome,
) -> Result<Vec<PathBuf>, String> {
    let mut series: Vec<(Option<String>, Option<f64>, Vec<&ScanPoint>)> = Vec::new();
    for p in outcome
        .scan
        .iter()
        .filter(|p| p.status == "ok" && p.expected.is_some())
    {
        match series
            .iter_mut()
            .find(|(c, t, _)| *c == p.channel && *t == p.ctau)
        {
            Some((_, _, points)) => points.push(p),
            None => series.push((p.channel.clone(), p.ctau, vec![p])),
        }
    }
    let mut written = Vec::new();
    let cl = format!("{:.0}% CL", 100.0 * outcome.cl);
    for (channel, ctau, mut points) in series {
        points.sort_by(|a, b| a.mass.total_cmp(&b.mass));
        let mut name = String::new();
        let mut subtitle = String::new();
        if let Some(c) = &channel {
            name.push_str(&format!("_{}", slug(c)));
            subtitle.push_str(&format!(", {c}"));
        }
        if let Some(t) = ctau {
            name.push_str(&format!("_ctau{}", slug(&t.to_string())));
            subtitle.push_str(&format!(", cτ = {t} cm"));
        }
        let labels = |y: &str| Labels {
            title: format!("{title}{subtitle}"),
            x: parameter.to_owned(),
            y: format!("{cl} upper limit on {y}"),
        };
        let limits: Vec<LimitPoint> = points
            .iter()
            .map(|p| LimitPoint {
                mass: p.mass,
                expected: p.expected.unwrap_or([f64::NAN; 5]),
                observed: p.observed,
            })
            .collect();
        written.extend(brazil(
            &out.join(format!("brazil_{}{name}", slug(&outcome.poi))),
            &labels(&outcome.poi),
            &limits,
        )?);
        let reinterpreted: Vec<&String> = points
            .first()
            .map(|p| p.reinterpreted.keys().collect())
            .unwrap_or_default();
        for key in reinterpreted {
            let limits: Vec<LimitPoint> = points
                .iter()
                .filter_map(|p| {
                    let r = p.reinterpreted.get(key)?;
                    Some(LimitPoint {
                        mass: p.mass,
                        expected: r.expected?,
                        observed: r.observed,
                    })
                })
                .collect();
            written.extend(brazil(
                &out.join(format!("brazil_{}{name}", slug(key))),
                &labels(key),
                &limits,
            )?);
        }
        let pvalues: Vec<(f64, f64)> = points
            .iter()
            .filter_map(|p| {
                Some((
                    p.mass,
                    crate::stats::special::normal_sf(p.local_significance?),
                ))
            })
            .collect();
        if pvalues.len() == points.len() {
            let labels = Labels {
                title: format!("{title}{subtitle}: local p-value"),
                x: parameter.to_owned(),
                y: "local p-value".to_owned(),
            };
            written.extend(local_pvalue(
                &out.join(format!("pvalue{name}")),
                &labels,
                &pvalues,
            )?);
        }
    }
    Ok(written)
}
