//! pyhf JSON workspaces read by searchlight give pyhf's asymptotic CLs and upper limits
//! (tests/reference/gen/asymptotic_pyhf.py, pyhf 0.7.6, q̃μ): ≤ 1e-3 relative, for
//! normfactor, normsys, histosys, shapesys, staterror, lumi and shapefactor modifiers.

use searchlight::stats::asymptotic::Cls;
use searchlight::stats::histfactory::from_json;
use serde_json::Value;

fn close(what: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-3 * want.abs(),
        "{what}: {got} vs pyhf {want}"
    );
}

fn compare(name: &str) {
    let text = std::fs::read_to_string("tests/reference/limits/asymptotic_pyhf.json").unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    let case = &reference[name];
    let model = from_json(&case["workspace"].to_string(), None).unwrap();
    let cls = Cls::new(&model, &model.params, model.poi).unwrap();
    let at_one = cls.cls(1.0).unwrap();
    close(
        &format!("{name} CLs(1)"),
        at_one.observed,
        case["cls_mu1"]["observed"].as_f64().unwrap(),
    );
    for k in 0..5 {
        close(
            &format!("{name} CLs(1) expected[{k}]"),
            at_one.expected[k],
            case["cls_mu1"]["expected"][k].as_f64().unwrap(),
        );
    }
    let limits = cls.upper_limits(0.95, true).unwrap();
    close(
        &format!("{name} observed limit"),
        limits.observed,
        case["upper_limit_95"]["observed"].as_f64().unwrap(),
    );
    for k in 0..5 {
        close(
            &format!("{name} expected limit[{k}]"),
            limits.expected[k],
            case["upper_limit_95"]["expected"][k].as_f64().unwrap(),
        );
    }
}

#[test]
fn normsys_and_lumi_in_two_channels() {
    compare("two_channel");
}

#[test]
fn low_count_single_bin() {
    compare("low_count");
}

#[test]
fn shapesys_with_its_poisson_constraint() {
    compare("one_bin_shapesys");
}

#[test]
fn histosys_normsys_staterror_and_lumi() {
    compare("histosys_staterror");
}

#[test]
fn shapefactor_shared_with_a_control_region() {
    compare("shapefactor_control");
}

#[test]
fn malformed_workspaces_are_refused_with_a_reason() {
    let cases = [
        ("not json", "not JSON"),
        (
            r#"{"channels": [], "observations": [], "version": "1.0.0"}"#,
            "measurements",
        ),
        (
            r#"{"channels": [{"name": "A", "samples": [{"name": "s", "data": [1, 2], "modifiers": []}]}],
                "observations": [{"name": "A", "data": [1]}],
                "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}], "version": "1.0.0"}"#,
            "has 2 bins, the observation 1",
        ),
        (
            r#"{"channels": [{"name": "A", "samples": [{"name": "s", "data": [1], "modifiers": [{"name": "x", "type": "magic", "data": null}]}]}],
                "observations": [{"name": "A", "data": [1]}],
                "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}], "version": "1.0.0"}"#,
            "modifier type `magic`",
        ),
        (
            r#"{"channels": [{"name": "A", "samples": [{"name": "s", "data": [1], "modifiers": []}]}],
                "observations": [{"name": "A", "data": [1]}],
                "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}], "version": "1.0.0"}"#,
            "POI `mu` is not a parameter",
        ),
    ];
    for (text, message) in cases {
        let error = from_json(text, None).unwrap_err();
        assert!(error.to_string().contains(message), "{error}");
    }
}

/// A cut-and-count window's binned model (what `export pyhf` writes and the
/// `cls-asymptotic` counting method uses) gives pyhf's limits on the same model written
/// independently in Python (tests/reference/gen/counting_window_pyhf.py), including zero
/// background, no efficiency uncertainty, blinded (Asimov) observations, and one modifier
/// per source (histosys, lumi, normsys, staterror together).
#[test]
fn counting_window_model_matches_pyhf() {
    use searchlight::analysis::count_model::{CountModel, Modifier};
    let text = std::fs::read_to_string("tests/reference/limits/counting_window_pyhf.json").unwrap();
    let reference: Value = serde_json::from_str(&text).unwrap();
    for w in reference["windows"].as_array().unwrap() {
        let number = |key: &str| w[key].as_f64().unwrap();
        let (n_sideband, ratio) = (number("sideband_events"), number("ratio"));
        let efficiency = number("efficiency");
        // One modifier per source, or the one Gaussian and one log-normal width.
        let mut modifiers: Vec<Modifier> = w["modifiers"]
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|m| serde_json::from_value::<Modifier>(m.clone()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        let width = |key: &str| w[key].as_f64().unwrap_or(0.0);
        if width("relative_uncertainty") > 0.0 {
            modifiers.push(Modifier::Histosys {
                name: "signal_efficiency".into(),
                relative: width("relative_uncertainty"),
            });
        }
        let lognormal = width("lognormal_uncertainty");
        if lognormal > 0.0 {
            modifiers.push(Modifier::Normsys {
                name: "signal_efficiency_lognormal".into(),
                hi: 1.0 + lognormal,
                lo: 1.0 / (1.0 + lognormal),
            });
        }
        let window = CountModel {
            observed: w["observed_events"].as_u64(),
            background: n_sideband * ratio,
            background_error: n_sideband.sqrt() * ratio,
            efficiency,
            modifiers,
        };
        let (observed, expected) = window
            .cls_limits("xsec", number("cl"), None)
            .unwrap_or_else(|e| panic!("{w}: {e}"));
        let what = format!("window {w}");
        match observed {
            Some(o) => close(&what, o, number("observed")),
            None => assert!(w["observed_events"].is_null(), "{what}"),
        }
        for (k, e) in expected.iter().enumerate() {
            close(
                &format!("{what} expected[{k}]"),
                *e,
                w["expected"][k].as_f64().unwrap(),
            );
        }
    }
}
