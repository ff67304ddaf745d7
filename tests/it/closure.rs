//! Signal-injection closure of the sliding-window fit scans, on the B → h + invisible and
//! B → K(*) a toys:
//! a signal injected at a known mass and yield is found there with a compatible fitted
//! yield and a clear local significance; without injection no hypothesis stands out
//! beyond the expected fluctuations. Slow in debug builds: ignored by default and run
//! by `.ci/run` with `cargo test --release --test closure -- --ignored`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// N_BB times the K+ channel's external (tag-side) efficiency: signal events per unit
/// branching fraction before the selection efficiency.
const EVENTS_PER_BR: f64 = 772e6 * 0.003;

fn temp(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("searchlight-closure-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The reference spec, unblinded, scanning [2.0, 3.0], with `extra` added to the data toy.
fn spec(dir: &Path, extra: &str) -> PathBuf {
    let text = crate::common::reference_spec("b_to_h_invisible")
        .replace("seed: 31 }", &format!("seed: 31{extra} }}"))
        .replace("range: [0.1, 5.0]", "range: [2.0, 3.0]")
        .replace(
            "blinding: { unblind: false }",
            "blinding: { unblind: true }",
        );
    let path = dir.join("closure.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn run(dir: &Path, spec: &Path) -> Value {
    run_with(dir, spec, &[])
}

/// `run` with extra arguments.
fn run_with(dir: &Path, spec: &Path, args: &[&str]) -> Value {
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args([
            "run",
            spec.to_str().unwrap(),
            "--unblind",
            "-o",
            out.to_str().unwrap(),
        ])
        .args(args)
        .env(
            "SEARCHLIGHT_CACHE",
            std::env::temp_dir().join("searchlight-closure-cache"),
        )
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

fn points<'a>(results: &'a Value, channel: &str) -> Vec<&'a Value> {
    results["scan"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["channel"] == channel)
        .collect()
}

/// The point with the largest local significance, with its mass and significance.
fn largest_excess<'a>(points: &[&'a Value]) -> (&'a Value, f64, f64) {
    let z = |p: &Value| p["local_significance"].as_f64().unwrap();
    let best = *points.iter().max_by(|a, b| z(a).total_cmp(&z(b))).unwrap();
    (best, best["mass"].as_f64().unwrap(), z(best))
}

#[test]
#[ignore = "runs two scans; release build: cargo test --release --test closure -- --ignored"]
fn injected_signal_is_found_at_its_mass_with_its_yield() {
    let dir = temp("inject");
    let results = run(&dir, &spec(&dir, ", inject_mass: 2.5, inject_yield: 100"));
    let k = points(&results, "K+");
    assert!(k.iter().all(|p| p["status"] == "ok"));
    let (best, mass, z) = largest_excess(&k);
    let sigma_m = 0.015 + 0.05 / (1.0 + 2.0 * 2.5);
    eprintln!("largest excess at {mass:.4} GeV, Z = {z:.2}");
    assert!(
        (mass - 2.5).abs() < 2.0 * sigma_m,
        "excess at {mass}, injected at 2.5"
    );
    assert!(z > 3.0, "local significance {z}");
    // The fitted branching fraction times N_BB × ε_tag counts generated signal events.
    let fitted = best["fitted_poi"].as_f64().unwrap() * EVENTS_PER_BR;
    let error = best["fitted_poi_error"].as_f64().unwrap() * EVENTS_PER_BR;
    eprintln!("fitted yield {fitted:.1} ± {error:.1} events for 100 injected");
    assert!(
        (fitted - 100.0).abs() < 3.0 * error,
        "fitted {fitted} ± {error}"
    );
    // Other channels see nothing special.
    let others = ["pi+", "p", "D_s+", "D0bar"];
    for channel in others {
        let z_max = points(&results, channel)
            .iter()
            .filter_map(|p| p["local_significance"].as_f64())
            .fold(0.0, f64::max);
        assert!(z_max < 4.0, "{channel}: Z = {z_max}");
    }
}

#[test]
#[ignore = "runs a scan; release build: cargo test --release --test closure -- --ignored"]
fn without_injection_no_point_exceeds_the_expected_fluctuation() {
    let dir = temp("null");
    let results = run(&dir, &spec(&dir, ""));
    let z: Vec<f64> = results["scan"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["local_significance"].as_f64())
        .collect();
    let z_max = z.iter().copied().fold(0.0, f64::max);
    let global = results["global_significance"].as_f64().unwrap();
    eprintln!(
        "{} hypotheses: largest local Z = {z_max:.2}, global Z = {global:.2}",
        z.len()
    );
    assert!(z_max < 4.0, "largest local significance {z_max}");
    assert!(global < 2.5, "global significance {global}");
}

