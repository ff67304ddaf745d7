//! The RNTuple reader against uproot (tests/reference/gen/rntuple_uproot.py): RNTuples
//! written by uproot (every number type, every compression, several clusters, a second
//! ntuple and one in a subdirectory, a collection) read back exactly; record fields
//! refused by name; broken files refused with coded errors; and the file-based reference
//! search giving the same results on its ntuples rewritten as RNTuples as on the TTrees.
//! Jagged TTree branches and RNTuple collections against uproot + awkward
//! (tests/reference/gen/jagged_awkward.py): one candidate row per value, events kept
//! whole, the same cutflow from either format.

use crate::common;
use searchlight::io::root::RootReader;
use searchlight::io::source::NtupleReader;
use serde_json::Value;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/reference/rntuple";

#[test]
fn reads_every_flat_field_as_uproot_does() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/uproot.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    for (file, ntuples) in expected.as_object().unwrap() {
        let path = Path::new(DIR).join(file);
        for ntuple in ntuples.as_array().unwrap() {
            let name = ntuple["ntuple"].as_str().unwrap();
            checked += common::check_against_uproot(&path, name, ntuple);
        }
    }
    assert!(checked >= 60, "only {checked} fields compared");
}

#[test]
fn names_columns_and_chunks_work_as_for_trees() {
    let path = Path::new(DIR).join("types-zstd.root");
    let names = NtupleReader::column_names(&path, Some("other")).unwrap();
    assert_eq!(names, ["tracks_pt", "vertex", "x"]);
    // What each holds, as an editor's hover shows it.
    let described = NtupleReader::describe_columns(&path, Some("other")).unwrap();
    assert_eq!(
        described[0].1,
        "f64, a list per entry (one candidate row per value)"
    );
    assert!(
        described[1].1.starts_with("not readable: a record"),
        "{described:?}"
    );
    assert_eq!(described[2].1, "f64");
    let err = NtupleReader::open(&path, None, None).err().unwrap();
    assert_eq!(err.code, "SL203");
    assert!(err.message.contains("several ntuples"), "{err}");
    let err = NtupleReader::open(&path, Some("ntuples"), None)
        .err()
        .unwrap();
    assert!(err.message.contains("did you mean `ntuple`?"), "{err}");
    let err = NtupleReader::open(&path, Some("ntuple"), Some(&["f88"]))
        .err()
        .unwrap();
    assert_eq!(err.code, "SL203");
    assert!(
        err.message.contains("no field `f88`; did you mean `f8`?"),
        "{err}"
    );
    // Three clusters of 400 entries make one chunk; the entry count needs no pages.
    let reader = RootReader::open(&path, Some("ntuple"), Some(&["f8", "b"])).unwrap();
    assert_eq!((reader.chunks(), reader.chunk_rows(0)), (1, 1200));
    assert_eq!(RootReader::entries(&path, Some("dir/nested")).unwrap(), 5);
}

