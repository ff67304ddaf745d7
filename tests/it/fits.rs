//! The fit engine against iminuit (MIGRAD + HESSE + MINOS) on the samples and models of
//! tests/reference/gen/fits_iminuit.py: values ≤ 1e-4 relative, Hesse errors ≤ 1e-2,
//! MINOS intervals ≤ 2e-2.

use crate::common;
use searchlight::stats::likelihood::{Channel, Component, Constraint, Data, Likelihood, Value};
use searchlight::stats::minuit::{Bounds, Cost, ParamSpec, Settings, minimize, minos};
use searchlight::stats::pdfs::argus::Argus;
use searchlight::stats::pdfs::chebychev::Chebychev;
use searchlight::stats::pdfs::double_crystal_ball::DoubleCrystalBall;
use searchlight::stats::pdfs::exponential::Exponential;
use searchlight::stats::pdfs::gaussian::Gaussian;
use searchlight::stats::shape::Shape;
use serde_json::Value as Json;
use std::sync::Arc;

fn reference() -> Json {
    let text = std::fs::read_to_string("tests/reference/fits/iminuit.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

fn sample(name: &str) -> Vec<f64> {
    let bytes = std::fs::read(format!("tests/reference/fits/{name}.f64")).unwrap();
    bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect()
}

/// `count` bins of `width` from 0.
fn equal_bins(count: usize, width: f64) -> Vec<(f64, f64)> {
    (0..count)
        .map(|k| (k as f64 * width, (k + 1) as f64 * width))
        .collect()
}

fn param(name: &str, value: f64, step: f64, lower: Option<f64>, upper: Option<f64>) -> ParamSpec {
    ParamSpec::new(name, value, step, Bounds::new(lower, upper))
}

fn component(name: &str, shape: Shape, params: Vec<Value>, yield_: Value) -> Component {
    Component {
        name: name.into(),
        shape,
        params,
        yield_,
    }
}

fn unbinned(name: &str, range: (f64, f64), x: Vec<f64>, components: Vec<Component>) -> Channel {
    Channel {
        name: name.into(),
        ranges: vec![range],
        components,
        data: Data::Unbinned { x, weights: None },
    }
}

/// A Gaussian of width `sigma` (yield p[0], mean p[1]) over an exponential (yield p[2],
/// slope p[3]) fitted to `x` over `range`.
fn gauss_over_exponential(range: (f64, f64), x: Vec<f64>, sigma: f64) -> Likelihood {
    Likelihood::new(
        vec![unbinned(
            "c",
            range,
            x,
            vec![
                component(
                    "signal",
                    Shape::new(Gaussian),
                    vec![Value::Free(1), Value::Fixed(sigma)],
                    Value::Free(0),
                ),
                component(
                    "background",
                    Shape::new(Exponential),
                    vec![Value::Free(3)],
                    Value::Free(2),
                ),
            ],
        )],
        vec![],
    )
}

/// Fits, then compares values, errors and the requested MINOS intervals with iminuit:
/// once with numerical derivatives (the likelihood seen as a plain function) and once
/// with its analytic gradient.
fn compare(fit: &str, likelihood: Likelihood, params: Vec<ParamSpec>, minos_of: &[&str]) {
    let numerical = |p: &[f64]| likelihood.nll(p);
    let costs: [(&str, &dyn Cost); 2] = [("numerical", &numerical), ("analytic", &likelihood)];
    for (derivatives, cost) in costs {
        compare_with(
            &format!("{fit} ({derivatives} gradient)"),
            fit,
            cost,
            &params,
            minos_of,
        );
    }
}

fn compare_with(label: &str, fit: &str, nll: &dyn Cost, params: &[ParamSpec], minos_of: &[&str]) {
    let expected = &reference()[fit];
    let fit = label;
    let settings = Settings::default();
    let result = minimize(nll, params, settings);
    assert!(result.status.is_valid(), "{fit}: {result:?}");
    for (i, p) in params.iter().enumerate() {
        let (value, error) = (result.values[i], result.errors[i]);
        let want = expected["values"][&p.name].as_f64().unwrap();
        let want_error = expected["errors"][&p.name].as_f64().unwrap();
        let scale = want.abs().max(want_error);
        assert!(
            (value - want).abs() <= 1e-4 * scale,
            "{fit} {}: value {value} vs {want}",
            p.name
        );
        assert!(
            (error - want_error).abs() <= 1e-2 * want_error,
            "{fit} {}: error {error} vs {want_error}",
            p.name
        );
    }
    for name in minos_of {
        let index = params.iter().position(|p| p.name == *name).unwrap();
        let (low, high) = minos(nll, params, settings, &result, index);
        let want = &expected["minos"][name];
        let (want_low, want_high) = (want[0].as_f64().unwrap(), want[1].as_f64().unwrap());
        assert!(low.valid && high.valid, "{fit} {name}: {low:?} {high:?}");
        assert!(
            (low.error - want_low).abs() <= 2e-2 * want_low.abs(),
            "{fit} {name}: lower {} vs {want_low}",
            low.error
        );
        assert!(
            (high.error - want_high).abs() <= 2e-2 * want_high,
            "{fit} {name}: upper {} vs {want_high}",
            high.error
        );
    }
}

/// The Gaussian + exponential sample on [0, 10] with the given yields (signal, then
/// background; shape parameters mu = p[1], sigma = p[2], slope = p[3]).
fn gauss_exp_likelihood(signal: Value, background: Value) -> Likelihood {
    let channel = unbinned(
        "data",
        (0.0, 10.0),
        sample("gauss_exp.data"),
        vec![
            component(
                "signal",
                Shape::new(Gaussian),
                vec![Value::Free(1), Value::Free(2)],
                signal,
            ),
            component(
                "background",
                Shape::new(Exponential),
                vec![Value::Free(3)],
                background,
            ),
        ],
    );
    Likelihood::new(vec![channel], vec![])
}

/// Parameters ns, mu, sigma, slope, nb of the Gaussian + exponential fit.
fn gauss_exp_params() -> Vec<ParamSpec> {
    vec![
        param("ns", 250.0, 20.0, Some(0.0), None),
        param("mu", 4.8, 0.1, None, None),
        param("sigma", 0.6, 0.05, Some(0.01), Some(5.0)),
        param("slope", -0.25, 0.02, None, None),
        param("nb", 2100.0, 50.0, Some(0.0), None),
    ]
}

#[test]
fn gaussian_plus_exponential() {
    compare(
        "gauss_exp",
        gauss_exp_likelihood(Value::Free(0), Value::Free(4)),
        gauss_exp_params(),
        &["ns", "sigma"],
    );
}

#[test]
fn gaussian_plus_argus_in_mbc() {
    let channel = unbinned(
        "data",
        (5.2, 5.29),
        sample("gauss_argus.data"),
        vec![
            component(
                "signal",
                Shape::new(Gaussian),
                vec![Value::Free(1), Value::Free(2)],
                Value::Free(0),
            ),
            component(
                "background",
                Shape::new(Argus),
                vec![Value::Fixed(5.29), Value::Free(4), Value::Fixed(0.5)],
                Value::Free(3),
            ),
        ],
    );
    let params = vec![
        param("ns", 350.0, 20.0, Some(0.0), None),
        param("mu", 5.279, 0.0005, None, None),
        param("sigma", 0.003, 0.0003, Some(0.0005), Some(0.02)),
        param("nb", 3100.0, 60.0, Some(0.0), None),
        param("c", -20.0, 2.0, Some(-100.0), Some(0.0)),
    ];
    compare(
        "gauss_argus",
        Likelihood::new(vec![channel], vec![]),
        params,
        &["ns", "mu"],
    );
}

#[test]
fn double_crystal_ball_plus_chebychev_in_mgg() {
    let range = (0.5, 1.5);
    let tails = [1.2, 3.0, 1.6, 5.0].map(Value::Fixed);
    let mut signal_params = vec![Value::Free(1), Value::Free(2)];
    signal_params.extend(tails);
    let channel = unbinned(
        "data",
        range,
        sample("dscb_cheb.data"),
        vec![
            component(
                "signal",
                Shape::new(DoubleCrystalBall),
                signal_params,
                Value::Free(0),
            ),
            component(
                "background",
                Shape::new(Chebychev {
                    order: 2,
                    domain: range,
                }),
                vec![Value::Free(4), Value::Free(5)],
                Value::Free(3),
            ),
        ],
    );
    let params = vec![
        param("ns", 200.0, 20.0, Some(0.0), None),
        param("mu", 1.005, 0.003, None, None),
        param("sigma", 0.025, 0.003, Some(0.002), Some(0.1)),
        param("nb", 2900.0, 60.0, Some(0.0), None),
        param("c1", -0.2, 0.05, Some(-1.0), Some(1.0)),
        param("c2", 0.0, 0.05, Some(-1.0), Some(1.0)),
    ];
    compare(
        "dscb_cheb",
        Likelihood::new(vec![channel], vec![]),
        params,
        &["ns"],
    );
}

#[test]
fn simultaneous_channels_share_a_branching_fraction_with_a_constrained_efficiency() {
    let range = (0.0, 4.0);
    let yield_of = |scale: f64| Value::Derived(Arc::new(move |p: &[f64]| p[0] * p[1] * scale));
    let channel = |name: &str, scale: f64, nb: usize, slope: usize| {
        unbinned(
            name,
            range,
            sample(&format!("simultaneous.{name}")),
            vec![
                component(
                    "signal",
                    Shape::new(Gaussian),
                    vec![Value::Free(2), Value::Fixed(0.1)],
                    yield_of(scale),
                ),
                component(
                    "background",
                    Shape::new(Exponential),
                    vec![Value::Free(slope)],
                    Value::Free(nb),
                ),
            ],
        )
    };
    let likelihood = Likelihood::new(
        vec![channel("A", 1000.0, 3, 4), channel("B", 400.0, 5, 6)],
        vec![Constraint::Gaussian {
            param: 1,
            mean: 1.0,
            sigma: 0.1,
        }],
    );
    let params = vec![
        param("br", 0.05, 0.01, Some(0.0), Some(1.0)),
        param("theta", 1.0, 0.1, None, None),
        param("mu", 2.05, 0.02, None, None),
        param("nba", 750.0, 30.0, Some(0.0), None),
        param("sa", -0.45, 0.03, None, None),
        param("nbb", 480.0, 25.0, Some(0.0), None),
        param("sb", -0.9, 0.05, None, None),
    ];
    compare("simultaneous", likelihood, params, &["br"]);
}

#[test]
fn binned_gaussian_plus_exponential() {
    let counts = sample("binned.counts");
    let bins = equal_bins(40, 0.25);
    let channel = Channel {
        name: "data".into(),
        ranges: vec![(0.0, 10.0)],
        components: vec![
            component(
                "signal",
                Shape::new(Gaussian),
                vec![Value::Free(1), Value::Free(2)],
                Value::Free(0),
            ),
            component(
                "background",
                Shape::new(Exponential),
                vec![Value::Free(4)],
                Value::Free(3),
            ),
        ],
        data: Data::Binned { bins, counts },
    };
    let params = vec![
        param("ns", 400.0, 30.0, Some(0.0), None),
        param("mu", 5.8, 0.1, None, None),
        param("sigma", 1.0, 0.1, Some(0.05), Some(5.0)),
        param("nb", 3100.0, 60.0, Some(0.0), None),
        param("slope", -0.2, 0.01, None, None),
    ];
    compare(
        "binned",
        Likelihood::new(vec![channel], vec![]),
        params,
        &["ns"],
    );
}

/// Template fit with the templates' MC statistics (Barlow–Beeston-lite, Conway's
/// method) against iminuit's `Template(method="jsc")`; the fitted value of the signal
/// yield moves by far more than the tolerance when the variances are dropped.
#[test]
fn template_fit_with_barlow_beeston_lite() {
    use searchlight::stats::pdfs::histogram::Template;
    let counts = sample("template.counts");
    let signal = sample("template.signal_sumw");
    let bins = equal_bins(25, 0.4);
    let template = |contents: Vec<f64>, variances: Option<Vec<f64>>| {
        Shape::new(Template {
            low: 0.0,
            high: 10.0,
            contents,
            linear: false,
            variances,
        })
    };
    let model = |with_variances: bool| {
        let channel = Channel {
            name: "data".into(),
            ranges: vec![(0.0, 10.0)],
            components: vec![
                component(
                    "signal",
                    template(signal.clone(), with_variances.then(|| signal.clone())),
                    vec![],
                    Value::Free(0),
                ),
                component(
                    "background",
                    template(
                        sample("template.background_sumw"),
                        with_variances.then(|| sample("template.background_sumw2")),
                    ),
                    vec![],
                    Value::Free(1),
                ),
            ],
            data: Data::Binned {
                bins: bins.clone(),
                counts: counts.clone(),
            },
        };
        Likelihood::new(vec![channel], vec![])
    };
    let params = vec![
        param("x0", 120.0, 10.0, Some(0.0), None),
        param("x1", 1300.0, 40.0, Some(0.0), None),
    ];
    compare("template", model(true), params.clone(), &["x0"]);
    let plain = minimize(&model(false), &params, Settings::default());
    let want = reference()["template"]["values"]["x0"].as_f64().unwrap();
    assert!(
        (plain.values[0] - want).abs() > 1e-2 * want,
        "{}",
        plain.values[0]
    );
}

/// Pull study: 300 pseudo-experiments of the Gaussian + exponential model with Poisson
/// yields; the signal-yield pulls (fit − truth)/error must have mean ≈ 0 and width ≈ 1
/// (statistical precision of the test: 0.06 on the mean, 0.04 on the width).
#[test]
fn pull_study_gives_unbiased_yields_and_unit_width_pulls() {
    use rand::SeedableRng;
    use rand_distr::{Distribution, Exp, Normal, Poisson};
    let (ns_true, nb_true, range) = (150.0, 600.0, (0.0, 10.0));
    let mut pulls = Vec::new();
    for toy in 0..300u64 {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(toy);
        let mut x = Vec::new();
        let ns = Poisson::new(ns_true).unwrap().sample(&mut rng) as usize;
        let nb = Poisson::new(nb_true).unwrap().sample(&mut rng) as usize;
        let (gauss, expo) = (Normal::new(5.0, 0.5).unwrap(), Exp::new(0.3).unwrap());
        while x.len() < ns {
            let v: f64 = gauss.sample(&mut rng);
            if (range.0..=range.1).contains(&v) {
                x.push(v);
            }
        }
        while x.len() < ns + nb {
            let v: f64 = expo.sample(&mut rng);
            if v <= range.1 {
                x.push(v);
            }
        }
        let likelihood = gauss_over_exponential(range, x, 0.5);
        let params = vec![
            param("ns", 100.0, 15.0, None, None),
            param("mu", 5.0, 0.05, None, None),
            param("nb", 500.0, 25.0, Some(0.0), None),
            param("slope", -0.2, 0.02, None, None),
        ];
        let result = minimize(&likelihood, &params, Settings::default());
        assert!(result.status.is_valid(), "toy {toy}: {result:?}");
        pulls.push((result.values[0] - ns_true) / result.errors[0]);
    }
    let n = pulls.len() as f64;
    let mean = pulls.iter().sum::<f64>() / n;
    let width = (pulls.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    eprintln!("signal-yield pulls over {n} toys: mean {mean:.3}, width {width:.3}");
    assert!(mean.abs() < 0.2, "pull mean {mean}");
    assert!((width - 1.0).abs() < 0.12, "pull width {width}");
}

/// The profile likelihood of the signal yield against iminuit's `mnprofile` (9 points
/// over ±2σ of the Gaussian + exponential fit): Δ(−ln L) to 1e-3 relative.
#[test]
fn profile_likelihood_matches_iminuit_mnprofile() {
    use searchlight::stats::minuit::profile;
    let likelihood = gauss_exp_likelihood(Value::Free(0), Value::Free(4));
    let params = gauss_exp_params();
    let best = minimize(&likelihood, &params, Settings::default());
    let want = &reference()["profile_gauss_exp_ns"];
    let values: Vec<f64> = want["ns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let points = profile(&likelihood, &params, Settings::default(), &best, 0, &values);
    for (point, delta) in points.iter().zip(want["delta_nll"].as_array().unwrap()) {
        let delta = delta.as_f64().unwrap();
        assert!(point.valid);
        assert!(
            (point.delta - delta).abs() <= 1e-3 * delta.max(0.01),
            "ns = {}: Δ = {} vs iminuit {delta}",
            point.value,
            point.delta
        );
    }
}

/// A sum with a fraction, f·Gaussian + (1 − f)·exponential, against iminuit's
/// non-extended `UnbinnedNLL`: written as yields f·N and (1 − f)·N with a free total N,
/// whose profile is the non-extended likelihood, so f and the shape parameters (values,
/// errors, MINOS of f) must agree.
#[test]
fn fractions_match_the_non_extended_likelihood() {
    let expected = &reference()["fraction"];
    let likelihood = gauss_exp_likelihood(
        Value::Derived(Arc::new(|p: &[f64]| p[0] * p[4])),
        Value::Derived(Arc::new(|p: &[f64]| (1.0 - p[0]) * p[4])),
    );
    let mut params = gauss_exp_params();
    params[0] = param("f", 0.1, 0.02, Some(0.0), Some(1.0));
    params[4] = param("n", 2000.0, 50.0, Some(0.0), None);
    let result = minimize(&likelihood, &params, Settings::default());
    assert!(result.status.is_valid(), "{result:?}");
    for (i, name) in ["f", "mu", "sigma", "slope"].iter().enumerate() {
        let want = expected["values"][name].as_f64().unwrap();
        let want_error = expected["errors"][name].as_f64().unwrap();
        assert!(
            (result.values[i] - want).abs() <= 1e-4 * want.abs().max(want_error),
            "{name}: {} vs {want}",
            result.values[i]
        );
        assert!(
            (result.errors[i] - want_error).abs() <= 1e-2 * want_error,
            "{name}: error {} vs {want_error}",
            result.errors[i]
        );
    }
    let (low, high) = minos(&likelihood, &params, Settings::default(), &result, 0);
    let want = &expected["minos"]["f"];
    assert!(
        (low.error - want[0].as_f64().unwrap()).abs() <= 2e-2 * want[0].as_f64().unwrap().abs()
    );
    assert!((high.error - want[1].as_f64().unwrap()).abs() <= 2e-2 * want[1].as_f64().unwrap());
}

/// `searchlight fit` of a spec's plain fit (`fit.components`) on the Gaussian + ARGUS
/// sample, written as a Parquet column `Mbc`: every parameter floating, as iminuit fitted it.
fn plain_fit_spec(extra_component: &str) -> String {
    format!(
        r#"searchlight: 1
analysis: {{ name: control-sample-fit, title: "B -> D pi control sample" }}
inputs:
  data: {{ files: ["mbc.parquet"] }}
fit:
  observable: {{ var: Mbc, range: [5.2, 5.29] }}
  components:
    signal:
      pdf: gaussian
      mean: {{ init: 5.279, range: [5.27, 5.29] }}
      sigma: {{ init: 0.003, range: [0.0005, 0.02] }}
      yield: {{ init: 350, range: [0, 100000] }}
    continuum:
      pdf: argus
      m0: 5.29
      c: {{ init: -20, range: [-100, 0] }}
      yield: {{ init: 3100, range: [0, 100000] }}
{extra_component}"#
    )
}

fn write_mbc(dir: &std::path::Path) {
    use searchlight::io::table::{Column, ColumnData, ColumnTable};
    let table = ColumnTable {
        columns: vec![Column {
            name: "Mbc".into(),
            data: ColumnData::F64(sample("gauss_argus.data")),
        }],
    };
    let mut writer =
        searchlight::io::parquet::ParquetWriter::create(&dir.join("mbc.parquet"), &table).unwrap();
    writer.write(&table).unwrap();
    writer.finish().unwrap();
}

fn fit_json(dir: &std::path::Path, spec: &str, args: &[&str]) -> (Json, std::process::Output) {
    std::fs::write(dir.join("control.yaml"), spec).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(["fit", "control.yaml", "--json"])
        .args(args)
        .current_dir(dir)
        .env("SEARCHLIGHT_CACHE", dir.join("cache"))
        .output()
        .unwrap();
    let json = serde_json::from_slice(&o.stdout).unwrap_or(Json::Null);
    (json, o)
}

#[test]
fn a_plain_fit_of_a_spec_agrees_with_iminuit() {
    let dir = std::env::temp_dir().join(format!("searchlight-plain-fit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    write_mbc(&dir);
    let (fitted, o) = fit_json(&dir, &plain_fit_spec(""), &["--minos", "-o", "plots"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fitted["status"], "converged");
    let expected = &reference()["gauss_argus"];
    let names = [
        ("ns", "signal.yield"),
        ("mu", "signal.mean"),
        ("sigma", "signal.sigma"),
        ("nb", "continuum.yield"),
        ("c", "continuum.c"),
    ];
    for (theirs, ours) in names {
        let p = &fitted["parameters"][ours];
        let (value, error) = (p["value"].as_f64().unwrap(), p["error"].as_f64().unwrap());
        let want = expected["values"][theirs].as_f64().unwrap();
        let want_error = expected["errors"][theirs].as_f64().unwrap();
        let scale = want.abs().max(want_error);
        assert!(
            (value - want).abs() <= 1e-4 * scale,
            "{ours}: {value} vs {want}"
        );
        assert!(
            (error - want_error).abs() <= 1e-2 * want_error,
            "{ours}: error {error} vs {want_error}"
        );
        if let Some(interval) = expected["minos"][theirs].as_array() {
            for (k, want) in interval.iter().enumerate() {
                let (got, want) = (p["minos"][k].as_f64().unwrap(), want.as_f64().unwrap());
                assert!(
                    (got - want).abs() <= 2e-2 * want.abs(),
                    "{ours} minos: {got} vs {want}"
                );
            }
        }
    }
    let order = fitted["order"].as_array().unwrap();
    let correlation = fitted["correlation"].as_array().unwrap();
    assert_eq!(correlation.len(), order.len());
    for (i, row) in correlation.iter().enumerate() {
        assert!((row[i].as_f64().unwrap() - 1.0).abs() < 1e-12);
    }
    assert!(dir.join("plots/fit_all.svg").exists() && dir.join("plots/fit_all.png").exists());
    // A third component, a peaking background constrained to 50 ± 10 events, converges
    // and is plotted with the others.
    let peaking = "    peaking:\n      pdf: gaussian\n      mean: 5.2805\n      sigma: 0.004\n      yield: { init: 50, range: [0, 1000], gaussian: [50, 10] }\n";
    let (fitted, o) = fit_json(&dir, &plain_fit_spec(peaking), &["-o", "three"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fitted["status"], "converged");
    let n = fitted["parameters"]["peaking.yield"]["value"]
        .as_f64()
        .unwrap();
    assert!((0.0..=100.0).contains(&n), "{n}");
    let svg = std::fs::read_to_string(dir.join("three/fit_all.svg")).unwrap();
    assert!(svg.contains("peaking") && svg.contains("continuum"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// The template fit of tests/reference/gen/template_fit_iminuit.py: a Gaussian signal
/// over the simulated dimuon background's step template, its yield `yield_` (YAML).
fn template_fit_spec(yield_: &str) -> String {
    let files = std::fs::canonicalize("analyses/data/dark_photon").unwrap();
    format!(
        r#"searchlight: 1
analysis: {{ name: template-fit }}
inputs:
  data: {{ files: ["{files}/data.root"], tree: variables }}
  mumu: {{ files: ["{files}/mumu_mc.root"], tree: variables, scale: 0.5 }}
variables:
  muid_min: min(daughter(0, muonID), daughter(1, muonID))
selection:
  - {{ name: two identified muons, cut: muid_min > 0.9 }}
  - {{ name: dimuon vertex fit, cut: chiProb > 0.001 }}
  - {{ name: exactly two tracks, cut: nTracks == 2 }}
  - best_candidate: {{ by: chiProb, keep: highest }}
fit:
  observable: {{ var: M, range: [2.3, 2.7] }}
  components:
    signal:
      pdf: gaussian
      mean: {{ init: 2.5, range: [2.4, 2.6] }}
      sigma: {{ init: 0.012, range: [0.002, 0.05] }}
      yield: {{ init: 30, range: [0, 1000] }}
    mumu: {{ pdf: histogram, from: mumu, bins: 20, yield: {yield_} }}
"#,
        files = files.display()
    )
}

/// tests/reference/gen/template_fit_iminuit.py: a Gaussian signal over the simulated
/// dimuon background of the file-based reference search, a step template of its selected
/// candidates at their true normalisation (scale × Σw) within a 10% Gaussian constraint.
#[test]
fn a_simulated_background_at_its_true_normalisation_agrees_with_iminuit() {
    let dir = std::env::temp_dir().join(format!("searchlight-template-fit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = template_fit_spec("{ from: mumu, relative: 0.10 }");
    let (fitted, o) = fit_json(&dir, &spec, &["-o", "plots"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fitted["status"], "converged");
    let text = std::fs::read_to_string("tests/reference/fits/template_fit_iminuit.json").unwrap();
    let expected: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(fitted["events"], expected["events"]);
    crate::common::assert_parameters(
        &fitted,
        &expected,
        &[
            ("ns", "signal.yield"),
            ("mu", "signal.mean"),
            ("sigma", "signal.sigma"),
            ("theta", "mumu.norm"),
        ],
    );
    let svg = std::fs::read_to_string(dir.join("plots/fit_all.svg")).unwrap();
    assert!(svg.contains("mumu") && svg.contains("signal"));
    // The normalisation's impacts on the signal yield: refits with θ fixed at θ̂ ± σ̂
    // (post-fit; σ̂ is each tool's own HESSE error, which agree to 2e-3) and θ̂ ± 0.10.
    let (fitted, o) = fit_json(&dir, &spec, &["--impacts", "signal.yield", "-o", "plots"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let impact = &fitted["impacts"]["impacts"][0];
    assert_eq!(impact["name"], "mumu.norm");
    let theirs = &expected["impacts_of_theta_on_ns"];
    for (key, tolerance) in [("postfit", 1e-2), ("prefit", 1e-3)] {
        for k in 0..2 {
            let (a, b) = (
                impact[key][k].as_f64().unwrap(),
                theirs[key][k].as_f64().unwrap(),
            );
            assert!(
                (a - b).abs() <= tolerance * b.abs(),
                "{key}[{k}]: {a} vs iminuit {b}"
            );
        }
    }
    assert!(dir.join("plots/impacts_signal_yield.svg").exists());
    // A normalisation from the data fitted is refused by lint.
    let circular = spec.replace("yield: { from: mumu,", "yield: { from: data,");
    std::fs::write(dir.join("circular.yaml"), circular).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(["lint", "circular.yaml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("comes from simulation"));
    std::fs::remove_dir_all(dir).unwrap();
}

/// The goodness-of-fit p-value is calibrated: for data drawn from the model itself
/// (Gaussian peak over an exponential, 600 events, its shape and yields fitted) the
/// p-values of 40 data sets are uniform in (0, 1) (Kolmogorov–Smirnov).
#[test]
fn goodness_of_fit_p_values_are_uniform_for_data_from_the_model() {
    use rand::{Rng, SeedableRng};
    use searchlight::stats::gof::goodness_of_fit;
    let range = (0.0, 4.0);

    let params = vec![
        param("ns", 100.0, 10.0, Some(0.0), None),
        param("mu", 2.0, 0.02, Some(1.0), Some(3.0)),
        param("nb", 500.0, 20.0, Some(0.0), None),
        param("slope", -0.5, 0.05, Some(-5.0), Some(5.0)),
    ];
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(11);
    let mut p_values = Vec::new();
    for _ in 0..40 {
        // 100 signal events at 2.0 (σ 0.2), 500 from exp(−0.5 x), all inside [0, 4].
        let mut x = Vec::new();
        while x.len() < 100 {
            let z: f64 = rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut rng);
            let v = 2.0 + 0.2 * z;
            if (0.0..=4.0).contains(&v) {
                x.push(v);
            }
        }
        while x.len() < 600 {
            let v = -2.0 * (1.0 - rng.random::<f64>()).ln();
            if v <= 4.0 {
                x.push(v);
            }
        }
        let likelihood = gauss_over_exponential(range, x, 0.2);
        let best = minimize(&likelihood, &params, Settings::default());
        assert!(best.status.is_valid());
        let bins: Vec<(f64, f64)> = (0..20)
            .map(|k| (0.2 * k as f64, 0.2 * (k + 1) as f64))
            .collect();
        let gof = goodness_of_fit(&likelihood, &params, &best, &[bins], 100, 5).unwrap();
        p_values.push(gof.p_value);
    }
    // Kolmogorov–Smirnov distance to the uniform distribution, below its 1% critical
    // value 1.63/√n (these 40 give 0.185, a KS p-value of 0.11).
    p_values.sort_by(f64::total_cmp);
    let n = p_values.len() as f64;
    let distance = p_values
        .iter()
        .enumerate()
        .map(|(i, &p)| ((i + 1) as f64 / n - p).max(p - i as f64 / n))
        .fold(0.0, f64::max);
    assert!(
        distance < 1.63 / n.sqrt(),
        "KS distance {distance}: {p_values:?}"
    );
}

/// tests/reference/gen/control_region_iminuit.py: a signal region fitted together with a
/// control region (`control: true`, no signal) that shares its background slope
/// (`shared: true`): one slope, a background yield per channel, the signal in the signal
/// region only — values, HESSE errors and n_sig's MINOS interval as iminuit finds them.
#[test]
fn a_control_region_sharing_the_background_shape_agrees_with_iminuit() {
    let dir = std::env::temp_dir().join(format!("searchlight-control-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = std::fs::canonicalize("tests/reference/fits/control_region.parquet").unwrap();
    let spec = format!(
        "searchlight: 1
analysis: {{ name: control-region }}
inputs:
  data: {{ files: [\"{}\"] }}
channels:
  SR: {{ cut: region == 0 }}
  CR: {{ cut: region == 1, control: true }}
fit:
  observable: {{ var: x, range: [0, 10] }}
  window: 100
  signal: {{ pdf: gaussian, mean: m, sigma: 0.3 }}
  background: {{ pdf: exponential, slope: {{ init: -0.2, range: [-2, 0], shared: true }} }}
  efficiency: 1.0
  poi: {{ name: n_sig, kind: yield, range: [0, 500] }}
scan: {{ parameter: m, range: [4, 6], step: sigma }}
limits: {{ cl: 0.95, method: cls-asymptotic }}
blinding: {{ unblind: true }}
",
        data.display()
    );
    let (fitted, o) = fit_json(&dir, &spec, &["--mass", "5", "--unblind"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fitted["status"], "converged");
    let expected: Json = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/fits/control_region_iminuit.json").unwrap(),
    )
    .unwrap();
    let parameters = fitted["parameters"].as_object().unwrap();
    assert_eq!(parameters.len(), 4, "one shared slope: {parameters:?}");
    for (name, want) in expected["values"].as_object().unwrap() {
        let p = &fitted["parameters"][name];
        let (value, error) = (p["value"].as_f64().unwrap(), p["error"].as_f64().unwrap());
        let (want, want_error) = (
            want.as_f64().unwrap(),
            expected["errors"][name].as_f64().unwrap(),
        );
        assert!(
            (value - want).abs() <= 1e-4 * want.abs().max(want_error),
            "{name}: {value} vs {want}"
        );
        assert!(
            (error - want_error).abs() <= 1e-2 * want_error,
            "{name}: error {error} vs {want_error}"
        );
    }
    let minos = fitted["parameters"]["n_sig"]["minos"].as_array().unwrap();
    for (ours, theirs) in minos
        .iter()
        .zip(expected["minos_n_sig"].as_array().unwrap())
    {
        let (a, b) = (ours.as_f64().unwrap(), theirs.as_f64().unwrap());
        assert!((a - b).abs() <= 1e-2 * b.abs(), "MINOS {a} vs {b}");
    }
    // An efficiency table with rows for the signal region only (a control region needs
    // none) and ε = 0.5: the control region is still fitted, the yield per POI halved.
    std::fs::write(
        dir.join("eff.csv"),
        "mass,channel,efficiency\n4.0,SR,0.5\n6.0,SR,0.5\n",
    )
    .unwrap();
    let (halved, o) = fit_json(
        &dir,
        &spec.replace("efficiency: 1.0", "efficiency: { table: eff.csv }"),
        &["--mass", "5", "--unblind"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        halved["parameters"]["background.yield[CR]"].is_object(),
        "{halved}"
    );
    let n = halved["parameters"]["n_sig"]["value"].as_f64().unwrap();
    let want = 2.0 * expected["values"]["n_sig"].as_f64().unwrap();
    assert!((n - want).abs() <= 1e-4 * want, "n_sig {n} vs {want}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// The same template with a free normalisation factor (`free: true`: HistFactory's
/// normfactor, no constraint), against iminuit's fit of the unconstrained likelihood.
#[test]
fn a_free_normalisation_factor_agrees_with_iminuit() {
    let dir = std::env::temp_dir().join(format!("searchlight-free-norm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (fitted, o) = fit_json(&dir, &template_fit_spec("{ from: mumu, free: true }"), &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(fitted["status"], "converged");
    let text = std::fs::read_to_string("tests/reference/fits/template_fit_iminuit.json").unwrap();
    let expected: Json = serde_json::from_str(&text).unwrap();
    let expected = &expected["free_normalisation"];
    crate::common::assert_parameters(
        &fitted,
        expected,
        &[
            ("ns", "signal.yield"),
            ("mu", "signal.mean"),
            ("sigma", "signal.sigma"),
            ("theta", "mumu.norm"),
        ],
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// A bump-hunt spec with `background_choice` (written to `dir`, data from
/// tests/reference/fits), blinded unless `unblind`.
fn background_choice_spec(unblind: bool) -> String {
    let file = |name: &str| {
        std::fs::canonicalize(format!("tests/reference/fits/{name}"))
            .unwrap()
            .display()
            .to_string()
    };
    format!(
        "searchlight: 1
analysis: {{ name: background-choice }}
inputs:
  data: {{ files: [\"{}\"] }}
  bkg_mc: {{ files: [\"{}\"], scale: 0.1 }}
fit:
  observable: {{ var: x, range: [0, 10] }}
  window: 100
  signal: {{ pdf: gaussian, mean: m, sigma: 0.3 }}
  background: {{ pdf: chebychev, c1: {{ init: 0, range: [-2, 2] }} }}
  background_choice:
    f_test: {{ max_order: 5 }}
    envelope:
      expo: {{ pdf: exponential, slope: {{ init: -0.2, range: [-3, 1] }} }}
      bern: {{ pdf: bernstein, b1: {{ init: 1, range: [0, 10] }}, b2: {{ init: 1, range: [0, 10] }} }}
    spurious_signal: {{ input: bkg_mc, max: 0.5 }}
  efficiency: 1.0
  poi: {{ name: n_sig, kind: yield, range: [0, 500] }}
scan: {{ parameter: m, range: [4.7, 5.3], step: sigma }}
limits: {{ cl: 0.95, method: cls-asymptotic }}
blinding: {{ unblind: {unblind}, window: 2 sigma }}
",
        file("background_choice_data.parquet"),
        file("background_choice_mc.parquet"),
    )
}

/// tests/reference/gen/background_choice_iminuit.py: at m = 5, the order chosen by the
/// likelihood-ratio tests of Chebychev polynomials (each order's −ln L and p-value), each
/// function's −ln L and spurious signal on the simulated sample, and the envelope's
/// observed and expected CLs limits (discrete profiling, 0.5 per parameter) — as iminuit
/// and scipy compute them.
#[test]
fn a_background_choice_agrees_with_iminuit() {
    let dir = std::env::temp_dir().join(format!("searchlight-bkg-choice-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("spec.yaml"), background_choice_spec(true)).unwrap();
    let o = common::searchlight_in(&dir, &["run", "spec.yaml", "--unblind", "-o", "out"]);
    assert!(o.status.success(), "{}", common::text(&o));
    let results: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/results.json")).unwrap())
            .unwrap();
    let want: Json = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/fits/background_choice_iminuit.json").unwrap(),
    )
    .unwrap();
    let point = results["scan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| (p["mass"].as_f64().unwrap() - 5.0).abs() < 1e-9)
        .expect("the point at 5.0");
    assert_eq!(point["status"], "ok", "{point}");
    let close = |a: &Json, b: &Json, tolerance: f64, what: &str| {
        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
        assert!((a - b).abs() <= tolerance, "{what}: {a} vs {b}");
    };
    let choice = &point["background_choice"];
    assert_eq!(choice["order"]["chosen"], want["chosen_order"]);
    let tests = choice["order"]["tests"].as_array().unwrap();
    let want_tests = want["order_tests"].as_array().unwrap();
    assert_eq!(tests.len(), want_tests.len(), "{tests:?}");
    for (ours, theirs) in tests.iter().zip(want_tests) {
        assert_eq!(ours["order"], theirs["order"]);
        close(&ours["nll"], &theirs["nll"], 1e-4, "order −ln L");
        if let Some(p) = theirs.get("p_value") {
            let p = p.as_f64().unwrap();
            close(&ours["p_value"], &theirs["p_value"], 1e-4 * p, "p-value");
        }
    }
    assert_eq!(choice["chosen"], want["chosen"]);
    for (ours, theirs) in choice["functions"]
        .as_array()
        .unwrap()
        .iter()
        .zip(want["functions"].as_array().unwrap())
    {
        assert_eq!(ours["name"], theirs["name"]);
        assert_eq!(ours["parameters"], theirs["parameters"]);
        close(&ours["nll"], &theirs["nll"], 1e-4, "function −ln L");
        let error = theirs["spurious_error"].as_f64().unwrap();
        let spurious = &ours["spurious_signal"];
        close(
            &spurious["events"],
            &theirs["spurious_events"],
            1e-3 * error,
            "spurious signal",
        );
        close(
            &spurious["error"],
            &theirs["spurious_error"],
            1e-2 * error,
            "its error",
        );
        let ratio = theirs["spurious_events"].as_f64().unwrap().abs() / error;
        assert_eq!(spurious["passed"], ratio <= 0.5, "{spurious}");
    }
    let limit = want["observed_limit"].as_f64().unwrap();
    close(
        &point["observed"],
        &want["observed_limit"],
        1e-3 * limit,
        "observed limit",
    );
    let median = want["expected_median"].as_f64().unwrap();
    close(
        &point["expected"][2],
        &want["expected_median"],
        1e-3 * median,
        "expected median",
    );
    let n = want["fitted_n_sig"].as_f64().unwrap();
    close(
        &point["fitted_poi"],
        &want["fitted_n_sig"],
        1e-4 * n,
        "fitted signal",
    );

    // `fit --mass` fits the function the scan chose there: the third-order Chebychev.
    let o = common::searchlight_in(
        &dir,
        &["fit", "spec.yaml", "--mass", "5", "--unblind", "--json"],
    );
    assert!(o.status.success(), "{}", common::text(&o));
    let fitted: Json = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        fitted["parameters"]["background.c3[all]"].is_object(),
        "{fitted}"
    );
    close(
        &fitted["parameters"]["n_sig"]["value"],
        &want["fitted_n_sig"],
        1e-4 * n,
        "fit --mass signal",
    );

    // Blinded: expected limits only, the order and the choice from the sidebands (the
    // 2σ window around each hypothesis is not read), and no fitted signal anywhere.
    std::fs::write(dir.join("spec.yaml"), background_choice_spec(false)).unwrap();
    let o = common::searchlight_in(&dir, &["run", "spec.yaml", "-o", "blind"]);
    assert!(o.status.success(), "{}", common::text(&o));
    let blinded: Json =
        serde_json::from_str(&std::fs::read_to_string(dir.join("blind/results.json")).unwrap())
            .unwrap();
    for p in blinded["scan"].as_array().unwrap() {
        assert_eq!(p["status"], "ok", "{p}");
        assert!(
            p["observed"].is_null() && p.get("fitted_poi").is_none(),
            "{p}"
        );
        let expected = p["expected"].as_array().unwrap();
        assert!(
            expected.windows(2).all(|w| w[0].as_f64() < w[1].as_f64()),
            "{p}"
        );
        let choice = &p["background_choice"];
        let chosen = choice["chosen"].as_str().unwrap();
        assert!(["background", "expo", "bern"].contains(&chosen), "{choice}");
        // Fewer events in the sidebands than in the whole window: another −ln L.
        let first = &choice["order"]["tests"][0]["nll"];
        assert!((first.as_f64().unwrap() - want_tests[0]["nll"].as_f64().unwrap()).abs() > 1.0);
    }
    std::fs::remove_dir_all(dir).unwrap();
}
