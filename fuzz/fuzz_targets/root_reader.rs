//! Any bytes given as a ROOT file must be read or rejected with a coded error, never a
//! panic that escapes or an allocation driven by a corrupt size field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::io::root::RootReader;

static HOOK: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    HOOK.call_once(searchlight::io::guard::install_quiet_hook);
    let path = std::env::temp_dir().join(format!("searchlight-fuzz-{}.root", std::process::id()));
    std::fs::write(&path, data).unwrap();
    if let Ok(reader) = RootReader::open(&path, None, None) {
        for i in 0..reader.chunks().min(64) {
            let _ = reader.read_chunk(i);
        }
    }
    let _ = RootReader::column_names(&path, Some("dir/other"));
});