fn broken_copy(from: &str, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> PathBuf {
    let mut bytes = std::fs::read(format!("{DIR}/{from}")).unwrap();
    edit(&mut bytes);
    let dir = std::env::temp_dir().join(format!("searchlight-rntuple-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn truncated_and_corrupted_files_are_coded_errors() {
    let read =
        |path: &Path| RootReader::open(path, Some("ntuple"), None).and_then(|r| r.read_all());
    let full = std::fs::read(format!("{DIR}/types-zlib.root")).unwrap();
    for keep in [
        100,
        1000,
        full.len() / 2,
        full.len() - 2000,
        full.len() - 100,
    ] {
        let cut = broken_copy("types-zlib.root", "cut.root", |b| b.truncate(keep));
        let err = read(&cut)
            .err()
            .unwrap_or_else(|| panic!("truncated at {keep} was read"));
        assert_eq!(err.code, "SL202", "{err}");
    }
    // With checksums on every page (as ROOT writes them), one flipped byte anywhere
    // after the file header is an error or changes nothing (bytes no reader looks at),
    // never a different number or a panic.
    let split = "types-split.root";
    let digests = |t: &searchlight::io::table::ColumnTable| -> Vec<String> {
        t.columns
            .iter()
            .map(|c| common::column_digest(&c.data))
            .collect()
    };
    let good = digests(&read(Path::new(&format!("{DIR}/{split}"))).unwrap());
    let len = std::fs::read(format!("{DIR}/{split}")).unwrap().len();
    let mut errors = 0;
    for at in (300..len).step_by(7) {
        let flipped = broken_copy(split, "flipped.root", |b| b[at] ^= 0x20);
        match read(&flipped) {
            Ok(table) => assert_eq!(
                digests(&table),
                good,
                "byte {at} flipped changed values silently"
            ),
            Err(e) => {
                // SL203 where the flip lands in a key's class or name.
                assert!(["SL202", "SL203"].contains(&e.code), "byte {at}: {e}");
                errors += 1;
            }
        }
    }
    assert!(errors > 2000, "only {errors} flips were noticed");
}

/// The file-based reference search, with its data and signal ntuples read either as
/// the TTrees in analyses/data/dark_photon or as the same rows written as RNTuples by
/// uproot (its background MC stays a TTree in both): identical results.
#[test]
fn a_search_gives_the_same_results_on_rntuples_as_on_ttrees() {
    let trees = std::fs::canonicalize("analyses/data/dark_photon").unwrap();
    let rntuples = std::fs::canonicalize(format!("{DIR}/dark_photon")).unwrap();
    let spec = std::fs::read_to_string("analyses/dark_photon_files.yaml")
        .unwrap()
        .replace("data/dark_photon/", &format!("{}/", trees.display()))
        .replace("range: [0.5, 6.0]", "range: [1.0, 1.3]");
    let as_rntuples = spec
        .replace(
            &format!("{}/data.root", trees.display()),
            &format!("{}/data.root", rntuples.display()),
        )
        .replace(
            &format!("{}/signal_", trees.display()),
            &format!("{}/signal_", rntuples.display()),
        );
    assert_eq!(as_rntuples.matches(rntuples.to_str().unwrap()).count(), 7);
    let dir = std::env::temp_dir().join(format!("searchlight-rntuple-run-{}", std::process::id()));
    let run = |name: &str, text: &str| -> Value {
        let spec = dir.join(format!("{name}.yaml"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&spec, text).unwrap();
        let out = dir.join(name);
        let o = common::searchlight_in(
            &dir,
            &["run", spec.to_str().unwrap(), "-o", out.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", common::text(&o));
        let mut results: Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap())
                .unwrap();
        results.as_object_mut().unwrap().remove("provenance");
        results
    };
    let from_trees = run("trees", &spec);
    let from_rntuples = run("rntuples", &as_rntuples);
    assert!(from_trees["cutflows"]["data"].is_object());
    assert_eq!(from_trees["cutflows"], from_rntuples["cutflows"]);
    assert_eq!(from_trees, from_rntuples);
}

fn jagged_spec(file: &str, selection: &str) -> String {
    let path = std::fs::canonicalize(format!("tests/reference/jagged/{file}")).unwrap();
    format!(
        "searchlight: 1\nanalysis: {{ name: jagged }}\ninputs:\n  data: {{ files: [\"{}\"], tree: events, weight: eventWeight }}\nselection:\n{selection}",
        path.display()
    )
}

fn run_jagged(name: &str, spec: &str, extra: &[&str]) -> std::process::Output {
    let dir = std::env::temp_dir().join(format!("searchlight-jagged-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, spec).unwrap();
    let out = dir.join(name);
    let mut args = vec!["run", path.to_str().unwrap(), "-o", out.to_str().unwrap()];
    args.extend(extra);
    common::searchlight_in(&dir, &args)
}

/// A cut on an event-level branch (`nTracks`) and cuts on a track's values in one spec,
/// on a TTree of variable-length arrays and on an RNTuple of a collection of records
/// (the same events, both written by uproot): the cutflow awkward computes, per step
/// events, candidates, NaN-stopped candidates and weighted events.
#[test]
fn jagged_columns_select_candidates_as_awkward_does() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/jagged/cutflow.json").unwrap(),
    )
    .unwrap();
    let selection = "  - name: two or more tracks\n    cut: nTracks >= 2\n  - name: track momentum\n    cut: track_pt > 0.5\n  - name: positive\n    cut: track_charge == 1\n  - best_candidate: { by: track_pid, keep: highest }\n";
    for (file, threads) in [("tracks-ttree.root", "2"), ("tracks-rntuple.root", "1")] {
        let name = file.trim_end_matches(".root");
        let o = run_jagged(name, &jagged_spec(file, selection), &["--threads", threads]);
        assert!(o.status.success(), "{}", common::text(&o));
        let dir = std::env::temp_dir().join(format!("searchlight-jagged-{}", std::process::id()));
        let results: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(name).join("results.json")).unwrap(),
        )
        .unwrap();
        let rows = results["cutflows"]["data"]["all"].as_array().unwrap();
        let expected = reference["cutflow"].as_array().unwrap();
        assert_eq!(rows.len(), expected.len());
        for (row, want) in rows.iter().zip(expected) {
            assert_eq!(row["step"], want["step"], "{file}");
            for key in ["events", "candidates", "undefined"] {
                assert_eq!(row[key], want[key], "{file}: {key} at {}", want["step"]);
            }
            let (a, b) = (
                row["weighted"].as_f64().unwrap(),
                want["weighted"].as_f64().unwrap(),
            );
            assert!((a - b).abs() <= 1e-12 * b, "{file}: weighted {a} vs {b}");
        }
    }
}

/// Two collections of different lengths in one input: a coded error naming both, the
/// entry and the counts, and no results.
#[test]
fn jagged_columns_of_different_collections_are_refused() {
    for file in ["tracks-ttree.root", "tracks-rntuple.root"] {
        let spec = jagged_spec(file, "  - cut: track_pt > 0.5\n  - cut: hits > 0\n");
        let o = run_jagged("mixed", &spec, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", common::text(&o));
        let text = common::text(&o);
        assert!(text.contains("SL204"), "{text}");
        assert!(
            text.contains("`track_pt` and `hits` hold different numbers of values in entry"),
            "{text}"
        );
    }
}

/// ROOT-written variable-length arrays (../shared/testdata: `Muon_Px[NMuon]` and the
/// other collections of the HZZ sample, every compression) read as one row per value:
/// as many rows as the counter branch says, the event-level branch repeated, and the
/// values' sum uproot gives.
#[test]
fn root_written_variable_length_arrays_read_as_uproot_does() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/jagged/cutflow.json").unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for (name, want) in reference["testdata"].as_object().unwrap() {
        let path = Path::new("../shared/testdata/root").join(name);
        if !path.exists() {
            eprintln!("skipping {name}: ../shared/testdata is absent");
            continue;
        }
        let reader = RootReader::open(&path, Some("events"), Some(&["NMuon", "Muon_Px"])).unwrap();
        let table = reader.read_all().unwrap();
        let px = table.column("Muon_Px").unwrap();
        assert_eq!(px.len() as u64, want["muons"].as_u64().unwrap(), "{name}");
        let sum: f64 = (0..px.len()).map(|i| px.get_f64(i)).sum();
        let expected = want["px_sum"].as_f64().unwrap();
        assert!(
            (sum - expected).abs() <= 1e-9 * expected.abs().max(1.0),
            "{name}: {sum} vs {expected}"
        );
        // Each row's NMuon is its event's count of rows.
        let n = table.column("NMuon").unwrap();
        let entry = table.column("__entry__").unwrap();
        let mut i = 0;
        while i < n.len() {
            let k = n.get_f64(i) as usize;
            assert!(
                (i..i + k).all(|j| entry.get_f64(j) == entry.get_f64(i)),
                "{name}: row {i}"
            );
            i += k;
        }
        checked += 1;
    }
    if Path::new("../shared/testdata/root").exists() {
        assert!(checked >= 5, "only {checked} files compared");
    }
}

/// Files written by ROOT itself (tests/data/coffea, see PROVENANCE.md there: CMS NanoAOD
/// as RNTuples from ROOT 6.37 and 6.38, DUNE and CMS TTrees with `std::vector`
/// branches), every column read as uproot reads it: flat ones, jagged ones (vectors,
/// `RVec` projections) one row per value, collection sizes (`nJet`); objects refused.
#[test]
fn root_written_rntuples_and_vector_branches_read_as_uproot_does() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/coffea/uproot.json").unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for (file, info) in expected.as_object().unwrap() {
        let path = Path::new("tests/data/coffea").join(file);
        checked += common::check_against_uproot(&path, info["ntuple"].as_str().unwrap(), info);
    }
    assert!(checked > 3000, "only {checked} columns compared");
}

