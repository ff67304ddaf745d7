//! `searchlight verify RESULTS`: reruns an analysis from the provenance recorded in its
//! results.json and compares the new result with the recorded one, quantity by quantity.
//!
//! Before rerunning it checks that what the result was made from is still what is on
//! disk — the spec and its fragments, every input file, every MVA model — and refuses
//! (exit 2) naming what changed: a rerun on other inputs would prove nothing. Exit 0 when
//! the results agree (bitwise, or within `--tolerance`), 1 when they differ.

use super::Status;
use super::prepare::{prepare, report, results_of};
use crate::diag::{Diagnostic, codes};
use crate::pipeline::file_hash;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Arguments of `verify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// results.json written by an earlier `run`.
    results: PathBuf,
    /// Largest relative difference of numbers still counted as equal (default: bitwise).
    #[arg(long, default_value_t = 0.0)]
    tolerance: f64,
    /// The spec to rerun, when it moved (default: the path recorded in the results).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

/// Provenance fields that describe the build and the repository, not the result:
/// reported, not compared.
const BUILD_FIELDS: [&str; 4] = [
    "searchlight_version",
    "searchlight_commit",
    "platform",
    "analysis_repository",
];

fn cannot(message: impl Into<String>) -> Status {
    eprintln!("error[{}]: cannot verify: {}", codes::IO, message.into());
    Status::Failure
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = crate::io::regular::read_to_string(path, crate::io::regular::MAX_WHOLE_FILE)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not JSON: {e}", path.display()))
}

/// Verifies a recorded result by rerunning it.
pub fn run(args: &Args) -> Status {
    if args.tolerance.is_nan() || args.tolerance < 0.0 {
        return cannot("--tolerance must be a non-negative number");
    }
    let old = match read_json(&args.results) {
        Ok(v) => v,
        Err(e) => return cannot(e),
    };
    let provenance = &old["provenance"];
    let spec = match (&args.spec, provenance["spec"].as_str()) {
        (Some(s), _) => s.clone(),
        (None, Some(s)) => PathBuf::from(s),
        (None, None) => {
            return cannot(format!(
                "{} records no spec path (written before `verify` existed?); pass --spec",
                args.results.display()
            ));
        }
    };
    let unblind = provenance["unblinded"].as_bool().unwrap_or(false);
    if let Err(message) = unchanged_sources(&spec, provenance, unblind) {
        return cannot(message);
    }
    // Decoded afresh (no column cache): verification trusts no cache.
    let Ok(new) = results_of(&spec, unblind, args.threads) else {
        return cannot("the rerun failed (see above)");
    };
    for field in BUILD_FIELDS {
        let (a, b) = (&provenance[field], &new["provenance"][field]);
        if a != b {
            eprintln!("note: recorded with {field} {a}, rerun with {b}");
        }
    }
    let mut differences = Vec::new();
    compare(&old, &new, String::new(), args.tolerance, &mut differences);
    if differences.is_empty() {
        println!(
            "verified: the rerun reproduces {} {}",
            args.results.display(),
            if args.tolerance > 0.0 {
                format!("within a relative tolerance of {}", args.tolerance)
            } else {
                "bit for bit".into()
            }
        );
        return Status::Ok;
    }
    println!(
        "{} quantities differ from {}:",
        differences.len(),
        args.results.display()
    );
    for d in differences.iter().take(50) {
        println!("  {d}");
    }
    if differences.len() > 50 {
        println!("  … and {} more", differences.len() - 50);
    }
    Status::Findings
}

/// Checks that the spec, its fragments, the input files and the MVA models are the ones
/// the result was made from.
fn unchanged_sources(spec: &Path, provenance: &Value, unblind: bool) -> Result<(), String> {
    let prepared = prepare(spec, unblind)
        .map_err(|_| format!("the spec {} cannot be loaded (see above)", spec.display()))?;
    let hash = crate::pipeline::provenance::spec_hash(&prepared.spec, &prepared.sources);
    if provenance["spec_sha256"].as_str() != Some(hash.as_str()) {
        return Err(format!(
            "the spec {} or one of its fragments changed since the run (sha256 {} recorded, {hash} now)",
            spec.display(),
            provenance["spec_sha256"]
        ));
    }
    let changed = |what: String, path: &Path, recorded: &Value| -> Result<(), String> {
        let now = file_hash(path).map_err(|d: Diagnostic| {
            report(&[d], &prepared.sources);
            format!("{what} {} is unreadable", path.display())
        })?;
        if recorded.as_str() != Some(now.as_str()) {
            return Err(format!(
                "{what} {} changed since the run (sha256 {recorded} recorded, {now} now)",
                path.display()
            ));
        }
        Ok(())
    };
    for (name, record) in provenance["mva"].as_object().into_iter().flatten() {
        let model = record["model"].as_str().unwrap_or_default();
        changed(
            format!("the model of MVA `{name}`"),
            &prepared.base.join(model),
            &record["sha256"],
        )?;
    }
    for (name, record) in provenance["inputs"].as_object().into_iter().flatten() {
        for file in record["files"].as_array().into_iter().flatten() {
            let path = Path::new(file["path"].as_str().unwrap_or_default());
            changed(format!("input `{name}` file"), path, &file["sha256"])?;
        }
    }
    Ok(())
}

/// Collects `path: old → new` for every differing leaf of two JSON documents.
fn compare(old: &Value, new: &Value, path: String, tolerance: f64, out: &mut Vec<String>) {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, va) in a {
                if path == "provenance" && BUILD_FIELDS.contains(&key.as_str()) {
                    continue;
                }
                match b.get(key) {
                    Some(vb) => compare(va, vb, at(key), tolerance, out),
                    None => out.push(format!("{}: present → missing", at(key))),
                }
            }
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{}: missing → present", at(key)));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: {} entries → {}", a.len(), b.len()));
                return;
            }
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                compare(va, vb, format!("{path}[{i}]"), tolerance, out);
            }
        }
        (Value::Number(a), Value::Number(b)) => {
            let (x, y) = (
                a.as_f64().unwrap_or(f64::NAN),
                b.as_f64().unwrap_or(f64::NAN),
            );
            let equal = if tolerance > 0.0 {
                (x - y).abs() <= tolerance * x.abs().max(y.abs())
            } else {
                a == b || x == y
            };
            if !equal {
                out.push(format!("{path}: {a} → {b}"));
            }
        }
        (a, b) if a != b => out.push(format!("{path}: {a} → {b}")),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use serde_json::json;

    #[test]
    fn differences_are_reported_by_path_and_tolerance_is_relative() {
        let old = json!({"scan": [{"expected": [1.0, 2.0]}, {"status": "ok"}], "cl": 0.9});
        let new = json!({"scan": [{"expected": [1.0, 2.000001]}, {"status": "failed"}], "cl": 0.9});
        let mut out = Vec::new();
        compare(&old, &new, String::new(), 0.0, &mut out);
        assert_eq!(
            out,
            [
                "scan[0].expected[1]: 2.0 → 2.000001",
                "scan[1].status: \"ok\" → \"failed\""
            ]
        );
        out.clear();
        compare(&old, &new, String::new(), 1e-5, &mut out);
        assert_eq!(out, ["scan[1].status: \"ok\" → \"failed\""]);
    }
}
