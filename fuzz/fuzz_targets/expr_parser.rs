//! Any text must parse or be rejected without panicking; whatever parses must print to
//! text that parses back to the same tree (the round-trip property of `fmt` and `diff`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use searchlight::expr::{parse_text, print};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(expr) = parse_text(text) {
        let printed = print(&expr);
        let again = parse_text(&printed).unwrap_or_else(|e| panic!("printed form `{printed}` does not parse: {}", e.message));
        assert_eq!(expr, again, "round trip changed `{text}` via `{printed}`");
    }
});
