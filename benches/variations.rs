//! The cost of systematic variations in the selection pass (`pipeline::execute`: every
//! input read and selected, the signal sample's candidates collected), on a 400 000-event
//! B → K a signal toy and a small data toy: the nominal spec, with five weight
//! variations, and with five weight and five column variations (ten, mixed). Weight
//! variations are outputs of the nominal pass; each side of a column variation reruns the
//! signal sample's selection. Run with `cargo bench --bench variations` (the toys are
//! generated into the cache on the first run).

mod common;

use searchlight::pipeline::{execute, prepare};
use searchlight::shard::Shard;

const SPEC: &str = r#"searchlight: 1
analysis: { name: bench-variations, experiment: belle, n_bb: 772e6 }
inputs:
  data: { toy: b_to_k_alp, events: 20000, seed: 1 }
  signal: { toy: b_to_k_alp_signal, events: 400000, seed: 2, masses: [1.0, 2.0] }
variables:
  mgg: daughter(1, M)
selection:
  - name: beam-constrained mass
    cut: Mbc > 5.27
  - name: energy difference
    cut: -0.2 < deltaE < 0.1
  - best_candidate: { by: abs(deltaE), keep: lowest }
channels:
  K+: { cut: decayMode == 0, endpoint: m_Bp - m_Kp }
fit:
  observable: { var: mgg, range: [0.08, 4.70] }
  window: 10 sigma
  signal: { pdf: gaussian, mean: m_a, sigma: 0.018 * m_a ** 0.7 }
  background: { pdf: chebychev, order: 1, c1: { init: 0, range: [-1, 1] } }
  efficiency: from(signal)
  poi: { name: br, range: [0, 1e-3] }
scan: { parameter: m_a, range: [1.5, 1.52], step: sigma }
limits: { cl: 0.90, method: cls-asymptotic }
"#;

fn main() {
    let dir = std::env::temp_dir().join(format!(
        "searchlight-variations-bench-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let weights: String = (1..=5)
        .map(|k| {
            format!("  w{k}: {{ weight: {{ up: 1 + 0.0{k} * R2, down: 1 - 0.0{k} * R2 }} }}\n")
        })
        .collect();
    let columns: String = (1..=5)
        .map(|k| {
            format!("  c{k}: {{ columns: {{ up: {{ deltaE: deltaE + 0.00{k} }}, down: {{ deltaE: deltaE - 0.00{k} }} }} }}\n")
        })
        .collect();
    let specs = [
        ("nominal", SPEC.to_string()),
        (
            "5 weight variations",
            format!("{SPEC}systematics:\n{weights}"),
        ),
        (
            "5 weight + 5 column variations",
            format!("{SPEC}systematics:\n{weights}{columns}"),
        ),
    ];
    let mut nominal = None;
    for (name, text) in specs {
        let path = dir.join("spec.yaml");
        std::fs::write(&path, text).unwrap();
        let Ok(prepared) = prepare(&path, false) else {
            panic!("{name}: the spec is refused");
        };
        let run = || execute(&prepared, Shard::WHOLE, false).unwrap();
        run(); // toys into the cache, files into the page cache
        let seconds = common::median(5, || {
            std::hint::black_box(run());
        });
        let base = *nominal.get_or_insert(seconds);
        println!(
            "{name:>32}: {seconds:.3} s ({:.2}x the nominal pass)",
            seconds / base
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
