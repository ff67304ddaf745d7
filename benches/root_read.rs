//! ROOT read throughput: five flat columns of a toy ntuple, written by uproot (no
//! maintained Rust crate writes ROOT files) as a zlib TTree and as a zlib RNTuple of the
//! same rows, each read by searchlight on one and two threads and by uproot (`arrays()`
//! to numpy), side by side; plus three zlib inflate backends (libdeflate, used by the
//! reader; zlib-rs and miniz_oxide) on the same bytes. Needs `PEERS_PYTHON` (a Python with uproot and pyarrow, from
//! scripts/peers-venv.sh). Run with `cargo bench --bench root_read`.

mod common;

use searchlight::io::root::RootReader;
use searchlight::io::table::ColumnData;
use std::io::Write;
use std::path::Path;

const ROWS: u64 = 4_000_000;

fn main() {
    let Some((python, dir)) = common::peer_setup("root", "uproot and pyarrow") else {
        return;
    };
    let parquet = dir.join("toy.parquet");
    let root = dir.join("toy.root");
    let rntuple = dir.join("toy-rntuple.root");
    let rows = common::toy_parquet(&parquet, ROWS);
    let mut args = vec![
        "write",
        parquet.to_str().unwrap(),
        root.to_str().unwrap(),
        rntuple.to_str().unwrap(),
    ];
    args.extend(common::COLUMNS);
    common::peer(&python, "root_read.py", &args);

    let read = |path: &Path| {
        let reader = RootReader::open(path, Some("ntuple"), Some(&common::COLUMNS)).expect("opens");
        // Chunk by chunk, as an analysis streams them.
        let mut n = 0;
        for i in 0..reader.chunks() {
            n += reader.read_chunk(i).expect("reads").rows();
        }
        assert_eq!(n as u64, rows);
    };
    let mut tree_times = Vec::new();
    for (what, path) in [("TTree", &root), ("RNTuple", &rntuple)] {
        println!(
            "{what}: {rows} rows, {} MB, zlib level 1 (uproot-written), 5 columns (4 f64, 1 i32)",
            std::fs::metadata(path).unwrap().len() / 1_000_000
        );
        let mut ours = Vec::new();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let t = pool.install(|| common::median(7, || read(path)));
            let versus_tree = match tree_times.get(threads - 1) {
                Some(tree) => format!("  {:.2}x the TTree's time", t / tree),
                None => String::new(),
            };
            println!(
                "searchlight ({threads} thread{}) {:>8.1} ms  {:>6.2} M rows/s{versus_tree}",
                if threads > 1 { "s" } else { " " },
                t * 1e3,
                rows as f64 / t / 1e6
            );
            ours.push(t);
        }
        let mut args = vec!["read", path.to_str().unwrap()];
        args.extend(common::COLUMNS);
        let peers: serde_json::Value =
            serde_json::from_slice(&common::peer(&python, "root_read.py", &args)).unwrap();
        let uproot = peers["uproot"].as_f64().unwrap();
        println!(
            "uproot {:<15} {:>8.1} ms  {:>6.2} M rows/s   searchlight is {:.2}x (1 thread), {:.2}x (2 threads)",
            peers["uproot_version"].as_str().unwrap_or("?"),
            uproot * 1e3,
            rows as f64 / uproot / 1e6,
            uproot / ours[0],
            uproot / ours[1]
        );
        if tree_times.is_empty() {
            tree_times = ours;
        }
    }
    inflate_backends(&root);
    let _ = std::fs::remove_dir_all(dir);
}

/// Inflates the same zlib blocks (the five branches' big-endian bytes in 32 kB blocks,
/// level 1) with zlib-rs and miniz_oxide.
fn inflate_backends(root: &Path) {
    let table = RootReader::open(root, Some("ntuple"), Some(&common::COLUMNS))
        .unwrap()
        .read_all()
        .unwrap();
    let mut raw = Vec::new();
    for c in &table.columns {
        match &c.data {
            ColumnData::F64(v) => v.iter().for_each(|x| raw.extend(x.to_be_bytes())),
            ColumnData::I32(v) => v.iter().for_each(|x| raw.extend(x.to_be_bytes())),
            _ => unreachable!("the benchmark's columns are f64 and i32"),
        }
    }
    let blocks: Vec<(Vec<u8>, usize)> = raw
        .chunks(32 * 1024)
        .map(|b| {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(1));
            e.write_all(b).unwrap();
            (e.finish().unwrap(), b.len())
        })
        .collect();
    let mut out = vec![0u8; 32 * 1024];
    let zlib_rs = common::median(7, || {
        for (b, n) in &blocks {
            let mut d = flate2::Decompress::new(true);
            d.decompress(b, &mut out[..*n], flate2::FlushDecompress::Finish)
                .unwrap();
        }
    });
    let miniz = common::median(7, || {
        for (b, n) in &blocks {
            let mut state =
                miniz_oxide::inflate::stream::InflateState::new(miniz_oxide::DataFormat::Zlib);
            let result = miniz_oxide::inflate::stream::inflate(
                &mut state,
                b,
                &mut out[..*n],
                miniz_oxide::MZFlush::Finish,
            );
            let (status, written) = (result.status, result.bytes_written);
            assert!(status.is_ok() && written == *n);
        }
    });
    let mut inflater = libdeflater::Decompressor::new();
    let libdeflate = common::median(7, || {
        for (b, n) in &blocks {
            let written = inflater.zlib_decompress(b, &mut out[..*n]).unwrap();
            assert_eq!(written, *n);
        }
    });
    let mb = raw.len() as f64 / 1e6;
    println!(
        "inflate {mb:.0} MB: libdeflate {:.0} MB/s (used), zlib-rs {:.0} MB/s, miniz_oxide {:.0} MB/s",
        mb / libdeflate,
        mb / zlib_rs,
        mb / miniz,
    );
}
