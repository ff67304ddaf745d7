//! Snapshot tests of the diagnostics for every spec in `tests/corpus/`:
//! `broken/` holds malformed specs (each must give a coded error, never a panic),
//! `lint/` one fixture per lint rule (each must trigger its rule, named by the file).

use searchlight::check::{LintOptions, lint, sort};
use searchlight::diag::{Diagnostic, Severity, SourceMap, render};
use searchlight::spec::{LoadError, LoadOptions, load_file};
use std::path::{Path, PathBuf};

/// Loads and lints one spec; returns the diagnostics and whether loading failed on I/O.
fn check(path: &Path) -> (Vec<Diagnostic>, SourceMap, bool) {
    let mut sources = SourceMap::new();
    match load_file(path, &mut sources, &LoadOptions::default()) {
        Ok(spec) => {
            let base = path.parent().unwrap().to_path_buf();
            let diags = lint(&spec, &sources, base, &LintOptions::default());
            (diags, sources, false)
        }
        Err(LoadError::Invalid(mut diags)) => {
            sort(&mut diags);
            (diags, sources, false)
        }
        Err(LoadError::Io(d)) => (vec![d], sources, true),
    }
}

fn specs(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn report(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let codes: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {}", d.code, d.severity.as_str()))
        .collect();
    // The checkout's location differs between machines: name it <repo> in snapshots.
    let repo = std::env::current_dir().unwrap().canonicalize().unwrap();
    format!(
        "codes: {}\n\n{}",
        codes.join(", "),
        render::human(diags, sources, false).replace(repo.to_str().unwrap(), "<repo>")
    )
}

#[test]
fn every_broken_spec_gets_a_coded_error() {
    let files = specs("tests/corpus/broken");
    assert!(
        files.len() >= 40,
        "the corpus holds at least 40 broken specs"
    );
    for path in files {
        let (diags, sources, _) = check(&path);
        let errors: Vec<_> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(!errors.is_empty(), "{} gave no error", path.display());
        for d in &errors {
            assert!(
                d.code.starts_with("SL") && d.code.len() == 5,
                "{}: uncoded {:?}",
                path.display(),
                d
            );
            if d.code != "SL201" {
                assert!(
                    d.span.is_some(),
                    "{}: {} has no location",
                    path.display(),
                    d.code
                );
            }
        }
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        insta::assert_snapshot!(format!("broken__{name}"), report(&diags, &sources));
    }
}

#[test]
fn every_lint_rule_fires_on_its_fixture() {
    let files = specs("tests/corpus/lint");
    assert_eq!(
        files.len(),
        searchlight::check::rules::ALL.len(),
        "one fixture per rule"
    );
    for path in files {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let code = name[..5].to_ascii_uppercase();
        let (diags, sources, _) = check(&path);
        assert!(
            diags.iter().any(|d| d.code == code),
            "{name}: {code} did not fire; got {:?}",
            diags.iter().map(|d| d.code).collect::<Vec<_>>()
        );
        insta::assert_snapshot!(format!("lint__{name}"), report(&diags, &sources));
    }
}

#[test]
fn reference_analyses_are_lint_clean() {
    for path in specs("analyses") {
        let (diags, sources, _) = check(&path);
        assert!(
            diags.is_empty(),
            "{}:\n{}",
            path.display(),
            render::human(&diags, &sources, false)
        );
    }
}

/// `searchlight run` on every broken spec: exit code 1 or 2, a coded error, no panic and
/// no results.json.
#[test]
fn running_a_broken_spec_writes_nothing() {
    let out = std::env::temp_dir().join(format!("searchlight-corpus-run-{}", std::process::id()));
    for path in specs("tests/corpus/broken") {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_searchlight"))
            .args(["run", path.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .env("SEARCHLIGHT_CACHE", out.join("cache"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            matches!(o.status.code(), Some(1 | 2)),
            "{}: {:?}\n{stderr}",
            path.display(),
            o.status
        );
        assert!(
            stderr.contains("SL") && !stderr.contains("panicked"),
            "{}: {stderr}",
            path.display()
        );
        assert!(!out.join("results.json").exists(), "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(out);
}
