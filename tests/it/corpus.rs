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
/// no results.json; and `lint` of the same spec had already refused it, since what makes
/// these specs fail is in the spec and the file headers.
#[test]
fn running_a_broken_spec_writes_nothing() {
    let out = std::env::temp_dir().join(format!("searchlight-corpus-run-{}", std::process::id()));
    for path in specs("tests/corpus/broken") {
        let searchlight = |args: &[&str]| {
            std::process::Command::new(env!("CARGO_BIN_EXE_searchlight"))
                .args(args)
                .env("SEARCHLIGHT_CACHE", out.join("cache"))
                .output()
                .unwrap()
        };
        let lint = searchlight(&["lint", path.to_str().unwrap()]);
        let o = searchlight(&["run", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        // A spec run refuses as wrong (1), lint refuses as wrong; one that cannot be read
        // (2) neither can refuse otherwise.
        assert!(
            matches!(
                (lint.status.code(), o.status.code()),
                (Some(1), Some(1 | 2)) | (Some(2), Some(2))
            ),
            "lint exited {:?} on {}, which run refuses with {:?}:\n{}",
            lint.status.code(),
            path.display(),
            o.status.code(),
            String::from_utf8_lossy(&lint.stderr)
        );
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

/// The spec errors that once ran and came out wrong or empty are lint findings now, each
/// with its code (issue "numbers that can be trusted" and "safe to run anyone's spec").
#[test]
fn spec_errors_run_once_accepted_are_lint_findings() {
    let dir = std::env::temp_dir().join(format!("searchlight-regressions-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let counting = |edit: &dyn Fn(String) -> String| {
        edit(
            "searchlight: 1\nanalysis: { name: t, luminosity: 1 /fb }\ninputs:\n  data: { toy: idm_dark_higgs, events: 1000, seed: 1 }\n  signal: { toy: idm_dark_higgs_signal, events: 1000, seed: 2, masses: [0.5, 1.0] }\nselection:\n  - cut: nTracks == 4\ncounting:\n  observable: { var: M, range: [0.2, 4.2] }\n  resolution: 0.002 + 0.004 * m_hp\n  window: 2 sigma\n  sidebands: [[-6, -3], [3, 6]]\n  efficiency: from(signal)\n  poi: { name: xsec, range: [0, 20] }\nscan: { parameter: m_hp, range: [0.3, 1.0], step: sigma }\nlimits: { cl: 0.95, method: cls-exact }\n"
                .to_string(),
        )
    };
    let fit = "searchlight: 1\nanalysis: { name: t, n_bb: 7.7e8 }\ninputs:\n  data: { toy: idm_dark_higgs, events: 1000, seed: 1 }\n  signal: { toy: idm_dark_higgs_signal, events: 1000, seed: 2, masses: [0.5, 1.0], ctau: [1, 10] }\nfit:\n  observable: { var: M, range: [0.2, 4.2] }\n  signal: { pdf: gaussian, mean: m_hp, sigma: 0.01 }\n  background: { pdf: exponential, slope: { init: -1, range: [-5, 5] } }\n  efficiency: from(signal)\n  poi: { name: xsec, range: [0, 20] }\nscan: { parameter: m_hp, range: [0.3, 1.0], step: sigma }\nlimits: { cl: 0.95, method: cls-asymptotic }\n";
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "resolution of 1e300",
            counting(&|s| s.replace("0.002 + 0.004 * m_hp", "1e300")),
            "SL026",
        ),
        (
            "a window over the whole range",
            counting(&|s| s.replace("window: 2 sigma", "window: 100 GeV")),
            "SL034",
        ),
        (
            "a cut against NaN",
            counting(&|s| s.replace("nTracks == 4", "nTracks > 0/0")),
            "SL005",
        ),
        (
            "an empty mass list",
            counting(&|s| s.replace("masses: [0.5, 1.0]", "masses: []")),
            "SL024",
        ),
        (
            "1e10 toy events",
            counting(&|s| s.replace("events: 1000, seed: 1", "events: 1e10, seed: 1")),
            "SL111",
        ),
        (
            "4e9 toys",
            counting(&|s| s.replace("method: cls-exact", "method: cls-toys, toys: 4e9")),
            "SL111",
        ),
        (
            "a negative width",
            counting(&|s| {
                s.replace(
                    "poi: { name: xsec, range: [0, 20] }",
                    "poi: { name: xsec, range: [0, 20] }\n  nuisances: { eff: { relative: -0.1 } }",
                )
            }),
            "SL033",
        ),
        (
            "a Bayesian limit with a 20% Gaussian efficiency",
            counting(&|s| {
                s.replace(
                    "poi: { name: xsec, range: [0, 20] }",
                    "poi: { name: xsec, range: [0, 20] }\n  nuisances: { eff: { relative: 0.2 } }",
                )
                .replace("cls-exact", "bayesian")
            }),
            "SL033",
        ),
        (
            "a fit scan with a POI range to 1e200",
            fit.replace(", ctau: [1, 10]", "")
                .replace("range: [0, 20]", "range: [0, 1e200]"),
            "SL033",
        ),
        (
            "a signal template from files",
            fit.replace(", ctau: [1, 10]", "")
                .replace(
                    "  signal: { toy",
                    "  mc: { files: [\"mc.parquet\"] }\n  signal: { toy",
                )
                .replace(
                    "{ pdf: gaussian, mean: m_hp, sigma: 0.01 }",
                    "{ pdf: histogram, from: mc, sigma: 0.01 }",
                ),
            "SL035",
        ),
        (
            "a blinded window as wide as the fit window",
            fit.replace(", ctau: [1, 10]", "").replace(
                "  signal: { pdf: gaussian",
                "  window: 4 sigma\n  signal: { pdf: gaussian",
            ) + "blinding: { window: 4 sigma }\n",
            "SL034",
        ),
        (
            "the default blinded window as wide as the fit window",
            fit.replace(", ctau: [1, 10]", "").replace(
                "  signal: { pdf: gaussian",
                "  window: 2 sigma\n  signal: { pdf: gaussian",
            ),
            "SL034",
        ),
        (
            "a blinded window over the whole range, the fit over the whole range",
            fit.replace(", ctau: [1, 10]", "") + "blinding: { window: 10 GeV }\n",
            "SL034",
        ),
        (
            "a blinded window for a counting scan",
            counting(&|s| s + "blinding: { window: 3 sigma }\n"),
            "SL034",
        ),
        (
            "a length cut on a basf2 mass read from files",
            "searchlight: 1\nanalysis: { name: t }\ninputs:\n  data: { files: [\"ntuple.root\"], tree: t }\nselection:\n  - cut: daughter(0, Mbc) > 5 cm\n".to_string(),
            "SL022",
        ),
        (
            "the beams' energy without an experiment",
            counting(&|s| s.replace("nTracks == 4", "M < sqrt_s")),
            "SL001",
        ),
        (
            "a signal region that is a number",
            counting(&|s| s + "blinding: { signal_region: \"M + 1\" }\n"),
            "SL021",
        ),
        (
            "a signal region with an unknown name",
            counting(&|s| s + "blinding: { signal_region: \"Mass > 1\" }\n"),
            "SL001",
        ),
    ];
    for (what, text, code) in cases {
        let path = dir.join("spec.yaml");
        std::fs::write(&path, text).unwrap();
        let (diags, _, _) = check(&path);
        assert!(
            diags
                .iter()
                .any(|d| d.code == code && d.severity == Severity::Error),
            "{what}: expected {code}, got {:?}",
            diags.iter().map(|d| d.code).collect::<Vec<_>>()
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}
