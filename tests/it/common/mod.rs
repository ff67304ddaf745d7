//! Helpers shared by integration tests.
// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

/// Runs the searchlight binary in `dir` with its own toy and hash cache (`dir/cache`).
pub fn searchlight_in(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(args)
        .current_dir(dir)
        .env("SEARCHLIGHT_CACHE", dir.join("cache"))
        .output()
        .expect("binary runs")
}

/// A command's standard output and error, one after the other.
pub fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The reference spec `analyses/{name}.yaml` with its correction files' and
/// reinterpretation tables' paths made absolute, so that it runs from any directory.
pub fn reference_spec(name: &str) -> String {
    let corrections = std::fs::canonicalize("analyses/corrections").unwrap();
    let data = std::fs::canonicalize("analyses/data").unwrap();
    std::fs::read_to_string(format!("analyses/{name}.yaml"))
        .unwrap()
        .replace(
            "file: corrections/",
            &format!("file: {}/", corrections.display()),
        )
        .replace(": data/zprime/", &format!(": {}/zprime/", data.display()))
        .replace(
            ": data/b_to_h_invisible/",
            &format!(": {}/b_to_h_invisible/", data.display()),
        )
}

/// The dark-Higgs reference spec's lifetime grid.
pub const FIVE_LIFETIMES: &str = "ctau: [0.1, 1, 10, 100, 1000]";

/// The dark-Higgs reference spec, unblinded, on a smaller toy, four lifetimes (the
/// longest leaves too few signal events in a small sample) and a short scan, with the
/// limit method replaced.
pub fn small_counting_spec(method: &str) -> String {
    reference_spec("dark_higgs_idm")
        .replace(FIVE_LIFETIMES, "ctau: [0.1, 1, 10, 100]")
        .replace("  - common/displaced_vetoes.yaml", "  []")
        .replace("events: 100000, seed: 21", "events: 20000, seed: 21")
        .replace("events: 100000, seed: 22", "events: 20000, seed: 22")
        .replace("range: [0.22, 4.0]", "range: [0.9, 1.2]")
        .replace("method: cls-exact", &format!("method: {method}"))
        .replace(
            "blinding: { unblind: false }",
            "blinding: { unblind: true }",
        )
}

/// Writes `table` as one Parquet file at `path`.
pub fn write_parquet(path: &std::path::Path, table: &searchlight::io::table::ColumnTable) {
    let mut writer = searchlight::io::parquet::ParquetWriter::create(path, table).unwrap();
    writer.write(table).unwrap();
    writer.finish().unwrap();
}

/// SHA-256 of a column's values as little-endian f64 (the digest the reference scripts
/// record for uproot's reading).
pub fn column_digest(column: &searchlight::io::table::ColumnData) -> String {
    use sha2::{Digest, Sha256};
    let mut hash = Sha256::new();
    for i in 0..column.len() {
        hash.update(column.get_f64(i).to_le_bytes());
    }
    format!("{:x}", hash.finalize())
}

/// The storage type searchlight reads a numpy dtype into.
fn storage_of(numpy: &str) -> &'static str {
    match numpy {
        "float64" => "f64",
        "float32" => "f32",
        "int8" | "uint8" | "int16" | "uint16" | "int32" => "i32",
        "uint32" => "u32",
        "int64" | "uint64" => "i64",
        "bool" => "bool",
        other => panic!("unexpected dtype {other}"),
    }
}

/// Checks ntuple `name` of `path` against uproot's description of it (the reference
/// scripts' `describe`: `entries`; `flat` columns with their values' count and digest,
/// and their `dtype` where recorded, in which case the reader's default projection must
/// be exactly those; `jagged` columns, one row per value beside the entry number;
/// `refused` columns, SL204). Returns how many columns were compared.
pub fn check_against_uproot(
    path: &std::path::Path,
    name: &str,
    description: &serde_json::Value,
) -> usize {
    use searchlight::io::root::RootReader;
    let what = format!("{}:{name}", path.display());
    let flat = description["flat"].as_object().unwrap();
    let columns: Vec<&str> = flat.keys().map(String::as_str).collect();
    let reader = RootReader::open(path, Some(name), Some(&columns))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(
        reader.rows(),
        description["entries"].as_u64().unwrap(),
        "{what}"
    );
    let table = reader.read_all().unwrap_or_else(|e| panic!("{what}: {e}"));
    let signature = reader.signature();
    let typed = flat.values().any(|info| info.get("dtype").is_some());
    if typed {
        let default = RootReader::open(path, Some(name), None)
            .unwrap()
            .signature()
            .len();
        assert_eq!(default, flat.len(), "{what}: the flat columns");
    }
    let mut checked = 0;
    for (column, info) in flat {
        let data = table.column(column).unwrap();
        let count = info.get("entries").or(info.get("values")).unwrap();
        assert_eq!(
            data.len() as u64,
            count.as_u64().unwrap(),
            "{what}:{column}"
        );
        if let Some(dtype) = info.get("dtype") {
            let ty = signature.iter().find(|(n, _)| n == column).unwrap().1;
            assert_eq!(ty, storage_of(dtype.as_str().unwrap()), "{what}:{column}");
        }
        assert_eq!(
            column_digest(data),
            info["sha256"].as_str().unwrap(),
            "{what}:{column} values differ from uproot's"
        );
        checked += 1;
    }
    for (column, info) in description["jagged"].as_object().unwrap() {
        let table = RootReader::open(path, Some(name), Some(&[column.as_str()]))
            .and_then(|r| r.read_all())
            .unwrap_or_else(|e| panic!("{what}:{column}: {e}"));
        let data = table.column(column).unwrap();
        assert_eq!(
            data.len() as u64,
            info["values"].as_u64().unwrap(),
            "{what}:{column}"
        );
        assert_eq!(
            column_digest(data),
            info["sha256"].as_str().unwrap(),
            "{what}:{column}"
        );
        assert_eq!(table.column("__entry__").unwrap().len(), data.len());
        checked += 1;
    }
    for column in description["refused"].as_array().unwrap() {
        let column = column.as_str().unwrap();
        let err = RootReader::open(path, Some(name), Some(&[column]))
            .err()
            .unwrap_or_else(|| panic!("{what}: {column} should be refused"));
        assert_eq!(err.code, "SL204", "{what}:{column}: {err}");
        assert!(err.message.contains(column), "{err}");
    }
    checked
}

/// Asserts a `fit --json` report's parameters (`ours`) against a peer's reference
/// (`theirs` in `expected["values"]` and `expected["errors"]`): values to 1e-4 relative
/// or, for a value near zero, to a thousandth of its error (two minimisers' stopping
/// points on a flat minimum); errors to 1e-2.
pub fn assert_parameters(
    fitted: &serde_json::Value,
    expected: &serde_json::Value,
    names: &[(&str, &str)],
) {
    for (theirs, ours) in names {
        let p = &fitted["parameters"][ours];
        let (value, error) = (p["value"].as_f64().unwrap(), p["error"].as_f64().unwrap());
        let want = expected["values"][theirs].as_f64().unwrap();
        let want_error = expected["errors"][theirs].as_f64().unwrap();
        assert!(
            (value - want).abs() <= (1e-4 * want.abs()).max(1e-3 * want_error),
            "{ours}: {value} vs {want}"
        );
        assert!(
            (error - want_error).abs() <= 1e-2 * want_error,
            "{ours}: error {error} vs {want_error}"
        );
    }
}
