//! Parquet read throughput: the same five columns of the same toy file read by
//! searchlight's reader, and — when `PEERS_PYTHON` names a Python with pyarrow and polars
//! (scripts/peers-venv.sh) — by pyarrow and polars, side by side.
//! Run with `cargo bench --bench parquet_read`.

mod common;

use searchlight::io::parquet::ParquetReader;

fn main() {
    let path =
        std::env::temp_dir().join(format!("searchlight-bench-{}.parquet", std::process::id()));
    let rows = common::toy_parquet(&path, 1_000_000);
    let read = || {
        let reader = ParquetReader::open(&path, Some(&common::COLUMNS)).expect("opens");
        let mut n = 0;
        for g in 0..reader.row_groups() {
            n += reader.read_row_group(g).expect("reads").rows();
        }
        assert_eq!(n as u64, rows);
    };
    let ours = common::median(7, read);
    println!(
        "file: {rows} rows (zstd, {} row groups), 5 columns",
        ParquetReader::open(&path, None).unwrap().row_groups()
    );
    println!(
        "{:<22} {:>8.1} ms  {:>6.2} M rows/s",
        "searchlight (1 thread)",
        ours * 1e3,
        rows as f64 / ours / 1e6
    );
    if let Some(python) = std::env::var_os("PEERS_PYTHON") {
        let mut cmd = std::process::Command::new(python);
        cmd.arg("benches/peers/parquet_read.py")
            .arg(&path)
            .args(common::COLUMNS);
        let out = cmd.output().expect("peer script runs");
        let peers: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        for key in ["pyarrow_1", "pyarrow_2", "polars"] {
            let t = peers[key].as_f64().unwrap();
            println!(
                "{key:<22} {:>8.1} ms  {:>6.2} M rows/s   searchlight is {:.2}x",
                t * 1e3,
                rows as f64 / t / 1e6,
                t / ours
            );
        }
    } else {
        println!("(set PEERS_PYTHON to compare with pyarrow and polars)");
    }
    let _ = std::fs::remove_file(path);
}
