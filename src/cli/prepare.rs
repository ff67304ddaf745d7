//! What the commands that run a spec share on the command line: preparing it through the
//! pipeline and printing why it cannot run, diagnostics on stderr, the worker threads.

use super::Status;
use crate::diag::{Diagnostic, SourceMap, render};
use crate::pipeline::{self, Prepared};
use std::io::IsTerminal;
use std::path::Path;

/// Prints diagnostics to stderr.
pub fn report(diags: &[Diagnostic], sources: &SourceMap) {
    eprint!(
        "{}",
        render::human(diags, sources, std::io::stderr().is_terminal())
    );
}

/// [`pipeline::prepare`]; on refusal prints why and returns the exit status (findings,
/// or a failure when the spec could not be read).
pub fn prepare(path: &Path, unblind: bool) -> Result<Prepared, Status> {
    pipeline::prepare(path, unblind).map_err(|refused| {
        report(&refused.diagnostics, &refused.sources);
        if refused.unreadable {
            Status::Failure
        } else {
            Status::Findings
        }
    })
}

/// The worker threads of a run (all cores by default); results do not depend on them.
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool, Status> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start worker threads: {e}");
            Status::Failure
        })
}
