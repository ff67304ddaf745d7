//! The evaluator against Polars and numpy (issue #4's workload): 10 million rows × 12
//! f64 columns (seeded normal), four derived columns, five cuts including a veto window,
//! a 100-bin histogram. searchlight runs the spec from the Parquet file (`searchlight
//! run`, whole process; and rerun with `--column-cache`) and from memory (the planned query over chunks of a table
//! already read); Polars runs the same query lazily (streaming engine from the file, and
//! on a DataFrame in memory) and numpy on arrays, at 1 and 2 threads each. The histograms
//! must be equal. Two floors ([`bounds`]) show what is attainable at all. The machine's memory bandwidth (a parallel sum over 1 GiB) gives the
//! fraction of it the in-memory evaluation reaches.
//! Run with `PEERS_PYTHON=/tmp/peers/bin/python cargo bench --bench select`
//! (`SELECT_ROWS` changes the row count, `SELECT_PROFILE=N` runs only the in-memory
//! evaluation N times on one thread, for a profiler).

mod bounds;
#[path = "../common/mod.rs"]
mod common;

use rand::SeedableRng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use searchlight::check::LintContext;
use searchlight::diag::SourceMap;
use searchlight::exec::Piece;
use searchlight::io::parquet::{ParquetReader, ParquetWriter};
use searchlight::io::table::{Column, ColumnData, ColumnTable};
use searchlight::spec::{LoadOptions, load_file};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

const COLUMNS: usize = 12;
const CHUNK: usize = 1 << 18;

const SPEC: &str = "searchlight: 1
analysis: { name: select-benchmark }
inputs:
  data: { files: [x.parquet] }
variables:
  d0: x0 * x1
  d1: sqrt(x2 ** 2 + x3 ** 2)
  d2: abs(x4 - x5)
  d3: x6 + 2 * x7
selection:
  - cut: x8 > -1
  - cut: d1 < 2.5
  - cut: -1.5 < x9 < 1.5
  - cut: d2 < 2
vetoes:
  d0_window: { var: d0, window: [-0.1, 0.1] }
histograms:
  d3: { var: d3, bins: 100, range: [-5, 5] }
";

/// Writes `rows` rows of 12 seeded standard-normal columns in row groups of 1 M.
fn write_input(path: &Path, rows: usize) {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(4);
    let normal = Normal::new(0.0, 1.0).unwrap();
    let mut writer: Option<ParquetWriter> = None;
    let mut done = 0;
    while done < rows {
        let n = (rows - done).min(1 << 20);
        let table = ColumnTable {
            columns: (0..COLUMNS)
                .map(|i| Column {
                    name: format!("x{i}"),
                    data: ColumnData::F64((0..n).map(|_| normal.sample(&mut rng)).collect()),
                })
                .collect(),
        };
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(ParquetWriter::create(path, &table).unwrap()),
        };
        w.write(&table).unwrap();
        done += n;
    }
    writer.unwrap().finish().unwrap();
}

/// GB/s of a parallel sum over 1 GiB on `threads` threads (integer words, so that the
/// sum vectorises and memory, not the adder's latency, is the limit).
fn bandwidth(threads: usize) -> f64 {
    let data = vec![1u64; 1 << 27];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let t = common::median(5, || {
        let s: u64 = pool.install(|| {
            data.par_chunks(1 << 16)
                .map(|c| c.iter().fold(0u64, |a, &b| a.wrapping_add(b)))
                .reduce(|| 0, u64::wrapping_add)
        });
        assert_eq!(s, data.len() as u64);
    });
    (data.len() * 8) as f64 / t / 1e9
}

