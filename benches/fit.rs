//! Fit speed: an extended unbinned Gaussian + ARGUS fit of 1 million Mbc values (MIGRAD
//! and HESSE), and — when `PEERS_PYTHON` names a Python with iminuit
//! (scripts/peers-venv.sh) — iminuit with a numpy cost function on the same
//! sample from the same start values, side by side. Run with `cargo bench --bench fit`.

use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Normal};
use searchlight::stats::likelihood::{Channel, Component, Data, Likelihood, Value};
use searchlight::stats::minuit::{Bounds, Cost, ParamSpec, Settings, minimize};
use searchlight::stats::pdfs::argus::Argus;
use searchlight::stats::pdfs::gaussian::Gaussian;
use searchlight::stats::shape::Shape;
use std::time::Instant;

const EVENTS_SIGNAL: usize = 100_000;
const EVENTS_BACKGROUND: usize = 900_000;
const RANGE: (f64, f64) = (5.2, 5.29);
const M0: f64 = 5.29;

fn sample() -> Vec<f64> {
    let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(2026);
    let gauss = Normal::new(5.2795, 0.0027).unwrap();
    let mut x = Vec::with_capacity(EVENTS_SIGNAL + EVENTS_BACKGROUND);
    while x.len() < EVENTS_SIGNAL {
        let v: f64 = gauss.sample(&mut rng);
        if (RANGE.0..=RANGE.1).contains(&v) {
            x.push(v);
        }
    }
    let argus = |m: f64| Shape::new(Argus).density(m, &[M0, -20.0, 0.5]);
    let ceiling = (0..1000)
        .map(|i| argus(RANGE.0 + 0.09 * i as f64 / 1000.0))
        .fold(0.0, f64::max)
        * 1.01;
    while x.len() < EVENTS_SIGNAL + EVENTS_BACKGROUND {
        let m = rng.random_range(RANGE.0..RANGE.1);
        if rng.random::<f64>() * ceiling < argus(m) {
            x.push(m);
        }
    }
    x
}

/// Start values shared with the peer script: (name, value, step, lower, upper).
const START: [(&str, f64, f64, f64, f64); 5] = [
    ("ns", 90_000.0, 1_000.0, 0.0, 2e6),
    ("mu", 5.279, 0.0005, 5.27, 5.29),
    ("sigma", 0.003, 0.0003, 0.0005, 0.02),
    ("nb", 910_000.0, 3_000.0, 0.0, 2e6),
    ("c", -15.0, 1.0, -100.0, 0.0),
];

fn main() {
    // As `searchlight` itself does: keep freed blocks for reuse instead of fresh mmaps.
    searchlight::allocator::tune();
    let x = sample();
    let likelihood = Likelihood::new(
        vec![Channel {
            name: "mbc".into(),
            ranges: vec![RANGE],
            components: vec![
                Component {
                    name: "signal".into(),
                    shape: Shape::new(Gaussian),
                    params: vec![Value::Free(1), Value::Free(2)],
                    yield_: Value::Free(0),
                },
                Component {
                    name: "background".into(),
                    shape: Shape::new(Argus),
                    params: vec![Value::Fixed(M0), Value::Free(4), Value::Fixed(0.5)],
                    yield_: Value::Free(3),
                },
            ],
            data: Data::Unbinned {
                x: x.clone(),
                weights: None,
            },
        }],
        vec![],
    );
    let params: Vec<ParamSpec> = START
        .iter()
        .map(|&(n, v, s, lo, hi)| ParamSpec::new(n, v, s, Bounds::Both(lo, hi)))
        .collect();
    let numerical = |p: &[f64]| likelihood.nll(p);
    let costs: [(&str, &dyn Cost); 2] = [("analytic", &likelihood), ("numerical", &numerical)];
    for (derivatives, cost) in costs {
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut times = Vec::new();
            let mut result = None;
            for _ in 0..3 {
                let start = Instant::now();
                result = Some(pool.install(|| minimize(cost, &params, Settings::default())));
                times.push(start.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            let r = result.unwrap();
            println!(
                "searchlight ({derivatives} gradient, {threads} thread{}) {:>8.3} s  {} calls  {:?}  ns = {:.1} ± {:.1}",
                if threads == 1 { "" } else { "s" },
                times[1],
                r.calls,
                r.status,
                r.values[0],
                r.errors[0]
            );
        }
    }
    if let Some(python) = std::env::var_os("PEERS_PYTHON") {
        let path =
            std::env::temp_dir().join(format!("searchlight-fit-bench-{}.f64", std::process::id()));
        let bytes: Vec<u8> = x.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new(python)
            .arg("benches/peers/fit_iminuit.py")
            .arg(&path)
            .output()
            .expect("peer script runs");
        let _ = std::fs::remove_file(&path);
        print!("{}", String::from_utf8_lossy(&out.stdout));
        eprint!("{}", String::from_utf8_lossy(&out.stderr));
    } else {
        println!("(set PEERS_PYTHON to a Python with iminuit to time it side by side)");
    }
}
