//! results.json (shape in docs/cli.md) and cutflow.md.

use crate::analysis::{Outcome, ScanPoint, efficiency};
use crate::exec::cutflow::{ChannelFlow, Cutflow};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Format version of results.json.
pub const RESULTS_VERSION: u32 = 1;

/// Where a result came from: everything needed to reproduce it, and nothing that varies
/// between equivalent runs (no thread count, no timestamps, no host names).
///
/// Read back, a missing field is empty: a hash that is not there matches no file.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Provenance {
    /// The spec as given to `run` (relative to the working directory), for `verify`
    /// (empty in results written before `verify` existed).
    pub spec: String,
    /// SHA-256 of the spec file's bytes followed by each included fragment's.
    pub spec_sha256: String,
    /// SHA-256 of the spec's canonical tree (includes merged, comments, layout and
    /// expression formatting ignored): equal for specs that mean the same.
    pub canonical_sha256: String,
    /// The git commit and dirty state of the repository holding the spec (null outside git).
    pub analysis_repository: Value,
    /// Whether the run was unblinded (`--unblind` on an unblinded spec).
    pub unblinded: bool,
    /// searchlight's version.
    pub searchlight_version: String,
    /// The git commit searchlight was built from.
    pub searchlight_commit: String,
    /// Operating system and architecture.
    pub platform: String,
    /// Each input: a toy's generator settings, or files with hashes.
    pub inputs: BTreeMap<String, InputRecord>,
    /// Each MVA: its model file and the file's SHA-256.
    pub mva: BTreeMap<String, ModelFile>,
    /// Each correction: its file and the file's SHA-256 (empty when results written by
    /// an earlier searchlight lack it).
    pub corrections: BTreeMap<String, CorrectionFile>,
    /// Each table file the spec reads (generated events, efficiencies, reinterpretation
    /// tables), as written, and its SHA-256; absent when there are none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, String>,
}

/// What an input was made from.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum InputRecord {
    /// Files, in order, each with its SHA-256.
    Files {
        /// The files.
        files: Vec<InputFile>,
    },
    /// A toy generated into the cache.
    Toy(ToyRecord),
}

/// One file of an input.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InputFile {
    /// As matched by the spec's `files` entry.
    pub path: String,
    /// SHA-256 of its bytes; null in a shard's partial when another shard hashes it.
    pub sha256: Option<String>,
}

/// A toy input's settings (fields in the order results.json has always listed them).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ToyRecord {
    /// Events generated.
    pub events: u64,
    /// The toy generators' version (`toy::cache::GENERATOR_VERSION`).
    pub generator_version: u32,
    /// Generator parameters.
    pub parameters: BTreeMap<String, Vec<f64>>,
    /// Random seed.
    pub seed: u64,
    /// SHA-256 of the generated file.
    pub sha256: String,
    /// The generator.
    pub toy: String,
}

/// An MVA's model file and its SHA-256.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelFile {
    /// As written in the spec.
    pub model: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// A correction's file and its SHA-256.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CorrectionFile {
    /// As written in the spec.
    pub file: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
}

/// results.json read back (`export`, `verify`, `diff --run`): the parts a reader uses,
/// typed by the same structures that wrote them. Keys an older or newer version adds
/// are ignored; a part that is missing is empty.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct RunResults {
    /// The spec's `analysis.name`.
    #[serde(default)]
    pub analysis: String,
    /// Where it came from.
    #[serde(default)]
    pub provenance: Provenance,
    /// The data's cutflow (the first input's without data) by channel; absent without inputs.
    #[serde(default)]
    pub cutflow: Option<BTreeMap<String, Vec<CutflowRow>>>,
    /// The POI, confidence level and limit method (absent without a model).
    pub poi: Option<String>,
    /// Confidence level.
    pub cl: Option<f64>,
    /// Limit method.
    pub method: Option<String>,
    /// Whether the signal region of the data was hidden.
    #[serde(default)]
    pub blinded: bool,
    /// The scan, one entry per hypothesis.
    #[serde(default)]
    pub scan: Vec<ScanPoint>,
    /// Signal efficiencies per channel.
    #[serde(default)]
    pub efficiency: Vec<efficiency::EfficiencyTable>,
    /// Exclusions in model planes.
    #[serde(default)]
    pub model_plane: Vec<crate::analysis::model_plane::ModelPlane>,
}

/// One row of a cutflow as results.json holds it.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct CutflowRow {
    /// The step's label.
    pub step: String,
    /// Events that pass it.
    #[serde(default)]
    pub events: u64,
    /// Their weighted sum (null when undefined).
    pub weighted: Option<f64>,
}

