//! The hostile data and model corpus (`tests/corpus/bad_data/`, written by
//! tests/reference/gen/hostile_data.py from the committed good files): each file is run
//! through `searchlight run` — as the data input, or as a BDT of the spec pinned by its
//! own hash — and must give a coded error, exit code 1 or 2, no panic and no
//! results.json. The diagnostics are snapshotted. NaN and ±inf values are not errors:
//! they are counted as undefined in the cutflow and never pass a cut (last test).

use crate::common;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/corpus/bad_data")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

fn absolute(path: &str) -> String {
    std::fs::canonicalize(path).unwrap().display().to_string()
}

/// A spec that reads `file` as its data (ROOT or Parquet), or uses it as a BDT.
fn spec_for(file: &Path) -> String {
    let name = file.file_name().unwrap().to_str().unwrap();
    let path = file.canonicalize().unwrap().display().to_string();
    let header = "searchlight: 1\nanalysis: { name: hostile }\n";
    if name.starts_with("root_") || name.starts_with("rntuple_") {
        format!(
            "{header}inputs:\n  data: {{ files: [\"{path}\"], tree: ntuple }}\nselection:\n  - cut: f8 > 5.2\n"
        )
    } else if name.starts_with("parquet_") {
        // The nested file's list column is what it tests.
        let column = if name.contains("nested") {
            "jagged"
        } else {
            "f64"
        };
        format!(
            "{header}inputs:\n  data: {{ files: [\"{path}\"] }}\nselection:\n  - cut: {column} > 0\n"
        )
    } else {
        let format = if name.starts_with("model_xgb") {
            "xgboost"
        } else if name.starts_with("model_tmva") {
            "tmva"
        } else {
            "lightgbm"
        };
        let sha = format!("{:x}", Sha256::digest(std::fs::read(file).unwrap()));
        format!(
            "{header}inputs:\n  data: {{ files: [\"{}\"] }}\nmva:\n  bdt:\n    model: \"{path}\"\n    format: {format}\n    sha256: \"{sha}\"\n    features: [R2, cosTBTO, thrustOm, m_gg, E9E21]\nselection:\n  - cut: bdt > 0.5\n",
            absolute("tests/reference/mva/test.parquet")
        )
    }
}

fn run(dir: &Path, spec: &str) -> Output {
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).unwrap();
    Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(["run", path.to_str().unwrap(), "-o", "out"])
        .current_dir(dir)
        .env("SEARCHLIGHT_CACHE", dir.join("cache"))
        .output()
        .unwrap()
}

/// Writes f64 `columns` into `dir/name` as Parquet and returns its path.
fn parquet_file(dir: &Path, name: &str, columns: &[(&str, Vec<f64>)]) -> PathBuf {
    use searchlight::io::table::{Column, ColumnData, ColumnTable};
    let table = ColumnTable {
        columns: columns
            .iter()
            .map(|(n, v)| Column {
                name: (*n).into(),
                data: ColumnData::F64(v.clone()),
            })
            .collect(),
    };
    let file = dir.join(name);
    common::write_parquet(&file, &table);
    file
}

/// The data cutflow of a run's results.json in `dir/out`.
fn cutflow(dir: &Path) -> serde_json::Value {
    let results: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("out/results.json")).unwrap()).unwrap();
    results["cutflow"]["all"].clone()
}

fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("searchlight-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_hostile_file_gets_a_coded_error_and_no_results() {
    let files = corpus();
    assert!(files.len() >= 20, "the corpus holds at least 20 files");
    let dir = scratch("corpus");
    let repo = std::env::current_dir().unwrap().canonicalize().unwrap();
    let mut report = String::new();
    for file in &files {
        let o = run(&dir, &spec_for(file));
        let stderr = String::from_utf8_lossy(&o.stderr);
        let name = file.file_name().unwrap().to_string_lossy();
        let code = o.status.code();
        assert!(
            matches!(code, Some(1 | 2)),
            "{name}: exit {code:?}\n{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(!dir.join("out/results.json").exists(), "{name}");
        // The message: the plain `error[SL…]: …` line, or miette's `× …` line and its
        // wrapped continuation (`│ …`).
        let lines: Vec<&str> = stderr.lines().map(str::trim).collect();
        let start = lines
            .iter()
            .position(|l| l.starts_with("error[SL") || l.starts_with('×'))
            .unwrap_or_else(|| panic!("{name}: no message\n{stderr}"));
        let line = lines[start].trim_start_matches('×').trim();
        let mut first = match line.strip_prefix("error[") {
            Some(rest) => rest.split_once("]: ").map_or(line, |(_, m)| m),
            None => line,
        }
        .to_string();
        for more in lines[start + 1..].iter().map_while(|l| l.strip_prefix('│')) {
            // miette wraps at spaces and after path separators.
            if !first.ends_with('/') {
                first.push(' ');
            }
            first.push_str(more.trim());
        }
        let codes: Vec<&str> = stderr
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| {
                w.len() == 5 && w.starts_with("SL") && w[2..].bytes().all(|b| b.is_ascii_digit())
            })
            .collect();
        assert!(!codes.is_empty(), "{name}: uncoded\n{stderr}");
        // What `lint` says of the same spec: a file whose headers already show the
        // problem is a lint finding (SL036); only damage inside the data is left to run.
        let lint = Command::new(env!("CARGO_BIN_EXE_searchlight"))
            .args(["lint", dir.join("spec.yaml").to_str().unwrap()])
            .current_dir(&dir)
            .output()
            .unwrap();
        let lint_verdict = if lint.status.success() {
            "lint clean (damage inside the data)".to_string()
        } else {
            assert_eq!(lint.status.code(), Some(1), "{name}");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&lint.stdout),
                String::from_utf8_lossy(&lint.stderr)
            );
            let code = text
                .split(|c: char| !c.is_ascii_alphanumeric())
                .find(|w| w.len() == 5 && w.starts_with("SL"))
                .unwrap_or("uncoded");
            format!("lint {code}")
        };
        report.push_str(&format!(
            "{name}: exit {} {}, {lint_verdict}\n  {}\n",
            code.unwrap(),
            codes[0],
            first.replace(repo.to_str().unwrap(), "<repo>")
        ));
    }
    insta::assert_snapshot!(report);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_model_that_does_not_match_its_pin_is_refused() {
    let dir = scratch("pin");
    let file = Path::new("tests/reference/mva/xgb_binary.json");
    let spec = spec_for(file).replace("sha256: \"", "sha256: \"0");
    let o = run(&dir, &spec);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("SL") && stderr.contains("sha256"),
        "{stderr}"
    );
    assert!(!dir.join("out/results.json").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn nan_and_infinite_values_are_counted_never_passed() {
    let dir = scratch("nan");
    let x = vec![
        1.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        7.0,
        f64::NAN,
    ];
    let file = parquet_file(&dir, "nan.parquet", &[("x", x)]);
    let spec = format!(
        "searchlight: 1\nanalysis: {{ name: nan }}\ninputs:\n  data: {{ files: [\"{}\"] }}\nselection:\n  - cut: x > 0\n  - cut: x < 5\n",
        file.display()
    );
    let o = run(&dir, &spec);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = &cutflow(&dir);
    // x > 0 keeps 1, +inf and 7; the two NaN are undefined. x < 5 keeps 1 only.
    assert_eq!(rows[1]["events"], 3, "{rows}");
    assert_eq!(rows[1]["undefined"], 2, "{rows}");
    assert_eq!(rows[2]["events"], 1, "{rows}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// NaN through functions: `min`, `max`, `clip` and `**` of an undefined value are
/// undefined, so their cuts count the row as undefined and never pass it (IEEE's
/// `min(NaN, 0.95)` is 0.95). A NaN weight makes the weighted counts and efficiencies
/// from it undefined (null), not 0.
#[test]
fn nan_through_functions_never_passes_and_nan_weights_are_undefined() {
    let dir = scratch("nan-functions");
    let nan = f64::NAN;
    let file = parquet_file(
        &dir,
        "functions.parquet",
        &[
            ("a", vec![0.95, nan, 0.99, nan, 0.97]),
            ("b", vec![0.96, 0.97, nan, nan, 0.98]),
            ("__weight__", vec![1.0, 1.0, 1.0, 1.0, nan]),
        ],
    );
    let spec = format!(
        "searchlight: 1\nanalysis: {{ name: nan }}\ninputs:\n  data: {{ files: [\"{}\"] }}\nselection:\n  - name: min\n    cut: min(a, b) > 0.9\n  - name: max\n    cut: max(a, b) > 0.9\n  - name: clip\n    cut: clip(a, 0, 1) > 0.9\n  - name: pow\n    cut: a ** 0 > 0.5\n",
        file.display()
    );
    let o = run(&dir, &spec);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = &cutflow(&dir);
    // Rows 2, 3 and 4 have a NaN in a or b: min(a, b) is undefined for all three.
    assert_eq!(rows[1]["events"], 2, "{rows}");
    assert_eq!(rows[1]["undefined"], 3, "{rows}");
    for step in 2..=4 {
        assert_eq!(rows[step]["events"], 2, "{rows}");
        assert_eq!(rows[step]["undefined"], 0, "{rows}");
    }
    // The fifth row's weight is NaN: the weighted counts that include it are undefined.
    assert!(
        rows[0]["weighted"].is_null() && rows[0]["efficiency"].is_null(),
        "{rows}"
    );
    assert!(
        rows[1]["weighted"].is_null() && rows[1]["cumulative"].is_null(),
        "{rows}"
    );
    let markdown = std::fs::read_to_string(dir.join("out/cutflow.md")).unwrap();
    assert!(markdown.contains("undefined"), "{markdown}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A named pipe or a device given as an input, include, model or partial is refused at
/// once: it used to block forever (a pipe) or grow without bound (`merge /dev/zero`).
#[test]
fn pipes_and_devices_are_refused_not_waited_on() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe.parquet");
    let path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o600) }, 0);
    let spec = format!(
        "searchlight: 1\nanalysis: {{ name: fifo }}\ninputs:\n  data: {{ files: [\"{}\"] }}\nselection:\n  - cut: x > 0\n",
        fifo.display()
    );
    let o = run(&dir, &spec);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && stderr.contains("not a regular file"),
        "{stderr}"
    );
    let include = format!(
        "searchlight: 1\nanalysis: {{ name: fifo }}\ninclude: [\"{}\"]\n",
        fifo.display()
    );
    let o = run(&dir, &include);
    assert!(
        !o.status.success(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for args in [
        vec!["merge", "/dev/zero", "-o", "m"],
        vec!["lint", fifo.to_str().unwrap()],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_searchlight"))
            .args(&args)
            .current_dir(&dir)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && stderr.len() < 2000,
            "{args:?}: {stderr}"
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}
