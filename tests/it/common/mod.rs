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

/// The reference spec `analyses/{name}.yaml` with its correction files' paths made
/// absolute, so that it runs from any directory.
pub fn reference_spec(name: &str) -> String {
    let corrections = std::fs::canonicalize("analyses/corrections").unwrap();
    std::fs::read_to_string(format!("analyses/{name}.yaml"))
        .unwrap()
        .replace(
            "file: corrections/",
            &format!("file: {}/", corrections.display()),
        )
}

/// The dark-Higgs reference spec, unblinded, on a smaller toy and a short scan, with the
/// limit method replaced.
pub fn small_counting_spec(method: &str) -> String {
    reference_spec("dark_higgs_idm")
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
