//! `searchlight run`: read every input once, evaluate the selection, write the outputs.

use super::Status;
use super::prepare::{prepare, report, thread_pool};
use crate::analysis::Outcome;
use crate::diag::{Diagnostic, codes};
use crate::exec::cutflow::Cutflow;
use crate::pipeline::{Completed, complete, execute, provenance};
use crate::report::figures;
use crate::report::results::{
    Provenance, cutflow_markdown, systematics_markdown, write_atomically,
};
use crate::shard::Shard;
use crate::shard::partial::{Header, InputPart, Partial};
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
    if let Err(status) = remove_previous_results(&out) {
        return status;
    }
    let pool = match thread_pool(args.threads) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let status = match args.shard {
        Some(shard) => {
            let outcome = pool.install(|| {
                let executed = execute(
                    spec,
                    &prepared.query,
                    prepared.hidden.as_ref(),
                    &prepared.base,
                    shard,
                    args.column_cache,
                )?;
                let provenance = provenance::provenance(
                    &args.spec,
                    spec,
                    &prepared.sources,
                    &prepared.base,
                    prepared.unblinded,
                )?;
                Ok::<_, Diagnostic>((executed, provenance))
            });
            match outcome {
                Ok((executed, provenance)) => write_partial(&out, shard, provenance, executed),
                Err(d) => {
                    report(&[d], &prepared.sources);
                    Status::Failure
                }
            }
        }
        None => match pool.install(|| complete(&args.spec, &prepared, args.column_cache)) {
            Ok(completed) => finish(spec, &out, &completed),
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

/// Removes an earlier results.json from `out`: it would look like the result of this run
/// if this run failed. The new one is written last, when everything worked. The earlier
/// run's figures go too, so none is left beside results of a run that draws other ones.
pub(super) fn remove_previous_results(out: &Path) -> Result<(), Status> {
    crate::report::figures::remove_previous(out);
    match std::fs::remove_file(out.join("results.json")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            eprintln!(
                "error[{}]: cannot replace {}: {e}",
                codes::OUTPUT,
                out.join("results.json").display()
            );
            Err(Status::Failure)
        }
        _ => Ok(()),
    }
}

/// Writes the outputs of a complete run (or merge) and summarises them on stderr.
pub(super) fn finish(spec: &Spec, out: &Path, completed: &Completed) -> Status {
    match write_outputs(spec, out, completed) {
        Ok(()) => {
            summarize(out, &completed.cutflows, completed.statistics.as_ref());
            Status::Ok
        }
        Err(e) => {
            eprintln!(
                "error[{}]: cannot write results to {}: {e}",
                codes::OUTPUT,
                out.display()
            );
            Status::Failure
        }
    }
}

fn write_partial(
    out: &Path,
    shard: Shard,
    mut provenance: Provenance,
    executed: crate::pipeline::Executed,
) -> Status {
    provenance.inputs = executed.records;
    // Candidates are collected for every input, in the cutflows' order, or for none
    // (a spec without a model).
    let mut candidates = executed.candidates.into_iter();
    let inputs = executed
        .cutflows
        .into_iter()
        .map(|(name, cutflow)| InputPart {
            candidates: candidates.next().map(|c| c.candidates).unwrap_or_default(),
            name,
            cutflow,
        })
        .collect();
    let partial = Partial {
        header: Header {
            shard: shard.index,
            shards: shard.count,
            layout_sha256: executed.layout_sha256,
            provenance,
        },
        inputs,
    };
    let path = out.join(crate::shard::partial::file_name(shard));
    let written =
        std::fs::create_dir_all(out).and_then(|()| write_atomically(&path, &partial.to_bytes()));
    match written {
        Ok(()) => {
            eprintln!(
                "shard {shard}: wrote {} (merge all {} with `searchlight merge`)",
                path.display(),
                shard.count
            );
            Status::Ok
        }
        Err(e) => {
            eprintln!(
                "error[{}]: cannot write {}: {e}",
                codes::OUTPUT,
                path.display()
            );
            Status::Failure
        }
    }
}

fn write_outputs(spec: &Spec, out: &Path, completed: &Completed) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    let name = &spec.analysis.name.value;
    let title = spec.analysis.display_title();
    if let Some(outcome) = &completed.statistics {
        let parameter = spec
            .scan
            .as_ref()
            .map_or("mass", |s| s.parameter.value.as_str());
        figures::write(out, title, &format!("{parameter} [GeV]"), outcome)
            .map_err(std::io::Error::other)?;
    }
    let blinded =
        !completed.provenance.unblinded && crate::analysis::blinding::hidden(spec).is_some();
    figures::histograms(out, title, &completed.cutflows, &spec.scales(), blinded)
        .map_err(std::io::Error::other)?;
    if let Some(table) = completed
        .statistics
        .as_ref()
        .and_then(|outcome| systematics_markdown(name, &spec.systematics, &outcome.efficiency))
    {
        write_atomically(&out.join("systematics.md"), table.as_bytes())?;
    }
    // results.json last: its presence marks a complete output directory.
    write_atomically(
        &out.join("cutflow.md"),
        cutflow_markdown(name, &completed.cutflows, &spec.scales()).as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&completed.results(spec)).expect("results serialise");
    write_atomically(&out.join("results.json"), format!("{json}\n").as_bytes())
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
