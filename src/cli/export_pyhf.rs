//! `searchlight export pyhf RESULTS -o DIR`: the model of every window of a cut-and-count
//! scan as a pyhf JSON workspace (`analysis::count_model` says what is in it), in
//! `DIR/<channel>/[ctau_<cτ>/]m<mass>.json`, and `DIR/index.json` listing each file with
//! its hypothesis and the run's limits, so a pyhf user (and `scripts/check_pyhf.py`) can
//! recompute any point. Windows without signal efficiency (vetoed channels) and failed
//! points are left out and counted in the index.
//!
//! Only counting searches are exported: the fit searches' likelihoods are unbinned
//! shapes with free shape parameters, which HistFactory cannot express.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::analysis::count_model::{CountModel, Modifier};
use crate::report::results::write_atomically;

/// Why nothing was exported.
pub enum Error {
    /// The results have no counting scan.
    NotCounting,
    /// Writing failed.
    Io(std::io::Error),
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// The window model of a scan point, None when the point has no usable window.
fn window(point: &Value) -> Option<CountModel> {
    let number = |key: &str| point[key].as_f64().filter(|x| x.is_finite());
    let efficiency = number("efficiency")?;
    let modifiers = match point["efficiency_modifiers"].as_array() {
        Some(list) => list
            .iter()
            .map(Modifier::from_json)
            .collect::<Option<Vec<_>>>()?,
        // Results of earlier versions: one Gaussian and one log-normal width.
        None => {
            let error = number("efficiency_error")?;
            let lognormal = number("efficiency_lognormal").unwrap_or(0.0);
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
        }
    };
    let model = CountModel {
        observed: point["observed_events"].as_u64(),
        background: number("background")?,
        background_error: number("background_error")?,
        efficiency,
        modifiers,
    };
    (point["status"] == "ok" && model.efficiency > 0.0).then_some(model)
}

/// The workspace's path below the output directory.
fn relative_path(point: &Value) -> PathBuf {
    let mut path = PathBuf::from(point["channel"].as_str().unwrap_or("combined"));
    if let Some(ctau) = point["ctau"].as_f64() {
        path.push(format!("ctau_{ctau}"));
    }
    path.push(format!(
        "m{:.6}.json",
        point["mass"].as_f64().unwrap_or(0.0)
    ));
    path
}

/// Writes the workspaces and the index; returns how many workspaces.
pub fn write(results: &Value, dir: &Path) -> Result<usize, Error> {
    let points = results["scan"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if !points.iter().any(|p| p.get("background_error").is_some()) {
        return Err(Error::NotCounting);
    }
    let poi = results["poi"].as_str().unwrap_or("poi");
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
            "mass": point["mass"],
            "channel": point["channel"],
            "ctau": point["ctau"],
            "observed": point["observed"],
            "expected": point["expected"],
        }));
    }
    let index = json!({
        "analysis": results["analysis"],
        "poi": poi,
        "cl": results["cl"],
        "method": results["method"],
        "blinded": results["blinded"],
        "observations": if results["blinded"] == true {
            "background-only expectation (Asimov): the run was blinded"
        } else {
            "events observed in the window"
        },
        "provenance": results["provenance"]["canonical_sha256"],
        "left_out": points.len() - entries.len(),
        "workspaces": entries,
    });
    let text = serde_json::to_string_pretty(&index).map_err(std::io::Error::other)?;
    write_atomically(&dir.join("index.json"), format!("{text}\n").as_bytes())?;
    Ok(entries.len())
}
