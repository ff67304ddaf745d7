//! BDT prediction throughput: 1 million rows, 150 trees of depth 5, 10 features (2% NaN),
//! one thread, against xgboost `inplace_predict` (nthread=1) and lightgbm
//! `predict(num_threads=1)` on the same models and rows; plus the two-thread scaling of
//! ours (rows split in halves with rayon). Needs `PEERS_PYTHON` (a Python with xgboost and
//! lightgbm: scripts/peers-venv.sh). Run with `cargo bench --bench mva`.

mod common;

use rayon::prelude::*;
use searchlight::mva;

fn main() {
    let Some((python, dir)) = common::peer_setup("mva", "xgboost and lightgbm") else {
        return;
    };
    let stdout = common::peer(&python, "mva_predict.py", &[dir.to_str().unwrap()]);
    let peers: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let bytes = std::fs::read(dir.join("rows.f64")).unwrap();
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let features = 10;
    let rows = values.len() / features;
    let columns: Vec<Vec<f64>> = (0..features)
        .map(|j| (0..rows).map(|i| values[i * features + j]).collect())
        .collect();
    let cols: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    println!("{rows} rows, 150 trees of depth 5, {features} features (2% NaN)");
    for (name, file, format) in [
        ("xgboost", "xgb.json", "xgboost"),
        ("lightgbm", "lgb.txt", "lightgbm"),
    ] {
        let model = mva::load(&dir.join(file), format).unwrap();
        let forest = &model.forest;
        let check = forest.predict(
            &cols.iter().map(|c| &c[..1000]).collect::<Vec<_>>(),
            0,
            false,
        );
        let expected = &peers[format!("{name}_prediction")];
        for (i, v) in check.iter().enumerate() {
            assert!(
                (v - expected[i].as_f64().unwrap()).abs() < 1e-6,
                "{name} row {i}"
            );
        }
        let one = common::median(5, || {
            std::hint::black_box(forest.predict(&cols, 0, false));
        });
        let two = common::median(5, || {
            let half = rows / 2;
            let parts: Vec<Vec<f64>> = [0..half, half..rows]
                .into_par_iter()
                .map(|r| {
                    let part: Vec<&[f64]> = cols.iter().map(|c| &c[r.clone()]).collect();
                    forest.predict(&part, 0, false)
                })
                .collect();
            std::hint::black_box(parts);
        });
        let peer = peers[name].as_f64().unwrap();
        println!(
            "{name:<9} model: searchlight {:>7.1} ms (1 thread), {:>7.1} ms (2 threads, {:.2}x); {name} {} {:>7.1} ms (1 thread): searchlight is {:.2}x",
            one * 1e3,
            two * 1e3,
            one / two,
            peers["versions"][name].as_str().unwrap_or("?"),
            peer * 1e3,
            peer / one
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}
