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
use searchlight::stats::pdfs::histogram::Template;
use searchlight::stats::shape::Shape;
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
                        shape: Shape::new(Template {
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

mod monotone {
    //! Fit-scan limits never decrease when a signal-yield nuisance widens: the profile
    //! likelihood of a binned signal bump over a free background, with the nuisance the
    //! fit scans build (`yield_nuisance`), Gaussian or log-normal.
    use super::*;
    use proptest::prelude::*;
    use searchlight::stats::counting::{MAX_GAUSSIAN_RELATIVE, MAX_LOGNORMAL_RELATIVE};
    use searchlight::stats::likelihood::yield_nuisance;

    /// The median expected 95% CL limit on μ for nuisance width `relative`.
    fn median_limit(counts: &[f64], signal: &[f64], relative: f64, lognormal: bool) -> f64 {
        let n = counts.len();
        let template = |contents: Vec<f64>| {
            Shape::new(Template {
                low: 0.0,
                high: n as f64,
                contents,
                linear: false,
                variances: None,
            })
        };
        let total: f64 = signal.iter().sum();
        let mut params = vec![
            ParamSpec::new("mu", 1.0, 0.1, Bounds::Both(0.0, 1000.0)),
            ParamSpec::new("background", counts.iter().sum(), 10.0, Bounds::Lower(0.0)),
        ];
        let mut constraints = Vec::new();
        let theta = (relative > 0.0).then(|| {
            let (param, constraint) = yield_nuisance("theta", 2, relative, lognormal);
            params.push(param);
            constraints.push(constraint);
            2
        });
        let signal_yield: ParamFunction =
            Arc::new(move |p: &[f64]| total * p[0] * theta.map_or(1.0, |t| p[t]));
        let channel = Channel {
            name: "window".into(),
            ranges: vec![(0.0, n as f64)],
            components: vec![
                Component {
                    name: "signal".into(),
                    shape: template(signal.to_vec()),
                    params: vec![],
                    yield_: Value::Derived(signal_yield),
                },
                Component {
                    name: "background".into(),
                    shape: template(vec![1.0; n]),
                    params: vec![],
                    yield_: Value::Free(1),
                },
            ],
            data: Data::Binned {
                bins: (0..n).map(|k| (k as f64, k as f64 + 1.0)).collect(),
                counts: counts.to_vec(),
            },
        };
        let likelihood = Likelihood::new(vec![channel], constraints);
        let cls = Cls::new(&likelihood, &params, 0).unwrap();
        match cls.upper_limits(0.95, false) {
            Ok(limits) => limits.expected[2],
            // Beyond the POI's range: weaker than any limit inside it.
            Err(searchlight::stats::asymptotic::ClsError::NoCrossing) => f64::INFINITY,
            Err(e) => panic!("{e}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn wider_yield_nuisances_never_give_stronger_fit_limits(
            counts in prop::collection::vec(0u32..40, 8),
            signal_events in 1.0f64..30.0,
            lognormal in any::<bool>(),
            widths in prop::collection::vec(0.0f64..1.0, 3),
        ) {
            let counts: Vec<f64> = counts.into_iter().map(f64::from).collect();
            let signal = vec![0.0, 0.05, 0.2, 0.5, 0.2, 0.05, 0.0, 0.0]
                .into_iter()
                .map(|f| f * signal_events)
                .collect::<Vec<f64>>();
            let max = if lognormal { MAX_LOGNORMAL_RELATIVE } else { MAX_GAUSSIAN_RELATIVE };
            let mut widths: Vec<f64> = widths.iter().map(|w| w * max).collect();
            widths.push(0.0);
            widths.sort_by(f64::total_cmp);
            let limits: Vec<f64> = widths
                .iter()
                .map(|&r| median_limit(&counts, &signal, r, lognormal))
                .collect();
            prop_assert!(limits[0].is_finite(), "no limit without the nuisance: {limits:?}");
            prop_assert!(
                limits.windows(2).all(|w| w[1] >= w[0] * (1.0 - 1e-4)),
                "widths {widths:?}: limits {limits:?}"
            );
        }
    }
}
