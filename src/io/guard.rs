//! Containment of panics inside dependencies that decode untrusted bytes.
//!
//! The arrow-rs `parquet` crate panics on some corrupt files (found by fuzzing, e.g.
//! "Decoder for dict should have been set") instead of returning an error. A panic in a
//! dependency is still a crash of searchlight, so every call that decodes file bytes runs
//! inside [`contain`], which turns a panic into an error; the CLI's panic hook stays
//! silent for panics contained this way.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

thread_local! {
    static CONTAINING: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`; a panic inside it becomes `Err` with the panic message.
pub fn contain<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let outer = CONTAINING.with(|c| c.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(outer));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a decoder failed".into())
    })
}

/// Installs a panic hook that is silent for contained panics and otherwise behaves as
/// the default one.
pub fn install_quiet_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if !CONTAINING.with(Cell::get) {
            default(info);
        }
    }));
}

#[cfg(test)]
mod tests {
    #[test]
    fn panics_become_errors() {
        assert_eq!(super::contain(|| 7), Ok(7));
        let err = super::contain(|| -> u8 { panic!("boom") }).unwrap_err();
        assert_eq!(err, "boom");
    }
}
