//! `searchlight run`: cutflows against numpy, determinism across thread counts, outputs and
//! failures.

use crate::common;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(args)
        .env("SEARCHLIGHT_CACHE", cache)
        .output()
        .expect("binary runs")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("searchlight-run-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn results(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("results.json")).unwrap()).unwrap()
}

#[test]
fn cutflow_equals_numpy_on_the_same_columns() {
    let out = temp("numpy");
    let o = run(
        &[
            "run",
            "tests/reference/run/cutflow.yaml",
            "-o",
            out.to_str().unwrap(),
        ],
        &out,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = results(&out);
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/cutflow_numpy.json").unwrap(),
    )
    .unwrap();
    for (channel, rows) in expected.as_object().unwrap() {
        let ours = got["cutflow"][channel].as_array().unwrap();
        assert_eq!(ours.len(), rows.as_array().unwrap().len(), "{channel}");
        for (a, e) in ours.iter().zip(rows.as_array().unwrap()) {
            for key in ["candidates", "events", "undefined"] {
                assert_eq!(a[key], e[key], "{channel} {} {key}", a["step"]);
            }
            let (w, we) = (
                a["weighted"].as_f64().unwrap(),
                e["weighted"].as_f64().unwrap(),
            );
            assert!(
                (w - we).abs() <= 1e-12 * we.abs().max(1.0),
                "{channel} {}: {w} vs {we}",
                a["step"]
            );
        }
    }
    // Labels: the step name, or the cut text for unnamed steps.
    assert_eq!(got["cutflow"]["A"][5]["step"], "best candidate by abs_dE");
    // Histograms of the surviving candidates, per channel.
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/histograms_numpy.json").unwrap(),
    )
    .unwrap();
    for (channel, histograms) in expected.as_object().unwrap() {
        let ours = got["histograms"]["data"][channel].as_array().unwrap();
        for (a, e) in ours.iter().zip(histograms.as_array().unwrap()) {
            for key in ["name", "counts", "underflow", "overflow", "undefined"] {
                assert_eq!(a[key], e[key], "{channel} {} {key}", e["name"]);
            }
            for key in ["weighted", "sumw2"] {
                for (w, we) in a[key]
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(e[key].as_array().unwrap())
                {
                    let (w, we) = (w.as_f64().unwrap(), we.as_f64().unwrap());
                    assert!(
                        (w - we).abs() <= 1e-12 * we.abs().max(1.0),
                        "{channel} {key}"
                    );
                }
            }
        }
        assert_eq!(ours.len(), 3);
    }
    // The N−1 histogram also holds the candidates the π⁰ cut, the best-candidate choice
    // and the η veto remove.
    let entries = |h: &Value| -> u64 {
        let counts: u64 = h["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .sum();
        counts
            + ["underflow", "overflow", "undefined"]
                .iter()
                .map(|k| h[*k].as_u64().unwrap())
                .sum::<u64>()
    };
    let a = &got["histograms"]["data"]["A"];
    assert_eq!(a[2]["name"], "mgg_n1");
    assert!(entries(&a[2]) > entries(&a[0]), "{}", a[2]);
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn results_are_identical_for_any_thread_count() {
    let base = temp("threads");
    let mut outputs = Vec::new();
    for threads in ["1", "2", "7"] {
        let out = base.join(threads);
        let o = run(
            &[
                "run",
                "tests/reference/run/toy_small.yaml",
                "--threads",
                threads,
                "-o",
                out.to_str().unwrap(),
            ],
            &base,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push((
            std::fs::read(out.join("results.json")).unwrap(),
            std::fs::read(out.join("cutflow.md")).unwrap(),
        ));
    }
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "results.json and cutflow.md are byte-identical"
    );
    let r = results(&base.join("1"));
    assert_eq!(r["version"], 1);
    assert_eq!(r["analysis"], "toy-small");
    let p = &r["provenance"];
    assert_eq!(p["spec_sha256"].as_str().unwrap().len(), 64);
    assert_eq!(p["inputs"]["data"]["toy"], "b_to_k_alp");
    assert_eq!(p["inputs"]["data"]["seed"], 5);
    assert!(p.get("threads").is_none());
    let first = &r["cutflow"]["K+"][0];
    for key in ["step", "events", "weighted", "efficiency", "cumulative"] {
        assert!(first.get(key).is_some(), "{key}");
    }
    // The injected signal survives the selection in the K channels.
    let last = r["cutflow"]["K+"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert!(last["events"].as_u64().unwrap() > 0);
    std::fs::remove_dir_all(base).unwrap();
}

#[test]
fn failures_exit_non_zero_and_write_nothing() {
    let out = temp("fail");
    let target = out.join("o");
    let t = target.to_str().unwrap();
    // An analysis error: exit 1.
    let o = run(
        &[
            "run",
            "tests/corpus/lint/sl005_cut_never_passes.yaml",
            "-o",
            t,
        ],
        &out,
    );
    assert_eq!(o.status.code(), Some(1));
    // Unblinding without --unblind: exit 1.
    let o = run(
        &["run", "tests/corpus/lint/sl019_unblinded.yaml", "-o", t],
        &out,
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--unblind"));
    // A missing input file: exit 2, and a results.json left by an earlier run is removed
    // so it cannot pass for this run's result.
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("results.json"), "{}").unwrap();
    let spec = out.join("missing.yaml");
    std::fs::write(&spec, "searchlight: 1\nanalysis: { name: m }\ninputs:\n  data: { files: [nothing_here.parquet] }\n").unwrap();
    let o = run(&["run", spec.to_str().unwrap(), "-o", t], &out);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing_here.parquet"));
    assert!(
        !target.join("results.json").exists(),
        "the stale result is gone"
    );
    // A column the data file does not have: the linter reads the file's schema (exit 1).
    let data = std::fs::canonicalize("tests/reference/run/candidates.parquet").unwrap();
    let other = std::fs::canonicalize("tests/reference/parquet/types_none.parquet").unwrap();
    let spec = out.join("column.yaml");
    let input = |files: &str, cut: &str| {
        format!(
            "searchlight: 1\nanalysis: {{ name: c }}\ninputs:\n  data: {{ files: [{files}] }}\nselection:\n  - cut: {cut}\n"
        )
    };
    std::fs::write(&spec, input(&format!("\"{}\"", data.display()), "Mbcc > 5")).unwrap();
    let o = run(&["run", spec.to_str().unwrap(), "-o", t], &out);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("did you mean `Mbc`"), "{err}");
    // A later file of the input without the column: the reader names file and column (exit 2).
    std::fs::write(
        &spec,
        input(
            &format!("\"{}\", \"{}\"", data.display(), other.display()),
            "Mbc > 5",
        ),
    )
    .unwrap();
    let o = run(&["run", spec.to_str().unwrap(), "-o", t], &out);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("SL203") && err.contains("types_none.parquet") && err.contains("`Mbc`"),
        "{err}"
    );
    assert!(
        !target.join("results.json").exists(),
        "no result from a failed run"
    );
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn skim_writes_the_selected_candidates_with_derived_columns() {
    use searchlight::io::parquet::ParquetReader;
    let out = temp("skim");
    let file = out.join("skim.parquet");
    let o = run(
        &[
            "skim",
            "tests/reference/run/cutflow.yaml",
            "--channel",
            "A",
            "-o",
            file.to_str().unwrap(),
        ],
        &out,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = ParquetReader::open(&file, None)
        .unwrap()
        .read_all()
        .unwrap();
    // As many rows as the cutflow's last row for channel A (numpy: 120).
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/cutflow_numpy.json").unwrap(),
    )
    .unwrap();
    let last = expected["A"].as_array().unwrap().last().unwrap()["candidates"]
        .as_u64()
        .unwrap();
    assert_eq!(t.rows() as u64, last);
    let (de, abs_de) = (t.column("deltaE").unwrap(), t.column("abs_dE").unwrap());
    for i in 0..t.rows() {
        assert_eq!(abs_de.get_f64(i), de.get_f64(i).abs());
        assert!(t.column("Mbc").unwrap().get_f64(i) > 5.27);
    }
    assert!((0..t.rows()).all(|i| t.column("in_A").unwrap().get_f64(i) == 1.0));
    let o = run(
        &[
            "skim",
            "tests/reference/run/cutflow.yaml",
            "--channel",
            "Z",
            "-o",
            file.to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(out).unwrap();
}

#[test]
fn a_bookkeeping_column_used_by_a_cut_is_required_in_every_file() {
    let out = temp("bookkeeping");
    let data = std::fs::canonicalize("tests/reference/run/candidates.parquet").unwrap();
    let other = std::fs::canonicalize("tests/reference/parquet/types_none.parquet").unwrap();
    let spec = out.join("ev.yaml");
    std::fs::write(
        &spec,
        format!(
            "searchlight: 1\nanalysis: {{ name: ev }}\ninputs:\n  data: {{ files: [\"{}\", \"{}\"] }}\nselection:\n  - cut: __event__ > 5\n",
            data.display(),
            other.display()
        ),
    )
    .unwrap();
    let o = run(
        &[
            "run",
            spec.to_str().unwrap(),
            "-o",
            out.join("o").to_str().unwrap(),
        ],
        &out,
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("no column `__event__`"));
    std::fs::remove_dir_all(out).unwrap();
}

/// The B → h + invisible reference spec made small: fewer events and a short scan.
fn small_scan_spec(dir: &Path) -> PathBuf {
    let text = common::reference_spec("b_to_h_invisible");
    let text = text
        .replace("events: 1000000", "events: 60000")
        .replace("events: 200000", "events: 40000")
        .replace("range: [0.1, 5.0]", "range: [2.2, 2.3]");
    let path = dir.join("scan_small.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn scans_write_expected_limits_identically_for_any_thread_count() {
    let base = temp("scan");
    let spec = small_scan_spec(&base);
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = base.join(threads);
        let o = run(
            &[
                "run",
                spec.to_str().unwrap(),
                "--threads",
                threads,
                "-o",
                out.to_str().unwrap(),
            ],
            &base,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push(std::fs::read(out.join("results.json")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1], "results.json is byte-identical");
    let r = results(&base.join("1"));
    assert_eq!(r["poi"], "br");
    assert_eq!(r["blinded"], true);
    assert_eq!(r["method"], "cls-asymptotic");
    let scan = r["scan"].as_array().unwrap();
    assert!(!scan.is_empty());
    for p in scan {
        assert_eq!(p["status"], "ok", "{p}");
        // Blinded: no observed limit, no significance, no fitted yield.
        assert!(p["observed"].is_null() && p["local_significance"].is_null());
        assert!(p.get("fitted_poi").is_none());
        let e: Vec<f64> = p["expected"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(e.windows(2).all(|w| w[0] < w[1]), "band ordered: {e:?}");
        // θ from each hadron's own B → h S rate: K⁺ and π⁺ only.
        let theta = &p["reinterpreted"]["theta"]["expected"];
        let transition = ["K+", "pi+"].contains(&p["channel"].as_str().unwrap());
        assert_eq!(theta.is_array(), transition, "{p}");
    }
    assert!(r["global_significance"].is_null());
    // Figures: a Brazil plot per channel for the POI and for theta, fit plots.
    let out = base.join("1");
    for file in [
        "brazil_br_Kp.svg",
        "brazil_br_Kp.png",
        "brazil_theta_Kp.svg",
    ] {
        assert!(
            out.join(file).metadata().is_ok_and(|m| m.len() > 1000),
            "{file}"
        );
    }
    let fits = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("fit_")
        })
        .count();
    assert!(fits >= 2, "fit plots written");
    let efficiency = &r["efficiency"][1];
    assert_eq!(efficiency["channel"], "K+");
    assert!(efficiency["points"][0]["efficiency"].as_f64().unwrap() > 0.1);
    std::fs::remove_dir_all(base).unwrap();
}

/// The element loops of the evaluator and of the likelihoods are compiled for the x86-64
/// baseline, AVX2 and AVX-512 (`src/simd.rs`); a scan with fits gives the same bytes
/// whichever runs. A level above what the machine has runs its widest, so on any machine
/// this compares every version it can run.
#[test]
fn results_are_identical_for_every_vector_instruction_set() {
    let base = temp("simd");
    let spec = small_scan_spec(&base);
    let mut outputs = Vec::new();
    for level in ["baseline", "avx2", "avx512"] {
        let out = base.join(level);
        let o = Command::new(env!("CARGO_BIN_EXE_searchlight"))
            .args(["run", spec.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .env("SEARCHLIGHT_CACHE", &base)
            .env("SEARCHLIGHT_SIMD", level)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push(std::fs::read(out.join("results.json")).unwrap());
    }
    assert!(
        !results(&base.join("baseline"))["scan"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(
        outputs.windows(2).all(|w| w[0] == w[1]),
        "results.json is byte-identical at every level"
    );
    // A misspelt level is an error, not a silent default.
    let o = Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(["lint", spec.to_str().unwrap()])
        .env("SEARCHLIGHT_SIMD", "sse4")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SL111"));
    std::fs::remove_dir_all(base).unwrap();
}

#[test]
fn fit_prints_parameters_with_errors_as_json() {
    let base = temp("fit");
    let spec = small_scan_spec(&base);
    let o = run(
        &[
            "fit",
            spec.to_str().unwrap(),
            "--mass",
            "2.25",
            "--channel",
            "K+",
            "--json",
        ],
        &base,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let fit: Value = serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    assert_eq!(fit["status"], "converged");
    assert!(fit["nll"].is_number());
    let slope = &fit["parameters"]["background.slope[K+]"];
    assert!(slope["value"].is_number() && slope["error"].as_f64().unwrap() > 0.0);
    // Blinded: the branching fraction is held at zero.
    assert_eq!(fit["parameters"]["br"]["value"], 0.0);
    assert_eq!(fit["blinded"], true);
    let n = fit["order"].as_array().unwrap().len();
    assert_eq!(fit["covariance"].as_array().unwrap().len(), n);
    let o = run(
        &[
            "fit",
            spec.to_str().unwrap(),
            "--mass",
            "2.25",
            "--channel",
            "nope",
        ],
        &base,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no channel named `nope`"));
    // A blinded fit has no signal yield to profile.
    let o = run(
        &[
            "fit",
            spec.to_str().unwrap(),
            "--mass",
            "2.25",
            "--profile",
            "5",
        ],
        &base,
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--profile"));
    // Unblinded: the POI's profile likelihood, zero at the minimum and rising away from it.
    let text = std::fs::read_to_string(&spec).unwrap().replace(
        "blinding: { unblind: false }",
        "blinding: { unblind: true }",
    );
    std::fs::write(&spec, text).unwrap();
    let o = run(
        &[
            "fit",
            spec.to_str().unwrap(),
            "--mass",
            "2.25",
            "--channel",
            "K+",
            "--unblind",
            "--profile",
            "5",
            "--json",
        ],
        &base,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let fit: Value = serde_json::from_slice(&o.stdout).unwrap();
    let profile = fit["profile"].as_array().expect("a profile");
    assert_eq!(profile.len(), 5);
    let deltas: Vec<f64> = profile
        .iter()
        .map(|p| p["delta"].as_f64().unwrap())
        .collect();
    assert!(profile.iter().all(|p| p["valid"] == true), "{profile:?}");
    assert!(deltas.iter().all(|&d| d > -1e-6), "{deltas:?}");
    assert!(deltas[4] > 2.0, "{deltas:?}");
    std::fs::remove_dir_all(base).unwrap();
}

#[test]
fn counting_scans_give_exact_limits_per_channel_and_lifetime() {
    let base = temp("count");
    let text = common::reference_spec("dark_higgs_idm")
        .replace(common::FIVE_LIFETIMES, "ctau: [0.1, 1, 10, 100]")
        .replace("events: 100000, seed: 21", "events: 40000, seed: 21")
        .replace("events: 100000, seed: 22", "events: 40000, seed: 22")
        .replace("range: [0.22, 4.0]", "range: [1.0, 1.03]");
    std::fs::create_dir_all(base.join("common")).unwrap();
    std::fs::copy(
        "analyses/common/displaced_vetoes.yaml",
        base.join("common/displaced_vetoes.yaml"),
    )
    .unwrap();
    let spec = base.join("count.yaml");
    std::fs::write(&spec, text).unwrap();
    let out = base.join("out");
    let o = run(
        &["run", spec.to_str().unwrap(), "-o", out.to_str().unwrap()],
        &base,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = results(&out);
    assert_eq!(r["method"], "cls-exact");
    let scan = r["scan"].as_array().unwrap();
    let lifetimes: std::collections::BTreeSet<String> =
        scan.iter().map(|p| p["ctau"].to_string()).collect();
    assert_eq!(lifetimes.len(), 4, "one series per generated lifetime");
    for p in scan {
        assert_eq!(p["status"], "ok", "{p}");
        let (b, eff) = (
            p["background"].as_f64().unwrap(),
            p["efficiency"].as_f64().unwrap(),
        );
        let median = p["expected"][2].as_f64().unwrap();
        if b == 0.0 {
            // Zero background: every band is the n = 0 limit, −ln(0.05)/(L·ε) at 95% CL
            // (up to the 10% efficiency uncertainty, which raises it).
            assert!(median >= 2.9957 / eff && median < 1.1 * 2.9957 / eff, "{p}");
        }
    }
    std::fs::remove_dir_all(base).unwrap();
}

/// Writes `text` as a spec in `dir`, runs it, and returns its results.json.
fn run_spec(dir: &Path, name: &str, text: &str) -> Value {
    let spec = dir.join(format!("{name}.yaml"));
    std::fs::write(&spec, text).unwrap();
    let out = dir.join(name);
    let o = run(
        &["run", spec.to_str().unwrap(), "-o", out.to_str().unwrap()],
        dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap()
}

/// The signal events per unit POI (`efficiency`) of each scan point of `channel`.
fn signal_per_poi(r: &Value, channel: &str) -> Vec<f64> {
    r["scan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["channel"] == channel && p["efficiency"].is_f64())
        .map(|p| p["efficiency"].as_f64().unwrap())
        .collect()
}

/// Lints `text` written as `dir/name.yaml`: whether it passed, and what it printed.
fn lint_spec(dir: &Path, name: &str, text: &str) -> (bool, String) {
    let spec = dir.join(format!("{name}.yaml"));
    std::fs::write(&spec, text).unwrap();
    let o = run(&["lint", spec.to_str().unwrap()], dir);
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr),
    )
}

/// Events after each step of the data's only channel.
fn data_events(results: &Value) -> Vec<u64> {
    let flow = results["cutflows"]["data"].as_object().unwrap();
    let steps = flow.values().next().unwrap().as_array().unwrap();
    steps
        .iter()
        .map(|s| s["events"].as_u64().unwrap())
        .collect()
}

#[test]
fn a_spec_reads_root_files_by_glob_with_a_tree_name() {
    let out = temp("root");
    let glob = std::fs::canonicalize("tests/reference/root")
        .unwrap()
        .join("parts-*.root");
    let results = run_spec(
        &out,
        "root",
        &format!(
            "searchlight: 1\nanalysis: {{ name: r }}\ninputs:\n  data: {{ files: [\"{}\"], tree: ntuple }}\nselection:\n  - cut: f8 > 5.279\n  - cut: i4 > 0\n",
            glob.display()
        ),
    );
    let reference: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/reference/root/uproot.json").unwrap())
            .unwrap();
    let expected: Vec<u64> = reference["run_cutflow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(
        data_events(&results),
        expected,
        "cutflow over two ROOT files equals numpy's"
    );
    // Provenance records each file with its hash.
    assert_eq!(
        results["provenance"]["inputs"]["data"]["files"]
            .as_array()
            .map(Vec::len),
        Some(2),
        "{}",
        results["provenance"]
    );
    std::fs::remove_dir_all(out).unwrap();
}

/// The MVA reference directory and one of its JSON files.
fn mva_reference(file: &str) -> (PathBuf, Value) {
    let dir = std::fs::canonicalize("tests/reference/mva").unwrap();
    let value = serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
    (dir, value)
}

/// `searchlight skim` of the spec `run_spec` wrote as `name`: the `bdt` column written.
fn skimmed_scores(dir: &Path, name: &str) -> Vec<f64> {
    let file = dir.join(format!("{name}.parquet"));
    let spec = dir.join(format!("{name}.yaml"));
    let o = run(
        &["skim", spec.to_str().unwrap(), "-o", file.to_str().unwrap()],
        dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    searchlight::io::parquet::ParquetReader::open(&file, None)
        .unwrap()
        .read_all()
        .unwrap()
        .column("bdt")
        .expect("a score column")
        .to_f64_vec()
}

#[test]
fn an_mva_cut_selects_the_rows_the_peer_model_scores_above_it() {
    let out = temp("mva");
    let (dir, reference) = mva_reference("reference.json");
    for (model, file, format) in [
        ("xgb_binary", "xgb_binary.json", "xgboost"),
        ("lgb_binary_zero", "lgb_binary_zero.txt", "lightgbm"),
    ] {
        let results = run_spec(
            &out,
            model,
            &format!(
                "searchlight: 1\nanalysis: {{ name: m }}\ninputs:\n  data: {{ files: [\"{}\"] }}\nmva:\n  bdt: {{ model: \"{}\", format: {format}, features: [R2, cosTBTO, thrustOm, m_gg, E9E21] }}\nselection:\n  - cut: bdt > 0.5\n",
                dir.join("test.parquet").display(),
                dir.join(file).display(),
            ),
        );
        let events = data_events(&results);
        assert_eq!(events[0], 600);
        assert_eq!(
            Some(events[1]),
            reference["passing_0.5"][model].as_u64(),
            "{model}: rows passing the cut on the model's probability"
        );
        // The skim carries the score of every selected row.
        let scores = skimmed_scores(&out, model);
        assert_eq!(scores.len() as u64, events[1]);
        assert!(scores.iter().all(|&s| s > 0.5 && s < 1.0));
    }
    std::fs::remove_dir_all(out).unwrap();
}

/// An unblinded cut-and-count scan: each window's local significance is the exact on/off
/// Z_Bi of its count against its sidebands (recomputed here from the point's own numbers:
/// b = n_sb·r, σ_b = √n_sb·r), and `limits.global_toys` gives a global significance from
/// pseudo-experiments, identical for 1 and 2 threads.
#[test]
fn counting_scans_have_local_and_global_significances() {
    use searchlight::stats::counting::on_off_p_value;
    use searchlight::stats::special::normal_quantile;
    let dir = temp("global-toys-counting");
    let spec = dir.join("dh.yaml");
    std::fs::write(
        &spec,
        common::small_counting_spec("cls-exact\n  global_toys: 10")
            .replace("range: [0.9, 1.2]", "range: [1.0, 1.1]"),
    )
    .unwrap();
    let mut runs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.join(format!("out{threads}"));
        let o = run(
            &[
                "run",
                spec.to_str().unwrap(),
                "--unblind",
                "--threads",
                threads,
                "-o",
                out.to_str().unwrap(),
            ],
            &dir,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let results: Value =
            serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
        runs.push(results);
    }
    let r = &runs[0];
    let mut checked = 0;
    for p in r["scan"].as_array().unwrap() {
        let (b, sb) = (
            p["background"].as_f64().unwrap(),
            p["background_error"].as_f64().unwrap(),
        );
        let z = p["local_significance"].as_f64();
        assert!(z.is_some(), "{p}");
        if b <= 0.0 {
            continue;
        }
        let n_sideband = (b / sb).powi(2).round() as u64;
        let ratio = sb * sb / b;
        let n = p["observed_events"].as_u64().unwrap();
        let expected = (-normal_quantile(on_off_p_value(n, n_sideband, ratio))).max(0.0);
        assert!((z.unwrap() - expected).abs() < 1e-9, "{p}");
        checked += 1;
    }
    assert!(checked > 10, "{checked} windows with a background");
    let toys = &r["global_significance_toys"];
    assert_eq!(toys["toys"], 10, "{toys}");
    assert!(r["global_significance"].as_f64().is_some());
    assert_eq!(runs[1]["global_significance_toys"], *toys);
    assert_eq!(runs[1]["scan"], r["scan"]);
    std::fs::remove_dir_all(dir).unwrap();
}

/// A TMVA weight file in a spec: the rows `run` keeps and `skim` writes are those TMVA's own
/// reader scores above the cut (tests/reference/gen/tmva_standalone.py).
#[test]
fn a_tmva_model_cuts_and_skims_like_tmvas_reader() {
    use searchlight::io::table::{Column, ColumnData, ColumnTable};
    let out = temp("tmva");
    let (dir, reference) = mva_reference("tmva_reference.json");
    let names: Vec<&str> = reference["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let values: Vec<f64> = std::fs::read(dir.join("tmva_test.f64"))
        .unwrap()
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let table = ColumnTable {
        columns: names
            .iter()
            .enumerate()
            .map(|(j, name)| Column {
                name: name.to_string(),
                data: ColumnData::F64(
                    values
                        .iter()
                        .skip(j)
                        .step_by(names.len())
                        .copied()
                        .collect(),
                ),
            })
            .collect(),
    };
    let data = out.join("tmva_rows.parquet");
    common::write_parquet(&data, &table);
    let scores: Vec<f64> = reference["prediction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let cut = 0.1;
    assert!(
        scores.iter().all(|s| (s - cut).abs() > 1e-4),
        "no score on the cut"
    );
    let passing = scores.iter().filter(|&&s| s > cut).count() as u64;
    assert!(passing > 100 && passing < 2900, "{passing}");
    let results = run_spec(
        &out,
        "tmva",
        &format!(
            "searchlight: 1\nanalysis: {{ name: t }}\ninputs:\n  data: {{ files: [\"{}\"] }}\nmva:\n  bdt: {{ model: \"{}\", format: tmva, features: [{}] }}\nselection:\n  - cut: bdt > {cut}\n",
            data.display(),
            dir.join("tmva_adaboost.weights.xml").display(),
            names.join(", "),
        ),
    );
    assert_eq!(data_events(&results), [scores.len() as u64, passing]);
    let kept: Vec<f64> = scores.iter().copied().filter(|&s| s > cut).collect();
    let written = skimmed_scores(&out, "tmva");
    assert_eq!(written.len(), kept.len());
    assert!(written.iter().zip(&kept).all(|(a, b)| (a - b).abs() < 1e-5));
    std::fs::remove_dir_all(out).unwrap();
}

/// `export pyhf` writes each counting window as a workspace from which `limit workspace`
/// recomputes exactly the limits of a `cls-asymptotic` run (scripts/check_pyhf.py then
/// checks pyhf itself in .ci/run; tests/it/workspace.rs checks the model against pyhf).
#[test]
fn exported_pyhf_workspaces_reproduce_an_asymptotic_counting_run() {
    let dir = temp("pyhf");
    let spec = dir.join("dh.yaml");
    std::fs::write(&spec, common::small_counting_spec("cls-asymptotic")).unwrap();
    let out = dir.join("out");
    let o = run(
        &[
            "run",
            spec.to_str().unwrap(),
            "--unblind",
            "-o",
            out.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let export = dir.join("pyhf");
    let results_path = out.join("results.json");
    let o = run(
        &[
            "export",
            "pyhf",
            results_path.to_str().unwrap(),
            "-o",
            export.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(export.join("index.json")).unwrap()).unwrap();
    let entries = index["workspaces"].as_array().unwrap();
    let scan = results(&out)["scan"].as_array().unwrap().len();
    assert!(entries.len() > 30, "{} of {scan} windows", entries.len());
    assert_eq!(
        entries.len() + index["left_out"].as_u64().unwrap() as usize,
        scan
    );
    for entry in entries.iter().step_by(7) {
        let file = export.join(entry["file"].as_str().unwrap());
        let o = run(
            &[
                "limit",
                "workspace",
                file.to_str().unwrap(),
                "--cl",
                "0.95",
                "--json",
            ],
            &dir,
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let limits: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(limits["observed"], entry["observed"], "{entry}");
        assert_eq!(limits["expected"], entry["expected"], "{entry}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A fit or count observable that is NaN for some selected candidates is reported in
/// results.json's notes, per input and channel, instead of dropping out silently.
#[test]
fn undefined_observables_are_reported_in_the_notes() {
    let dir = temp("nan-observable");
    let text = common::small_counting_spec("cls-exact").replace(
        "m_hprime: M ",
        "m_hprime: \"ifelse(M < 0.95, sqrt(-1), M)\" ",
    );
    assert!(text.contains("sqrt(-1)"));
    let results = run_spec(
        &dir,
        "nan",
        &text.replace(
            "blinding: { unblind: true }",
            "blinding: { unblind: false }",
        ),
    );
    let notes = results["notes"].to_string();
    assert!(
        notes.contains("input `data`, channel `mumu`: ")
            && notes.contains("have an undefined or infinite `m_hprime`"),
        "{notes}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `cls-toys` in a cut-and-count scan: each window's limits from pseudo-experiments of
/// its one-bin model (the calculator of `limit workspace --calculator toys`, checked
/// against pyhf in tests/it/toys.rs), identical for any thread count (every point has its
/// own seed), and near the exact CLs limits of the same windows: with 100 toys the
/// tail probability that sets a limit is known to ~±30%, and the toys randomise the
/// auxiliary measurements of background and efficiency where the exact method averages
/// over them.
#[test]
fn counting_scans_set_limits_with_toys() {
    let dir = temp("cls-toys");
    let window = |method: &str| {
        common::small_counting_spec(method)
            .replace("range: [0.9, 1.2]", "range: [1.0, 1.004]")
            .replace("  expected: true", "  expected: true\n  toys: 100")
    };
    let mut outputs = Vec::new();
    for (name, method, threads) in [
        ("toys", "cls-toys", "1"),
        ("toys", "cls-toys", "2"),
        ("exact", "cls-exact", "2"),
    ] {
        let spec = dir.join(format!("{name}.yaml"));
        std::fs::write(&spec, window(method)).unwrap();
        let out = dir.join(format!("{name}{threads}"));
        let args = [
            "run",
            spec.to_str().unwrap(),
            "--unblind",
            "--threads",
            threads,
            "-o",
            out.to_str().unwrap(),
        ];
        let o = run(&args, &dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push(std::fs::read(out.join("results.json")).unwrap());
    }
    assert_eq!(
        outputs[0], outputs[1],
        "1 and 2 threads give the same bytes"
    );
    let parse = |bytes: &[u8]| -> Value { serde_json::from_slice(bytes).unwrap() };
    let (toys, exact) = (parse(&outputs[0]), parse(&outputs[2]));
    assert_eq!(toys["method"], "cls-toys");
    let (toys, exact) = (
        toys["scan"].as_array().unwrap(),
        exact["scan"].as_array().unwrap(),
    );
    assert_eq!(toys.len(), exact.len());
    let mut ratios = Vec::new();
    for (t, e) in toys.iter().zip(exact) {
        let status = t["status"].as_str().unwrap();
        if status != "ok" {
            // Too few toys for a deficit: said, not hidden.
            assert!(status.starts_with("failed: toys:"), "{t}");
            continue;
        }
        let ratio = t["observed"].as_f64().unwrap() / e["observed"].as_f64().unwrap();
        assert!((0.5..2.0).contains(&ratio), "toys {t}\nexact {e}");
        ratios.push(ratio);
    }
    assert!(
        ratios.len() * 4 >= toys.len() * 3,
        "{} of {} points",
        ratios.len(),
        toys.len()
    );
    ratios.sort_by(f64::total_cmp);
    let median = ratios[ratios.len() / 2];
    assert!((0.8..1.2).contains(&median), "median toys/exact {median}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// `run --column-cache`: the second run reads the decoded columns stored by the first
/// (shown by planting different values in the cache), and gives the same results as a
/// run that decodes the file.
#[test]
fn the_column_cache_serves_reruns() {
    let out = temp("column-cache");
    let cache = out.join("cache");
    let spec = "tests/reference/run/cutflow.yaml";
    let go = |name: &str, flags: &[&str]| -> Vec<u8> {
        let dir = out.join(name);
        let mut args = vec!["run", spec, "-o", dir.to_str().unwrap()];
        args.extend(flags);
        let o = run(&args, &cache);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        std::fs::read(dir.join("results.json")).unwrap()
    };
    let decoded = go("plain", &[]);
    assert_eq!(go("first", &["--column-cache"]), decoded);
    let entries: Vec<PathBuf> = walk(&cache.join("columns"));
    assert!(!entries.is_empty(), "the first run stored its columns");
    assert_eq!(go("second", &["--column-cache"]), decoded);
    // Entries whose values are changed with a matching checksum are what the next run
    // reads (the cache is used); changed without one, they are damaged: decoded again,
    // rewritten, and said so.
    let plant = |fix_checksum: bool, byte: u8| {
        for e in &entries {
            let mut bytes = std::fs::read(e).unwrap();
            if bytes[8] == 0 {
                // f64 values: all bytes become `byte`.
                bytes[64..].fill(byte);
                if fix_checksum {
                    let sum = twox_hash::XxHash3_64::oneshot(&bytes[64..]);
                    bytes[17..25].copy_from_slice(&sum.to_le_bytes());
                }
                std::fs::write(e, bytes).unwrap();
            }
        }
    };
    plant(true, 0);
    assert_ne!(go("planted", &["--column-cache"]), decoded);
    plant(false, 1);
    let dir = out.join("damaged");
    let o = run(
        &["run", spec, "--column-cache", "-o", dir.to_str().unwrap()],
        &cache,
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("damaged column-cache entries"));
    assert_eq!(std::fs::read(dir.join("results.json")).unwrap(), decoded);
    std::fs::remove_dir_all(cache.join("columns")).unwrap();
    assert_eq!(go("again", &["--column-cache"]), decoded);
    std::fs::remove_dir_all(out).unwrap();
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A scan in which no hypothesis can have a limit (a cut that leaves no signal) is an
/// error with the reason, not "scan: 0 hypotheses" and exit 0; nothing is written.
#[test]
fn a_scan_without_any_limit_is_an_error() {
    let dir = std::env::temp_dir().join(format!("searchlight-nolimit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec =
        common::small_counting_spec("cls-exact").replace("cut: nTracks == 4", "cut: nTracks == 3");
    std::fs::write(dir.join("spec.yaml"), spec).unwrap();
    let o = common::searchlight_in(&dir, &["run", "spec.yaml", "--unblind", "-o", "out"]);
    let text = common::text(&o);
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(
        text.contains("SL211") && text.contains("signal efficiency"),
        "{text}"
    );
    assert!(!dir.join("out/results.json").exists());
    std::fs::remove_dir_all(&dir).ok();
}

/// `skim` writes the score of a classifier no cut uses (it panicked), and an alias that is
/// just a classifier's name gets the same values (it failed with "expected N != 0 rows").
#[test]
fn skim_writes_unused_classifiers_and_aliases_of_them() {
    use searchlight::io::parquet::ParquetReader;
    let out = temp("skim-mva");
    let models = std::fs::canonicalize("analyses/models/cs_bdt.json").unwrap();
    let spec = out.join("spec.yaml");
    std::fs::write(
        &spec,
        format!(
            "searchlight: 1\nanalysis: {{ name: skim }}\ninputs:\n  data: {{ toy: b_to_k_alp, events: 4000, seed: 1 }}\nvariables:\n  s1: cs_bdt\nmva:\n  cs_bdt:\n    model: \"{}\"\n    format: xgboost\n    features: [R2, cosTBTO, cosTBz, thrustOm, KSFWVariables(hso02)]\nselection:\n  - cut: R2 < 0.9\n",
            models.display()
        ),
    )
    .unwrap();
    let file = out.join("skim.parquet");
    let o = run(
        &["skim", spec.to_str().unwrap(), "-o", file.to_str().unwrap()],
        &out,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = ParquetReader::open(&file, None)
        .unwrap()
        .read_all()
        .unwrap();
    assert!(t.rows() > 0);
    let (alias, score) = (t.column("s1").unwrap(), t.column("cs_bdt").unwrap());
    for i in 0..t.rows() {
        assert_eq!(alias.get_f64(i), score.get_f64(i));
        assert!((0.0..=1.0).contains(&score.get_f64(i)));
    }
    std::fs::remove_dir_all(out).unwrap();
}

/// The small B → h + invisible spec reading its data from `data` (a Parquet file) and
/// blinded, with a box `signal_region` besides the windows around the hypotheses; or
/// unblinded.
fn blinded_files_spec(dir: &Path, name: &str, data: &Path, unblind: bool) -> PathBuf {
    let text = std::fs::read_to_string(small_scan_spec(dir))
        .unwrap()
        .replace("range: [2.2, 2.3]", "range: [2.22, 2.28]")
        .replace(
            "data:   { toy: b_to_h_invisible, events: 60000, seed: 31 }",
            &format!("data: {{ files: [\"{}\"] }}", data.display()),
        )
        .replace(
            "blinding: { unblind: false }",
            &format!(
                "blinding: {{ unblind: {unblind}, signal_region: \"daughter(0, Mbc) > 5.2835\" }}\nhistograms:\n  m_X: {{ var: m_X, bins: 100, range: [0, 5] }}"
            ),
        );
    assert!(text.contains("files:") && text.contains("signal_region"));
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// results.json without what names the input files.
fn without_provenance(mut results: Value) -> Value {
    results.as_object_mut().unwrap().remove("provenance");
    results
}

#[test]
fn blinded_outputs_do_not_depend_on_the_data_in_the_signal_region() {
    use searchlight::io::parquet::ParquetReader;
    use searchlight::io::table::{Column, ColumnData, ColumnTable};
    let dir = temp("blinding");
    // The selected data candidates of the toy, as a file an analyst could have written.
    let skim = dir.join("skim.parquet");
    let spec = small_scan_spec(&dir);
    let unblinded = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("unblind: false", "unblind: true");
    std::fs::write(&spec, unblinded).unwrap();
    let o = run(
        &[
            "skim",
            spec.to_str().unwrap(),
            "--unblind",
            "-o",
            skim.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let skimmed = ParquetReader::open(&skim, None)
        .unwrap()
        .read_all()
        .unwrap();
    let m_x = skimmed.column("m_X").unwrap().to_f64_vec();
    let mbc = skimmed
        .column("daughter__bo0__cm__spMbc__bc")
        .unwrap()
        .to_f64_vec();
    // The input columns only (every row its own event), then the same with more
    // candidates inside the blinded window of every hypothesis (m_X in [2.23, 2.265]:
    // hypotheses 2.22 to 2.28, windows ±3σ with σ ≈ 0.024) and inside the box
    // (Mbc > 5.2835) away from them: a signal where the analyst may not look. (Data in
    // the window of one hypothesis but in the sidebands of another change the latter's
    // expected limit, as they should.)
    let inputs: Vec<&Column> = skimmed
        .columns
        .iter()
        .filter(|c| !c.name.starts_with("__") && !c.name.starts_with("in_"))
        .filter(|c| !["p_h", "m_h", "m_X", "tag_quality"].contains(&c.name.as_str()))
        .collect();
    let write = |name: &str, extra: &[usize]| {
        let table = ColumnTable {
            columns: inputs
                .iter()
                .map(|c| {
                    let mut v = c.data.to_f64_vec();
                    v.extend(extra.iter().map(|&i| c.data.get_f64(i)));
                    Column {
                        name: c.name.clone(),
                        data: ColumnData::F64(v),
                    }
                })
                .collect(),
        };
        let path = dir.join(name);
        common::write_parquet(&path, &table);
        path
    };
    let in_window: Vec<usize> = (0..m_x.len())
        .filter(|&i| (2.23..2.265).contains(&m_x[i]))
        .collect();
    let in_box: Vec<usize> = (0..m_x.len())
        .filter(|&i| mbc[i] > 5.2835 && !(1.5..3.0).contains(&m_x[i]))
        .collect();
    assert!(
        in_window.len() > 10 && in_box.len() > 10,
        "{} {}",
        in_window.len(),
        in_box.len()
    );
    let extra: Vec<usize> = in_window
        .iter()
        .chain(&in_box)
        .flat_map(|&i| [i; 20])
        .collect();
    let plain = write("plain.parquet", &[]);
    let spiked = write("spiked.parquet", &extra);
    let outputs = |data: &Path, name: &str, unblind: bool| {
        let spec = blinded_files_spec(&dir, name, data, unblind);
        let out = dir.join(name);
        let mut args = vec!["run", spec.to_str().unwrap(), "-o", out.to_str().unwrap()];
        if unblind {
            args.push("--unblind");
        }
        let o = run(&args, &dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let skim = out.join("data.parquet");
        let mut args = vec!["skim", spec.to_str().unwrap(), "-o", skim.to_str().unwrap()];
        if unblind {
            args.push("--unblind");
        }
        let o = run(&args, &dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let rows = ParquetReader::open(&skim, None)
            .unwrap()
            .read_all()
            .unwrap();
        (results(&out), rows)
    };
    let (plain_results, plain_rows) = outputs(&plain, "plain", false);
    let (spiked_results, spiked_rows) = outputs(&spiked, "spiked", false);
    // Blinded: every output is the same whatever the data in the signal region are.
    assert_eq!(
        without_provenance(plain_results.clone()),
        without_provenance(spiked_results.clone())
    );
    assert_eq!(plain_rows.rows(), spiked_rows.rows());
    // The figures too: fit plots show the sidebands only, histograms the candidates
    // outside the signal region.
    let figures: Vec<PathBuf> = walk(&dir.join("plain"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        .collect();
    assert!(figures.iter().any(|p| p.to_string_lossy().contains("fit_")));
    for figure in &figures {
        let twin = dir
            .join("spiked")
            .join(figure.strip_prefix(dir.join("plain")).unwrap());
        assert_eq!(
            std::fs::read(figure).unwrap(),
            std::fs::read(&twin).unwrap(),
            "{}",
            figure.display()
        );
    }
    // No skimmed candidate and no histogram entry lies in the signal region.
    let windows = plain_results["blinding"]["windows"].as_array().unwrap();
    assert!(!windows.is_empty());
    let inside = |x: f64| {
        windows
            .iter()
            .any(|w| w[0].as_f64().unwrap() <= x && x <= w[1].as_f64().unwrap())
    };
    let skimmed_mx = plain_rows.column("m_X").unwrap().to_f64_vec();
    let skimmed_mbc = plain_rows
        .column("daughter__bo0__cm__spMbc__bc")
        .unwrap()
        .to_f64_vec();
    assert!(!skimmed_mx.is_empty());
    assert!(
        skimmed_mx
            .iter()
            .zip(&skimmed_mbc)
            .all(|(&x, &b)| !inside(x) && b <= 5.2835)
    );
    for (_, h) in plain_results["histograms"]["data"].as_object().unwrap() {
        let h = &h[0];
        let counts = h["counts"].as_array().unwrap();
        let (low, high) = (
            h["range"][0].as_f64().unwrap(),
            h["range"][1].as_f64().unwrap(),
        );
        let width = (high - low) / counts.len() as f64;
        for (k, n) in counts.iter().enumerate() {
            let (lo, hi) = (low + k as f64 * width, low + (k + 1) as f64 * width);
            if inside(lo) && inside(hi) {
                assert_eq!(n.as_f64().unwrap(), 0.0, "bin [{lo}, {hi}]");
            }
        }
    }
    // Unblinded, the same two files give different outputs: the comparison can fail.
    let (plain_open, _) = outputs(&plain, "plain_open", true);
    let (spiked_open, _) = outputs(&spiked, "spiked_open", true);
    assert_ne!(
        plain_open["cutflows"]["data"],
        spiked_open["cutflows"]["data"]
    );
    assert_ne!(
        plain_open["cutflows"]["data"],
        plain_results["cutflows"]["data"]
    );
    // Unblinded, a fit plot shows the largest excess.
    let excess = spiked_open["scan"]
        .as_array()
        .unwrap()
        .iter()
        .max_by(|a, b| {
            let z = |p: &Value| {
                p["local_significance"]
                    .as_f64()
                    .unwrap_or(f64::NEG_INFINITY)
            };
            z(a).total_cmp(&z(b))
        })
        .unwrap()["mass"]
        .as_f64()
        .unwrap();
    let stem = format!("_m{}.svg", format!("{excess:.4}").replace('.', "p"));
    assert!(
        walk(&dir.join("spiked_open"))
            .iter()
            .any(|p| p.to_string_lossy().ends_with(&stem)),
        "no fit plot at the largest excess, {excess}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// Copies the files of `from` (one level) into `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Each reference search, blinded: no data value inside its signal region in the skim,
/// the histograms, the cutflow or the scan. Run in release by `.ci/run` (about a minute
/// in a debug build, a few seconds in release).
#[test]
#[ignore = "slow in debug builds; .ci/run runs it in release"]
fn blinded_reference_searches_show_no_data_in_their_signal_regions() {
    let dir = temp("blinded-references");
    copy_dir(Path::new("analyses/models"), &dir.join("models"));
    copy_dir(Path::new("analyses/common"), &dir.join("common"));
    // Each search made small, with a histogram of its observable and, for one, a box.
    let searches = [
        (
            "dark_higgs_idm",
            "m_hprime",
            vec![
                ("events: 100000, seed: 22", "events: 20000, seed: 22"),
                ("range: [0.22, 4.0]", "range: [0.9, 1.1]"),
            ],
        ),
        (
            "b_to_k_alp",
            "mgg",
            vec![
                ("events: 2000000", "events: 30000"),
                ("events: 400000", "events: 20000"),
                ("range: [0.16, 4.50]", "range: [1.4, 1.6]"),
                (
                    "blinding: { unblind: false }",
                    "blinding: { unblind: false, signal_region: \"Mbc > 5.28\" }",
                ),
            ],
        ),
        (
            "b_to_h_invisible",
            "m_X",
            vec![
                ("events: 1000000", "events: 60000"),
                ("events: 200000", "events: 40000"),
                ("range: [0.1, 5.0]", "range: [2.2, 2.3]"),
            ],
        ),
        (
            // Its background choice fits the sidebands and simulation only.
            "ee_to_gamma_alp",
            "M_gg",
            vec![
                ("events: 60000, seed: 21", "events: 20000, seed: 21"),
                ("events: 600000", "events: 60000"),
                ("range: [0.2, 9.5]", "range: [2.0, 2.2]"),
            ],
        ),
        (
            // Its control region shares the background's slope with the signal region.
            "ee_to_mumu_zprime",
            "M_mumu",
            vec![("range: [0.4, 9.0]", "range: [2.0, 2.2]")],
        ),
    ];
    for (search, observable, edits) in searches {
        let mut text = common::reference_spec(search);
        for (from, to) in edits {
            assert!(text.contains(from), "{search}: {from}");
            text = text.replace(from, to);
        }
        text += &format!(
            "\nhistograms:\n  observable: {{ var: {observable}, bins: 460, range: [0, 4.6] }}\n"
        );
        let spec = dir.join(format!("{search}.yaml"));
        std::fs::write(&spec, text).unwrap();
        let out = dir.join(search);
        let skim = dir.join(format!("{search}.parquet"));
        for args in [
            vec!["run", spec.to_str().unwrap(), "-o", out.to_str().unwrap()],
            vec!["skim", spec.to_str().unwrap(), "-o", skim.to_str().unwrap()],
        ] {
            let o = run(&args, &dir);
            assert!(
                o.status.success(),
                "{search}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        let results = results(&out);
        let windows: Vec<(f64, f64)> = results["blinding"]["windows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| (w[0].as_f64().unwrap(), w[1].as_f64().unwrap()))
            .collect();
        assert!(!windows.is_empty(), "{search}");
        let inside = |x: f64| x.is_nan() || windows.iter().any(|&(lo, hi)| lo <= x && x <= hi);
        // Skim: no candidate in the windows (or the box), yet some outside them.
        let rows = searchlight::io::parquet::ParquetReader::open(&skim, None)
            .unwrap()
            .read_all()
            .unwrap();
        let x = rows.column(observable).unwrap().to_f64_vec();
        assert!(!x.is_empty() && x.iter().all(|&v| !inside(v)), "{search}");
        if let Some(mbc) = rows.column("Mbc") {
            assert!(mbc.to_f64_vec().iter().all(|&m| m <= 5.28), "{search}");
        }
        // Histograms and cutflow: the skimmed candidates, nothing from the windows.
        let mut selected = 0;
        for (channel, histograms) in results["histograms"]["data"].as_object().unwrap() {
            let h = &histograms[0];
            let counts = h["counts"].as_array().unwrap();
            let width = 4.6 / counts.len() as f64;
            for (k, n) in counts.iter().enumerate() {
                let (lo, hi) = (k as f64 * width, (k + 1) as f64 * width);
                if inside(lo) && inside(hi) {
                    assert_eq!(
                        n.as_u64().unwrap(),
                        0,
                        "{search} {channel}: bin [{lo}, {hi}]"
                    );
                }
            }
            assert_eq!(h["undefined"].as_u64().unwrap(), 0);
            let last = results["cutflows"]["data"][channel]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .clone();
            let skimmed = rows.column(&format!("in_{channel}")).map_or(x.len(), |m| {
                m.to_f64_vec().iter().filter(|&&v| v == 1.0).count()
            });
            assert_eq!(
                last["candidates"].as_u64().unwrap(),
                skimmed as u64,
                "{search} {channel}"
            );
            selected += skimmed;
        }
        assert!(selected > 0, "{search}");
        // Fit plots (fit scans): only the sidebands' data are drawn. Their points are
        // circles; none may sit in the hypothesis' blinded window, which the plot's
        // x axis does not state in data units, so the check is on results.json alone.
        assert!(
            results["scan"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p["observed"].is_null())
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn declared_column_units_are_checked_and_converted() {
    use searchlight::io::table::{Column, ColumnData, ColumnTable};
    let dir = temp("units");
    let mbc: Vec<f64> = (0..400).map(|i| 5.2 + 0.0002 * f64::from(i)).collect();
    let table = ColumnTable {
        columns: vec![
            Column {
                name: "Mbc".into(),
                data: ColumnData::F64(mbc.clone()),
            },
            Column {
                name: "mbc_mev".into(),
                data: ColumnData::F64(mbc.iter().map(|m| m * 1000.0).collect()),
            },
        ],
    };
    common::write_parquet(&dir.join("ntuple.parquet"), &table);
    let spec = |cut: &str, units: &str| {
        format!(
            "searchlight: 1\nanalysis: {{ name: units }}\ninputs:\n  data: {{ files: [\"ntuple.parquet\"]{units} }}\nselection:\n  - name: mbc\n    cut: {cut}\n"
        )
    };
    // Converted as read: the MeV column cut in GeV selects what the GeV column does.
    let in_gev = run_spec(&dir, "gev", &spec("Mbc > 5.25 GeV", ""));
    let in_mev = run_spec(
        &dir,
        "mev",
        &spec("mbc_mev > 5.25 GeV", ", units: { mbc_mev: MeV }"),
    );
    assert_eq!(data_events(&in_gev), data_events(&in_mev));
    let expected = mbc.iter().filter(|&&m| m > 5.25).count() as u64;
    assert_eq!(data_events(&in_mev)[1], expected);
    // Checked: a declared energy against a length, and basf2's Mbc likewise.
    for (cut, units) in [
        ("mbc_mev > 5 cm", ", units: { mbc_mev: MeV }"),
        ("Mbc > 5 cm", ""),
    ] {
        std::fs::write(dir.join("bad.yaml"), spec(cut, units)).unwrap();
        let o = run(&["lint", dir.join("bad.yaml").to_str().unwrap()], &dir);
        assert_eq!(o.status.code(), Some(1), "{cut}");
        assert!(common::text(&o).contains("SL022"), "{cut}");
    }
    std::fs::write(
        dir.join("bad.yaml"),
        spec("mbc_mev > 5", ", units: { mbc_mev: MeVs }"),
    )
    .unwrap();
    let o = run(&["lint", dir.join("bad.yaml").to_str().unwrap()], &dir);
    assert!(common::text(&o).contains("`MeVs` is not a unit"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// A file-based dark-photon-like counting search: background data and a signal sample at
/// five masses, written as Parquet; `generated` states the points three ways.
struct SignalFiles {
    dir: PathBuf,
    /// Selected signal rows per mass point (muid > 0.3, M in range).
    selected: Vec<u64>,
}

const SIGNAL_MASSES: [f64; 5] = [0.5, 1.0, 2.0, 3.0, 4.0];
const GENERATED_PER_MASS: u64 = 2000;

fn signal_files(name: &str) -> SignalFiles {
    use searchlight::io::table::{Column, ColumnData, ColumnTable};
    let dir = temp(name);
    // A small multiplicative congruential generator: the files do not depend on a crate.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let table = |m: Vec<f64>, muid: Vec<f64>, truth: Option<Vec<f64>>| {
        let mut columns = vec![
            Column {
                name: "M".into(),
                data: ColumnData::F64(m),
            },
            Column {
                name: "muid".into(),
                data: ColumnData::F64(muid),
            },
        ];
        if let Some(t) = truth {
            // Stored as Float_t, as basf2 writes many columns: 0.3 is not exactly 0.3.
            columns.push(Column {
                name: "mc_mass".into(),
                data: ColumnData::F32(t.iter().map(|&x| x as f32).collect()),
            });
        }
        ColumnTable { columns }
    };
    let n = 3000;
    let data = table(
        (0..n).map(|_| 0.2 + 4.6 * uniform()).collect(),
        (0..n).map(|_| uniform()).collect(),
        None,
    );
    common::write_parquet(&dir.join("data.parquet"), &data);
    let mut selected = Vec::new();
    let mut all = (Vec::new(), Vec::new(), Vec::new());
    for &mass in &SIGNAL_MASSES {
        // Some generated events leave no candidate (not reconstructed): 1700 rows of 2000.
        let rows = 1700;
        let m: Vec<f64> = (0..rows).map(|_| mass + 0.02 * (uniform() - 0.5)).collect();
        let muid: Vec<f64> = (0..rows).map(|_| uniform()).collect();
        selected.push(muid.iter().filter(|&&u| u > 0.3).count() as u64);
        common::write_parquet(
            &dir.join(format!("signal_m{mass}.parquet")),
            &table(m.clone(), muid.clone(), Some(vec![mass; rows])),
        );
        all.0.extend(m);
        all.1.extend(muid);
        all.2.extend(vec![mass; rows]);
    }
    common::write_parquet(
        &dir.join("signal_all.parquet"),
        &table(all.0, all.1, Some(all.2)),
    );
    SignalFiles { dir, selected }
}

fn signal_files_spec(signal: &str, efficiency: &str) -> String {
    format!(
        r#"searchlight: 1
analysis: {{ name: dark-photon-files, luminosity: 10 /fb }}
inputs:
  data: {{ files: ["data.parquet"] }}
  signal:
{signal}
selection:
  - name: muon ID
    cut: muid > 0.3
counting:
  observable: {{ var: M, range: [0.2, 4.8] }}
  resolution: 0.01
  window: 2 sigma
  sidebands: [[-6, -3], [3, 6]]
  efficiency: {efficiency}
  poi: {{ name: xsec, range: [0, 50] }}
scan:
  parameter: m_A
  range: [0.5, 0.6]
  step: sigma
limits: {{ cl: 0.95, method: cls-exact, expected: true }}
blinding: {{ unblind: false }}
"#
    )
}

fn per_entry_signal() -> String {
    let entries: Vec<String> = SIGNAL_MASSES
        .iter()
        .map(|m| {
            format!(
                "      - {{ path: signal_m{m}.parquet, mass: {m}, events: {GENERATED_PER_MASS} }}"
            )
        })
        .collect();
    format!("    files:\n{}", entries.join("\n"))
}

#[test]
fn signal_samples_from_files_give_efficiencies_and_limits() {
    let files = signal_files("signal-files");
    let dir = &files.dir;
    let csv: String = std::iter::once("mass,events\n".to_string())
        .chain(
            SIGNAL_MASSES
                .iter()
                .map(|m| format!("{m},{GENERATED_PER_MASS}\n")),
        )
        .collect();
    std::fs::write(dir.join("generated.csv"), csv).unwrap();
    let listed: Vec<String> = SIGNAL_MASSES
        .iter()
        .map(|m| format!("{m}: {GENERATED_PER_MASS}"))
        .collect();
    let ways = [
        ("entries", per_entry_signal()),
        (
            "column",
            format!(
                "    files: [signal_all.parquet]\n    generated: {{ mass: mc_mass, events: {{ {} }} }}",
                listed.join(", ")
            ),
        ),
        (
            "csv",
            "    files: [\"signal_m*.parquet\"]\n    generated: { mass: mc_mass, events: generated.csv }".to_string(),
        ),
    ];
    let mut scans = Vec::new();
    for (name, signal) in &ways {
        let r = run_spec(dir, name, &signal_files_spec(signal, "from(signal)"));
        let points = r["efficiency"][0]["points"].as_array().unwrap().clone();
        assert_eq!(points.len(), SIGNAL_MASSES.len(), "{name}");
        for ((p, &mass), &selected) in points.iter().zip(&SIGNAL_MASSES).zip(&files.selected) {
            let expected = selected as f64 / GENERATED_PER_MASS as f64;
            assert_eq!(p["mass"].as_f64(), Some(mass), "{name}");
            assert_eq!(p["selected"].as_f64(), Some(selected as f64), "{name}");
            assert!(
                (p["efficiency"].as_f64().unwrap() - expected).abs() < 1e-15,
                "{name}"
            );
            let binomial = (expected * (1.0 - expected) / GENERATED_PER_MASS as f64).sqrt();
            assert!(
                (p["uncertainty"].as_f64().unwrap() - binomial).abs() < 1e-12,
                "{name}"
            );
        }
        let scan = r["scan"].clone();
        assert!(
            scan.as_array()
                .unwrap()
                .iter()
                .all(|p| p["status"] == "ok" && p["expected"].is_array()),
            "{name}: {scan}"
        );
        scans.push(scan);
    }
    assert_eq!(scans[0], scans[1]);
    assert_eq!(scans[0], scans[2]);
    // The same efficiencies given as a table, and as a number, give the same limits.
    let table: String = std::iter::once("mass,efficiency,uncertainty\n".to_string())
        .chain(
            SIGNAL_MASSES
                .iter()
                .zip(&files.selected)
                .map(|(m, s)| format!("{m},{},0.01\n", *s as f64 / GENERATED_PER_MASS as f64)),
        )
        .collect();
    std::fs::write(dir.join("efficiency.csv"), table).unwrap();
    let given = run_spec(
        dir,
        "table",
        &signal_files_spec(&per_entry_signal(), "{ table: efficiency.csv }"),
    );
    assert_eq!(given["scan"], scans[0]);
    assert_eq!(
        given["efficiency"][0]["points"][0]["uncertainty"].as_f64(),
        Some(0.01)
    );
    let flat = run_spec(dir, "flat", &signal_files_spec(&per_entry_signal(), "0.35"));
    let half = run_spec(
        dir,
        "half",
        &signal_files_spec(&per_entry_signal(), "0.35 / 2"),
    );
    let expected = |r: &Value| r["scan"][0]["expected"][2].as_f64().unwrap();
    assert!((expected(&half) / expected(&flat) - 2.0).abs() < 1e-6);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn lint_refuses_signal_samples_that_cannot_give_efficiencies() {
    let files = signal_files("signal-files-lint");
    let dir = &files.dir;
    std::fs::write(
        dir.join("two_channels.csv"),
        "mass,channel,efficiency\n0.5,mumu,0.2\n",
    )
    .unwrap();
    let cases = [
        (
            "    files: [signal_all.parquet]",
            "from(signal)",
            "SL035",
            "does not say what it was generated at",
        ),
        (
            "    files: [signal_all.parquet]\n    generated: { mass: mc_mass, events: 2000 }",
            "from(signal)",
            "SL035",
            "must list the masses",
        ),
        (
            "    files: [signal_all.parquet]\n    generated: { mass: no_such_column, events: { 0.5: 10 } }",
            "from(signal)",
            "SL036",
            "no_such_column",
        ),
        (
            "    files: [signal_all.parquet]\n    generated: { mass: mc_mass, events: missing.csv }",
            "from(signal)",
            "SL035",
            "missing.csv",
        ),
        (
            "    files:\n      - { path: signal_m0.5.parquet, mass: 0.5, events: 10 }\n      - { path: signal_m1.parquet }",
            "from(signal)",
            "SL111",
            "some `files` entries only",
        ),
        (
            "    files: [signal_all.parquet]",
            "1.5",
            "SL035",
            "must be in [0, 1]",
        ),
        (
            "    files: [signal_all.parquet]",
            "{ table: two_channels.csv }",
            "SL035",
            "does not define",
        ),
        (
            "    files: [signal_all.parquet]",
            "{ table: two_channels.csv, sha256: 00 }",
            "SL035",
            "has changed",
        ),
        ("    files: [signal_all.parquet]", "muid", "SL0", "muid"),
        (
            "    files: [signal_all.parquet]\n    cuts: [isSignal == 1]\n    generated: { mass: mc_mass, events: { 0.5: 2000 } }",
            "from(signal)",
            "SL001",
            "unknown name `isSignal` in a cut of one input",
        ),
    ];
    for (signal, efficiency, code, message) in cases {
        let path = dir.join("bad.yaml");
        std::fs::write(&path, signal_files_spec(signal, efficiency)).unwrap();
        let o = common::searchlight_in(dir, &["lint", path.to_str().unwrap()]);
        let text = common::text(&o);
        assert_eq!(o.status.code(), Some(1), "{signal} {efficiency}: {text}");
        assert!(
            text.contains(code) && text.contains(message),
            "{signal} {efficiency}: {text}"
        );
        // run refuses the same spec before reading data, with nothing written.
        let out = dir.join("bad-out");
        let o = common::searchlight_in(
            dir,
            &["run", path.to_str().unwrap(), "-o", out.to_str().unwrap()],
        );
        assert_ne!(o.status.code(), Some(0), "{signal} {efficiency}");
        assert!(!out.join("results.json").exists());
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// Runs an unblinded spec `text` (with `--unblind`) in `dir` and reads its results.
fn run_unblinded(dir: &Path, name: &str, text: &str) -> Value {
    let spec = dir.join(format!("{name}.yaml"));
    std::fs::write(&spec, text).unwrap();
    let out = dir.join(name);
    let o = run(
        &[
            "run",
            spec.to_str().unwrap(),
            "--unblind",
            "-o",
            out.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", common::text(&o));
    results(&out)
}

/// The file-based reference search with its inputs' paths made absolute and its scan
/// narrowed to `range`.
fn dark_photon_spec(range: &str) -> String {
    let files = std::fs::canonicalize("analyses/data/dark_photon").unwrap();
    let text = std::fs::read_to_string("analyses/dark_photon_files.yaml")
        .unwrap()
        .replace("data/dark_photon/", &format!("{}/", files.display()))
        .replace("range: [0.5, 6.0]", &format!("range: {range}"));
    assert!(text.contains(&format!("range: {range}")));
    text
}

/// `cls-toys` in a fit scan: pseudo-experiments of the unbinned model (events drawn
/// from its expectation, auxiliary measurements from their constraints), as pyhf's toy
/// calculator does for binned ones. On the file-based search at 2.5 GeV (≈ 110 events in
/// the window) the toys' limits lie near the asymptotic ones, and they do not depend on
/// the thread count. Run in release by `.ci/run`.
#[test]
#[ignore = "slow in debug builds; .ci/run runs it in release"]
fn toy_limits_of_a_fit_scan_are_near_the_asymptotic_ones_and_reproducible() {
    let dir = temp("fit-toys");
    let asymptotic = dark_photon_spec("[2.5, 2.51]").replace("unblind: false", "unblind: true");
    let toys = asymptotic.replace("method: cls-asymptotic", "method: cls-toys\n  toys: 1000");
    let run_with = |name: &str, text: &str, threads: &str| -> Value {
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, text).unwrap();
        let out = dir.join(name);
        let args = [
            "run",
            path.to_str().unwrap(),
            "--unblind",
            "--threads",
            threads,
            "-o",
        ];
        let o = run(&[&args[..], &[out.to_str().unwrap()]].concat(), &dir);
        assert!(o.status.success(), "{}", common::text(&o));
        results(&out)
    };
    let a = run_with("asymptotic", &asymptotic, "2");
    let t = run_with("toys", &toys, "2");
    let (a, t) = (&a["scan"][0], &t["scan"][0]);
    assert_eq!(t["status"], "ok", "{t}");
    let near = |x: &Value, y: &Value, what: &str| {
        let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
        assert!(
            (x / y - 1.0).abs() < 0.15,
            "{what}: toys {x} vs asymptotic {y}"
        );
    };
    near(&t["observed"], &a["observed"], "observed");
    near(&t["expected"][2], &a["expected"][2], "median expected");
    near(&t["expected"][3], &a["expected"][3], "+1σ expected");
    let few = toys.replace("toys: 1000", "toys: 100");
    let one = run_with("one_thread", &few, "1");
    let two = run_with("two_threads", &few, "2");
    assert_eq!(one["scan"], two["scan"]);
}

/// tests/reference/gen/dark_photon_files.py: numpy's efficiencies on the reference
/// search's ROOT files, and pyhf's expected limits of one counting window on them.
#[test]
fn the_file_based_reference_search_measures_what_numpy_and_pyhf_do() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/dark_photon_files.json").unwrap(),
    )
    .unwrap();
    let dir = temp("dark-photon");
    let fit = run_spec(&dir, "fit", &dark_photon_spec("[1.0, 1.1]"));
    let measured = fit["efficiency"][0]["points"].as_array().unwrap();
    let expected = reference["efficiency"].as_array().unwrap();
    assert_eq!(measured.len(), expected.len());
    for (m, e) in measured.iter().zip(expected) {
        assert_eq!(m["mass"], e["mass"]);
        assert_eq!(m["generated"].as_f64(), reference["generated"].as_f64());
        for key in ["selected", "efficiency", "uncertainty"] {
            let (a, b) = (m[key].as_f64().unwrap(), e[key].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-12 * b,
                "{key} at {}: {a} vs numpy {b}",
                e["mass"]
            );
        }
    }
    assert!(
        fit["scan"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "ok")
    );
    // With truth matching on the signal sample only (`isSignal` is not in the data).
    let matched = run_spec(
        &dir,
        "matched",
        &dark_photon_spec("[1.0, 1.1]").replace(
            "  signal:\n    tree: variables",
            "  signal:\n    tree: variables\n    cuts: [isSignal == 1]",
        ),
    );
    for (m, e) in matched["efficiency"][0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .zip(expected)
    {
        for key in ["selected", "efficiency", "uncertainty"] {
            let a = m[key].as_f64().unwrap();
            let b = e[format!("{key}_truth_matched")].as_f64().unwrap();
            assert!(
                (a - b).abs() <= 1e-12 * b,
                "truth-matched {key} at {}: {a} vs numpy {b}",
                e["mass"]
            );
        }
    }
    // An input's weight expression: doubled weights double the selected sum; unit
    // weights count the selected candidates the cutflow counts.
    let weighted = |weight: &str| {
        let spec = dark_photon_spec("[1.0, 1.1]").replace(
            "  signal:\n    tree: variables",
            &format!("  signal:\n    tree: variables\n    weight: \"{weight}\""),
        );
        run_spec(&dir, "weighted", &spec)
    };
    let selected = |r: &Value| -> Vec<f64> {
        r["efficiency"][0]["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["selected"].as_f64().unwrap())
            .collect()
    };
    let doubled = weighted("__weight__ * 2");
    for (a, b) in selected(&doubled).iter().zip(selected(&fit)) {
        assert!((a - 2.0 * b).abs() <= 1e-12 * b, "{a} vs 2 × {b}");
    }
    let unit = weighted("1");
    let total: f64 = selected(&unit).iter().sum();
    let flow = unit["cutflows"]["signal"].as_object().unwrap();
    let rows = flow.values().next().unwrap().as_array().unwrap();
    assert_eq!(
        total,
        rows.last().unwrap()["events"].as_u64().unwrap() as f64
    );
    // A scale normalises the input's counts in the cutflow, not its efficiency.
    let scaled = run_spec(
        &dir,
        "scaled",
        &dark_photon_spec("[1.0, 1.1]").replace(
            "  signal:\n    tree: variables",
            "  signal:\n    tree: variables\n    scale: 10 * 100 / 3000",
        ),
    );
    assert_eq!(scaled["efficiency"], fit["efficiency"]);
    assert_eq!(
        scaled["scales"]["signal"].as_f64(),
        Some(10.0 * 100.0 / 3000.0)
    );
    let flow = scaled["cutflows"]["signal"].as_object().unwrap();
    for row in flow.values().next().unwrap().as_array().unwrap() {
        let (w, s) = (
            row["weighted"].as_f64().unwrap(),
            row["scaled"].as_f64().unwrap(),
        );
        assert_eq!(s, w * (10.0 * 100.0 / 3000.0));
    }
    let markdown = std::fs::read_to_string(dir.join("scaled/cutflow.md")).unwrap();
    // The search's histogram stacks the scaled simulation against the data; restricted
    // to one input it is filled for that input only.
    assert!(dir.join("fit/hist_m_mumu_all.svg").exists());
    assert_eq!(
        fit["histograms"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["data", "mumu", "signal"]
    );
    let only_signal = run_spec(
        &dir,
        "histogram",
        &dark_photon_spec("[1.0, 1.1]").replace(
            "m_mumu: { var: M, bins: 67, range: [0.3, 7.0] }",
            "m_mumu: { var: M, bins: 67, range: [0.3, 7.0], inputs: [signal] }",
        ),
    );
    let histograms = only_signal["histograms"].as_object().unwrap();
    assert_eq!(histograms.keys().collect::<Vec<_>>(), ["signal"]);
    assert!(markdown.contains("scaled (×"), "{markdown}");
    let signal_flow = &matched["cutflows"]["signal"];
    assert!(
        signal_flow.to_string().contains("signal: isSignal == 1"),
        "{signal_flow}"
    );
    assert_eq!(matched["cutflows"]["data"], fit["cutflows"]["data"]);
    // A signal template taken from the files (their stated masses move it to each
    // hypothesis) gives expected limits close to the Gaussian's.
    let template = run_spec(
        &dir,
        "template",
        &dark_photon_spec("[1.0, 1.1]").replace(
            "signal: { pdf: gaussian, mean: m_A, sigma: 0.002 + 0.004 * m_A }",
            "signal: { pdf: histogram, from: signal, bins: 40, sigma: 0.002 + 0.004 * m_A }",
        ),
    );
    let median = |r: &Value| -> Vec<f64> {
        r["scan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["expected"][2].as_f64().unwrap())
            .collect()
    };
    let (a, b) = (median(&template), median(&fit));
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(b) {
        assert!(
            (0.8..1.25).contains(&(a / b)),
            "template {a} vs Gaussian {b}"
        );
    }
    // One counting window at 1.0 GeV on the same files, against pyhf.
    let window = &reference["window"];
    let narrow = dark_photon_spec("[1.0, 1.005]");
    let (head, rest) = narrow.split_once("fit:").unwrap();
    let (_, tail) = rest.split_once("scan:").unwrap();
    let counting = format!(
        "{head}counting:\n  observable: {{ var: M, range: [0.3, 7.0] }}\n  resolution: 0.002 + 0.004 * m_A\n  window: 2 sigma\n  sidebands: [[-6, -3], [3, 6]]\n  efficiency: from(signal)\n  poi: {{ name: xsec, range: [0, 50] }}\n\nscan:{tail}"
    )
    .replace("n_sig / 10", "xsec");
    let r = run_spec(&dir, "counting", &counting);
    let point = &r["scan"][0];
    assert_eq!(point["mass"].as_f64(), window["mass"].as_f64());
    assert!(
        (point["background"].as_f64().unwrap() - window["background"].as_f64().unwrap()).abs()
            < 1e-12
    );
    let ours = point["expected"].as_array().unwrap();
    for (a, b) in ours.iter().zip(window["expected"].as_array().unwrap()) {
        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
        assert!((a - b).abs() <= 1e-4 * b, "expected {a} vs pyhf {b}");
    }
    // Unblinded, the scan finds the 50 signal events the generator produced at 2.5 GeV.
    let r = run_unblinded(
        &dir,
        "unblinded",
        &dark_photon_spec("[2.3, 2.7]").replace("unblind: false", "unblind: true"),
    );
    let scan = r["scan"].as_array().unwrap();
    let best = scan
        .iter()
        .max_by(|a, b| {
            let z = |p: &Value| p["local_significance"].as_f64().unwrap_or(f64::MIN);
            z(a).total_cmp(&z(b))
        })
        .unwrap();
    let mass = best["mass"].as_f64().unwrap();
    let sigma = 0.002 + 0.004 * 2.5;
    assert!((mass - 2.5).abs() < sigma, "largest excess at {mass}");
    assert!(best["local_significance"].as_f64().unwrap() > 3.0, "{best}");
    let (n, error) = (
        best["fitted_poi"].as_f64().unwrap(),
        best["fitted_poi_error"].as_f64().unwrap(),
    );
    assert!(
        (n - 50.0).abs() < 2.0 * error,
        "fitted {n} ± {error} produced events, injected 50"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// `inject` adds generated events of the signal sample to file data: drawn from the
/// events generated at the point (as many selected as the efficiency says), reproducibly
/// from the seed; the unblinded fit at that mass recovers the injected yield. Lint refuses
/// injections that cannot be drawn.
#[test]
fn signal_injected_into_file_data_is_found_by_the_fit() {
    let dir = temp("inject");
    let inject = |text: &str| {
        dark_photon_spec("[4.4, 4.6]")
            .replace("unblind: false", "unblind: true")
            .replace(
                "data: { files: [",
                &format!("data: {{ inject: {text}, files: ["),
            )
    };
    // tests/reference/gen/injection_significance.py: 80 events at 4.5 GeV are expected
    // at 5.05σ (Asimov, against the data before the injection, with numpy and iminuit).
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/injection_significance.json").unwrap(),
    )
    .unwrap();
    let spec = inject("{ from: signal, mass: 4.5, events: 80, seed: 7 }");
    let r = run_unblinded(&dir, "injected", &spec);
    let selected = r["injected"]["selected"][0].as_u64().unwrap() as f64;
    let efficiency = r["efficiency"][0]["points"][4]["efficiency"]
        .as_f64()
        .unwrap();
    // Hypergeometric: within 4 standard deviations of 80 × ε.
    let spread = (80.0 * efficiency * (1.0 - efficiency)).sqrt();
    assert!(
        (selected - 80.0 * efficiency).abs() < 4.0 * spread,
        "{selected}"
    );
    let expected = r["injected"]["expected_significance"].as_f64().unwrap();
    let peer = reference["expected_significance"].as_f64().unwrap();
    assert!(
        (expected - peer).abs() < 1e-3 * peer,
        "expected significance {expected} vs {peer}"
    );
    let at = r["scan"]
        .as_array()
        .unwrap()
        .iter()
        .min_by(|a, b| {
            let d = |p: &Value| (p["mass"].as_f64().unwrap() - 4.5).abs();
            d(a).total_cmp(&d(b))
        })
        .unwrap()
        .clone();
    // One pseudo-experiment: its local Z within 1σ of the median, and the fitted yield's
    // interval covering the injected events.
    let z = at["local_significance"].as_f64().unwrap();
    assert!(
        (z - expected).abs() < 1.0,
        "local Z {z}, expected {expected}"
    );
    let (n, error) = (
        at["fitted_poi"].as_f64().unwrap(),
        at["fitted_poi_error"].as_f64().unwrap(),
    );
    assert!(
        (n - 80.0).abs() < error,
        "fitted {n} ± {error}, injected 80"
    );
    // The same seed draws the same events; another seed others.
    assert_eq!(run_unblinded(&dir, "again", &spec)["scan"], r["scan"]);
    let other = run_unblinded(
        &dir,
        "other",
        &inject("{ from: signal, mass: 4.5, events: 80, seed: 8 }"),
    );
    assert_ne!(other["injected"]["selected"], r["injected"]["selected"]);
    for (text, message) in [
        (
            "{ from: data, mass: 4.5, events: 300, seed: 7 }",
            "the efficiency is measured on",
        ),
        (
            "{ from: signal, mass: 4.4, events: 300, seed: 7 }",
            "is not among",
        ),
        (
            "{ from: signal, mass: 4.5, events: 5000, seed: 7 }",
            "cannot be drawn",
        ),
    ] {
        let path = dir.join("bad.yaml");
        std::fs::write(&path, inject(text)).unwrap();
        let o = run(&["lint", path.to_str().unwrap()], &dir);
        assert_eq!(o.status.code(), Some(1), "{text}");
        assert!(
            common::text(&o).contains(message),
            "{text}: {}",
            common::text(&o)
        );
    }
    std::fs::remove_dir_all(dir).unwrap();
}

/// A scan fit's background as named components: `background:` is the one component
/// `background` with a free yield, and a simulated sample serves as a template at its
/// true normalisation (scale × weighted candidates in each window) within a constraint.
#[test]
fn a_scan_fit_takes_simulated_backgrounds_at_their_normalisation() {
    let dir = temp("components");
    let base = dark_photon_spec("[2.3, 2.7]");
    let line = "  background: { pdf: chebychev, order: 1, c1: { init: 0, range: [-1, 1] } }\n";
    assert!(base.contains(line));
    let with = |components: &str| base.replace(line, &format!("  components:\n{components}"));
    let shorthand = run_spec(&dir, "shorthand", &base);
    let named = run_spec(
        &dir,
        "named",
        &with("    background: { pdf: chebychev, order: 1, c1: { init: 0, range: [-1, 1] } }\n"),
    );
    assert_eq!(shorthand["scan"], named["scan"]);
    let simulated = with(
        "    mumu: { pdf: histogram, from: mumu, bins: 20, yield: { from: mumu, relative: 0.05 } }\n",
    );
    let r = run_spec(&dir, "simulated", &simulated);
    let points = r["scan"].as_array().unwrap();
    assert!(!points.is_empty());
    for p in points {
        assert_eq!(p["status"], "ok", "{p}");
        let median = p["expected"][2].as_f64().unwrap();
        assert!(median > 0.0 && median.is_finite(), "{p}");
    }
    assert_ne!(r["scan"], shorthand["scan"]);
    // Unblinded at the 50 signal events produced at 2.5 GeV: the normalisation stays
    // near its prediction and the fitted signal covers the produced one.
    let fit_at_2p5 = |text: &str| -> Value {
        let spec = dir.join("simulated_unblinded.yaml");
        std::fs::write(&spec, text.replace("unblind: false", "unblind: true")).unwrap();
        let o = run(
            &[
                "fit",
                spec.to_str().unwrap(),
                "--mass",
                "2.5",
                "--unblind",
                "--json",
            ],
            &dir,
        );
        assert!(o.status.success(), "{}", common::text(&o));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let fit = fit_at_2p5(&simulated);
    assert_eq!(fit["status"], "converged");
    let norm = &fit["parameters"]["mumu.norm"];
    assert!(
        (norm["value"].as_f64().unwrap() - 1.0).abs() < 0.15,
        "{norm}"
    );
    let (n, error) = (
        fit["parameters"]["n_sig"]["value"].as_f64().unwrap(),
        fit["parameters"]["n_sig"]["error"].as_f64().unwrap(),
    );
    assert!((n - 50.0).abs() < 3.0 * error, "fitted {n} ± {error}");
    // The same uncertainty as a nuisance of the spec acting on the component's yield
    // (`on: mumu`) is the same likelihood.
    let on = simulated
        .replace("yield: { from: mumu, relative: 0.05 }", "yield: { from: mumu }")
        .replace(
            "  poi: { name: n_sig",
            "  nuisances: { mumu_xsec: { constraint: gaussian, relative: 0.05, on: mumu } }\n  poi: { name: n_sig",
        );
    let again = fit_at_2p5(&on);
    let n_again = again["parameters"]["n_sig"]["value"].as_f64().unwrap();
    assert!((n_again - n).abs() < 1e-6 * n, "{n_again} vs {n}");
    assert!(
        (again["parameters"]["mumu_xsec"]["value"].as_f64().unwrap()
            - norm["value"].as_f64().unwrap())
        .abs()
            < 1e-6
    );
}

/// `generated.events: { tree: NAME }`: the events generated at each `files` entry's mass
/// are the entries of a tree of its files (here one with an entry per generated event).
#[test]
fn generated_events_are_counted_in_a_tree_of_the_signal_files() {
    let dir = temp("generated-tree");
    let stated = dark_photon_spec("[1.0, 1.1]");
    let counted = |tree: &str| {
        stated.replace(", events: 3000 }", " }").replace(
            "  signal:\n    tree: variables\n",
            &format!(
                "  signal:\n    tree: variables\n    generated: {{ events: {{ tree: {tree} }} }}\n"
            ),
        )
    };
    assert!(!counted("generated").contains("events: 3000"));
    let a = run_spec(&dir, "stated", &stated);
    let b = run_spec(&dir, "counted", &counted("generated"));
    assert_eq!(a["efficiency"], b["efficiency"]);
    assert_eq!(a["scan"], b["scan"]);
    for (tree, message) in [
        ("nosuch", "nosuch"),
        ("variables", "holds only the events reconstructed"),
    ] {
        let path = dir.join("bad.yaml");
        std::fs::write(&path, counted(tree)).unwrap();
        let o = run(&["lint", path.to_str().unwrap()], &dir);
        assert_eq!(o.status.code(), Some(1), "{tree}");
        let text = common::text(&o);
        assert!(
            text.contains("SL035") && text.contains(message),
            "{tree}: {text}"
        );
    }
}

/// `systematics`: a weight variation of the signal sample and the efficiency's
/// MC-statistical uncertainty, measured with the selection and turned into nuisances of
/// the scan (tests/reference/gen/dark_photon_files.py computes the varied efficiencies
/// with numpy and one counting window's limits with them with pyhf).
#[test]
fn systematics_of_the_signal_efficiency_act_as_nuisances() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/dark_photon_files.json").unwrap(),
    )
    .unwrap();
    let dir = temp("systematics");
    let with = |spec: &str, systematics: &str| format!("{spec}\nsystematics:\n{systematics}");
    let muon_id = "  muon_id:\n    weight: { up: \"__weight__ * (1 + 0.2 * (1 - muid_min))\", down: \"__weight__ * (1 - 0.2 * (1 - muid_min))\" }\n";
    let mc_stat = "  signal_mc_stat: { efficiency: mc_stat }\n";
    let spec = dark_photon_spec("[2.0, 2.05]");
    let r = run_spec(&dir, "both", &with(&spec, &format!("{muon_id}{mc_stat}")));
    for (point, e) in r["efficiency"][0]["points"]
        .as_array()
        .unwrap()
        .iter()
        .zip(reference["efficiency"].as_array().unwrap())
    {
        let varied = &point["variations"][0];
        assert_eq!(varied["name"], "muon_id");
        for (k, side) in ["up", "down"].iter().enumerate() {
            let (a, b) = (
                varied[side].as_f64().unwrap(),
                e["muon_id"][k].as_f64().unwrap(),
            );
            assert!(
                (a - b).abs() <= 1e-12 * b,
                "{side} at {}: {a} vs numpy {b}",
                e["mass"]
            );
        }
    }
    let table = std::fs::read_to_string(dir.join("both/systematics.md")).unwrap();
    assert!(
        table.contains("| mass | muon_id | signal_mc_stat |")
            && table.contains("| 2 | +1.16% / -1.16% | ±2.50% |"),
        "{table}"
    );
    let plain = run_spec(&dir, "plain", &spec);
    let median = |r: &Value| -> Vec<f64> {
        r["scan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["expected"][2].as_f64().unwrap())
            .collect()
    };
    for (a, b) in median(&r).iter().zip(median(&plain)) {
        assert!(*a > b && *a < 1.01 * b, "{a} with systematics, {b} without");
    }
    // A variation that varies nothing changes no limit; one by a constant factor κ up
    // and 1/κ down is the log-normal nuisance of that κ (code 4 differs from κ^α only
    // inside ±1σ).
    let none = run_spec(
        &dir,
        "none",
        &with(
            &spec,
            "  nothing: { weight: { up: __weight__, down: __weight__ } }\n",
        ),
    );
    for (a, b) in median(&none).iter().zip(median(&plain)) {
        assert!((a - b).abs() <= 1e-6 * b, "{a} vs {b}");
    }
    let factor = run_spec(
        &dir,
        "factor",
        &with(
            &spec,
            "  scale: { weight: { up: __weight__ * 1.3, down: __weight__ / 1.3 } }\n",
        ),
    );
    let lognormal = run_spec(
        &dir,
        "lognormal",
        &spec.replace(
            "  poi: { name: n_sig",
            "  nuisances: { scale: { constraint: lognormal, relative: 0.3 } }\n  poi: { name: n_sig",
        ),
    );
    for (a, b) in median(&factor).iter().zip(median(&lognormal)) {
        assert!((a - b).abs() <= 2e-3 * b, "code 4 {a} vs log-normal {b}");
    }
    // One counting window at 1.0 GeV, against pyhf with the systematics as a Gaussian
    // width on the signal.
    let window = &reference["window"];
    let narrow = dark_photon_spec("[1.0, 1.005]");
    let (head, rest) = narrow.split_once("fit:").unwrap();
    let (_, tail) = rest.split_once("scan:").unwrap();
    let counting = format!(
        "{head}counting:\n  observable: {{ var: M, range: [0.3, 7.0] }}\n  resolution: 0.002 + 0.004 * m_A\n  window: 2 sigma\n  sidebands: [[-6, -3], [3, 6]]\n  efficiency: from(signal)\n  poi: {{ name: xsec, range: [0, 50] }}\n\nscan:{tail}"
    )
    .replace("n_sig / 10", "xsec");
    let r = run_spec(
        &dir,
        "counting",
        &with(&counting, &format!("{muon_id}{mc_stat}")),
    );
    let ours = r["scan"][0]["expected"].as_array().unwrap();
    for (a, b) in ours
        .iter()
        .zip(window["expected_with_systematics"].as_array().unwrap())
    {
        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
        assert!((a - b).abs() <= 1e-4 * b, "expected {a} vs pyhf {b}");
    }
    // What lint refuses.
    for (systematics, message) in [
        (
            "  x: { weight: { up: nosuch, down: __weight__ } }\n",
            "unknown name `nosuch`",
        ),
        (
            "  x: { efficiency: mc_stat, channels: [K+] }\n",
            "not a channel",
        ),
        (
            "  x: { efficiency: mc_stat, weight: { up: __weight__, down: __weight__ } }\n",
            "exactly one of",
        ),
    ] {
        let path = dir.join("bad.yaml");
        std::fs::write(&path, with(&spec, systematics)).unwrap();
        let o = run(&["lint", path.to_str().unwrap()], &dir);
        assert_eq!(o.status.code(), Some(1), "{systematics}");
        assert!(common::text(&o).contains(message), "{}", common::text(&o));
    }
    let given = with(
        &spec.replace("efficiency: from(signal)", "efficiency: 0.3"),
        muon_id,
    );
    std::fs::write(dir.join("given.yaml"), given).unwrap();
    let o = run(&["lint", dir.join("given.yaml").to_str().unwrap()], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(common::text(&o).contains("SL035"), "{}", common::text(&o));
}

/// `fit --impacts`: a nuisance on the signal yield fixed at θ̂ ± σ₀ moves the fitted yield
/// by exactly the factor it puts on it, μ̂ (1/(1 ± r) − 1) for a Gaussian θ of width r and
/// μ̂ (κ^∓1 − 1) for a weight variation by κ; blinded, the impacts are those of Asimov
/// data with a signal at the median expected limit.
#[test]
fn impacts_of_signal_yield_nuisances_are_the_refits_shifts() {
    let dir = temp("impacts");
    let spec = dark_photon_spec("[2.4, 2.6]").replace(
        "  poi: { name: n_sig",
        "  nuisances: { tracking: { constraint: gaussian, relative: 0.1 } }\n  poi: { name: n_sig",
    ) + "\nsystematics:\n  scale: { weight: { up: __weight__ * 1.3, down: __weight__ / 1.3 } }\n  nothing: { weight: { up: __weight__, down: __weight__ } }\n";
    let impacts = |spec: &str, extra: &[&str]| -> Value {
        let path = dir.join("impacts.yaml");
        std::fs::write(&path, spec).unwrap();
        let mut args = vec![
            "fit",
            path.to_str().unwrap(),
            "--mass",
            "2.5",
            "--impacts",
            "--json",
        ];
        args.extend(extra);
        let o = run(&args, &dir);
        assert!(o.status.success(), "{}", common::text(&o));
        let report: Value = serde_json::from_slice(&o.stdout).unwrap();
        // With --gof, the sidebands' (blinded) or the window's goodness of fit.
        if extra.contains(&"--gof") {
            let gof = &report["goodness_of_fit"];
            assert_eq!(
                gof["toys"].as_u64().unwrap() + gof["failed"].as_u64().unwrap(),
                30
            );
            assert!(
                (0.0..=1.0).contains(&gof["p_value"].as_f64().unwrap()),
                "{gof}"
            );
            assert!(gof["statistic"].as_f64().unwrap() > 0.0);
        }
        report["impacts"].clone()
    };
    let unblinded = impacts(
        &spec.replace("unblind: false", "unblind: true"),
        &["--unblind"],
    );
    assert!(unblinded.get("asimov").is_none());
    let mu = unblinded["value"].as_f64().unwrap();
    assert!(mu > 0.0);
    let of = |r: &Value, name: &str| -> Value {
        r["impacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .unwrap()
            .clone()
    };
    let tracking = of(&unblinded, "tracking");
    for (k, factor) in [1.1, 0.9].iter().enumerate() {
        let (got, want) = (
            tracking["prefit"][k].as_f64().unwrap(),
            mu * (1.0 / factor - 1.0),
        );
        assert!(
            (got - want).abs() <= 1e-3 * want.abs(),
            "tracking {k}: {got} vs {want}"
        );
    }
    let scale = of(&unblinded, "scale");
    for (k, factor) in [1.3f64, 1.0 / 1.3].iter().enumerate() {
        let (got, want) = (
            scale["prefit"][k].as_f64().unwrap(),
            mu * (1.0 / factor - 1.0),
        );
        assert!(
            (got - want).abs() <= 1e-3 * want.abs(),
            "scale {k}: {got} vs {want}"
        );
    }
    let nothing = of(&unblinded, "nothing");
    assert!(nothing["postfit"][0].as_f64().unwrap().abs() < 1e-6 * mu);
    // Ranked by the larger post-fit shift: the 30% variation first.
    assert_eq!(unblinded["impacts"][0]["name"], "scale");
    let plots = dir.join("plots");
    let blinded = impacts(&spec, &["-o", plots.to_str().unwrap(), "--gof", "30"]);
    let at = blinded["asimov"].as_f64().unwrap();
    assert!((blinded["value"].as_f64().unwrap() - at).abs() < 1e-3 * at);
    assert!(plots.join("impacts_n_sig.svg").exists());
}

/// Nuisances on the signal's shape (`on: signal.sigma`, `on: signal.mean`), with
/// symmetric and with asymmetric widths: the scan's fit at one hypothesis agrees with
/// iminuit on the same likelihood (tests/reference/gen/shape_nuisances_iminuit.py), and
/// lint refuses nuisances on what
/// the model does not have or cannot constrain (SL037).
#[test]
fn nuisances_on_the_signal_shape_agree_with_iminuit() {
    let dir = temp("shape-nuisances");
    let spec = dark_photon_spec("[2.4, 2.6]").replace("unblind: false", "unblind: true");
    let with = |nuisances: &str| {
        spec.replace(
            "  poi: { name: n_sig",
            &format!("  nuisances:\n{nuisances}  poi: {{ name: n_sig"),
        )
    };
    let path = dir.join("shape.yaml");
    // The fit at 2.5 GeV with these nuisances against the reference `file`, whose
    // parameters `theirs` are ours `resolution` and `energy_scale`.
    let agrees = |nuisances: &str, file: &str, theirs: [&str; 2]| {
        std::fs::write(&path, with(nuisances)).unwrap();
        let args = [
            "fit",
            path.to_str().unwrap(),
            "--mass",
            "2.5",
            "--unblind",
            "--json",
        ];
        let o = run(&args, &dir);
        assert!(o.status.success(), "{}", common::text(&o));
        let fit: Value = serde_json::from_slice(&o.stdout).unwrap();
        let reference: Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        common::assert_parameters(
            &fit,
            &reference,
            &[
                ("n_sig", "n_sig"),
                (theirs[0], "resolution"),
                (theirs[1], "energy_scale"),
                ("c1", "background.c1[all]"),
                ("nb", "background.yield[all]"),
            ],
        );
    };
    agrees(
        "    resolution: { constraint: gaussian, relative: 0.1, on: signal.sigma }\n    energy_scale: { constraint: gaussian, relative: 0.002, on: signal.mean }\n",
        "tests/reference/fits/shape_nuisances_iminuit.json",
        ["theta_res", "theta_scale"],
    );
    // Asymmetric widths on the shape: code-4 factors in α ~ N(0, 1), as pyhf's normsys.
    agrees(
        "    resolution: { constraint: gaussian, relative: { up: 0.15, down: 0.05 }, on: signal.sigma }\n    energy_scale: { constraint: gaussian, relative: { up: 0.003, down: 0.001 }, on: signal.mean }\n",
        "tests/reference/fits/shape_nuisances_asymmetric_iminuit.json",
        ["alpha_res", "alpha_scale"],
    );
    for (nuisance, message) in [
        ("on: signal.width", "no shape parameter `width`"),
        ("on: continuum", "no component `continuum`"),
        ("on: background", "floats"),
        ("on: background.c1", "floats"),
        ("channels: [K+]", "not a channel"),
    ] {
        std::fs::write(
            &path,
            with(&format!(
                "    x: {{ constraint: gaussian, relative: 0.1, {nuisance} }}\n"
            )),
        )
        .unwrap();
        let o = run(&["lint", path.to_str().unwrap()], &dir);
        assert_eq!(o.status.code(), Some(1), "{nuisance}");
        let text = common::text(&o);
        assert!(
            text.contains("SL037") && text.contains(message),
            "{nuisance}: {text}"
        );
    }
}

/// `corrections`: a correctionlib muon-ID correction on the signal files, as the signal
/// weight and, through `muon_id_sf(up)` and `(down)`, as a weight variation; the
/// efficiencies against correctionlib and numpy on the same files (tests/reference/gen/
/// corrected_efficiency.py). A candidate outside a binning with `flow: error` refuses
/// the run, leaving no results.
#[test]
fn corrections_weight_the_signal_files_as_correctionlib_does() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/corrected_efficiency.json").unwrap(),
    )
    .unwrap();
    let dir = temp("corrections");
    let file = std::fs::canonicalize("tests/reference/corrections/muon_id_sf.json").unwrap();
    let spec = format!(
        "{}\ncorrections:\n  muon_id_sf:\n    file: {}\n    inputs: [muid_min, M]\n    keys: {{ syst: nominal }}\n\nsystematics:\n  muon_id: {{ weight: {{ up: __weight__ * muon_id_sf(up), down: __weight__ * muon_id_sf(down) }} }}\n",
        dark_photon_spec("[2.0, 2.05]").replace(
            "  signal:\n    tree: variables\n",
            "  signal:\n    tree: variables\n    weight: __weight__ * muon_id_sf\n",
        ),
        file.display()
    );
    let r = run_spec(&dir, "corrected", &spec);
    let points = r["efficiency"][0]["points"].as_array().unwrap();
    let expected = reference["efficiency"].as_array().unwrap();
    assert_eq!(points.len(), expected.len());
    for (p, e) in points.iter().zip(expected) {
        assert_eq!(p["mass"], e["mass"]);
        let close = |a: &Value, b: &Value, what: &str| {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-12 * b,
                "{what} at {}: {a} vs correctionlib {b}",
                e["mass"]
            );
        };
        close(&p["efficiency"], &e["nominal"], "nominal");
        close(&p["variations"][0]["up"], &e["up"], "up");
        close(&p["variations"][0]["down"], &e["down"], "down");
    }
    // The same correction with `flow: error` and its mass axis cut short: the weight is
    // evaluated on every candidate (the cutflow's weighted rows start before the cuts).
    let strict = dir.join("strict.json");
    std::fs::write(
        &strict,
        std::fs::read_to_string(&file)
            .unwrap()
            .replace("\"high\": 7.0", "\"high\": 3.0")
            .replace("\"clamp\"", "\"error\""),
    )
    .unwrap();
    let refused = dir.join("refused.yaml");
    std::fs::write(
        &refused,
        spec.replace(&file.display().to_string(), &strict.display().to_string()),
    )
    .unwrap();
    let out = dir.join("refused");
    let o = run(
        &[
            "run",
            refused.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        &dir,
    );
    let text = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        text.contains("SL212")
            && text.contains("lies outside its bins")
            && text.contains("`muon_id_sf`"),
        "{text}"
    );
    assert!(!out.join("results.json").exists());
}

/// A column variation: both muons' muonID shifted by ±0.005 before the selection, the
/// selection rerun on the signal files; its efficiencies against numpy on the same files
/// (tests/reference/gen/corrected_efficiency.py), its cutflow in results.json, and a
/// variation of something that is not a column refused by lint.
#[test]
fn column_variations_rerun_the_selection_as_numpy_does() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/run/corrected_efficiency.json").unwrap(),
    )
    .unwrap();
    let dir = temp("column-variation");
    let shift = |sign: &str| {
        format!(
            "      daughter(0, muonID): daughter(0, muonID) {sign} 0.005\n      daughter(1, muonID): daughter(1, muonID) {sign} 0.005\n"
        )
    };
    let spec = format!(
        "{}\nsystematics:\n  muid_shift:\n    columns:\n      up:\n{}      down:\n{}",
        dark_photon_spec("[2.0, 2.05]"),
        shift("+").replace("      d", "        d"),
        shift("-").replace("      d", "        d"),
    );
    let r = run_spec(&dir, "shifted", &spec);
    let points = r["efficiency"][0]["points"].as_array().unwrap();
    for (p, e) in points
        .iter()
        .zip(reference["efficiency"].as_array().unwrap())
    {
        let varied = &p["variations"][0];
        assert_eq!(varied["name"], "muid_shift");
        for (side, key) in [("up", "muid_shift_up"), ("down", "muid_shift_down")] {
            let (a, b) = (varied[side].as_f64().unwrap(), e[key].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-12 * b,
                "{side} at {}: {a} vs numpy {b}",
                e["mass"]
            );
        }
    }
    assert!(
        r["cutflows"]["signal (muid_shift up)"].is_object(),
        "{}",
        r["cutflows"]
    );
    let table = std::fs::read_to_string(dir.join("shifted/systematics.md")).unwrap();
    assert!(table.contains("| mass | muid_shift |"), "{table}");
    // An alias is not a column: its columns are what a variation replaces.
    let (passed, text) = lint_spec(
        &dir,
        "alias",
        &spec.replace(
            "systematics:\n  muid_shift:\n    columns:\n      up:\n",
            "systematics:\n  muid_shift:\n    columns:\n      up:\n        muid_min: muid_min + 0.01\n",
        ),
    );
    assert!(
        !passed && text.contains("SL035") && text.contains("is not a column"),
        "{text}"
    );
    // A column nothing reads: the variation would change nothing.
    let (passed, text) = lint_spec(
        &dir,
        "unread",
        &spec.replace(
            "systematics:\n  muid_shift:\n    columns:\n      up:\n",
            "systematics:\n  muid_shift:\n    columns:\n      up:\n        isSignal: isSignal + 1\n",
        ),
    );
    assert!(
        !passed && text.contains("which no expression of the analysis reads"),
        "{text}"
    );
}

/// A nuisance whose width is an expression of the scan parameter takes at each
/// hypothesis the width a constant one would have there: at m_A = 2 GeV, `0.05 * m_A` is
/// the constant 0.1 to the bit, and above it widens the limits; lint checks the width at
/// both ends of the scan.
#[test]
fn nuisance_widths_may_depend_on_the_hypothesis() {
    let dir = temp("mass-dependent-nuisance");
    let spec = dark_photon_spec("[2.0, 2.05]");
    let with = |relative: &str| {
        spec.replace(
            "  poi: { name: n_sig",
            &format!(
                "  nuisances: {{ acceptance: {{ constraint: gaussian, relative: \"{relative}\" }} }}\n  poi: {{ name: n_sig"
            ),
        )
    };
    let expected = |r: &Value| -> Vec<f64> {
        r["scan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["expected"][2].as_f64().unwrap())
            .collect()
    };
    let varying = expected(&run_spec(&dir, "varying", &with("0.05 * m_A")));
    let constant = expected(&run_spec(&dir, "constant", &with("0.1")));
    assert_eq!(
        varying[0].to_bits(),
        constant[0].to_bits(),
        "{varying:?} {constant:?}"
    );
    assert!(
        varying[1..].iter().zip(&constant[1..]).all(|(v, c)| v > c),
        "{varying:?} {constant:?}"
    );
    let (passed, text) = lint_spec(&dir, "wide", &with("0.25 * m_A"));
    assert!(
        !passed && text.contains("SL033") && text.contains("at an end of the scan"),
        "{text}"
    );
}

/// An asymmetric nuisance on the signal yield, `relative: { up, down }`, is HistFactory's
/// normsys: the same model as a weight variation by the same factors (κ up, κ down), which
/// reaches it by another path (efficiency ratios measured on the signal files).
#[test]
fn asymmetric_nuisances_are_the_normsys_of_their_factors() {
    let dir = temp("asymmetric-nuisance");
    let spec = dark_photon_spec("[2.0, 2.05]");
    let expected = |r: &Value| -> Vec<f64> {
        r["scan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["expected"][2].as_f64().unwrap())
            .collect()
    };
    let variation = expected(&run_spec(
        &dir,
        "variation",
        &format!(
            "{spec}\nsystematics:\n  scale: {{ weight: {{ up: __weight__ * 1.3, down: __weight__ * 0.8 }} }}\n"
        ),
    ));
    let asymmetric = expected(&run_spec(
        &dir,
        "asymmetric",
        &spec.replace(
            "  poi: { name: n_sig",
            "  nuisances: { scale: { relative: { up: 0.3, down: 0.2 } } }\n  poi: { name: n_sig",
        ),
    ));
    let plain = expected(&run_spec(&dir, "plain", &spec));
    for ((a, v), p) in asymmetric.iter().zip(&variation).zip(&plain) {
        assert!((a - v).abs() <= 1e-6 * v, "asymmetric {a} vs variation {v}");
        assert!(a > p, "{a} with the nuisance, {p} without");
    }
}

/// A fit scan over a signal generated at several lifetimes: one series of limits per
/// lifetime, each with the efficiency at that lifetime. The fits differ only in the
/// signal yield per unit POI, so a limit times the efficiency is the same at every
/// lifetime (the limit on signal events), to the root search's precision; blinded or not.
/// `fit --ctau` fits one lifetime.
#[test]
fn a_fit_scan_over_lifetimes_scales_its_limits_by_the_efficiency() {
    let dir = temp("fit-lifetimes");
    let spec = "searchlight: 1\nanalysis: { name: t, luminosity: 1 /fb }\ninputs:\n  data: { toy: idm_dark_higgs, events: 20000, seed: 1 }\n  signal: { toy: idm_dark_higgs_signal, events: 20000, seed: 2, masses: [0.5, 1.0], ctau: [1, 30] }\nselection:\n  - cut: nTracks == 4\nfit:\n  observable: { var: M, range: [0.2, 4.2] }\n  window: 20 sigma\n  signal: { pdf: gaussian, mean: m_hp, sigma: 0.002 + 0.004 * m_hp }\n  background: { pdf: exponential, slope: { init: -1, range: [-5, 5] } }\n  efficiency: from(signal)\n  poi: { name: xsec, kind: cross_section, range: [0, 1e4] }\nscan: { parameter: m_hp, range: [0.5, 0.55], step: sigma }\nlimits: { cl: 0.95, method: cls-asymptotic }\nblinding: { unblind: false }\n";
    for (name, text) in [
        ("blinded", spec.to_string()),
        ("unblinded", spec.replace("unblind: false", "unblind: true")),
    ] {
        let path = dir.join(format!("{name}.yaml"));
        std::fs::write(&path, &text).unwrap();
        let out = dir.join(name);
        let mut args = vec!["run", path.to_str().unwrap(), "-o", out.to_str().unwrap()];
        if name == "unblinded" {
            args.push("--unblind");
        }
        let o = run(&args, &dir);
        assert!(o.status.success(), "{}", common::text(&o));
        let r = results(&out);
        let efficiency = |ctau: f64| -> f64 {
            let points = r["efficiency"][0]["points"].as_array().unwrap();
            let p = points
                .iter()
                .find(|p| p["mass"] == 0.5 && p["ctau"] == ctau)
                .unwrap();
            p["efficiency"].as_f64().unwrap()
        };
        let (short, long) = (efficiency(1.0), efficiency(30.0));
        assert!(
            short > 1.5 * long,
            "{short} vs {long}: displaced decays are lost"
        );
        let scan = r["scan"].as_array().unwrap();
        let at = |ctau: f64| -> &Value {
            scan.iter()
                .find(|p| p["mass"] == 0.5 && p["ctau"] == ctau)
                .unwrap_or_else(|| panic!("no point at 0.5, ctau {ctau}"))
        };
        assert_eq!(
            scan.iter().filter(|p| p["ctau"] == 1.0).count(),
            scan.iter().filter(|p| p["ctau"] == 30.0).count()
        );
        for k in 0..5 {
            let (a, b) = (
                at(1.0)["expected"][k].as_f64().unwrap() * short,
                at(30.0)["expected"][k].as_f64().unwrap() * long,
            );
            assert!((a - b).abs() <= 1e-4 * a, "{name} band {k}: {a} vs {b}");
        }
        if name == "unblinded" {
            let (a, b) = (
                at(1.0)["observed"].as_f64().unwrap() * short,
                at(30.0)["observed"].as_f64().unwrap() * long,
            );
            assert!((a - b).abs() <= 1e-4 * a, "observed: {a} vs {b}");
            let z = |ctau: f64| at(ctau)["local_significance"].as_f64().unwrap();
            assert!((z(1.0) - z(30.0)).abs() < 1e-3);
            // `fit --ctau` fits at one lifetime: the fitted POI scales as 1/ε too.
            let fitted = |ctau: &str| -> f64 {
                let args = [
                    "fit",
                    path.to_str().unwrap(),
                    "--mass",
                    "0.5",
                    "--ctau",
                    ctau,
                ];
                let o = run(&[&args[..], &["--unblind", "--json"]].concat(), &dir);
                assert!(o.status.success(), "{}", common::text(&o));
                let v: Value = serde_json::from_slice(&o.stdout).unwrap();
                v["parameters"]["xsec"]["value"].as_f64().unwrap()
            };
            let (a, b) = (fitted("1") * short, fitted("30") * long);
            assert!(
                (a - b).abs() <= 1e-3 * a.abs().max(1.0),
                "fitted: {a} vs {b}"
            );
            let args = ["fit", path.to_str().unwrap(), "--ctau", "7", "--unblind"];
            let o = run(&args, &dir);
            assert_eq!(o.status.code(), Some(2), "{}", common::text(&o));
            assert!(
                common::text(&o).contains("lifetimes: 1, 30"),
                "{}",
                common::text(&o)
            );
        }
    }
}

/// A POI stated as a cross section (`kind: cross_section`) is normalised by the
/// luminosity in fits too: the dark-photon search's limits on σ × B are its limits on the
/// produced signal events over 10 fb⁻¹, and `kind: yield` is the spec as it stands.
#[test]
fn a_cross_section_poi_is_the_yield_over_the_luminosity() {
    let dir = temp("poi-kind-fit");
    let spec = dark_photon_spec("[2.0, 2.05]");
    let poi = "  poi: { name: n_sig, range: [0, 500] }";
    assert!(spec.contains(poi));
    let expected = |r: &Value| -> Vec<f64> {
        r["scan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["expected"][2].as_f64().unwrap())
            .collect()
    };
    let events = expected(&run_spec(&dir, "events", &spec));
    let as_yield = expected(&run_spec(
        &dir,
        "yield",
        &spec.replace(poi, "  poi: { name: n_sig, kind: yield, range: [0, 500] }"),
    ));
    let xsec = expected(&run_spec(
        &dir,
        "xsec",
        &spec.replace(
            poi,
            "  poi: { name: n_sig, kind: cross_section, range: [0, 50] }",
        ),
    ));
    assert_eq!(events, as_yield);
    assert!(!events.is_empty());
    for (n, x) in events.iter().zip(&xsec) {
        assert!(
            (x * 10.0 - n).abs() <= 1e-6 * n,
            "σ×B {x} fb vs {n} events / 10 fb⁻¹"
        );
    }
    // Stated without what normalises it, it is refused.
    let (passed, text) = lint_spec(
        &dir,
        "no_luminosity",
        &spec.replace("  luminosity: 10 /fb\n", "").replace(
            poi,
            "  poi: { name: n_sig, kind: cross_section, range: [0, 50] }",
        ),
    );
    assert!(!passed && text.contains("SL039"), "{text}");
}

/// Channels may carry their own luminosity (data-taking periods, experiments): a counting
/// window's signal per unit POI in a channel is that channel's luminosity × ε, the
/// others keeping `analysis.luminosity`.
#[test]
fn a_channel_takes_its_own_luminosity() {
    let dir = temp("poi-kind-channel");
    let spec = common::small_counting_spec("cls-exact").replace(
        "blinding: { unblind: true }",
        "blinding: { unblind: false }",
    );
    let line = "  mumu: { cut: decayMode == 0, external_efficiency: 0.15 }";
    assert!(spec.contains(line) && spec.contains("luminosity: 365 /fb"));
    let shared = run_spec(&dir, "shared", &spec);
    let own = run_spec(
        &dir,
        "own",
        &spec.replace(
            line,
            "  mumu: { cut: decayMode == 0, external_efficiency: 0.15, luminosity: 0.5 /ab }",
        ),
    );
    let (a, b) = (
        signal_per_poi(&shared, "mumu"),
        signal_per_poi(&own, "mumu"),
    );
    assert!(!a.is_empty() && a.len() == b.len());
    for (x, y) in a.iter().zip(&b) {
        assert!((y / x - 500.0 / 365.0).abs() <= 1e-12, "{y} vs {x}");
    }
    assert_eq!(
        signal_per_poi(&shared, "pipi"),
        signal_per_poi(&own, "pipi")
    );
}

/// A signal-strength POI (`kind: signal_strength`) scales the model's prediction
/// `nominal`, here an expression of the hypothesis: a counting window's signal per unit
/// POI is `nominal(m)` × ε where a cross section's is the luminosity × ε.
#[test]
fn a_signal_strength_scales_its_nominal_prediction() {
    let dir = temp("poi-signal-strength");
    let spec = common::small_counting_spec("cls-exact").replace(
        "blinding: { unblind: true }",
        "blinding: { unblind: false }",
    );
    let poi = "  poi: { name: xsec_br, range: [0, 20], per_channel: true }";
    assert!(spec.contains(poi));
    let per_poi = |r: &Value| -> Vec<(f64, f64)> {
        r["scan"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["channel"] == "mumu" && p["efficiency"].is_f64())
            .map(|p| {
                (
                    p["mass"].as_f64().unwrap(),
                    p["efficiency"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let xsec = per_poi(&run_spec(&dir, "xsec", &spec));
    let strength = per_poi(&run_spec(
        &dir,
        "strength",
        &spec.replace(
            poi,
            "  poi: { name: mu, kind: signal_strength, nominal: 40 + 10 * m_hp, range: [0, 20], per_channel: true }",
        ),
    ));
    assert!(!xsec.is_empty() && xsec.len() == strength.len());
    for ((m, x), (_, s)) in xsec.iter().zip(&strength) {
        let expected = (40.0 + 10.0 * m) / 365.0;
        assert!(
            (s / x / expected - 1.0).abs() <= 1e-12,
            "at {m}: {s} vs {x}"
        );
    }
    let (passed, text) = lint_spec(
        &dir,
        "no_nominal",
        &spec.replace(
            poi,
            "  poi: { name: mu, kind: signal_strength, range: [0, 20], per_channel: true }",
        ),
    );
    assert!(!passed && text.contains("needs `nominal`"), "{text}");
    // Each channel its own prediction (`channels.<name>.nominal`), as a model parameter
    // shared by channels whose predictions differ: μ scales each channel's own.
    let channels = "  mumu: { cut: decayMode == 0, external_efficiency: 0.15 }\n  pipi: { cut: decayMode == 1, external_efficiency: 0.15 }\n  KK:   { cut: decayMode == 2, external_efficiency: 0.15 }";
    assert!(spec.contains(channels));
    let own = spec
        .replace(
            channels,
            "  mumu: { cut: decayMode == 0, external_efficiency: 0.15, nominal: 40 + 10 * m_hp }\n  pipi: { cut: decayMode == 1, external_efficiency: 0.15, nominal: 7 }\n  KK:   { cut: decayMode == 2, external_efficiency: 0.15, nominal: 7 }",
        )
        .replace(
            poi,
            "  poi: { name: mu, kind: signal_strength, nominal: 1, range: [0, 20], per_channel: true }",
        );
    let r = run_spec(&dir, "own", &own.replace(" nominal: 1,", ""));
    let reference = run_spec(&dir, "xsec_again", &spec);
    for (channel, nominal) in [("mumu", None), ("pipi", Some(7.0))] {
        let (ours, theirs) = (
            signal_per_poi(&r, channel),
            signal_per_poi(&reference, channel),
        );
        assert!(!ours.is_empty() && ours.len() == theirs.len(), "{channel}");
        for ((o, t), (m, _)) in ours.iter().zip(&theirs).zip(&xsec) {
            let want = nominal.unwrap_or(40.0 + 10.0 * m) / 365.0;
            assert!(
                (o / t / want - 1.0).abs() <= 1e-12,
                "{channel} at {m}: {o} vs {t}"
            );
        }
    }
    // Every signal channel needs one when the POI has none; a cross section uses none.
    let (passed, text) = lint_spec(
        &dir,
        "one_missing",
        &own.replace(" nominal: 1,", "")
            .replace(", nominal: 7 }\n  KK", " }\n  KK"),
    );
    assert!(!passed && text.contains("(channels pipi)"), "{text}");
    let (passed, text) = lint_spec(
        &dir,
        "unused",
        &own.replace("kind: signal_strength, nominal: 1, ", ""),
    );
    assert!(
        !passed && text.contains("`nominal` of channel `mumu` is for a signal strength"),
        "{text}"
    );
}

/// Reinterpretation per channel with tabulated inputs: `tables` are interpolated at each
/// hypothesis (the point's channel's rows), a channel's own formula replaces `formula`,
/// and a channel without table rows gets no reinterpreted limit.
#[test]
fn reinterpretations_take_tables_and_formulas_per_channel() {
    let dir = temp("reinterpret-tables");
    std::fs::write(
        dir.join("rates.csv"),
        "mass,channel,value\n0.9,mumu,2.0\n1.2,mumu,5.0\n0.9,pipi,1.0\n1.2,pipi,1.0\n",
    )
    .unwrap();
    let spec = common::small_counting_spec("cls-exact")
        .replace("blinding: { unblind: true }", "blinding: { unblind: false }")
        .replace(
            "  expected: true\n",
            "  expected: true\n  reinterpret:\n    rated: { formula: \"xsec_br / rate\", tables: { rate: rates.csv }, channels: { pipi: \"2 * xsec_br / rate\" } }\n",
        );
    assert!(spec.contains("rated:"));
    let results = run_spec(&dir, "rated", &spec);
    let mut checked = 0;
    for p in results["scan"].as_array().unwrap() {
        let (Some(median), Some(m)) = (p["expected"][2].as_f64(), p["mass"].as_f64()) else {
            continue;
        };
        let rated = &p["reinterpreted"]["rated"]["expected"];
        let want = match p["channel"].as_str().unwrap() {
            "mumu" => Some(median / (2.0 + 3.0 * (m - 0.9) / 0.3)),
            "pipi" => Some(2.0 * median),
            _ => None,
        };
        match want {
            Some(w) => {
                let got = rated[2].as_f64().unwrap();
                assert!(
                    (got / w - 1.0).abs() <= 1e-12,
                    "{} at {m}: {got} vs {w}",
                    p["channel"]
                );
                checked += 1;
            }
            None => assert!(rated.is_null(), "{p}"),
        }
    }
    assert!(checked > 10, "{checked} points checked");
}

/// A model plane where every step is exact: an efficiency ∝ 1/cτ (so the limit ∝ cτ,
/// which log–log interpolation between lifetimes reproduces), cτ = 10⁻⁴ / g² and a
/// constant prediction P, so log(P / limit) is linear in log g and the lower edge of the
/// exclusion is g = √(10⁻⁴ L₁ / P), L₁ the limit at cτ = 1. The upper edge is where cτ
/// leaves the lifetime grid (0.1): no extrapolation.
#[test]
fn a_model_plane_excludes_exactly_where_the_prediction_meets_the_limit() {
    let dir = temp("model-plane");
    let mut table = String::from("mass,ctau,efficiency\n");
    for mass in [0.5, 2.0] {
        for ctau in [0.1, 1.0, 10.0, 100.0] {
            table += &format!("{mass},{ctau},{}\n", 0.05 / ctau);
        }
    }
    std::fs::write(dir.join("eff.csv"), table).unwrap();
    let prediction = 1e4;
    let r = run_spec(
        &dir,
        "plane",
        &format!(
            "searchlight: 1\nanalysis: {{ name: plane, luminosity: 1 /fb }}\ninputs:\n  data: {{ toy: idm_dark_higgs, events: 20000, seed: 1 }}\nselection:\n  - cut: nTracks == 4\ncounting:\n  observable: {{ var: M, range: [0.2, 4.2] }}\n  resolution: 0.002 + 0.004 * m_hp\n  window: 2 sigma\n  sidebands: [[-6, -3], [3, 6]]\n  efficiency: {{ table: eff.csv }}\n  poi: {{ name: xsec, range: [0, 1e6] }}\nscan: {{ parameter: m_hp, range: [1.0, 1.03], step: sigma }}\nlimits:\n  cl: 0.95\n  method: cls-exact\n  model_plane:\n    g: {{ range: [1e-4, 1e-1], points: 61, ctau: 1e-4 / g ** 2, prediction: {prediction} }}\nblinding: {{ unblind: false }}\n"
        ),
    );
    let plane = &r["model_plane"][0];
    assert_eq!(plane["coupling"], "g");
    let masses = plane["channels"][0]["masses"].as_array().unwrap();
    let scan = r["scan"].as_array().unwrap();
    assert!(masses.len() >= 3, "{plane}");
    for m in masses {
        let mass = m["mass"].as_f64().unwrap();
        let limit_at = |ctau: f64, band: usize| {
            scan.iter()
                .find(|p| p["mass"].as_f64() == Some(mass) && p["ctau"].as_f64() == Some(ctau))
                .and_then(|p| p["expected"][band].as_f64())
                .unwrap()
        };
        for band in 0..5 {
            let l1 = limit_at(1.0, band);
            // The premise: the limit is proportional to cτ.
            assert!((limit_at(10.0, band) / l1 - 10.0).abs() < 1e-9);
            let intervals = m["expected"][band].as_array().unwrap();
            assert_eq!(intervals.len(), 1, "{m}");
            let (low, high) = (
                intervals[0][0].as_f64().unwrap(),
                intervals[0][1].as_f64().unwrap(),
            );
            let exact = (1e-4 * l1 / prediction).sqrt();
            assert!((low / exact - 1.0).abs() < 1e-9, "{low} vs {exact}");
            // The last of the 61 couplings (0.05 decades apart) with cτ ≥ 0.1.
            assert!((10f64.powf(-1.55) * 0.999..=10f64.powf(-1.5) * 1.001).contains(&high));
        }
        assert!(m["observed"].is_null(), "blinded");
    }
    assert!(dir.join("plane/model_plane_g.svg").exists());
    // Exported to HEPData: the median expected edges at each hypothesis.
    let hepdata = dir.join("plane/hepdata");
    let o = run(
        &[
            "export",
            "hepdata",
            dir.join("plane/results.json").to_str().unwrap(),
            "-o",
            hepdata.to_str().unwrap(),
        ],
        &dir,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let submission = std::fs::read_to_string(hepdata.join("submission.yaml")).unwrap();
    assert!(
        submission.contains("Excluded g against the mass, combined"),
        "{submission}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
