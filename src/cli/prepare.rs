//! What the commands that run a spec share on the command line: preparing it through the
//! pipeline and printing why it cannot run, diagnostics on stderr, the worker threads.

use super::Status;
use crate::diag::{Diagnostic, SourceMap, codes, render};
use crate::pipeline::{self, Prepared, complete};
use serde_json::Value;
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
        .map_err(|e| super::fail(codes::IO, format!("cannot start worker threads: {e}")))
}

/// Runs a spec whole (as `run` would, without writing anything) and returns its
/// results.json document as a file would hold it; prints why when it cannot.
pub fn results_of(spec: &Path, unblind: bool, threads: Option<usize>) -> Result<Value, Status> {
    let prepared = prepare(spec, unblind)?;
    results_of_prepared(spec, &prepared, threads)
}

/// [`results_of`] for a spec already prepared.
pub fn results_of_prepared(
    spec: &Path,
    prepared: &Prepared,
    threads: Option<usize>,
) -> Result<Value, Status> {
    let pool = thread_pool(threads)?;
    match pool.install(|| complete(spec, prepared, false)) {
        Ok(completed) => {
            let text = serde_json::to_string(&completed.results(&prepared.spec))
                .expect("results serialise");
            Ok(serde_json::from_str(&text).expect("results read back"))
        }
        Err(d) => {
            report(&[d], &prepared.sources);
            Err(Status::Failure)
        }
    }
}