fn main() {
    // As `searchlight` itself does.
    searchlight::allocator::tune();
    let rows: usize = std::env::var("SELECT_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let dir = std::env::temp_dir().join(format!("searchlight-select-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("x.parquet");
    write_input(&file, rows);
    let spec_path = dir.join("select.yaml");
    std::fs::write(&spec_path, SPEC).unwrap();
    println!(
        "{rows} rows x {COLUMNS} f64 columns (zstd Parquet, {} MB)",
        std::fs::metadata(&file).unwrap().len() / 1_000_000
    );

    // From the file: the whole `searchlight run` process (page cache warm); then warm
    // reruns with the column cache (primed by one untimed run).
    let binary = env!("CARGO_BIN_EXE_searchlight");
    let mut ours_file = [0.0; 2];
    let mut ours_cached = [0.0; 2];
    let mut histogram = serde_json::Value::Null;
    let run = |threads: usize, cached: bool| {
        let threads = threads.to_string();
        let mut args = vec![
            "run",
            spec_path.to_str().unwrap(),
            "-o",
            "out",
            "--threads",
            &threads,
        ];
        if cached {
            args.push("--column-cache");
        }
        let out = std::process::Command::new(binary)
            .args(&args)
            .env("SEARCHLIGHT_CACHE", dir.join("cache"))
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    for (k, threads) in [1, 2]
        .into_iter()
        .enumerate()
        .filter(|_| std::env::var_os("SELECT_MEMORY_ONLY").is_none())
    {
        ours_file[k] = common::median(5, || run(threads, false));
        let results: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("out/results.json")).unwrap()).unwrap();
        histogram = results["histograms"]["data"]["all"][0]["counts"].clone();
        run(threads, true);
        ours_cached[k] = common::median(5, || run(threads, true));
        let results: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.join("out/results.json")).unwrap()).unwrap();
        assert_eq!(results["histograms"]["data"]["all"][0]["counts"], histogram);
    }

    // From memory: the planned query over chunks of the table read beforehand.
    let mut sources = SourceMap::new();
    let spec = load_file(&spec_path, &mut sources, &LoadOptions::default())
        .unwrap_or_else(|_| panic!("spec loads"));
    let ctx = LintContext::new(&spec, &sources, dir.clone());
    let query = searchlight::plan::query::build(&ctx).unwrap();
    let program = searchlight::plan::program::Program::compile(&query, &[]);
    let names: Vec<&str> = program
        .plan
        .columns
        .iter()
        .map(String::as_str)
        .filter(|c| !c.starts_with("__"))
        .collect();
    // One table read beforehand, evaluated in chunks of rows that share it (as the
    // pieces of a Parquet row group do), so that no timed run copies or frees data.
    let table = Arc::new(
        ParquetReader::open(&file, Some(&names))
            .unwrap()
            .read_all()
            .unwrap(),
    );
    let chunks: Vec<Range<usize>> = (0..rows)
        .step_by(CHUNK)
        .map(|start| start..(start + CHUNK).min(rows))
        .collect();
    let used_bytes = (rows * names.len() * 8) as f64;
    let evaluate = || {
        let pieces = chunks.iter().map(|rows| {
            Ok(Piece {
                table: Arc::clone(&table),
                rows: rows.clone(),
            })
        });
        searchlight::exec::run(&program, pieces).unwrap()
    };
    if let Some(repeat) = std::env::var("SELECT_PROFILE")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        // For a profiler: the in-memory run alone, `repeat` times on one thread.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        for _ in 0..repeat {
            let start = Instant::now();
            pool.install(evaluate);
            println!("in memory: {:.1} ms", start.elapsed().as_secs_f64() * 1e3);
        }
        std::fs::remove_dir_all(dir).unwrap();
        return;
    }
    let mut ours_memory = [0.0; 2];
    let mut decompress = [0.0; 2];
    let mut by_hand = [0.0; 2];
    for (k, threads) in [1, 2].into_iter().enumerate() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        ours_memory[k] = common::median(5, || {
            let flow = pool.install(evaluate);
            if !histogram.is_null() {
                assert_eq!(
                    serde_json::json!(flow.channels[0].histograms[0].counts),
                    histogram
                );
            }
        });
        // The floors (see `bounds`): page decompression alone, and the query by hand.
        decompress[k] = common::median(5, || {
            assert!(pool.install(|| bounds::decompress_pages(&file, &names)) >= used_bytes as usize)
        });
        by_hand[k] = common::median(5, || {
            let counts = pool.install(|| bounds::hand_written_query(&table, &chunks));
            if !histogram.is_null() {
                assert_eq!(serde_json::json!(counts), histogram);
            }
        });
    }
    let bandwidth = [bandwidth(1), bandwidth(2)];
    println!(
        "memory bandwidth (parallel sum over 1 GiB): {:.1} GB/s on 1 thread, {:.1} GB/s on 2",
        bandwidth[0], bandwidth[1]
    );
    for k in 0..2 {
        println!(
            "searchlight, {} thread(s): rerun with --column-cache {:7.1} ms",
            k + 1,
            ours_cached[k] * 1e3
        );
        println!(
            "searchlight, {} thread(s): run from Parquet {:7.1} ms; in memory {:7.1} ms = {:.1} GB/s of the {} columns used ({:.0}% of bandwidth)",
            k + 1,
            ours_file[k] * 1e3,
            ours_memory[k] * 1e3,
            used_bytes / ours_memory[k] / 1e9,
            names.len(),
            100.0 * used_bytes / ours_memory[k] / 1e9 / bandwidth[k]
        );
        println!(
            "floors, {} thread(s): decompressing the used columns' pages {:7.1} ms; the query by hand in memory {:7.1} ms",
            k + 1,
            decompress[k] * 1e3,
            by_hand[k] * 1e3
        );
    }
    let Some(python) = std::env::var_os("PEERS_PYTHON") else {
        println!("set PEERS_PYTHON to a Python with polars, numpy and pyarrow for the peers");
        return;
    };
    for (k, threads) in [1, 2].into_iter().enumerate() {
        let out = std::process::Command::new(&python)
            .arg("benches/peers/select_polars.py")
            .arg(&file)
            .env("POLARS_MAX_THREADS", threads.to_string())
            .env("OMP_NUM_THREADS", threads.to_string())
            .output()
            .unwrap();
        let peers: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(
            peers["histogram"], histogram,
            "Polars and searchlight fill the same histogram"
        );
        for (key, ours, ours_label) in [
            ("polars_parquet", ours_file[k], "searchlight (run)"),
            (
                "polars_parquet",
                ours_cached[k],
                "searchlight (cached rerun)",
            ),
            ("numpy_parquet", ours_file[k], "searchlight (run)"),
            ("polars_memory", ours_memory[k], "searchlight (in memory)"),
            ("numpy_memory", ours_memory[k], "searchlight (in memory)"),
            (
                "polars_parquet",
                decompress[k],
                "the floor (decompression alone)",
            ),
            ("polars_memory", by_hand[k], "the floor (query by hand)"),
        ] {
            let t = peers[key].as_f64().unwrap();
            println!(
                "{key:<15} {threads} thread(s) {:7.1} ms   {ours_label} is {:.2}x",
                t * 1e3,
                t / ours
            );
        }
    }
    std::fs::remove_dir_all(dir).unwrap();
}
