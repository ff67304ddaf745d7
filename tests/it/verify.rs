//! `searchlight verify`: a rerun reproduces a recorded result bit for bit; a tampered
//! result is reported quantity by quantity (exit 1); a changed input file or MVA model
//! is refused before rerunning (exit 2).

use crate::common::{searchlight_in, text};
use std::path::{Path, PathBuf};

/// A working directory with a spec that reads a Parquet file and cuts on a BDT.
fn analysis() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("searchlight-verify-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["test.parquet", "xgb_binary.json"] {
        std::fs::copy(Path::new("tests/reference/mva").join(file), dir.join(file)).unwrap();
    }
    std::fs::write(
        dir.join("spec.yaml"),
        "searchlight: 1\nanalysis: { name: v }\ninputs:\n  data: { files: [test.parquet] }\nmva:\n  bdt: { model: xgb_binary.json, format: xgboost, features: [R2, cosTBTO, thrustOm, m_gg, E9E21] }\nselection:\n  - cut: bdt > 0.5\n",
    )
    .unwrap();
    let o = searchlight_in(&dir, &["run", "spec.yaml", "-o", "out"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    dir
}

#[test]
fn verify_reproduces_detects_tampering_and_refuses_changed_sources() {
    let dir = analysis();
    let o = searchlight_in(&dir, &["verify", "out/results.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("bit for bit"), "{}", text(&o));

    // A recorded number changed: reported by its path, exit 1.
    let results = dir.join("out/results.json");
    let original = std::fs::read_to_string(&results).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&original).unwrap();
    let events = doc["cutflows"]["data"]["all"][1]["events"]
        .as_u64()
        .unwrap();
    doc["cutflows"]["data"]["all"][1]["events"] = serde_json::json!(events + 1);
    std::fs::write(&results, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let o = searchlight_in(&dir, &["verify", "out/results.json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(&format!(
            "cutflows.data.all[1].events: {} → {events}",
            events + 1
        )),
        "{}",
        text(&o)
    );
    std::fs::write(&results, &original).unwrap();

    // A changed MVA model: refused before rerunning, exit 2.
    let model = dir.join("xgb_binary.json");
    let bytes = std::fs::read(&model).unwrap();
    std::fs::write(&model, [&bytes[..], b"\n"].concat()).unwrap();
    let o = searchlight_in(&dir, &["verify", "out/results.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("the model of MVA `bdt`"), "{}", text(&o));
    std::fs::write(&model, &bytes).unwrap();

    // One byte of the input changed: refused, naming the file, exit 2.
    let data = dir.join("test.parquet");
    let mut bytes = std::fs::read(&data).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&data, &bytes).unwrap();
    let o = searchlight_in(&dir, &["verify", "out/results.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("test.parquet changed"), "{}", text(&o));
    std::fs::remove_dir_all(dir).unwrap();
}

/// The tables a spec reads are recorded with their hashes, and a changed one is refused.
#[test]
fn verify_refuses_a_changed_reinterpretation_table() {
    let dir = std::env::temp_dir().join(format!("searchlight-verify-table-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let table = "data/zprime/lmu_ltau_xsec.csv";
    std::fs::create_dir_all(dir.join("data/zprime")).unwrap();
    std::fs::copy(Path::new("analyses").join(table), dir.join(table)).unwrap();
    let spec = std::fs::read_to_string("analyses/ee_to_mumu_zprime.yaml")
        .unwrap()
        .replace("events: 60000", "events: 10000")
        .replace("events: 100000", "events: 20000")
        .replace("range: [0.4, 9.0]", "range: [2.0, 2.05]");
    std::fs::write(dir.join("spec.yaml"), spec).unwrap();
    let o = searchlight_in(&dir, &["run", "spec.yaml", "-o", "out"]);
    assert!(o.status.success(), "{}", text(&o));
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/results.json")).unwrap())
            .unwrap();
    let recorded = results["provenance"]["tables"][table].as_str().unwrap();
    assert_eq!(recorded.len(), 64, "{recorded}");
    let o = searchlight_in(&dir, &["verify", "out/results.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));

    let text_of_table = std::fs::read_to_string(dir.join(table)).unwrap();
    std::fs::write(dir.join(table), text_of_table.replace("2.5e5", "2.6e5")).unwrap();
    let o = searchlight_in(&dir, &["verify", "out/results.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains(&format!("the table `{table}`")),
        "{}",
        text(&o)
    );
    std::fs::remove_dir_all(dir).unwrap();
}
