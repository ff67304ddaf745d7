//! `searchlight run`: read every input once, evaluate the selection, write the outputs.

use super::Status;
use super::inputs::{Prepared, io_failure, open_input, prepare, report};
use crate::analysis::{self, InputCandidates, Outcome, collect};
use crate::diag::{Diagnostic, SourceMap, codes};
use crate::exec::{self, EventChunks, cutflow::Cutflow};
use crate::plan::query::Query;
use crate::report::results::{Provenance, cutflow_markdown, results_json, write_atomically};
use crate::spec::{Input, Source, Spec};
use crate::toy::{Params, truth};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Arguments of `run`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis spec.
    spec: PathBuf,
    /// Output directory (default: results/<analysis name>/).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Allow a spec with `blinding: { unblind: true }` to run.
    #[arg(long)]
    unblind: bool,
}

/// Runs the analysis; 1 for analysis errors, 2 for I/O or input-format failures.
pub fn run(args: &Args) -> Status {
    let Prepared {
        spec,
        sources,
        base,
        query,
    } = match prepare(&args.spec, args.unblind) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let name = &spec.analysis.name.value;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("results").join(name));
    // A results.json from an earlier run would look like the result of this one if this
    // run failed: it goes now, and the new one is written last, when everything worked.
    if let Err(e) = std::fs::remove_file(out.join("results.json"))
        && e.kind() != std::io::ErrorKind::NotFound
    {
        eprintln!(
            "error[{}]: cannot replace {}: {e}",
            codes::OUTPUT,
            out.join("results.json").display()
        );
        return Status::Failure;
    }
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: cannot start worker threads: {e}");
            return Status::Failure;
        }
    };
    let unblind = spec.blinding.unblind.value && args.unblind;
    let outcome = pool.install(|| {
        let (cutflows, inputs, candidates) = execute(&spec, &query, &base)?;
        let statistics = analysis::statistics(&spec, &candidates, unblind)?;
        Ok::<_, Diagnostic>((cutflows, inputs, statistics))
    });
    let (cutflows, inputs, statistics) = match outcome {
        Ok(r) => r,
        Err(d) => {
            report(&[d], &sources);
            return Status::Failure;
        }
    };
    let provenance = Provenance {
        spec_sha256: spec_hash(&spec, &sources),
        searchlight_version: env!("CARGO_PKG_VERSION").into(),
        searchlight_commit: env!("SEARCHLIGHT_GIT_COMMIT").into(),
        platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        inputs,
    };
    match write_outputs(&out, name, &provenance, &cutflows, statistics.as_ref()) {
        Ok(()) => {
            summarize(&out, &cutflows, statistics.as_ref());
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

fn spec_hash(spec: &Spec, sources: &SourceMap) -> String {
    let mut h = Sha256::new();
    for id in std::iter::once(spec.root).chain(spec.includes.iter().copied()) {
        h.update(sources.file(id).text.as_bytes());
    }
    format!("{:x}", h.finalize())
}

type Executed = (
    Vec<(String, Cutflow)>,
    Map<String, Value>,
    Vec<InputCandidates>,
);

/// Runs the query over every input, in spec order, collecting the candidates the
/// statistics stage needs (with truth columns for signal toys).
fn execute(spec: &Spec, query: &Query, base: &Path) -> Result<Executed, Diagnostic> {
    let mut cutflows = Vec::new();
    let mut provenance = Map::new();
    let mut candidates = Vec::new();
    let observable = spec.model.as_ref().map(|m| &m.observable().var.expr);
    for input in &spec.inputs {
        let toy = toy_of(input);
        let truth = toy.as_ref().and_then(|(g, _, _)| truth::signal_truth(g));
        let mut input_query = query.clone();
        for column in truth.iter().flat_map(collect::truth_columns) {
            if !input_query.columns.contains(&column) {
                input_query.columns.push(column);
            }
        }
        let (readers, record) = open_input(input, &input_query, base)?;
        let tables = readers
            .iter()
            .flat_map(|r| (0..r.row_groups()).map(move |g| r.read_row_group(g)));
        let cutflow = match observable {
            Some(expr) => {
                let mut collector = collect::Collector::new(query, expr, truth);
                let cutflow =
                    exec::run_with(query, EventChunks::new(tables), |s| collector.take(s))
                        .map_err(io_failure)?;
                candidates.push(InputCandidates {
                    name: input.name.value.clone(),
                    candidates: collector.candidates,
                    toy,
                });
                cutflow
            }
            None => exec::run(query, EventChunks::new(tables)).map_err(io_failure)?,
        };
        provenance.insert(input.name.value.clone(), record);
        cutflows.push((input.name.value.clone(), cutflow));
    }
    Ok((cutflows, provenance, candidates))
}

/// (generator, parameters, events) of a toy input.
fn toy_of(input: &Input) -> Option<(String, Params, u64)> {
    match &input.source {
        Source::Toy {
            generator,
            events,
            params,
            ..
        } => Some((
            generator.value.clone(),
            Params(
                params
                    .iter()
                    .map(|(k, v)| (k.value.clone(), v.value.values()))
                    .collect(),
            ),
            events.value,
        )),
        Source::Files { .. } => None,
    }
}

fn write_outputs(
    out: &Path,
    name: &str,
    provenance: &Provenance,
    cutflows: &[(String, Cutflow)],
    statistics: Option<&Outcome>,
) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    // results.json last: its presence marks a complete output directory.
    write_atomically(
        &out.join("cutflow.md"),
        cutflow_markdown(name, cutflows).as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&results_json(name, provenance, cutflows, statistics))
        .expect("results serialise");
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
