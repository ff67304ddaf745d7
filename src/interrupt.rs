//! Clean stops on SIGINT and SIGTERM (Ctrl-C, `kill`, a batch system's time limit): the
//! temporary files being written are removed, a message says nothing was written, and
//! the process exits with 128 + the signal number. Outputs are only ever moved into
//! place complete (`report::results::write_atomically`, the Parquet writer), and a run
//! writes results.json last, so an interrupted run leaves no result that looks complete.
//!
//! The signals are blocked in every thread and received by one thread with `sigwait`,
//! which can then take locks and touch files — unlike a signal handler. Written with
//! libc (already a dependency) because the whole mechanism is these few calls.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Temporary files being written now.
static PARTIAL: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file registered for removal on interruption, unregistered when dropped.
pub struct Partial(PathBuf);

/// Registers `path` as a temporary file being written.
pub fn track(path: &Path) -> Partial {
    PARTIAL
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
    Partial(path.to_path_buf())
}

impl Drop for Partial {
    fn drop(&mut self) {
        let mut partial = PARTIAL.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = partial.iter().position(|p| *p == self.0) {
            partial.swap_remove(i);
        }
    }
}

/// Blocks SIGINT and SIGTERM and starts the thread that handles them. Call first in
/// `main`, before any other thread exists, so that every thread inherits the mask.
/// (Child processes started with `std::process::Command` get an empty mask back.)
pub fn install() {
    // SAFETY: plain libc calls on a zeroed, then initialised, local signal set.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    std::thread::spawn(move || {
        let mut signal = 0;
        // SAFETY: `set` is initialised and `signal` is a valid out-pointer.
        if unsafe { libc::sigwait(&set, &mut signal) } != 0 {
            return;
        }
        let partial = PARTIAL.lock().unwrap_or_else(|e| e.into_inner());
        for path in partial.iter() {
            let _ = std::fs::remove_file(path);
        }
        eprintln!("interrupted: stopped without writing results (temporary files removed)");
        std::process::exit(128 + signal);
    });
}
