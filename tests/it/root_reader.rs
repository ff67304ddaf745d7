//! The ROOT TTree reader against uproot (tests/reference/gen/root_uproot.py): files
//! written by uproot (every type and compression, several baskets, a subdirectory) and
//! by ROOT itself (../shared/testdata/root: ROOT 6.08–6.20, zlib, lz4, lzma, zstd and
//! uncompressed), read back exactly, variable-length arrays (`x[n]`) as one row per
//! value; and broken files refused with coded errors.

use searchlight::io::root::RootReader;
use searchlight::io::source::NtupleReader;
use serde_json::Value;
use std::path::{Path, PathBuf};

const TESTDATA: &str = "../shared/testdata/root";

fn expected() -> Value {
    let text = std::fs::read_to_string("tests/reference/root/uproot.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The path of a reference file, or `None` (with a message) when the shared test data
/// is absent on this machine.
fn locate(key: &str) -> Option<PathBuf> {
    if let Some(name) = key.strip_prefix("testdata/") {
        let path = Path::new(TESTDATA).join(name);
        if !path.exists() {
            eprintln!("skipping {key}: {TESTDATA} is absent");
            return None;
        }
        return Some(path);
    }
    Some(Path::new("tests").join(key))
}

#[test]
fn reads_every_flat_branch_as_uproot_does() {
    let mut checked = 0;
    for (key, trees) in expected().as_object().unwrap() {
        if key == "run_cutflow" {
            continue;
        }
        let Some(path) = locate(key) else { continue };
        for tree in trees.as_array().unwrap() {
            checked +=
                crate::common::check_against_uproot(&path, tree["tree"].as_str().unwrap(), tree);
        }
    }
    assert!(checked >= 80, "only {checked} branches compared");
}

#[test]
fn the_only_tree_is_found_without_a_name_and_a_wrong_name_gets_a_suggestion() {
    let Some(path) = locate("testdata/uproot-Zmumu.root") else {
        return;
    };
    let reader = NtupleReader::open(&path, None, Some(&["M", "Run"])).unwrap();
    assert_eq!(reader.rows(), 2304);
    let err = NtupleReader::open(&path, Some("event"), None)
        .err()
        .unwrap();
    assert_eq!(err.code, "SL203");
    assert!(err.message.contains("did you mean `events`?"), "{err}");
    let err = NtupleReader::open(&path, None, Some(&["px"]))
        .err()
        .unwrap();
    assert_eq!(err.code, "SL203");
    assert!(err.message.contains("no branch `px`"), "{err}");
    // Two trees (one in a subdirectory): the top-level one is the only candidate.
    let parts = Path::new("tests/reference/root/parts-1.root");
    assert_eq!(NtupleReader::open(parts, None, None).unwrap().rows(), 600);
}

#[test]
fn chunks_follow_common_basket_boundaries_and_cover_every_entry() {
    let Some(path) = locate("testdata/uproot-sample-6.20.04-zlib.root") else {
        return;
    };
    // `n` has 5 baskets and `i8` 10 over 30 entries: chunks may not split a basket.
    let reader = RootReader::open(&path, Some("sample"), Some(&["n", "i8"])).unwrap();
    let whole = reader.read_all().unwrap();
    assert_eq!(whole.rows(), 30);
    let tree = RootReader::tree(&path, Some("sample")).unwrap();
    let baskets = |name: &str| {
        tree.branches
            .iter()
            .find(|b| b.name == name)
            .unwrap()
            .baskets
            .len()
    };
    assert_eq!((baskets("n"), baskets("i8")), (5, 10));
}

fn broken_copy(name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read("tests/reference/root/types-zlib.root").unwrap();
    edit(&mut bytes);
    let dir = std::env::temp_dir().join(format!("searchlight-root-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn broken_files_are_coded_errors_naming_the_file() {
    let missing = NtupleReader::open(Path::new("no/such.root"), None, None)
        .err()
        .unwrap();
    assert_eq!(missing.code, "SL201");
    let text = broken_copy("text.root", |b| *b = b"hello, not a file".to_vec());
    let err = NtupleReader::open(&text, None, None).err().unwrap();
    assert_eq!(err.code, "SL202");
    assert!(err.message.contains("text.root"), "{err}");
    // Truncation anywhere: an error (metadata or basket), never a panic or wrong data.
    let full = std::fs::read("tests/reference/root/types-zlib.root")
        .unwrap()
        .len();
    for keep in [100, 1000, full / 2, full - 2000, full - 100] {
        let cut = broken_copy("cut.root", |b| b.truncate(keep));
        let result = RootReader::open(&cut, Some("ntuple"), None).and_then(|r| r.read_all());
        let err = result
            .err()
            .unwrap_or_else(|| panic!("truncated at {keep} was read"));
        assert_eq!(err.code, "SL202", "{err}");
    }
    // A corrupted basket: flip bytes inside the first compressed payload of `f8`.
    let tree = RootReader::tree(
        Path::new("tests/reference/root/types-zlib.root"),
        Some("ntuple"),
    )
    .unwrap();
    let basket = tree
        .branches
        .iter()
        .find(|b| b.name == "f8")
        .unwrap()
        .baskets[0];
    let corrupt = broken_copy("corrupt.root", |b| {
        let at = basket.seek as usize + basket.bytes as usize - 40;
        for byte in &mut b[at..at + 8] {
            *byte ^= 0x5a;
        }
    });
    let err = RootReader::open(&corrupt, Some("ntuple"), Some(&["f8"]))
        .and_then(|r| r.read_all())
        .expect_err("a corrupted basket is an error");
    assert_eq!(err.code, "SL202");
    assert!(err.message.contains("branch `f8`"), "{err}");
}
