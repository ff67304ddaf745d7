//! Any bytes given as an XGBoost JSON, LightGBM text or TMVA XML model must load or be refused
//! with a message, never panic; a model that loads must evaluate rows with NaN, zeros
//! and infinities without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::mva::{lightgbm, tmva, xgboost};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for loaded in [xgboost::load(text), lightgbm::load(text), tmva::load(text)] {
        if let Ok((forest, _)) = loaded {
            let column = [0.0, f64::NAN, 1e-40, -3.5, f64::INFINITY, 7.25];
            let columns: Vec<&[f64]> = (0..forest.num_features.min(64)).map(|_| &column[..]).collect();
            if columns.len() == forest.num_features {
                for g in 0..forest.num_groups.min(4) {
                    let _ = forest.predict(&columns, g, false);
                }
            }
        }
    }
});