/// Why a results.json cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// It is not a results.json of this format.
    #[error("{path} is not a searchlight results.json: {source}")]
    Format {
        /// The file.
        path: String,
        /// Where and why.
        source: serde_json::Error,
    },
}

/// Reads a results.json written by `run`, typed.
pub fn read_results(path: &std::path::Path) -> Result<RunResults, ReadError> {
    read_json(path)
}

/// Reads a results.json as a JSON document (`verify` compares every leaf).
pub fn read_results_document(path: &std::path::Path) -> Result<Value, ReadError> {
    read_json(path)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<T, ReadError> {
    let shown = path.display().to_string();
    let text = crate::io::regular::read_to_string(path, crate::io::regular::MAX_WHOLE_FILE)
        .map_err(|source| ReadError::Io {
            path: shown.clone(),
            source,
        })?;
    serde_json::from_str(&text).map_err(|source| ReadError::Format {
        path: shown,
        source,
    })
}

/// One row of the JSON cutflow, with efficiencies, and with `scale` (the input's
/// normalisation) its weighted count scaled. A weighted sum that is NaN (an undefined
/// weight) makes its row's weighted count and every efficiency that uses it null:
/// undefined, never a number.
fn rows(flow: &ChannelFlow, scale: Option<f64>) -> Vec<Value> {
    let input = flow.rows.first().map_or(0.0, |r| r.weighted.value());
    let mut previous = input;
    flow.rows
        .iter()
        .map(|r| {
            let ratio = |a: f64, b: f64| match (a.is_nan() || b.is_nan(), b > 0.0) {
                (true, _) => Value::Null,
                (false, true) => json!(a / b),
                (false, false) => json!(0.0),
            };
            let weighted = r.weighted.value();
            let mut row = json!({
                "step": r.step,
                "events": r.events,
                "weighted": weighted,
                "efficiency": ratio(weighted, previous),
                "cumulative": ratio(weighted, input),
                "candidates": r.candidates,
                "undefined": r.undefined,
            });
            if let Some(scale) = scale {
                row["scaled"] = json!(weighted * scale);
            }
            previous = weighted;
            row
        })
        .collect()
}

fn cutflow_json(c: &Cutflow, scale: Option<f64>) -> Value {
    Value::Object(
        c.channels
            .iter()
            .map(|f| (f.name.clone(), Value::Array(rows(f, scale))))
            .collect(),
    )
}

/// The normalisation of each input that has one (`inputs.<name>.scale`).
pub type Scales = [(String, f64)];

fn scale_of(scales: &Scales, input: &str) -> Option<f64> {
    scales.iter().find(|(n, _)| n == input).map(|(_, s)| *s)
}

/// The results document of a run; `statistics` adds the scan, limits and efficiencies,
/// and `blinding` (blinded runs) what the data's outputs leave out.
pub fn results_json(
    analysis: &str,
    provenance: &Provenance,
    cutflows: &[(String, Cutflow)],
    scales: &Scales,
    statistics: Option<&Outcome>,
    blinding: Option<Value>,
) -> Value {
    let data = cutflows
        .iter()
        .find(|(n, _)| n == "data")
        .or(cutflows.first());
    let mut doc = json!({
        "version": RESULTS_VERSION,
        "analysis": analysis,
        "provenance": provenance,
        "cutflow": data.map_or(Value::Null, |(n, c)| cutflow_json(c, scale_of(scales, n))),
        "cutflows": Value::Object(cutflows.iter().map(|(n, c)| (n.clone(), cutflow_json(c, scale_of(scales, n)))).collect()),
    });
    if !scales.is_empty() {
        doc["scales"] = Value::Object(scales.iter().map(|(n, s)| (n.clone(), json!(s))).collect());
    }
    let histograms: serde_json::Map<String, Value> = cutflows
        .iter()
        .filter(|(_, c)| c.channels.iter().any(|f| !f.histograms.is_empty()))
        .map(|(input, c)| {
            let channels = c
                .channels
                .iter()
                .map(|f| (f.name.clone(), json!(f.histograms)))
                .collect();
            (input.clone(), Value::Object(channels))
        })
        .collect();
    if !histograms.is_empty() {
        doc["histograms"] = Value::Object(histograms);
    }
    let mut notes = Vec::new();
    if let Some(blinding) = blinding {
        notes.push("blinded: the data's cutflow, histograms and skims leave out the candidates in the signal region (`blinding`)".to_owned());
        doc["blinding"] = blinding;
    }
    match statistics {
        Some(outcome) => {
            let stats = serde_json::to_value(outcome).expect("the outcome serialises");
            if let (Value::Object(doc), Value::Object(stats)) = (&mut doc, stats) {
                doc.extend(stats);
            }
            let failed = outcome.scan.iter().filter(|p| p.status != "ok").count();
            if failed > 0 {
                notes.push(format!(
                    "{failed} scan points failed and carry no limit; see their `status`"
                ));
            }
            notes.extend(outcome.undefined_observables.iter().cloned());
            if outcome.blinded {
                notes.push("blinded: observed limits and significances are not computed (run an unblinded spec with --unblind)".to_owned());
            }
        }
        None => notes.push(
            "the spec has no model, scan and limits: only the cutflow is computed".to_owned(),
        ),
    }
    doc["notes"] = json!(notes);
    doc
}

/// The cutflow tables as Markdown, one per input and channel.
pub fn cutflow_markdown(analysis: &str, cutflows: &[(String, Cutflow)], scales: &Scales) -> String {
    let mut out = format!("# Cutflow of {analysis}\n");
    for (input, c) in cutflows {
        let scale = scale_of(scales, input);
        for flow in &c.channels {
            let (head, rule) = match scale {
                Some(s) => (format!(" scaled (× {s:e}) |"), "---:|"),
                None => (String::new(), ""),
            };
            out.push_str(&format!("\n## {input} — channel {}\n\n| step | events | weighted | efficiency | cumulative | candidates | undefined |{head}\n|---|---:|---:|---:|---:|---:|---:|{rule}\n", flow.name));
            let fraction = |v: &Value| v.as_f64().map_or("undefined".into(), |x| format!("{x:.4}"));
            for r in rows(flow, scale) {
                let scaled = match r.get("scaled") {
                    Some(v) if v.is_null() => " undefined |".to_string(),
                    Some(v) => format!(
                        " {} |",
                        v.as_f64()
                            .map_or("undefined".into(), |x| format!("{x:.6e}"))
                    ),
                    None => String::new(),
                };
                out.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} |{scaled}\n",
                    r["step"].as_str().unwrap_or_default().replace('|', "\\|"),
                    r["events"],
                    if r["weighted"].is_null() {
                        "undefined".into()
                    } else {
                        r["weighted"].to_string()
                    },
                    fraction(&r["efficiency"]),
                    fraction(&r["cumulative"]),
                    r["candidates"],
                    r["undefined"]
                ));
            }
        }
    }
    out
}

