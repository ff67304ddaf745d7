//! `searchlight run`: read every input once, evaluate the selection, write the outputs.

use super::prepare::{prepare, report, thread_pool};
use super::{Status, fail};
use crate::analysis::Outcome;
use crate::diag::codes;
use crate::exec::cutflow::Cutflow;
use crate::pipeline::outputs::{remove_previous_results, write_partial};
use crate::pipeline::{Completed, complete, complete_shard};
use crate::shard::Shard;
use crate::spec::Spec;
use std::path::{Path, PathBuf};

/// Arguments of `run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis spec.
    pub(super) spec: PathBuf,
    /// Output directory (default: results/<analysis name>/).
    #[arg(short = 'o', long = "output")]
    pub(super) output: Option<PathBuf>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    pub(super) threads: Option<usize>,
    /// Allow a spec with `blinding: { unblind: true }` to run.
    #[arg(long)]
    pub(super) unblind: bool,
    /// Process only shard I of N (from 1) and write its partial result
    /// (`OUTDIR/shard-I-of-N.partial`) for `searchlight merge`.
    #[arg(long, value_name = "I/N")]
    pub(super) shard: Option<Shard>,
    /// Keep decoded input columns in the cache directory and read them from there on
    /// the next run instead of decoding the files again (unchanged files only).
    #[arg(long)]
    pub(super) column_cache: bool,
    /// Also write every histogram as a ROOT TH1D into OUTDIR/histograms.root.
    #[arg(long)]
    pub(super) root_histograms: bool,
}

/// Runs the analysis; 1 for analysis errors, 2 for I/O or input-format failures.
pub fn run(args: &Args) -> Status {
    let prepared = match prepare(&args.spec, args.unblind) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let spec = &prepared.spec;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&spec.analysis.name.value));
    if let Err(status) = clear(&out) {
        return status;
    }
    let pool = match thread_pool(args.threads) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let status = match args.shard {
        Some(shard) => {
            match pool.install(|| complete_shard(&args.spec, &prepared, shard, args.column_cache)) {
                Ok((partial, notes)) => {
                    print_notes(&notes);
                    match write_partial(&out, &partial) {
                        Ok(path) => {
                            eprintln!(
                                "shard {shard}: wrote {} (merge all {} with `searchlight merge`)",
                                path.display(),
                                shard.count
                            );
                            Status::Ok
                        }
                        Err(e) => fail(
                            codes::OUTPUT,
                            format!("cannot write a partial to {}: {e}", out.display()),
                        ),
                    }
                }
                Err(d) => {
                    report(&[d], &prepared.sources);
                    Status::Failure
                }
            }
        }
        None => match pool.install(|| complete(&args.spec, &prepared, args.column_cache)) {
            Ok(completed) => finish(spec, &out, &completed, args.root_histograms),
            Err(d) => {
                report(&[d], &prepared.sources);
                Status::Failure
            }
        },
    };
    let damaged = crate::io::column_cache::damaged_entries();
    if damaged > 0 {
        eprintln!(
            "note: {damaged} damaged column-cache entries were decoded from the files again and rewritten"
        );
    }
    status
}

/// Removes an earlier run's results from `out` (`remove_previous_results`).
pub(super) fn clear(out: &Path) -> Result<(), Status> {
    remove_previous_results(out).map_err(|e| {
        fail(
            codes::OUTPUT,
            format!("cannot replace {}: {e}", out.join("results.json").display()),
        )
    })
}

/// Prints notes from opening the inputs.
pub(super) fn print_notes(notes: &[String]) {
    for note in notes {
        eprintln!("{note}");
    }
}

/// Writes the outputs of a complete run (or merge) and summarises them on stderr.
pub(super) fn finish(
    spec: &Spec,
    out: &Path,
    completed: &Completed,
    root_histograms: bool,
) -> Status {
    print_notes(&completed.notes);
    match completed.write(spec, out, root_histograms) {
        Ok(()) => {
            summarize(out, &completed.cutflows, completed.statistics.as_ref());
            Status::Ok
        }
        Err(e) => fail(
            codes::OUTPUT,
            format!("cannot write results to {}: {e}", out.display()),
        ),
    }
}

fn summarize(out: &Path, cutflows: &[(String, Cutflow)], statistics: Option<&Outcome>) {
    for (input, c) in cutflows {
        for flow in &c.channels {
            let (first, last) = (flow.rows.first(), flow.rows.last());
            if let (Some(f), Some(l)) = (first, last) {
                eprintln!(
                    "{input:>8} {:<8} {:>9} events in, {:>8} selected",
                    flow.name, f.events, l.events
                );
            }
        }
    }
    if let Some(s) = statistics {
        let ok = s.scan.iter().filter(|p| p.status == "ok").count();
        eprintln!(
            "scan: {} hypotheses, {ok} with limits ({} at {} CL{})",
            s.scan.len(),
            s.method,
            s.cl,
            if s.blinded {
                ", blinded: expected only"
            } else {
                ""
            }
        );
    }
    eprintln!("wrote {}/results.json and cutflow.md", out.display());
}
