//! Upper limits on pyhf workspaces: searchlight's `limit workspace` machinery (asymptotic
//! CLs, q̃μ) against pyhf with its default numpy backend on the same workspaces, when
//! `PEERS_PYTHON` names a Python with pyhf (../shared/tools/peers-venv.sh).
//! Run with `cargo bench --bench limits`.

use searchlight::stats::asymptotic::Cls;
use searchlight::stats::histfactory::from_json;
use serde_json::Value;
use std::time::Instant;

fn main() {
    let text = std::fs::read_to_string("tests/reference/limits/asymptotic_pyhf.json")
        .expect("reference workspaces");
    let reference: Value = serde_json::from_str(&text).unwrap();
    for name in ["two_channel", "histosys_staterror"] {
        let workspace = reference[name]["workspace"].to_string();
        let mut times = Vec::new();
        let mut limit = None;
        for _ in 0..21 {
            let start = Instant::now();
            let model = from_json(&workspace, None).unwrap();
            let cls = Cls::new(&model, &model.params, model.poi).unwrap();
            limit = Some(cls.upper_limits(0.95, true).unwrap());
            times.push(start.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let limit = limit.unwrap();
        println!("{name}:");
        println!(
            "  searchlight   {:>10.4} s  observed {:.4}, median expected {:.4}",
            times[times.len() / 2],
            limit.observed,
            limit.expected[2]
        );
        if let Some(python) = std::env::var_os("PEERS_PYTHON") {
            let path = std::env::temp_dir()
                .join(format!("searchlight-ws-{}-{name}.json", std::process::id()));
            std::fs::write(&path, &workspace).unwrap();
            let out = std::process::Command::new(python)
                .arg("benches/peers/limit_pyhf.py")
                .arg(&path)
                .output()
                .expect("peer runs");
            let _ = std::fs::remove_file(&path);
            print!("  {}", String::from_utf8_lossy(&out.stdout));
        }
    }
    if std::env::var_os("PEERS_PYTHON").is_none() {
        println!("(set PEERS_PYTHON to a Python with pyhf to time it side by side)");
    }
}
