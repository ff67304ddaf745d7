//! 1000 toy fits of a four-channel simultaneous model like the B → K(*) a search at
//! m_a = 1.5 GeV (double-sided Crystal Ball signal sharing one branching fraction, a
//! second-order Chebychev background and yield per channel, two Gaussian-constrained
//! nuisances: 15 parameters), on 1 and 2 threads. Toys run in parallel with one seed per
//! toy, so the fitted values are identical for any thread count (checked here).
//! Run with `cargo bench --bench toys`.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;
use searchlight::stats::likelihood::{Channel, Component, Constraint, Data, Likelihood, Value};
use searchlight::stats::minuit::{Bounds, ParamSpec, Settings, minimize};
use searchlight::stats::pdfs::chebychev::Chebychev;
use searchlight::stats::pdfs::double_crystal_ball::DoubleCrystalBall;
use searchlight::stats::shape::Shape;
use std::sync::Arc;
use std::time::Instant;

const TOYS: u64 = 1000;
const MASS: f64 = 1.5;
const BACKGROUND: [f64; 4] = [650.0, 420.0, 410.0, 370.0];
const SCALE: [f64; 4] = [
    772e6 * 0.54,
    772e6 * 0.346 * 0.54,
    772e6 * 0.665 * 0.49,
    772e6 * 0.333 * 0.48,
];

fn sigma() -> f64 {
    0.018 * MASS.powf(0.7)
}

fn window() -> (f64, f64) {
    (MASS - 10.0 * sigma(), MASS + 10.0 * sigma())
}

fn signal_params() -> Vec<Value> {
    [MASS, sigma(), 1.2, 3.0, 1.6, 5.0]
        .map(Value::Fixed)
        .to_vec()
}

/// One pseudo-experiment: background-only data in each channel, then the fit.
fn toy(seed: u64) -> (f64, f64, bool) {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(seed);
    let range = window();
    let chebychev = Shape::new(Chebychev {
        order: 2,
        domain: range,
    });
    let truth = [-0.3, 0.05];
    let ceiling = 1.5;
    let mut params = vec![
        ParamSpec::new("br", 1e-8, 1e-8, Bounds::Both(0.0, 1e-4)),
        ParamSpec::new("efficiency", 1.0, 0.05, Bounds::Both(0.7, 1.3)),
        ParamSpec::new("n_bb", 1.0, 0.014, Bounds::Both(0.916, 1.084)),
    ];
    let mut channels = Vec::new();
    for (c, (&nb, &scale)) in BACKGROUND.iter().zip(&SCALE).enumerate() {
        let n = Poisson::new(nb).unwrap().sample(&mut rng) as usize;
        let mut x = Vec::with_capacity(n);
        while x.len() < n {
            let v = rng.random_range(range.0..range.1);
            if rng.random::<f64>() * ceiling < chebychev.density(v, &truth) {
                x.push(v);
            }
        }
        let first = params.len();
        params.push(ParamSpec::new(
            &format!("c1[{c}]"),
            0.0,
            0.05,
            Bounds::Both(-1.0, 1.0),
        ));
        params.push(ParamSpec::new(
            &format!("c2[{c}]"),
            0.0,
            0.05,
            Bounds::Both(-1.0, 1.0),
        ));
        params.push(ParamSpec::new(
            &format!("nb[{c}]"),
            n as f64,
            (n as f64).sqrt(),
            Bounds::Lower(0.0),
        ));
        channels.push(Channel {
            name: format!("{c}"),
            ranges: vec![range],
            components: vec![
                Component {
                    name: "signal".into(),
                    shape: Shape::new(DoubleCrystalBall),
                    params: signal_params(),
                    yield_: Value::Derived(Arc::new(move |p: &[f64]| p[0] * scale * p[1] * p[2])),
                },
                Component {
                    name: "background".into(),
                    shape: chebychev.clone(),
                    params: vec![Value::Free(first), Value::Free(first + 1)],
                    yield_: Value::Free(first + 2),
                },
            ],
            data: Data::Unbinned { x, weights: None },
        });
    }
    let likelihood = Likelihood::new(
        channels,
        vec![
            Constraint::Gaussian {
                param: 1,
                mean: 1.0,
                sigma: 0.05,
            },
            Constraint::Gaussian {
                param: 2,
                mean: 1.0,
                sigma: 0.014,
            },
        ],
    );
    let result = minimize(&likelihood, &params, Settings::default());
    (result.values[0], result.errors[0], result.status.is_valid())
}

fn main() {
    // As `searchlight` itself does: keep freed blocks for reuse instead of fresh mmaps.
    searchlight::allocator::tune();
    let mut outcomes = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let start = Instant::now();
        let results: Vec<(f64, f64, bool)> =
            pool.install(|| (0..TOYS).into_par_iter().map(toy).collect());
        let elapsed = start.elapsed().as_secs_f64();
        let valid = results.iter().filter(|r| r.2).count();
        println!(
            "{TOYS} toy fits, 15 parameters, 4 channels, {threads} thread{}: {elapsed:.2} s ({:.1} ms per toy), {valid} converged",
            if threads == 1 { "" } else { "s" },
            1e3 * elapsed / TOYS as f64
        );
        outcomes.push(results);
    }
    let identical = outcomes[0]
        .iter()
        .zip(&outcomes[1])
        .all(|(a, b)| a.0.to_bits() == b.0.to_bits() && a.1.to_bits() == b.1.to_bits());
    println!("fitted values identical for 1 and 2 threads: {identical}");
}
