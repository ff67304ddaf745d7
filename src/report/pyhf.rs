//! The model of every window of a cut-and-count scan as a pyhf JSON workspace
//! (`analysis::count_model` says what is in it), in
//! `DIR/<channel>/[ctau_<cτ>/]m<mass>.json`, and `DIR/index.json` listing each file with
//! its hypothesis and the run's limits, so a pyhf user (and `scripts/check_pyhf.py`) can
//! recompute any point. Windows without signal efficiency (vetoed channels) and failed
//! points are left out and counted in the index.
//!
//! Only counting searches are exported: the fit searches' likelihoods are unbinned
//! shapes with free shape parameters, which HistFactory cannot express.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::analysis::ScanPoint;
use crate::analysis::count_model::{CountModel, Modifier};
use crate::report::results::{RunResults, write_atomically};

/// Why nothing was exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The results have no counting scan.
    #[error(
        "the results have no cut-and-count scan: `export pyhf` writes the one-bin models of counting searches; the fit searches' unbinned models have no HistFactory form"
    )]
    NotCounting,
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// The window model of a scan point, None when the point has no usable window.
fn window(point: &ScanPoint) -> Option<CountModel> {
    let finite = |x: Option<f64>| x.filter(|x| x.is_finite());
    let efficiency = finite(point.efficiency)?;
    let modifiers = if point.efficiency_modifiers.is_empty() {
        // Results of earlier versions: one Gaussian and one log-normal width.
        let error = finite(point.efficiency_error)?;
        let lognormal = finite(point.efficiency_lognormal).unwrap_or(0.0);
        let mut m = Vec::new();
        if error > 0.0 {
            m.push(Modifier::Histosys {
                name: "signal_efficiency".into(),
                relative: error / efficiency,
            });
        }
        if lognormal > 0.0 {
            m.push(Modifier::Normsys {
                name: "signal_efficiency_lognormal".into(),
                hi: 1.0 + lognormal,
                lo: 1.0 / (1.0 + lognormal),
            });
        }
        m
    } else {
        point.efficiency_modifiers.clone()
    };
    let model = CountModel {
        observed: point.observed_events,
        background: finite(point.background)?,
        background_error: finite(point.background_error)?,
        efficiency,
        modifiers,
    };
    (point.status == "ok" && model.efficiency > 0.0).then_some(model)
}

/// The workspace's path below the output directory.
fn relative_path(point: &ScanPoint) -> PathBuf {
    let mut path = PathBuf::from(point.channel.as_deref().unwrap_or("combined"));
    if let Some(ctau) = point.ctau {
        path.push(format!("ctau_{ctau}"));
    }
    path.push(format!("m{:.6}.json", point.mass));
    path
}

/// Writes the workspaces and the index into `dir`; returns how many workspaces.
pub fn write(results: &RunResults, dir: &Path) -> Result<usize, ExportError> {
    let points = &results.scan;
    if !points.iter().any(|p| p.background_error.is_some()) {
        return Err(ExportError::NotCounting);
    }
    let poi = results.poi.as_deref().unwrap_or("poi");
    let mut entries = Vec::new();
    for point in points {
        let Some(model) = window(point) else { continue };
        let file = relative_path(point);
        let path = dir.join(&file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let text =
            serde_json::to_string_pretty(&model.workspace(poi)).map_err(std::io::Error::other)?;
        write_atomically(&path, format!("{text}\n").as_bytes())?;
        entries.push(json!({
            "file": file.to_string_lossy().replace('\\', "/"),
            "mass": point.mass,
            "channel": point.channel,
            "ctau": point.ctau,
            "observed": point.observed,
            "expected": point.expected,
        }));
    }
    let index = json!({
        "analysis": results.analysis,
        "poi": poi,
        "cl": results.cl,
        "method": results.method,
        "blinded": results.blinded,
        "observations": if results.blinded {
            "background-only expectation (Asimov): the run was blinded"
        } else {
            "events observed in the window"
        },
        "provenance": results.provenance.canonical_sha256,
        "left_out": points.len() - entries.len(),
        "workspaces": entries,
    });
    let text = serde_json::to_string_pretty(&index).map_err(std::io::Error::other)?;
    write_atomically(&dir.join("index.json"), format!("{text}\n").as_bytes())?;
    Ok(entries.len())
}
