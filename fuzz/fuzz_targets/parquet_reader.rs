//! Any bytes given as a Parquet file must be read or rejected with a coded error, never a
//! panic that escapes: panics inside the parquet crate are contained by `io::guard`, whose
//! hook is installed over libFuzzer's aborting one, so only an uncontained panic is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::io::parquet::ParquetReader;

static HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(searchlight::io::guard::install_quiet_hook);
    let path = std::env::temp_dir().join(format!("searchlight-fuzz-{}.parquet", std::process::id()));
    std::fs::write(&path, data).unwrap();
    if let Ok(reader) = ParquetReader::open(&path, None) {
        for g in 0..reader.row_groups().min(64) {
            let _ = reader.read_row_group(g);
        }
    }
    let _ = ParquetReader::column_names(&path);
});
