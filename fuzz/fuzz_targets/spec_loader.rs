//! Any text given as a spec must load (or be rejected with diagnostics) and lint without
//! panicking, and every diagnostic must carry a code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::check::{LintOptions, lint};
use searchlight::diag::SourceMap;
use searchlight::spec::{LoadError, load_str};
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = SourceMap::new();
    let path = Path::new("fuzz/corpus/spec_loader/input.yaml");
    match load_str(path, text, &mut sources) {
        Ok(spec) => {
            for d in lint(&spec, &sources, Path::new("fuzz").to_path_buf(), &LintOptions::default()) {
                assert!(d.code.starts_with("SL"));
            }
        }
        Err(LoadError::Invalid(diags)) => assert!(!diags.is_empty()),
        Err(LoadError::Io(_)) => {}
    }
});
