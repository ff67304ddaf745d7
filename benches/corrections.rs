//! Correction evaluation throughput, one thread, 10^6 points: a multibinning muon-ID
//! correction (its `up` variation fixed) and a formula over every function correctionlib
//! has, against the `correctionlib` package's vectorised `evaluate` on the same points
//! (identical outputs checked on the first 1000). Needs `PEERS_PYTHON` (a Python with
//! correctionlib 2.9.0 and numpy). Run with `cargo bench --bench corrections`.

mod common;

use searchlight::corrections::{self, InputKind};
use std::path::Path;

fn main() {
    let Some((python, dir)) = common::peer_setup("corrections", "correctionlib and numpy") else {
        return;
    };
    let stdout = common::peer(&python, "correction_eval.py", &[dir.to_str().unwrap()]);
    let peer: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let n = peer["points"].as_u64().unwrap() as usize;
    let bytes = std::fs::read(dir.join("points.f64")).unwrap();
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let column = |k: usize| &values[k * n..(k + 1) * n];
    let reference = Path::new("tests/reference/corrections");
    let load = |file: &str, name: &str| {
        corrections::load(&reference.join(file))
            .unwrap()
            .into_iter()
            .find(|c| c.name == name)
            .unwrap()
    };
    let sf = load("muon_id_sf.json", "muon_id_sf");
    let syst = sf
        .inputs
        .iter()
        .position(|i| i.kind == InputKind::Str)
        .unwrap();
    let sf = sf.fix(syst, "up").unwrap();
    let formula = load("corrections.json", "formula");
    println!(
        "{n} points, one thread, against correctionlib {}",
        peer["correctionlib"]
    );
    for (name, c, inputs) in [
        ("multibinning", &sf, [column(0), column(1)]),
        ("formula", &formula, [column(2), column(3)]),
    ] {
        let evaluate = || -> Vec<f64> {
            let mut x = vec![0.0; c.inputs.len()];
            (0..n)
                .map(|i| {
                    x[0] = inputs[0][i];
                    x[1] = inputs[1][i];
                    c.evaluate(&x).unwrap()
                })
                .collect()
        };
        let ours = evaluate();
        for (i, bits) in peer[format!("{name}_bits")]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            assert_eq!(
                format!("{:016x}", ours[i].to_bits()),
                bits.as_str().unwrap(),
                "{name} point {i}"
            );
        }
        let seconds = common::median(5, || {
            std::hint::black_box(evaluate());
        });
        let theirs = peer[format!("{name}_seconds")].as_f64().unwrap();
        println!(
            "{name:>13}: searchlight {:.1} ns/point, correctionlib {:.1} ns/point ({:.2}x)",
            1e9 * seconds / n as f64,
            1e9 * theirs / n as f64,
            theirs / seconds
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
