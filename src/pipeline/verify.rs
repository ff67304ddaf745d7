//! `verify`: whether what a recorded result was made from is still what is on disk —
//! the spec and its fragments, every input file, every MVA model and correction file —
//! and how a rerun's results differ from the recorded ones, quantity by quantity.

use super::{Prepared, file_hash};
use crate::diag::Diagnostic;
use crate::report::results::{InputRecord, Provenance};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Provenance fields that describe the build and the repository, not the result:
/// reported, not compared.
pub const BUILD_FIELDS: [&str; 4] = [
    "searchlight_version",
    "searchlight_commit",
    "platform",
    "analysis_repository",
];

/// A source of the recorded result that is not what it was.
#[derive(Debug, thiserror::Error)]
pub enum ChangedSource {
    /// The spec or one of its fragments.
    #[error(
        "the spec {spec} or one of its fragments changed since the run (sha256 {recorded} recorded, {now} now)"
    )]
    Spec {
        /// The spec's path.
        spec: String,
        /// Its recorded hash.
        recorded: String,
        /// Its hash now.
        now: String,
    },
    /// A file the result was made from.
    #[error("{what} {path} changed since the run (sha256 {recorded} recorded, {now} now)")]
    File {
        /// What it is (`input `data` file`).
        what: String,
        /// Its path.
        path: PathBuf,
        /// Its recorded hash (`null` when none was recorded).
        recorded: String,
        /// Its hash now.
        now: String,
    },
    /// A file the result was made from cannot be read now.
    #[error("{what} {}: {}", .path.display(), .diagnostic.message)]
    Unreadable {
        /// What it is.
        what: String,
        /// Its path.
        path: PathBuf,
        /// Why.
        diagnostic: Diagnostic,
    },
}

/// Checks that the spec, its fragments, the input files, the MVA models, the correction
/// files and the tables are the ones the result was made from.
pub fn unchanged_sources(
    spec: &Path,
    prepared: &Prepared,
    provenance: &Provenance,
) -> Result<(), ChangedSource> {
    let now = super::provenance::spec_hash(&prepared.spec, &prepared.sources);
    if provenance.spec_sha256 != now {
        return Err(ChangedSource::Spec {
            spec: spec.display().to_string(),
            recorded: provenance.spec_sha256.clone(),
            now,
        });
    }
    let check = |what: String, path: &Path, recorded: Option<&str>| {
        let now = file_hash(path).map_err(|diagnostic| ChangedSource::Unreadable {
            what: what.clone(),
            path: path.to_path_buf(),
            diagnostic,
        })?;
        if recorded != Some(now.as_str()) {
            return Err(ChangedSource::File {
                what,
                path: path.to_path_buf(),
                recorded: recorded.unwrap_or("null").to_string(),
                now,
            });
        }
        Ok(())
    };
    for (name, record) in &provenance.mva {
        check(
            format!("the model of MVA `{name}`"),
            &prepared.base.join(&record.model),
            Some(&record.sha256),
        )?;
    }
    for (name, record) in &provenance.corrections {
        check(
            format!("the file of correction `{name}`"),
            &prepared.base.join(&record.file),
            Some(&record.sha256),
        )?;
    }
    for (file, sha256) in &provenance.tables {
        check(
            format!("the table `{file}`"),
            &prepared.base.join(file),
            Some(sha256),
        )?;
    }
    for (name, record) in &provenance.inputs {
        if let InputRecord::Files { files } = record {
            for file in files {
                check(
                    format!("input `{name}` file"),
                    Path::new(&file.path),
                    file.sha256.as_deref(),
                )?;
            }
        }
    }
    Ok(())
}

/// `path: old → new` for every differing leaf of two results documents (numbers equal
/// within the relative `tolerance`, bitwise when it is 0), build fields left out.
pub fn differences(old: &Value, new: &Value, tolerance: f64) -> Vec<String> {
    let mut out = Vec::new();
    compare(old, new, String::new(), tolerance, &mut out);
    out
}

fn compare(old: &Value, new: &Value, path: String, tolerance: f64, out: &mut Vec<String>) {
    let at = |key: &str| crate::spec::diff::child_path(&path, key);
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
    use super::differences;
    use serde_json::json;

    #[test]
    fn differences_are_reported_by_path_and_tolerance_is_relative() {
        let old = json!({"scan": [{"expected": [1.0, 2.0]}, {"status": "ok"}], "cl": 0.9});
        let new = json!({"scan": [{"expected": [1.0, 2.000001]}, {"status": "failed"}], "cl": 0.9});
        assert_eq!(
            differences(&old, &new, 0.0),
            [
                "scan[0].expected[1]: 2.0 → 2.000001",
                "scan[1].status: \"ok\" → \"failed\""
            ]
        );
        assert_eq!(
            differences(&old, &new, 1e-5),
            ["scan[1].status: \"ok\" → \"failed\""]
        );
    }
}
