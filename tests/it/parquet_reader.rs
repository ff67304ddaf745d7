//! The Parquet reader against files written by pyarrow (tests/reference/gen/parquet_files.py),
//! and against broken files.

use searchlight::io::parquet::ParquetReader;
use searchlight::io::table::ColumnData;
use serde_json::Value;
use std::path::{Path, PathBuf};

const DIR: &str = "tests/reference/parquet";

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/expected.json")).unwrap()).unwrap()
}

fn as_f64(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        Value::Bool(b) => f64::from(u8::from(*b)),
        other => other.as_f64().unwrap(),
    }
}

#[test]
fn reads_every_type_and_compression_exactly() {
    let exp = expected();
    let files = exp["files"].as_object().unwrap();
    assert_eq!(files.len(), 3);
    for (file, groups) in files {
        let reader = ParquetReader::open(&Path::new(DIR).join(file), None).unwrap();
        assert_eq!(
            reader.row_groups() as u64,
            groups.as_u64().unwrap(),
            "{file}"
        );
        let table = reader.read_all().unwrap();
        for (name, values) in exp["columns"].as_object().unwrap() {
            let values = values.as_array().unwrap();
            let col = table
                .column(name)
                .unwrap_or_else(|| panic!("{file}: no {name}"));
            assert_eq!(col.len(), values.len());
            match col {
                ColumnData::I64(v) => {
                    // Compare integers as integers: 64-bit values do not fit f64 exactly.
                    for (a, e) in v.iter().zip(values) {
                        assert_eq!(
                            i128::from(*a),
                            e.as_i64()
                                .map(i128::from)
                                .unwrap_or_else(|| i128::from(e.as_u64().unwrap())),
                            "{file} {name}"
                        );
                    }
                }
                _ => {
                    for (i, e) in values.iter().enumerate() {
                        let (a, e) = (col.get_f64(i), as_f64(e));
                        assert!(
                            a == e || (a.is_nan() && e.is_nan()),
                            "{file} {name}[{i}]: {a} vs {e}"
                        );
                    }
                }
            }
        }
        assert!(matches!(table.column("u32"), Some(ColumnData::U32(_))));
        assert!(matches!(table.column("f32"), Some(ColumnData::F32(_))));
        assert!(matches!(table.column("bool"), Some(ColumnData::Bool(_))));
    }
}

#[test]
fn projection_reads_only_the_named_columns_in_the_given_order() {
    let reader = ParquetReader::open(
        Path::new(&format!("{DIR}/types_zstd.parquet")),
        Some(&["u32", "f64"]),
    )
    .unwrap();
    let group = reader.read_row_group(1).unwrap();
    let names: Vec<&str> = group.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["u32", "f64"]);
    assert_eq!(group.rows(), 500);
    assert_eq!(
        group.column("f64").unwrap().get_f64(0),
        500.0 * 0.125 - 40.0
    );
}

/// Row groups are read by position, not through a shared file offset: decoded on many
/// threads at once (as a run with several threads does), every group equals the group
/// decoded alone.
#[test]
fn row_groups_decoded_concurrently_equal_those_decoded_alone() {
    let reader =
        ParquetReader::open(Path::new(&format!("{DIR}/types_zstd.parquet")), None).unwrap();
    let groups = reader.row_groups();
    assert!(groups > 1);
    // Compared as printed: the columns hold NaN.
    let alone: Vec<String> = (0..groups)
        .map(|g| format!("{:?}", reader.read_row_group(g).unwrap()))
        .collect();
    let reader = &reader;
    for _ in 0..20 {
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4 * groups)
                .map(|k| s.spawn(move || (k % groups, reader.read_row_group(k % groups))))
                .collect();
            for h in handles {
                let (g, table) = h.join().unwrap();
                assert!(
                    format!("{:?}", table.unwrap()) == alone[g],
                    "row group {g} differs"
                );
            }
        });
    }
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("searchlight-pq-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Opens and reads a file fully; returns the error code, or None when it read.
fn outcome(path: &Path) -> Option<&'static str> {
    let result = std::panic::catch_unwind(|| match ParquetReader::open(path, None) {
        Ok(r) => r.read_all().err().map(|e| e.code),
        Err(e) => Some(e.code),
    });
    result.unwrap_or_else(|_| panic!("reading {} panicked", path.display()))
}

#[test]
fn broken_files_give_coded_errors_never_panics() {
    assert_eq!(outcome(Path::new("no/such/file.parquet")), Some("SL201"));
    assert_eq!(
        outcome(&scratch("text.parquet", b"searchlight: 1\n")),
        Some("SL202")
    );
    assert_eq!(outcome(&scratch("empty.parquet", b"")), Some("SL202"));
    let good = std::fs::read(format!("{DIR}/types_zstd.parquet")).unwrap();
    assert_eq!(
        outcome(&scratch("truncated.parquet", &good[..good.len() / 2])),
        Some("SL202")
    );
    assert_eq!(
        outcome(&scratch("no_footer.parquet", &good[..good.len() - 4])),
        Some("SL202")
    );
    // Bit flips anywhere: an error or (where Parquet has no checksum) values, but no panic.
    for source in [
        "types_zstd.parquet",
        "types_none.parquet",
        "types_snappy.parquet",
    ] {
        let good = std::fs::read(format!("{DIR}/{source}")).unwrap();
        for k in 0..64 {
            let mut bad = good.clone();
            let at = 4 + (k * 7919) % (bad.len() - 8);
            bad[at] ^= 0x5a;
            let _ = outcome(&scratch(&format!("flip{k}_{source}"), &bad));
        }
    }
    let nested = ParquetReader::open(Path::new(&format!("{DIR}/nested.parquet")), None)
        .err()
        .unwrap();
    assert_eq!(nested.code, "SL204");
    assert!(nested.message.contains("jagged"), "{}", nested.message);
    assert!(ParquetReader::open(Path::new(&format!("{DIR}/nested.parquet")), Some(&["x"])).is_ok());
}

#[test]
fn null_values_are_refused_by_column() {
    let reader = ParquetReader::open(Path::new(&format!("{DIR}/nulls.parquet")), None).unwrap();
    let err = reader.read_all().err().unwrap();
    assert_eq!(err.code, "SL204");
    assert!(
        err.message.contains("`holes`") && err.message.contains("null"),
        "{}",
        err.message
    );
}

#[test]
fn a_decoder_panic_inside_the_parquet_crate_is_a_coded_error() {
    // Found by fuzzing: arrow-rs panics with "Decoder for dict should have been set".
    let dir = Path::new("fuzz/regressions/parquet_reader");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let code = match ParquetReader::open(&path, None) {
            Ok(r) => r.read_all().err().map(|e| e.code),
            Err(e) => Some(e.code),
        };
        assert_eq!(code, Some("SL202"), "{}", path.display());
    }
}
