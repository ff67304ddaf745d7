//! The figures a run writes from its statistics: one Brazil plot per channel (and
//! lifetime) for the POI and for each reinterpreted parameter, and the local p-value
//! when unblinded.

use super::plots::{
    BinnedFit, Labels, LimitPoint, Stack, brazil, fit, local_pvalue, model_plane, stacked,
};
use crate::analysis::{Outcome, ScanPoint};
use std::path::{Path, PathBuf};

/// A file-name-safe form of a label: `K*+` → `Kstp`, `pi-` → `pim`, `0.5` → `0p5`.
/// Removes the figures an earlier run wrote into `out` (`brazil_*`, `pvalue*`, `fit_*`,
/// `hist_*`, as SVG and PNG); other files are left alone.
pub fn remove_previous(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let figure = ["brazil_", "pvalue", "fit_", "hist_"]
            .iter()
            .any(|p| name.starts_with(p))
            && (name.ends_with(".svg") || name.ends_with(".png"));
        if figure && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn slug(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '+' => "p".to_owned(),
            '-' => "m".to_owned(),
            '*' => "st".to_owned(),
            '.' => "p".to_owned(),
            c if c.is_ascii_alphanumeric() || c == '_' => c.to_string(),
            _ => "_".to_owned(),
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
    let parameter_name = parameter.split_whitespace().next().unwrap_or(parameter);
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
    for plane in &outcome.model_plane {
        for channel in &plane.channels {
            let (name, subtitle) = match &channel.channel {
                Some(c) => (format!("_{}", slug(c)), format!(", {c}")),
                None => (String::new(), String::new()),
            };
            let labels = Labels {
                title: format!("{title}{subtitle}: excluded at {cl}"),
                x: parameter.to_owned(),
                y: plane.coupling.clone(),
            };
            written.extend(model_plane(
                &out.join(format!("model_plane_{}{name}", slug(&plane.coupling))),
                &labels,
                plane.range,
                &channel.masses,
            )?);
        }
    }
    for figure in &outcome.fit_figures {
        let labels = Labels {
            title: format!(
                "{title}, {} at {parameter_name} = {:.4}{}",
                figure.channel,
                figure.mass,
                if figure.blinded {
                    " (blinded: background fitted to the sidebands)"
                } else {
                    ""
                }
            ),
            x: parameter.to_owned(),
            y: "events per bin".to_owned(),
        };
        let binned = BinnedFit {
            bins: &figure.bins,
            observed: &figure.observed,
            components: &figure.components,
        };
        let stem = out.join(format!(
            "fit_{}_m{}",
            slug(&figure.channel),
            slug(&format!("{:.4}", figure.mass))
        ));
        written.extend(fit(&stem, &labels, &binned)?);
    }
    Ok(written)
}

/// Writes the plot of a plain fit (data, fit and components, pulls) into `out` as
/// `fit_<channel>.svg` and `.png`; returns the files written.
pub fn plain_fit(
    out: &Path,
    title: &str,
    observable: &str,
    report: &crate::analysis::plain_fit::PlainFitReport,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let labels = Labels {
        title: format!("{title}: fit of {} ({})", report.input, report.channel),
        x: observable.to_owned(),
        y: "events per bin".to_owned(),
    };
    let binned = BinnedFit {
        bins: &report.figure.bins,
        observed: &report.figure.observed,
        components: &report.figure.components,
    };
    fit(
        &out.join(format!("fit_{}", slug(&report.channel))),
        &labels,
        &binned,
    )
}

/// Writes the impacts plot of a fit into `out` as `impacts_<poi>.svg` and `.png`.
pub fn impacts(
    out: &Path,
    title: &str,
    impacts: &crate::stats::impacts::Impacts,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let title = format!("{title}: impacts on {}", impacts.poi);
    super::plots::impacts(
        &out.join(format!("impacts_{}", slug(&impacts.poi.replace('.', "_")))),
        &title,
        impacts,
    )
}

/// Writes, for every histogram that a scaled input fills (`inputs.<name>.scale`), one
/// plot per channel of the scaled inputs stacked (expected events: weighted contents ×
/// scale) against the data, as `hist_<name>_<channel>.svg` and `.png`. `blinded`: the
/// data's histograms leave the signal region out, so empty data bins are not drawn.
pub fn histograms(
    out: &Path,
    title: &str,
    cutflows: &[(String, crate::exec::cutflow::Cutflow)],
    scales: &crate::report::results::Scales,
    blinded: bool,
) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    let Some((_, first)) = cutflows.first() else {
        return Ok(written);
    };
    let data = cutflows.iter().find(|(n, _)| n == crate::spec::DATA_INPUT);
    for (c, channel) in first.channels.iter().enumerate() {
        let names: Vec<&str> = cutflows
            .iter()
            .flat_map(|(_, flow)| flow.channels.get(c))
            .flat_map(|f| f.histograms.iter().map(|h| h.name.as_str()))
            .collect();
        let mut seen: Vec<&str> = Vec::new();
        for name in names {
            if seen.contains(&name) {
                continue;
            }
            seen.push(name);
            let samples: Vec<(String, Vec<f64>)> = cutflows
                .iter()
                .filter_map(|input| {
                    let scale = scales.iter().find(|(n, _)| *n == input.0)?.1;
                    let h = histogram_of(&input.1, c, name)?;
                    Some((
                        input.0.clone(),
                        h.weighted.iter().map(|w| w.value() * scale).collect(),
                    ))
                })
                .collect();
            let Some(reference) = cutflows
                .iter()
                .find_map(|input| histogram_of(&input.1, c, name))
            else {
                continue;
            };
            if samples.is_empty() {
                continue;
            }
            let bins_n = reference.counts.len();
            let [low, high] = reference.range;
            let width = (high - low) / bins_n as f64;
            let bins: Vec<(f64, f64)> = (0..bins_n)
                .map(|k| (low + k as f64 * width, low + (k + 1) as f64 * width))
                .collect();
            let observed: Option<Vec<f64>> =
                data.and_then(|d| histogram_of(&d.1, c, name)).map(|h| {
                    h.weighted
                        .iter()
                        .map(|w| match w.value() {
                            v if blinded && v == 0.0 => f64::NAN,
                            v => v,
                        })
                        .collect()
                });
            let labels = Labels {
                title: format!(
                    "{title}: {name}, {}{}",
                    channel.name,
                    if blinded { " (blinded data)" } else { "" }
                ),
                x: reference.var.clone(),
                y: "events per bin".to_owned(),
            };
            let stack = Stack {
                bins: &bins,
                samples: &samples,
                data: observed.as_deref(),
            };
            let stem = out.join(format!("hist_{}_{}", slug(name), slug(&channel.name)));
            written.extend(stacked(&stem, &labels, &stack)?);
        }
    }
    Ok(written)
}

/// Histogram `name` of channel `c` of a cutflow.
fn histogram_of<'a>(
    cutflow: &'a crate::exec::cutflow::Cutflow,
    c: usize,
    name: &str,
) -> Option<&'a crate::exec::histogram::Histogram> {
    cutflow
        .channels
        .get(c)
        .and_then(|f| f.histograms.iter().find(|h| h.name == name))
}
