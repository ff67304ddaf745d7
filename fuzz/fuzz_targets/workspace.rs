//! Any bytes must load as a pyhf workspace or be refused with a message, never panic; a
//! loaded model must evaluate its likelihood and its Asimov twin at the start values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::stats::asymptotic::Model;
use searchlight::stats::minuit::Cost;
use searchlight::stats::histfactory::from_json;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(model) = from_json(text, None) {
        let start: Vec<f64> = model.params.iter().map(|p| p.value).collect();
        let _ = model.value(&start);
        let _ = model.asimov(&start).value(&start);
    }
});
