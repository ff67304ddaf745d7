//! Coverage of 90% CL upper limits (issue #7): in pseudo-experiments with a known true
//! signal, the limit must lie above the truth in 90% ± 1% of them. Ignored by default
//! (10 000 limit computations); `.ci/run` runs it in release:
//! `cargo test --release --test coverage -- --ignored`.
//!
//! The model is one counting bin with a large signal over a known background (s = 150,
//! b = 400): there CLb ≈ 1 for the outcomes that decide coverage, so CLs limits cover like
//! CLs+b ones, and the asymptotic q̃μ limits are accurate. (Where the signal is small, CLs
//! over-covers by design: tested separately below.)

use rand::SeedableRng;
use rayon::prelude::*;
use searchlight::stats::asymptotic::Cls;
use searchlight::stats::histfactory::{HistFactory, from_json};
use searchlight::stats::likelihood::poisson;

fn counting_model(signal: f64, background: f64, observed: f64) -> HistFactory {
    let ws = serde_json::json!({
        "channels": [{"name": "sr", "samples": [
            {"name": "signal", "data": [signal], "modifiers": [{"name": "mu", "type": "normfactor", "data": null}]},
            {"name": "background", "data": [background], "modifiers": []}
        ]}],
        "observations": [{"name": "sr", "data": [observed]}],
        "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": [
            {"name": "mu", "bounds": [[0.0, 100.0]], "inits": [1.0]}
        ]}}],
        "version": "1.0.0"
    });
    from_json(&ws.to_string(), None).unwrap()
}

/// Fraction of `n` pseudo-experiments whose 90% CL upper limit on μ is at or above the
/// true μ. The true μ is drawn uniformly from [0.8, 1.2] per experiment: with a Poisson
/// count, the coverage at one exact μ steps with the integer threshold on n (by up to
/// 1/√(2π(s+b)), ~1.7% here); over a range of μ those steps average out.
fn coverage(signal: f64, background: f64, n: u64) -> f64 {
    let covered: u64 = (0..n)
        .into_par_iter()
        .map(|k| {
            let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(k);
            let mu_true = 0.8 + 0.4 * rand::Rng::random::<f64>(&mut rng);
            let observed = poisson(mu_true * signal + background, &mut rng);
            let model = counting_model(signal, background, observed);
            let limits = Cls::new(&model, &model.params, model.poi)
                .unwrap()
                .upper_limits(0.90, true)
                .unwrap();
            u64::from(limits.observed >= mu_true)
        })
        .sum();
    covered as f64 / n as f64
}

#[test]
#[ignore = "10 000 limits: run in release by .ci/run"]
fn ninety_percent_limits_cover_the_true_signal_in_ninety_percent_of_experiments() {
    let c = coverage(150.0, 400.0, 10_000);
    eprintln!("coverage with s = 150, b = 400: {c:.4}");
    assert!((c - 0.90).abs() <= 0.01, "coverage {c}");
}

#[test]
#[ignore = "limits for 4000 experiments: run in release by .ci/run"]
fn cls_over_covers_where_the_signal_is_small() {
    let c = coverage(5.0, 100.0, 4_000);
    eprintln!("coverage with s = 5, b = 100: {c:.4}");
    assert!(c > 0.93, "coverage {c}");
}