/// The systematics table as Markdown: per channel, a row per point of the efficiency's
/// grid with the relative change of the signal efficiency under each systematic
/// (+1σ / −1σ); None without systematics.
pub fn systematics_markdown(
    analysis: &str,
    systematics: &[crate::spec::Systematic],
    efficiency: &[crate::analysis::efficiency::EfficiencyTable],
) -> Option<String> {
    use crate::spec::SystematicKind;
    if systematics.is_empty() {
        return None;
    }
    let percent = |x: f64| format!("{:+.2}%", 100.0 * x);
    let mut out = format!(
        "# Systematic uncertainties of {analysis}\n\nRelative change of the signal efficiency at +1σ / −1σ.\n"
    );
    for table in efficiency {
        let lifetimes = table.points.iter().any(|p| p.ctau.is_some());
        let names: Vec<&str> = systematics.iter().map(|s| s.name.value.as_str()).collect();
        let (head, rule) = match lifetimes {
            true => ("| mass | cτ |", "|---:|---:|"),
            false => ("| mass |", "|---:|"),
        };
        out.push_str(&format!(
            "\n## channel {}\n\n{head} {} |\n{rule}{}\n",
            table.channel,
            names.join(" | "),
            "---:|".repeat(names.len())
        ));
        for p in &table.points {
            let mut variation = 0;
            let cells: Vec<String> = systematics
                .iter()
                .map(|s| {
                    let acts = (s.channels.is_empty()
                        || s.channels.iter().any(|c| c.value == table.channel))
                        && p.efficiency > 0.0;
                    match &s.kind {
                        SystematicKind::Weight { .. } | SystematicKind::Columns { .. } => {
                            let k = variation;
                            variation += 1;
                            match p.variations.get(k) {
                                Some(v) if acts => format!(
                                    "{} / {}",
                                    percent(v.up / p.efficiency - 1.0),
                                    percent(v.down / p.efficiency - 1.0)
                                ),
                                _ => "—".into(),
                            }
                        }
                        SystematicKind::McStat if acts => {
                            format!("±{:.2}%", 100.0 * p.uncertainty / p.efficiency)
                        }
                        SystematicKind::McStat => "—".into(),
                    }
                })
                .collect();
            let at = match p.ctau {
                Some(t) => format!("| {} | {t} |", p.mass),
                None => format!("| {} |", p.mass),
            };
            out.push_str(&format!("{at} {} |\n", cells.join(" | ")));
        }
    }
    Some(out)
}

pub use crate::io::stale::write_atomically;