/// The global p-value from 100 background-only pseudo-experiments of the whole scan
/// (`limits.global_toys`) against the Gross–Vitells estimate of the same scan, without a
/// signal, with a small one (largest local Z ≈ 3) and with a clear one: close where the
/// estimate is not tiny (within the toys' binomial error and the estimate's
/// approximation), both small with the clear signal; and identical for any thread count.
#[test]
#[ignore = "runs 6 scans and 300 pseudo-experiment scans; release build: cargo test --release --test closure -- --ignored"]
fn global_significance_from_pseudo_experiments_agrees_with_gross_vitells() {
    use searchlight::stats::significance::global_p_value;
    let dir = temp("global");
    for (extra, injected) in [
        ("", 0),
        (", inject_mass: 2.5, inject_yield: 50", 50),
        (", inject_mass: 2.5, inject_yield: 100", 100),
    ] {
        let path = spec(&dir, extra);
        let text = std::fs::read_to_string(&path).unwrap().replace(
            "  method: cls-asymptotic",
            "  method: cls-asymptotic\n  global_toys: 100",
        );
        std::fs::write(&path, text).unwrap();
        let results = run(&dir, &path);
        let z: Vec<f64> = results["scan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["local_significance"].as_f64().unwrap_or(0.0))
            .collect();
        let p_gv = global_p_value(&z);
        let toys = &results["global_significance_toys"];
        let p_toys = toys["p_value"].as_f64().unwrap();
        eprintln!("injected {injected}: Gross–Vitells p = {p_gv:.4}, toys {toys}");
        assert_eq!(toys["toys"], 100);
        assert_eq!(toys["failed_fits"], 0);
        assert_eq!(
            results["global_significance"].as_f64().unwrap(),
            (-searchlight::stats::special::normal_quantile(p_toys)).max(0.0)
        );
        if injected == 100 {
            assert!(p_gv < 0.01, "Gross–Vitells p {p_gv}");
            assert!(toys["exceeding"].as_u64().unwrap() <= 5, "{toys}");
        } else {
            assert!(
                (p_toys - p_gv).abs() < 0.15,
                "toys {p_toys}, Gross–Vitells {p_gv}"
            );
        }
        if injected == 50 {
            let one_thread = run_with(&dir, &path, &["--threads", "1"]);
            assert_eq!(one_thread["global_significance_toys"], *toys);
        }
    }
}

/// The B → K(*) a reference spec, unblinded, scanning `range` with one BR per channel
/// and no daughter branching fractions: the toy gives each kaon mode a quarter of the
/// injected events, which is what this model then predicts per channel. The ALP is
/// prompt in both toys (no lifetime grid, so no model plane either).
fn alp_spec(dir: &Path, extra: &str, range: &str) -> PathBuf {
    let text = std::fs::read_to_string("analyses/b_to_k_alp.yaml").unwrap();
    let (plane, rest) = (
        text.find("  model_plane:").unwrap(),
        text.find("\nblinding:").unwrap(),
    );
    let text = format!("{}{}", &text[..plane], &text[rest + 1..]);
    let models = std::fs::canonicalize("analyses/models").unwrap();
    let corrections = std::fs::canonicalize("analyses/corrections").unwrap();
    let mut text = text
        .replace(
            "file: corrections/",
            &format!("file: {}/", corrections.display()),
        )
        .replace("model: models/", &format!("model: {}/", models.display()))
        .replace("seed: 11 }", &format!("seed: 11{extra} }}"))
        .replace(", ctau: [0.01, 0.1, 1, 10, 100] }", " }")
        .replace("range: [0.16, 4.50]", &format!("range: {range}"))
        .replace(
            "poi: { name: br, range: [0, 1e-4] }",
            "poi: { name: br, range: [0, 1e-4], per_channel: true }",
        )
        .replace(
            "blinding: { unblind: false }",
            "blinding: { unblind: true }",
        );
    for bf in [
        "bf_daughter: 0.5 * 0.692",
        "bf_daughter: 0.665",
        "bf_daughter: 0.333",
    ] {
        text = text.replace(bf, "bf_daughter: 1.0");
    }
    let path = dir.join("alp_closure.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
#[ignore = "runs a scan on 2 M toy events; release build: cargo test --release --test closure -- --ignored"]
fn injected_alp_is_found_in_every_kaon_channel() {
    let dir = temp("alp");
    // 800 events at 1.5 GeV: 200 per kaon mode before the selection.
    let results = run(
        &dir,
        &alp_spec(&dir, ", inject_mass: 1.5, inject_yield: 800", "[1.3, 1.7]"),
    );
    let sigma_m = 0.018 * 1.5f64.powf(0.7);
    for channel in ["K+", "K_S0", "K*0", "K*+"] {
        let points = points(&results, channel);
        assert!(points.iter().all(|p| p["status"] == "ok"), "{channel}");
        let (best, mass, z) = largest_excess(&points);
        let fitted = best["fitted_poi"].as_f64().unwrap() * 772e6;
        let error = best["fitted_poi_error"].as_f64().unwrap() * 772e6;
        eprintln!(
            "{channel}: largest excess at {mass:.4} GeV, Z = {z:.2}, fitted {fitted:.0} ± {error:.0} for 200"
        );
        assert!(
            (mass - 1.5).abs() < 2.0 * sigma_m,
            "{channel}: excess at {mass}"
        );
        assert!(z > 3.0, "{channel}: Z = {z}");
        assert!(
            (fitted - 200.0).abs() < 3.0 * error,
            "{channel}: fitted {fitted} ± {error}"
        );
    }
}

#[test]
#[ignore = "runs a scan on 2 M toy events; release build: cargo test --release --test closure -- --ignored"]
fn without_an_alp_no_kaon_channel_exceeds_the_expected_fluctuation() {
    let dir = temp("alp-null");
    // The whole published range: 346 hypotheses per channel.
    let results = run(&dir, &alp_spec(&dir, "", "[0.16, 4.50]"));
    for channel in ["K+", "K_S0", "K*0", "K*+"] {
        let points = points(&results, channel);
        assert!(points.iter().all(|p| p["status"] == "ok"), "{channel}");
        let (_, mass, z) = largest_excess(&points);
        eprintln!(
            "{channel}: {} hypotheses, largest local Z = {z:.2} at {mass:.4} GeV",
            points.len()
        );
        assert!(z < 4.0, "{channel}: local significance {z} at {mass}");
    }
    let global = results["global_significance"].as_f64();
    eprintln!("global Z = {global:?}");
    assert!(
        global.is_some_and(|g| g < 2.5),
        "global significance {global:?}"
    );
}
