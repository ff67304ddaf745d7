//! `searchlight run`: read every input once, evaluate the selection, write the outputs.

use super::Status;
use super::load::{Loaded, base_dir, load};
use crate::check::{LintContext, LintOptions, lint};
use crate::diag::{Diagnostic, Severity, SourceMap, codes, render};
use crate::exec::{self, EventChunks, cutflow::Cutflow};
use crate::io::parquet::{IoError, ParquetReader};
use crate::plan::query::{self, Query};
use crate::report::results::{Provenance, cutflow_markdown, results_json, write_atomically};
use crate::spec::{LoadOptions, Source, Spec};
use crate::toy::{self, Params};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::io::IsTerminal;
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

fn report(diags: &[Diagnostic], sources: &SourceMap) {
    eprint!(
        "{}",
        render::human(diags, sources, std::io::stderr().is_terminal())
    );
}

fn io_failure(e: IoError) -> Diagnostic {
    Diagnostic::error(e.code, e.message)
}

/// Runs the analysis; 1 for analysis errors, 2 for I/O or input-format failures.
pub fn run(args: &Args) -> Status {
    let mut sources = SourceMap::new();
    let spec = match load(&args.spec, &mut sources, &LoadOptions::default()) {
        Loaded::Spec(spec) => spec,
        Loaded::Invalid(diags) => {
            report(&diags, &sources);
            return Status::Findings;
        }
        Loaded::Io(d) => {
            report(&[d], &sources);
            return Status::Failure;
        }
    };
    let base = base_dir(&args.spec);
    let errors: Vec<Diagnostic> = lint(&spec, &sources, base.clone(), &LintOptions::default())
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        report(&errors, &sources);
        return Status::Findings;
    }
    if spec.blinding.unblind.value && !args.unblind {
        let d = Diagnostic::error(
            "SL019",
            "this spec unblinds the signal region; pass --unblind to run it",
        )
        .at(spec.blinding.unblind.span);
        report(&[d], &sources);
        return Status::Findings;
    }
    let ctx = LintContext::new(&spec, &sources, base.clone());
    let query = match query::build(&ctx) {
        Ok(q) => q,
        Err(d) => {
            report(&[d], &sources);
            return Status::Findings;
        }
    };
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
    let outcome = pool.install(|| execute(&spec, &query, &base));
    let (cutflows, inputs) = match outcome {
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
    let name = &spec.analysis.name.value;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("results").join(name));
    match write_outputs(&out, name, &provenance, &cutflows) {
        Ok(()) => {
            summarize(&out, &cutflows);
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

type Inputs = (Vec<(String, Cutflow)>, Map<String, Value>);

/// Runs the query over every input, in spec order.
fn execute(spec: &Spec, query: &Query, base: &Path) -> Result<Inputs, Diagnostic> {
    let mut cutflows = Vec::new();
    let mut provenance = Map::new();
    for input in &spec.inputs {
        let (files, record) = match &input.source {
            Source::Toy {
                generator,
                events,
                seed,
                params,
            } => {
                let params = Params(
                    params
                        .iter()
                        .map(|(k, v)| (k.value.clone(), v.value.values()))
                        .collect(),
                );
                let dir = toy::cache::default_dir().join("toy");
                let (path, fresh) = toy::cache::materialize(
                    &dir,
                    &generator.value,
                    events.value,
                    seed.value,
                    &params,
                )
                .map_err(io_failure)?;
                if fresh {
                    eprintln!(
                        "generated toy input `{}` ({} events) into {}",
                        input.name.value,
                        events.value,
                        path.display()
                    );
                }
                let record = json!({
                    "toy": generator.value,
                    "generator_version": toy::cache::GENERATOR_VERSION,
                    "events": events.value,
                    "seed": seed.value,
                    "parameters": params.0.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<Map<_, _>>(),
                });
                (vec![path], record)
            }
            Source::Files { files, .. } => {
                let paths = resolve_files(base, files.iter().map(|f| f.value.as_str()))?;
                let hashes: Vec<Value> = paths
                    .iter()
                    .map(|p| {
                        file_hash(p).map(|h| json!({"path": p.display().to_string(), "sha256": h}))
                    })
                    .collect::<Result<_, _>>()?;
                (paths, json!({ "files": hashes }))
            }
        };
        let readers = files
            .iter()
            .map(|p| {
                // Bookkeeping columns are read where the file has them: without event
                // numbers each row is its own event, without weights each weighs 1.
                let present = ParquetReader::column_names(p)?;
                let cols: Vec<&str> = query
                    .columns
                    .iter()
                    .map(String::as_str)
                    .filter(|c| !query::EVENT_COLUMNS.contains(c) || present.iter().any(|p| p == c))
                    .collect();
                ParquetReader::open(p, Some(&cols))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(io_failure)?;
        if let Some(first) = readers.first() {
            for (reader, path) in readers.iter().zip(&files).skip(1) {
                if let Some(((name, a), (_, b))) = first
                    .signature()
                    .into_iter()
                    .zip(reader.signature())
                    .find(|(x, y)| x != y)
                {
                    return Err(Diagnostic::error(
                        codes::UNSUPPORTED_COLUMN,
                        format!(
                            "input `{}`: column `{name}` is {a} in {} but {b} in {}",
                            input.name.value,
                            files[0].display(),
                            path.display()
                        ),
                    )
                    .with_help("all files of one input must have the same column types"));
                }
            }
        }
        let tables = readers
            .iter()
            .flat_map(|r| (0..r.row_groups()).map(move |g| r.read_row_group(g)));
        let cutflow = exec::run(query, EventChunks::new(tables)).map_err(io_failure)?;
        provenance.insert(input.name.value.clone(), record);
        cutflows.push((input.name.value.clone(), cutflow));
    }
    Ok((cutflows, provenance))
}

/// Expands the input's paths and globs; ROOT files are not readable by this version.
fn resolve_files<'a>(
    base: &Path,
    patterns: impl Iterator<Item = &'a str>,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let files = crate::io::files::expand(base, patterns).map_err(io_failure)?;
    if let Some(p) = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "root"))
    {
        return Err(Diagnostic::error(
            codes::NOT_SUPPORTED,
            format!("{}: ROOT input is not supported yet", p.display()),
        )
        .with_help(
            "convert the ntuple to Parquet (e.g. with uproot) until the ROOT reader lands",
        ));
    }
    Ok(files)
}

fn file_hash(path: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(codes::IO, format!("cannot read {}: {e}", path.display()))
    })?;
    Ok(format!("{:x}", Sha256::digest(&bytes)))
}

fn write_outputs(
    out: &Path,
    name: &str,
    provenance: &Provenance,
    cutflows: &[(String, Cutflow)],
) -> std::io::Result<()> {
    std::fs::create_dir_all(out)?;
    // results.json last: its presence marks a complete output directory.
    let _ = std::fs::remove_file(out.join("results.json"));
    write_atomically(
        &out.join("cutflow.md"),
        cutflow_markdown(name, cutflows).as_bytes(),
    )?;
    let json = serde_json::to_string_pretty(&results_json(name, provenance, cutflows))
        .expect("results serialise");
    write_atomically(&out.join("results.json"), format!("{json}\n").as_bytes())
}

fn summarize(out: &Path, cutflows: &[(String, Cutflow)]) {
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
    eprintln!("wrote {}/results.json and cutflow.md", out.display());
}
