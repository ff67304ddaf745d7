//! Helpers shared by the benchmarks: timing and the toy ntuple they read.
// Each benchmark uses a subset of these helpers.
#![allow(dead_code)]

use searchlight::io::parquet::ParquetWriter;
use searchlight::toy::{self, Params};
use std::path::Path;
use std::time::Instant;

/// The five columns the read benchmarks read (four f64, one i32), as ntuple branches.
pub const COLUMNS: [&str; 5] = [
    "Mbc",
    "deltaE",
    "daughter__bo1__cm__spM__bc",
    "R2",
    "decayMode",
];

/// The Python named by `PEERS_PYTHON` and a fresh scratch directory for `bench`, or
/// `None` (after saying what the benchmark needs) when no peer Python is configured.
pub fn peer_setup(bench: &str, needs: &str) -> Option<(std::ffi::OsString, std::path::PathBuf)> {
    let Some(python) = std::env::var_os("PEERS_PYTHON") else {
        println!("set PEERS_PYTHON to a Python with {needs} (scripts/peers-venv.sh)");
        return None;
    };
    let dir =
        std::env::temp_dir().join(format!("searchlight-{bench}-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    Some((python, dir))
}

/// Runs a peer script of `benches/peers/` and returns its standard output.
pub fn peer(python: &std::ffi::OsStr, script: &str, args: &[&str]) -> Vec<u8> {
    let out = std::process::Command::new(python)
        .arg(Path::new("benches/peers").join(script))
        .args(args)
        .output()
        .expect("peer script runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Median wall time in seconds of `runs` calls of `f`.
pub fn median(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Writes `events` events of the B → K a toy (seed 1) to a Parquet file; returns the rows.
pub fn toy_parquet(path: &Path, events: u64) -> u64 {
    let mut writer: Option<ParquetWriter> = None;
    toy::generate("b_to_k_alp", events, 1, &Params::default(), |t| {
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(ParquetWriter::create(path, &t)?),
        };
        w.write(&t)
    })
    .expect("generator exists")
    .expect("writes");
    writer.expect("rows").finish().expect("finishes")
}