/// A NanoAOD RNTuple written by ROOT (tests/data/coffea): a cut on `nJet` (a collection
/// size) and one on `Jet_pt` (an `RVec` projection of a collection of records), the
/// cutflow awkward computes.
#[test]
fn a_root_written_nanoaod_rntuple_selects_as_awkward_does() {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string("tests/reference/coffea/uproot.json").unwrap(),
    )
    .unwrap();
    let path = std::fs::canonicalize("tests/data/coffea/nano_dy_rntuple.root").unwrap();
    let spec = format!(
        "searchlight: 1\nanalysis: {{ name: nano }}\ninputs:\n  data: {{ files: [\"{}\"], tree: Events }}\nselection:\n  - cut: nJet >= 2\n  - cut: Jet_pt > 30\n",
        path.display()
    );
    let o = run_jagged("nano", &spec, &[]);
    assert!(o.status.success(), "{}", common::text(&o));
    let dir = std::env::temp_dir().join(format!("searchlight-jagged-{}", std::process::id()));
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("nano/results.json")).unwrap())
            .unwrap();
    let rows = results["cutflows"]["data"]["all"].as_array().unwrap();
    let want = expected["nano_dy_rntuple.root"]["cutflow"]
        .as_array()
        .unwrap();
    assert_eq!(rows.len(), want.len());
    for (row, w) in rows.iter().zip(want) {
        assert_eq!(row["events"], w["events"], "{}", w["step"]);
        assert_eq!(row["candidates"], w["candidates"], "{}", w["step"]);
    }
}
