//! Any bytes given as a correctionlib JSON file or a Belle II CSV table must load or be
//! refused with a message, never panic; a correction that loads must evaluate points of
//! NaN, zeros, infinities and ordinary values (its string inputs fixed to any of its
//! keys or refused) without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::corrections::{Correction, InputKind, parse_correctionlib, parse_table};

fn exercise(c: &Correction) {
    let strings: Vec<usize> = (0..c.inputs.len()).filter(|&i| c.inputs[i].kind == InputKind::Str).collect();
    let mut fixed = c.clone();
    for &i in &strings {
        for key in ["nominal", "up", "down", "sys_up", ""] {
            if let Ok(f) = fixed.fix(i, key) {
                fixed = f;
                break;
            }
        }
    }
    for v in [0.0, f64::NAN, -1.5, 1e300, f64::INFINITY, f64::NEG_INFINITY, 0.37, 3.0] {
        let x = vec![v; c.inputs.len()];
        if let Err(e) = fixed.evaluate(&x) {
            let _ = fixed.describe(&e);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(set) = parse_correctionlib(data) {
        set.iter().for_each(exercise);
    }
    if let Ok(c) = parse_table("table", data) {
        exercise(&c);
    }
});
