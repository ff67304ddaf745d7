//! Upper limits on pyhf workspaces: searchlight's `limit workspace` machinery (asymptotic
//! CLs, q̃μ) against pyhf with its default numpy backend on the same workspaces, when
//! `PEERS_PYTHON` names a Python with pyhf (scripts/peers-venv.sh). Then the exact
//! counting methods: the dark-Higgs reference scan end to end (5188 exact-CLs windows),
//! and single limits from 0 to 10⁵ events. Last, a bump hunt's fit scan with its
//! background function fixed against the same scan choosing it (`fit.background_choice`).
//! Run with `cargo bench --bench limits`.

use searchlight::stats::asymptotic::Cls;
use searchlight::stats::histfactory::from_json;
use serde_json::Value;
use std::path::Path;
use std::time::Instant;

fn main() {
    let text = std::fs::read_to_string("tests/reference/limits/asymptotic_pyhf.json")
        .expect("reference workspaces");
    let reference: Value = serde_json::from_str(&text).unwrap();
    for name in ["two_channel", "histosys_staterror"] {
        let workspace = reference[name]["workspace"].to_string();
        let mut times = Vec::new();
        let mut limit = None;
        for _ in 0..21 {
            let start = Instant::now();
            let model = from_json(&workspace, None).unwrap();
            let cls = Cls::new(&model, &model.params, model.poi).unwrap();
            limit = Some(cls.upper_limits(0.95, true).unwrap());
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let limit = limit.unwrap();
        println!("{name}:");
        println!(
            "  searchlight   {:>10.4} s  observed {:.4}, median expected {:.4}",
            times[times.len() / 2],
            limit.observed,
            limit.expected[2]
        );
        if let Some(python) = std::env::var_os("PEERS_PYTHON") {
            let path = std::env::temp_dir()
                .join(format!("searchlight-ws-{}-{name}.json", std::process::id()));
            std::fs::write(&path, &workspace).unwrap();
            let out = std::process::Command::new(python)
                .arg("benches/peers/limit_pyhf.py")
                .arg(&path)
                .output()
                .expect("peer runs");
            let _ = std::fs::remove_file(&path);
            print!("  {}", String::from_utf8_lossy(&out.stdout));
        }
    }
    if std::env::var_os("PEERS_PYTHON").is_none() {
        println!("(set PEERS_PYTHON to a Python with pyhf to time it side by side)");
    }
    exact_counting();
    dark_higgs_scan();
    background_choice_scan();
}

/// Single exact limits across the domain (median of 5).
fn exact_counting() {
    use searchlight::stats::counting::{Background, Efficiency, bayes_upper, cls_upper};
    use searchlight::stats::feldman_cousins::feldman_cousins;
    println!("exact counting limits (95% CL, known background and efficiency):");
    for (n, b) in [(0u64, 0.3), (5, 3.0), (1000, 1000.0), (100_000, 100_000.0)] {
        let (bg, e) = (Background::known(b), Efficiency::known(1.0));
        let time = |f: &dyn Fn() -> f64| {
            let mut times: Vec<f64> = (0..5)
                .map(|_| {
                    let start = Instant::now();
                    std::hint::black_box(f());
                    start.elapsed().as_secs_f64()
                })
                .collect();
            times.sort_by(f64::total_cmp);
            times[2]
        };
        println!(
            "  n = {n:>6}, b = {b:>8}: CLs {:>9.6} s, Bayesian {:>9.6} s, Feldman–Cousins {:>9.6} s",
            time(&|| cls_upper(n, &bg, &e, 0.95).unwrap()),
            time(&|| bayes_upper(n, &bg, &e, 0.95).unwrap()),
            time(&|| feldman_cousins(n, &bg, &e, 0.95).unwrap().1),
        );
    }
}

/// `searchlight run analyses/dark_higgs_idm.yaml` end to end on 2 threads (its toy
/// generated once beforehand), median of 3: the counting scan's 5188 exact-CLs windows,
/// each with an uncertain background and efficiency, dominate it.
fn dark_higgs_scan() {
    let scratch = std::env::temp_dir().join(format!("searchlight-bench-dh-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let out = scratch.join("out");
    let times = timed_runs(
        &[
            "run",
            "analyses/dark_higgs_idm.yaml",
            "--threads",
            "2",
            "-o",
            out.to_str().unwrap(),
        ],
        Path::new("."),
        &scratch.join("cache"),
    );
    println!(
        "dark-Higgs reference search, end to end on 2 threads: {:.2} s (median of 3; {:.2}–{:.2})",
        times[1], times[0], times[2]
    );
    std::fs::remove_dir_all(&scratch).ok();
}

/// `searchlight ARGS` run in `dir` with its toy cache in `cache`: once to warm up, then
/// three times; the three times in seconds, sorted.
fn timed_runs(args: &[&str], dir: &Path, cache: &Path) -> Vec<f64> {
    let run = || {
        let start = Instant::now();
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_searchlight"))
            .args(args)
            .current_dir(dir)
            .env("SEARCHLIGHT_CACHE", cache)
            .output()
            .expect("binary runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        start.elapsed().as_secs_f64()
    };
    run();
    let mut times: Vec<f64> = (0..3).map(|_| run()).collect();
    times.sort_by(f64::total_cmp);
    times
}

/// `searchlight run` of a bump hunt's fit scan (tests/reference/fits/background_choice_*:
/// 3 045 events, 31 hypotheses from 0.5 to 9.5 in steps of σ = 0.3, a 10σ window) on 2
/// threads, median of 3: with its background a fixed third-order Chebychev, then with the
/// order chosen by F-tests, with a three-function envelope, and with both and the
/// spurious-signal test on 30 000 simulated events — each as a ratio to the first.
fn background_choice_scan() {
    let scratch = std::env::temp_dir().join(format!("searchlight-bench-bc-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let file = |name: &str| {
        std::fs::canonicalize(format!("tests/reference/fits/{name}"))
            .unwrap()
            .display()
            .to_string()
    };
    let spec = |background: &str, choice: &str| {
        format!(
            "searchlight: 1
analysis: {{ name: bump-hunt }}
inputs:
  data: {{ files: [\"{}\"] }}
  bkg_mc: {{ files: [\"{}\"], scale: 0.1 }}
fit:
  observable: {{ var: x, range: [0, 10] }}
  window: 10 sigma
  signal: {{ pdf: gaussian, mean: m, sigma: 0.3 }}
  background: {background}
{choice}  efficiency: 1.0
  poi: {{ name: n_sig, kind: yield, range: [0, 500] }}
scan: {{ parameter: m, range: [0.5, 9.5], step: sigma }}
limits: {{ cl: 0.95, method: cls-asymptotic }}
blinding: {{ unblind: true }}
",
            file("background_choice_data.parquet"),
            file("background_choice_mc.parquet"),
        )
    };
    let chebychev = |order: usize| {
        let coefficients: Vec<String> = (1..=order)
            .map(|k| format!("c{k}: {{ init: 0, range: [-2, 2] }}"))
            .collect();
        format!("{{ pdf: chebychev, {} }}", coefficients.join(", "))
    };
    let envelope = "    envelope:
      expo: { pdf: exponential, slope: { init: -0.2, range: [-3, 1] } }
      bern: { pdf: bernstein, b1: { init: 1, range: [0, 10] }, b2: { init: 1, range: [0, 10] } }
";
    let f_test = "    f_test: { max_order: 5 }\n";
    let spurious = "    spurious_signal: { input: bkg_mc, max: 0.2 }\n";
    let cases = [
        ("fixed third-order Chebychev", spec(&chebychev(3), "")),
        (
            "order by F-test (1 to 5)",
            spec(&chebychev(1), &format!("  background_choice:\n{f_test}")),
        ),
        (
            "three-function envelope",
            spec(&chebychev(3), &format!("  background_choice:\n{envelope}")),
        ),
        (
            "F-test + envelope + spurious signal",
            spec(
                &chebychev(1),
                &format!("  background_choice:\n{f_test}{envelope}{spurious}"),
            ),
        ),
    ];
    println!("bump-hunt fit scan, 31 hypotheses, end to end on 2 threads (median of 3):");
    let mut nominal = f64::NAN;
    for (name, text) in cases {
        std::fs::write(scratch.join("spec.yaml"), text).unwrap();
        let times = timed_runs(
            &[
                "run",
                "spec.yaml",
                "--unblind",
                "--threads",
                "2",
                "-o",
                "out",
            ],
            &scratch,
            &scratch.join("cache"),
        );
        if nominal.is_nan() {
            nominal = times[1];
        }
        println!(
            "  {name:<38} {:>7.3} s  {:>5.2}× the fixed function",
            times[1],
            times[1] / nominal
        );
    }
    std::fs::remove_dir_all(&scratch).ok();
}
