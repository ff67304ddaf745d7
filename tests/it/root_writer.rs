//! ROOT output (`skim -o FILE.root`, `generate -o FILE.root`): a TTree `variables` that
//! reads back equal to the Parquet output of the same command, in both compressions,
//! across several baskets, byte-identical when written twice, and that a search reads as
//! its input. (CI also reads them with uproot: scripts/check_root_output.py.)

use crate::common;
use searchlight::io::source::NtupleReader;
use searchlight::io::table::ColumnTable;
use std::path::{Path, PathBuf};

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "searchlight-root-out-{}-{name}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(path: &Path) -> ColumnTable {
    let reader = NtupleReader::open(path, None, None).unwrap_or_else(|e| panic!("{e}"));
    let mut table = reader.read_chunk(0).unwrap();
    for i in 1..reader.chunks() {
        table.append(reader.read_chunk(i).unwrap());
    }
    table
}

fn searchlight(dir: &Path, args: &[&str]) {
    let o = common::searchlight_in(dir, args);
    assert!(o.status.success(), "{}", common::text(&o));
}

#[test]
fn generated_toys_read_back_equal_from_root_and_parquet() {
    let dir = temp("generate");
    let file = |name: &str| dir.join(name).to_str().unwrap().to_string();
    // 40 000 events: about 58 000 rows, two baskets per branch.
    let base = ["generate", "b_to_k_alp", "-n", "40000", "--seed", "7", "-o"];
    searchlight(&dir, &[&base[..], &[file("toy.parquet").as_str()]].concat());
    for compression in ["zlib", "zstd"] {
        let root = file(&format!("toy-{compression}.root"));
        searchlight(
            &dir,
            &[&base[..], &[root.as_str(), "--compression", compression]].concat(),
        );
        let (a, b) = (read(Path::new(&root)), read(&dir.join("toy.parquet")));
        assert!(a.rows() > 32_768, "{} rows: a single basket", a.rows());
        assert_eq!(a.columns.len(), b.columns.len());
        for (x, y) in a.columns.iter().zip(&b.columns) {
            assert_eq!(x.name, y.name);
            assert_eq!(x.data, y.data, "{compression}: column {}", x.name);
        }
    }
    // Written again: the same bytes (no dates, no random UUID).
    let other = temp("generate-again");
    let again = other.join("toy-zlib.root");
    searchlight(&other, &[&base[..], &[again.to_str().unwrap()]].concat());
    assert_eq!(
        std::fs::read(&again).unwrap(),
        std::fs::read(file("toy-zlib.root")).unwrap()
    );
    std::fs::remove_dir_all(other).unwrap();
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_skim_as_root_equals_the_parquet_skim_and_is_a_search_input() {
    let dir = temp("skim");
    let spec = "tests/reference/run/cutflow.yaml";
    let (root, parquet) = (dir.join("skim.root"), dir.join("skim.parquet"));
    for out in [&root, &parquet] {
        let spec = std::fs::canonicalize(spec).unwrap();
        searchlight(
            &dir,
            &["skim", spec.to_str().unwrap(), "-o", out.to_str().unwrap()],
        );
    }
    let (a, b) = (read(&root), read(&parquet));
    assert!(a.rows() > 0);
    assert_eq!(a.columns.len(), b.columns.len());
    for (x, y) in a.columns.iter().zip(&b.columns) {
        assert_eq!((&x.name, x.data.type_name()), (&y.name, y.data.type_name()));
        let same = (0..x.data.len()).all(|i| {
            let (u, v) = (x.data.get_f64(i), y.data.get_f64(i));
            u == v || (u.is_nan() && v.is_nan())
        });
        assert!(same && x.data.len() == y.data.len(), "column {}", x.name);
    }
    // The skim as the input of a search: the cut it was made with passes every row.
    let text = format!(
        "searchlight: 1\nanalysis: {{ name: reread }}\ninputs:\n  data: {{ files: [\"{}\"], tree: variables }}\nselection:\n  - cut: Mbc > 5.27\n",
        root.display()
    );
    let reread = dir.join("reread.yaml");
    std::fs::write(&reread, text).unwrap();
    let out = dir.join("out");
    searchlight(
        &dir,
        &["run", reread.to_str().unwrap(), "-o", out.to_str().unwrap()],
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let rows = results["cutflows"]["data"]["all"].as_array().unwrap();
    assert_eq!(rows[0]["candidates"], rows[1]["candidates"]);
    assert_eq!(rows[0]["candidates"].as_u64().unwrap(), a.rows() as u64);
    // Neither .root nor .parquet: a usage error before any work.
    let o = common::searchlight_in(
        &dir,
        &[
            "skim",
            std::fs::canonicalize(spec).unwrap().to_str().unwrap(),
            "-o",
            "skim.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(common::text(&o).contains("SL213"), "{}", common::text(&o));
    std::fs::remove_dir_all(dir).unwrap();
}

/// `run --root-histograms`: every histogram of results.json as a TH1D in
/// histograms.root (CI reads them with uproot), the same bytes for any thread count;
/// without the option no file.
#[test]
fn run_writes_its_histograms_as_th1d_on_request() {
    let dir = temp("histograms");
    let spec = std::fs::canonicalize("tests/reference/run/cutflow.yaml").unwrap();
    let run = |name: &str, extra: &[&str]| {
        let out = dir.join(name);
        let mut args = vec!["run", spec.to_str().unwrap(), "-o", out.to_str().unwrap()];
        args.extend(extra);
        searchlight(&dir, &args);
        out.join("histograms.root")
    };
    let one = run("one", &["--root-histograms", "--threads", "1"]);
    let two = run("two", &["--root-histograms", "--threads", "2"]);
    let bytes = std::fs::read(&one).unwrap();
    assert_eq!(&bytes[..4], b"root");
    assert_eq!(bytes, std::fs::read(&two).unwrap());
    // A ROOT file whose objects are histograms, not ntuples.
    let err = NtupleReader::open(&one, None, None).err().unwrap();
    assert!(err.message.contains("holds no TTree or RNTuple"), "{err}");
    assert!(!run("none", &[]).exists());
    std::fs::remove_dir_all(dir).unwrap();
}
