//! Replays the committed fuzz corpora and every crash the fuzzers found (`fuzz/`) through
//! the same checks as the fuzz targets, so CI guards against regressions without nightly
//! Rust or libFuzzer.

use searchlight::check::{LintOptions, lint};
use searchlight::diag::SourceMap;
use searchlight::expr::{parse_text, print};
use searchlight::spec::{LoadError, load_str};
use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        format!("fuzz/corpus/{target}"),
        format!("fuzz/regressions/{target}"),
    ] {
        if let Ok(entries) = std::fs::read_dir(&dir) {
            files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
        }
    }
    files.sort();
    files
}

#[test]
fn spec_loader_corpus_loads_or_reports() {
    let files = inputs("spec_loader");
    assert!(files.len() >= 40, "the spec corpus is committed");
    for path in files {
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        let mut sources = SourceMap::new();
        match load_str(
            Path::new("fuzz/corpus/spec_loader/input.yaml"),
            &text,
            &mut sources,
        ) {
            Ok(spec) => {
                lint(
                    &spec,
                    &sources,
                    PathBuf::from("fuzz"),
                    &LintOptions::default(),
                );
            }
            Err(LoadError::Invalid(diags)) => assert!(!diags.is_empty(), "{}", path.display()),
            Err(LoadError::Io(_)) => {}
        }
    }
}

#[test]
fn expr_parser_corpus_round_trips() {
    let files = inputs("expr_parser");
    assert!(!files.is_empty(), "the expression corpus is committed");
    for path in files {
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        if let Ok(e) = parse_text(&text) {
            let printed = print(&e);
            let back = parse_text(&printed)
                .unwrap_or_else(|d| panic!("{}: `{printed}`: {}", path.display(), d.message));
            assert_eq!(back, e, "{}: via `{printed}`", path.display());
        }
    }
}

#[test]
fn parquet_reader_corpus_reads_or_reports() {
    use searchlight::io::parquet::ParquetReader;
    let files = inputs("parquet_reader");
    assert!(!files.is_empty(), "the Parquet corpus is committed");
    for path in files {
        let outcome = std::panic::catch_unwind(|| {
            if let Ok(reader) = ParquetReader::open(&path, None) {
                for g in 0..reader.row_groups().min(64) {
                    let _ = reader.read_row_group(g);
                }
            }
        });
        assert!(
            outcome.is_ok(),
            "{} panicked through the guard",
            path.display()
        );
    }
}

#[test]
fn root_reader_corpus_reads_or_reports() {
    use searchlight::io::root::RootReader;
    let files = inputs("root_reader");
    assert!(files.len() >= 3, "the ROOT corpus is committed");
    for path in files {
        let outcome = std::panic::catch_unwind(|| {
            if let Ok(reader) = RootReader::open(&path, None, None) {
                for i in 0..reader.chunks().min(64) {
                    let _ = reader.read_chunk(i);
                }
            }
        });
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
}

#[test]
fn mva_model_corpus_loads_or_is_refused() {
    use searchlight::mva::{lightgbm, tmva, xgboost};
    let files = inputs("mva_model");
    assert!(files.len() >= 100, "the model corpus is committed");
    for path in files {
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        let outcome = std::panic::catch_unwind(|| {
            for (forest, _) in [
                xgboost::load(&text),
                lightgbm::load(&text),
                tmva::load(&text),
            ]
            .into_iter()
            .flatten()
            {
                let column = [0.0, f64::NAN, 1e-40, -3.5, f64::INFINITY];
                if forest.num_features <= 64 {
                    let columns = vec![&column[..]; forest.num_features];
                    for g in 0..forest.num_groups.min(4) {
                        let _ = forest.predict(&columns, g, false);
                    }
                }
            }
        });
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
}

#[test]
fn workspace_corpus_loads_or_is_refused() {
    use searchlight::stats::asymptotic::Model;
    use searchlight::stats::histfactory::from_json;
    use searchlight::stats::minuit::Cost;
    let files = inputs("workspace");
    assert!(files.len() >= 5, "the workspace corpus is committed");
    for path in files {
        let Ok(text) = String::from_utf8(std::fs::read(&path).unwrap()) else {
            continue;
        };
        if let Ok(model) = from_json(&text, None) {
            let start: Vec<f64> = model.params.iter().map(|p| p.value).collect();
            assert!(!model.value(&start).is_nan(), "{}", path.display());
            let _ = model.asimov(&start).value(&start);
        }
    }
}

#[test]
fn partial_reader_corpus_reads_or_is_refused() {
    use searchlight::shard::partial::{FORMAT_VERSION, MAGIC, Partial};
    use sha2::{Digest, Sha256};
    let files = inputs("partial_reader");
    assert!(files.len() >= 3, "the partial corpus is committed");
    let mut read = 0;
    for path in files {
        // Sealed as the fuzz target seals its input (signature, version, checksum).
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&std::fs::read(&path).unwrap());
        let digest = Sha256::digest(&bytes);
        bytes.extend_from_slice(&digest);
        if let Ok(partial) = Partial::from_bytes(&bytes) {
            let again = Partial::from_bytes(&partial.to_bytes()).unwrap();
            assert_eq!(again.header, partial.header, "{}", path.display());
            read += 1;
        }
    }
    assert!(read >= 3, "the corpus's real partials read");
}

#[test]
fn correction_file_corpus_loads_or_is_refused() {
    use searchlight::corrections::{InputKind, parse_correctionlib, parse_table};
    let files = inputs("correction_file");
    assert!(files.len() >= 30, "the correction corpus is committed");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            let mut loaded = parse_correctionlib(&bytes).unwrap_or_default();
            loaded.extend(parse_table("table", &bytes));
            for c in loaded {
                let mut fixed = c.clone();
                for i in (0..c.inputs.len()).filter(|&i| c.inputs[i].kind == InputKind::Str) {
                    if let Some(f) = ["nominal", "up", "sys_up"]
                        .iter()
                        .find_map(|k| fixed.fix(i, k).ok())
                    {
                        fixed = f;
                    }
                }
                for v in [0.0, f64::NAN, -1.5, 1e300, f64::INFINITY, 0.37] {
                    let _ = fixed.evaluate(&vec![v; c.inputs.len()]);
                }
            }
        });
        assert!(outcome.is_ok(), "{} panicked", path.display());
    }
}
