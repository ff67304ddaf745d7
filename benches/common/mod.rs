//! Helpers shared by the benchmarks: timing and the toy ntuple they read.
// Each benchmark uses a subset of these helpers.
#![allow(dead_code)]

use searchlight::io::parquet::ParquetWriter;
use searchlight::toy::{self, Params};
use std::path::Path;
use std::time::Instant;

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
