//! Any bytes given as a Parquet file must be read or rejected with a coded error, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::io::parquet::ParquetReader;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("searchlight-fuzz-{}.parquet", std::process::id()));
    std::fs::write(&path, data).unwrap();
    if let Ok(reader) = ParquetReader::open(&path, None) {
        for g in 0..reader.row_groups().min(64) {
            let _ = reader.read_row_group(g);
        }
    }
    let _ = ParquetReader::column_names(&path);
});
