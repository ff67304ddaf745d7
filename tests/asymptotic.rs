//! Asymptotic CLs (q̃μ) against pyhf on workspaces the likelihood expresses directly
//! (normfactor, normsys with pyhf's default code-4 interpolation, lumi), from
//! tests/reference/gen/asymptotic_pyhf.py: CLs at μ = 1 and 95% CL upper limits,
//! observed and expected band, ≤ 1e-3 relative.

use std::sync::Arc;

use searchlight::stats::asymptotic::Cls;
use searchlight::stats::interpolation::Code4;
use searchlight::stats::likelihood::{
    Channel, Component, Constraint, Data, Likelihood, ParamFunction, Value,
};
use searchlight::stats::minuit::{Bounds, ParamSpec};
use searchlight::stats::shape::{Shape, Template};
use serde_json::Value as Json;

const MU: usize = 0;
const ALPHA: usize = 1;
const LUMI: usize = 2;

fn numbers(json: &Json) -> Vec<f64> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

/// The workspace as a likelihood: each sample a template over unit bins whose yield is
/// its nominal total times μ (signal) or the normsys factor (background), times lumi.
fn likelihood(workspace: &Json) -> Likelihood {
    let observations = workspace["observations"].as_array().unwrap();
    let channels = workspace["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|channel| {
            let name = channel["name"].as_str().unwrap();
            let counts = numbers(&observations.iter().find(|o| o["name"] == name).unwrap()["data"]);
            let n = counts.len();
            let components = channel["samples"]
                .as_array()
                .unwrap()
                .iter()
                .map(|sample| {
                    let contents = numbers(&sample["data"]);
                    let total: f64 = contents.iter().sum();
                    let yield_: ParamFunction = if sample["name"] == "signal" {
                        Arc::new(move |p: &[f64]| total * p[MU] * p[LUMI])
                    } else {
                        let data = &sample["modifiers"][0]["data"];
                        let (hi, lo) = (data["hi"].as_f64().unwrap(), data["lo"].as_f64().unwrap());
                        let code4 = Code4::new(hi, lo);
                        Arc::new(move |p: &[f64]| total * code4.at(p[ALPHA]) * p[LUMI])
                    };
                    Component {
                        name: sample["name"].as_str().unwrap().into(),
                        shape: Shape::Template(Template {
                            low: 0.0,
                            high: n as f64,
                            contents,
                            linear: false,
                            variances: None,
                        }),
                        params: vec![],
                        yield_: Value::Derived(yield_),
                    }
                })
                .collect();
            Channel {
                name: name.into(),
                ranges: vec![(0.0, n as f64)],
                components,
                data: Data::Binned {
                    bins: (0..n).map(|k| (k as f64, k as f64 + 1.0)).collect(),
                    counts,
                },
            }
        })
        .collect();
    Likelihood::new(
        channels,
        vec![
            Constraint::Gaussian {
                param: ALPHA,
                mean: 0.0,
                sigma: 1.0,
            },
            Constraint::Gaussian {
                param: LUMI,
                mean: 1.0,
                sigma: 0.02,
            },
        ],
    )
}

fn params() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("mu", 1.0, 0.1, Bounds::Both(0.0, 10.0)),
        ParamSpec::new("bkg_norm", 0.0, 1.0, Bounds::Both(-5.0, 5.0)),
        ParamSpec::new("lumi", 1.0, 0.02, Bounds::Both(0.5, 1.5)),
    ]
}

fn close(what: &str, got: f64, want: f64, relative: f64) {
    assert!(
        (got - want).abs() <= relative * want.abs(),
        "{what}: {got} vs pyhf {want}"
    );
}

fn compare(name: &str) {
    let text = std::fs::read_to_string("tests/reference/limits/asymptotic_pyhf.json").unwrap();
    let reference: Json = serde_json::from_str(&text).unwrap();
    let case = &reference[name];
    let likelihood = likelihood(&case["workspace"]);
    let cls = Cls::new(&likelihood, &params(), MU).unwrap();
    let at_one = cls.cls(1.0).unwrap();
    close(
        &format!("{name} CLs(1) observed"),
        at_one.observed,
        case["cls_mu1"]["observed"].as_f64().unwrap(),
        1e-3,
    );
    for (k, want) in numbers(&case["cls_mu1"]["expected"]).iter().enumerate() {
        close(
            &format!("{name} CLs(1) expected[{k}]"),
            at_one.expected[k],
            *want,
            1e-3,
        );
    }
    let limits = cls.upper_limits(0.95, true).unwrap();
    close(
        &format!("{name} limit observed"),
        limits.observed,
        case["upper_limit_95"]["observed"].as_f64().unwrap(),
        1e-3,
    );
    for (k, want) in numbers(&case["upper_limit_95"]["expected"])
        .iter()
        .enumerate()
    {
        close(
            &format!("{name} limit expected[{k}]"),
            limits.expected[k],
            *want,
            1e-3,
        );
    }
}

#[test]
fn two_channel_workspace_matches_pyhf() {
    compare("two_channel");
}

#[test]
fn low_count_workspace_matches_pyhf() {
    compare("low_count");
}
