//! The BDT evaluator against the peers' own predictions (tests/reference/gen/mva_peers.py):
//! XGBoost `Booster.predict` (probability and `output_margin=True`) and LightGBM
//! `Booster.predict` (and `raw_score=True`), on a test set with NaN and exact zeros, to
//! 1e-6 absolute; a TMVA weight file against the standalone reader TMVA generated for it
//! (tests/reference/gen/tmva_standalone.py); and broken model files refused with messages
//! naming the file.

use searchlight::mva;
use serde_json::Value;
use std::path::Path;

const DIR: &str = "tests/reference/mva";

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/reference.json")).unwrap())
        .unwrap()
}

/// The test set as feature columns.
fn columns(rows: usize, features: usize) -> Vec<Vec<f64>> {
    let bytes = std::fs::read(format!("{DIR}/test.f64")).unwrap();
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(values.len(), rows * features);
    (0..features)
        .map(|j| (0..rows).map(|i| values[i * features + j]).collect())
        .collect()
}

#[test]
fn scores_equal_the_peers_predictions() {
    let r = reference();
    let rows = r["rows"].as_u64().unwrap() as usize;
    let features = r["features"].as_array().unwrap().len();
    let cols = columns(rows, features);
    let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let models = r["models"].as_object().unwrap();
    assert_eq!(models.len(), 9);
    for (name, m) in models {
        let model = mva::load(
            &Path::new(DIR).join(m["file"].as_str().unwrap()),
            m["format"].as_str().unwrap(),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(model.forest.num_features, features, "{name}");
        let groups = model.forest.num_groups;
        for (key, margin) in [("prediction", false), ("margin", true)] {
            // Multi-class predictions are rows of per-class values.
            let expected: Vec<f64> = m[key]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|v| match v {
                    Value::Array(row) => row.iter().map(|x| x.as_f64().unwrap()).collect(),
                    x => vec![x.as_f64().unwrap()],
                })
                .collect();
            assert_eq!(expected.len(), rows * groups, "{name}");
            let mut worst: f64 = 0.0;
            for g in 0..groups {
                let ours = model.forest.predict(&cols, g, margin);
                for (i, v) in ours.iter().enumerate() {
                    worst = worst.max((v - expected[i * groups + g]).abs());
                }
            }
            eprintln!("{name} {key}: worst difference {worst:e}");
            assert!(worst <= 1e-6, "{name} {key}: worst difference {worst:e}");
        }
    }
}

/// TMVA's generated reader prints cuts and boost weights to 6 significant digits (the
/// weight file keeps them whole), so the scores agree to this, not to the last bit; rows
/// near a cut were not drawn.
const TMVA_TOLERANCE: f64 = 1e-5;

#[test]
fn tmva_scores_equal_tmvas_own_reader() {
    let r: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{DIR}/tmva_reference.json")).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = r["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let rows = r["rows"].as_u64().unwrap() as usize;
    let bytes = std::fs::read(format!("{DIR}/tmva_test.f64")).unwrap();
    let values: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(values.len(), rows * names.len());
    let cols: Vec<Vec<f64>> = (0..names.len())
        .map(|j| (0..rows).map(|i| values[i * names.len() + j]).collect())
        .collect();
    let cols: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let model = mva::load(&Path::new(DIR).join(r["file"].as_str().unwrap()), "tmva").unwrap();
    assert_eq!(model.feature_names, names);
    let ours = model.forest.predict(&cols, 0, false);
    let expected: Vec<f64> = r["prediction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let worst = ours
        .iter()
        .zip(&expected)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    eprintln!("TMVA AdaBoost: worst difference {worst:e}");
    assert!(worst <= TMVA_TOLERANCE, "worst difference {worst:e}");
    // The scores spread over the whole range: the test is not passed by a constant.
    let spread = expected.iter().copied().fold(f64::NEG_INFINITY, f64::max)
        - expected.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(spread > 1.0, "{spread}");
}

#[test]
fn feature_names_are_read_from_the_models() {
    let model = mva::load(&Path::new(DIR).join("xgb_binary.json"), "xgboost").unwrap();
    assert_eq!(model.feature_names[0], "R2");
    let model = mva::load(&Path::new(DIR).join("lgb_binary.txt"), "lightgbm").unwrap();
    assert_eq!(model.feature_names[4], "E9E21");
}

fn broken(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("searchlight-mva-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let format = if name.ends_with(".json") {
        "xgboost"
    } else {
        "lightgbm"
    };
    let err = mva::load(&path, format).expect_err(name).to_string();
    assert!(err.contains(name), "{err}");
    err
}

#[test]
fn broken_models_are_refused_with_the_file_named() {
    let xgb = std::fs::read_to_string(format!("{DIR}/xgb_binary.json")).unwrap();
    let lgb = std::fs::read_to_string(format!("{DIR}/lgb_binary.txt")).unwrap();
    broken("truncated.json", &xgb[..xgb.len() / 2]);
    let e = broken(
        "objective.json",
        &xgb.replace("binary:logistic", "survival:cox"),
    );
    assert!(e.contains("survival:cox"), "{e}");
    let e = broken(
        "feature.json",
        &xgb.replace("\"num_feature\":\"5\"", "\"num_feature\":\"2\""),
    );
    assert!(e.contains("feature"), "{e}");
    let e = broken(
        "threshold.txt",
        &lgb.replacen("threshold=", "threshold=nan ", 1),
    );
    assert!(e.contains("threshold") || e.contains("NaN"), "{e}");
    broken("truncated.txt", &lgb[..lgb.len() / 2]);
    let e = broken(
        "child.txt",
        &lgb.replacen("left_child=", "left_child=99 ", 1),
    );
    assert!(e.contains("tree 0"), "{e}");
}
