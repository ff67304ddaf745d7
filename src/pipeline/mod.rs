//! The run pipeline as a library, used by every command that runs a spec (`run`, `fit`,
//! `skim`, `merge`, `submit`, `verify`, `diff --run`): [`prepare`] loads, lints and plans
//! a spec; [`open_input`] opens an input (generating a toy into the cache, expanding file
//! globs) as readers; [`execute`] runs each input's program over the events a shard owns
//! and collects what the statistics stage (`analysis::statistics`) needs. It returns
//! typed values and diagnostics; printing them is the caller's.
//!
//! A spec run from Rust, without the command line:
//! ```
//! use searchlight::{analysis, pipeline, shard::Shard};
//! use std::path::Path;
//!
//! let Ok(prepared) = pipeline::prepare(Path::new("tests/reference/run/cutflow.yaml"), false)
//! else {
//!     panic!("the spec is refused")
//! };
//! let executed = pipeline::execute(&prepared, Shard::WHOLE, false).unwrap();
//! let (input, cutflow) = &executed.cutflows[0];
//! assert_eq!(input, "data");
//! assert_eq!(cutflow.channels[0].rows[1].step, "mbc");
//! // This spec has no model: the statistics stage has nothing to do.
//! assert!(analysis::statistics(&prepared.spec, &prepared.base, &executed.candidates, false).unwrap().is_none());
//! ```

pub mod fit;
pub mod load;
pub mod outputs;
pub mod progress;
pub mod provenance;
pub mod skim;
pub mod verify;
pub mod workspace;

use crate::analysis::collect::{self, TruthColumns};
use crate::analysis::{InputCandidates, variation_label};
use crate::check::{LintContext, LintOptions, lint};
use crate::diag::Spanned;
use crate::diag::{Diagnostic, Severity, SourceMap, codes};
use crate::exec::cutflow::Cutflow;
use crate::exec::{self, EventChunks};
use crate::io::IoError;
use crate::io::source::NtupleReader;
use crate::plan::program::Program;
use crate::plan::query::{self, Query};
use crate::report::results::{InputFile, InputRecord, Provenance, ToyRecord};
use crate::shard::{FileLayout, InputLayout, Layout, Shard, slice};
use crate::spec::{GeneratedAt, Input, LoadOptions, Name, ParamValue, Source, Spec};
use crate::toy::{self, Params, truth};
use load::{Loaded, base_dir, load};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A spec ready to execute.
pub struct Prepared {
    /// The spec.
    pub spec: Box<Spec>,
    /// Its sources.
    pub sources: SourceMap,
    /// Directory relative paths are resolved against.
    pub base: PathBuf,
    /// The executable query.
    pub query: Query,
    /// The run may look at the signal region: the spec unblinds and `--unblind` was
    /// given.
    pub unblinded: bool,
    /// What blinding hides of the data: None when unblinded or when nothing is blinded.
    pub hidden: Option<crate::expr::Expr>,
}

/// A reader error as a diagnostic.
pub fn io_failure(e: IoError) -> Diagnostic {
    Diagnostic::error(e.code, e.message)
}

/// Why a spec cannot run: its diagnostics (with the sources they point into), and whether
/// the spec could not be read at all (an I/O failure rather than findings).
pub struct Refused {
    /// The diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// The sources they point into.
    pub sources: SourceMap,
    /// True when the spec file could not be read.
    pub unreadable: bool,
}

/// Loads, lints and plans a spec (`unblind`: `--unblind` was given).
pub fn prepare(path: &Path, unblind: bool) -> Result<Prepared, Refused> {
    let mut sources = SourceMap::new();
    let spec = match load(path, &mut sources, &LoadOptions::default()) {
        Loaded::Spec(spec) => spec,
        Loaded::Invalid(diagnostics) => return Err(refused(diagnostics, sources)),
        Loaded::Io(d) => {
            return Err(Refused {
                diagnostics: vec![d],
                sources,
                unreadable: true,
            });
        }
    };
    let base = base_dir(path);
    // The files are read next, and an input that cannot be read is refused there as an
    // I/O failure (exit 2): the linter's view of the same files (SL036) is left out.
    let options = LintOptions {
        ignore: vec!["input-files".into()],
    };
    let errors: Vec<Diagnostic> = lint(&spec, &sources, base.clone(), &options)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(refused(errors, sources));
    }
    if spec.blinding.unblind.value && !unblind {
        let d = Diagnostic::error(
            "SL019",
            "this spec unblinds the signal region; pass --unblind to run it",
        )
        .at(spec.blinding.unblind.span);
        return Err(refused(vec![d], sources));
    }
    let ctx = LintContext::new(&spec, &sources, base.clone());
    let query = match query::build(&ctx) {
        Ok(q) => q,
        Err(d) => return Err(refused(vec![d], sources)),
    };
    let unblinded = spec.blinding.unblind.value && unblind;
    let hidden = if unblinded {
        None
    } else {
        crate::analysis::blinding::hidden(&spec)
    };
    Ok(Prepared {
        spec,
        sources,
        base,
        query,
        unblinded,
        hidden,
    })
}

fn refused(diagnostics: Vec<Diagnostic>, sources: SourceMap) -> Refused {
    Refused {
        diagnostics,
        sources,
        unreadable: false,
    }
}

/// An input opened for reading.
pub struct Opened {
    /// One reader per file, projected onto the query's columns.
    pub readers: Vec<NtupleReader>,
    /// The files, in order.
    pub files: Vec<PathBuf>,
    /// The `files` entry (path or glob) each file comes from.
    pub entries: Vec<usize>,
    /// A toy's provenance record (generator, version, events, seed, parameters); None
    /// for file inputs, whose record is their files' hashes.
    pub toy_record: Option<ToyRecord>,
    /// What the user should know about how the input was opened (a toy generated, a
    /// cached toy refused), for the caller to print.
    pub notes: Vec<String>,
}

/// Opens an input: its readers (ROOT or Parquet, projected onto the query's columns),
/// generating a toy into the cache first.
pub fn open_input(
    input: &Input,
    program: &Program,
    extra: &[String],
    base: &Path,
    column_cache: bool,
) -> Result<Opened, Diagnostic> {
    let mut tree = None;
    let mut notes = Vec::new();
    let (files, toy_record) = match &input.source {
        Source::Toy {
            generator,
            events,
            seed,
            params,
        } => {
            let params = toy_params(params);
            let cache = toy::cache::default_dir();
            let toy = toy::cache::materialize(
                &cache.join("toy"),
                &cache.join("hashes"),
                &generator.value,
                events.value,
                seed.value,
                &params,
            )
            .map_err(io_failure)?;
            if let Some(reason) = &toy.refused {
                notes.push(format!(
                    "note: the cached toy input `{}` was not used ({reason}); generated again",
                    input.name.value
                ));
            }
            if toy.fresh {
                notes.push(format!(
                    "generated toy input `{}` ({} events) into {}",
                    input.name.value,
                    events.value,
                    toy.path.display()
                ));
            }
            let record = ToyRecord {
                toy: generator.value.clone(),
                generator_version: toy::cache::GENERATOR_VERSION,
                events: events.value,
                seed: seed.value,
                parameters: params.0.iter().cloned().collect(),
                sha256: toy.sha256,
            };
            let path = toy.path;
            (vec![(path, 0)], Some(record))
        }
        Source::Files {
            files, tree: name, ..
        } => {
            tree = name.as_ref().map(|t| t.value.as_str());
            let mut paths = Vec::new();
            for (entry, pattern) in files.iter().enumerate() {
                let matched = resolve_files(base, std::iter::once(pattern.value.as_str()))?;
                paths.extend(matched.into_iter().map(|p| (p, entry)));
            }
            (paths, None)
        }
    };
    let (files, entries): (Vec<PathBuf>, Vec<usize>) = files.into_iter().unzip();
    let needed: Vec<String> = program
        .plan
        .columns
        .iter()
        .chain(extra.iter().filter(|c| !program.plan.columns.contains(c)))
        .cloned()
        .collect();
    let mut readers =
        crate::io::source::open_files(&input.name.value, &files, tree, &needed, &|c: &str| {
            program.reads(c)
        })
        .map_err(io_failure)?;
    if column_cache {
        for (reader, p) in readers.iter_mut().zip(&files) {
            reader.cache_columns(&toy::cache::default_dir().join("columns"), p, tree);
        }
    }
    Ok(Opened {
        readers,
        files,
        entries,
        toy_record,
        notes,
    })
}

/// Expands the input's paths and globs.
fn resolve_files<'a>(
    base: &Path,
    patterns: impl Iterator<Item = &'a str>,
) -> Result<Vec<PathBuf>, Diagnostic> {
    crate::io::files::expand(base, patterns).map_err(io_failure)
}

/// SHA-256 of a file's bytes, hex (always read: for `verify` and MVA models).
pub fn file_hash(path: &Path) -> Result<String, Diagnostic> {
    crate::io::digest::sha256_file(path).map_err(|e| read_failure(path, e))
}

fn read_failure(path: &Path, e: std::io::Error) -> Diagnostic {
    Diagnostic::error(codes::IO, format!("cannot read {}: {e}", path.display()))
}

/// SHA-256 of an input file for provenance, remembered in the cache across runs while
/// the file is unchanged (`io::digest`).
fn input_hash(path: &Path) -> Result<String, Diagnostic> {
    let cache = toy::cache::default_dir().join("hashes");
    crate::io::digest::sha256_file_cached(path, &cache).map_err(|e| read_failure(path, e))
}

/// What running the query over (a shard of) every input gives.
pub struct Executed {
    /// Cutflow and histograms per input, in spec order.
    pub cutflows: Vec<(String, Cutflow)>,
    /// Provenance record per input: a toy's generator settings, or the files with their
    /// SHA-256 (null for files another shard hashes).
    pub records: BTreeMap<String, InputRecord>,
    /// Notes from opening the inputs (`Opened::notes`), for the caller to print.
    pub notes: Vec<String>,
    /// The candidates the statistics stage needs, per input.
    pub candidates: Vec<InputCandidates>,
    /// Fingerprint of the chunk layout the shards divide.
    pub layout_sha256: String,
}

/// Runs a prepared spec's query over the events `shard` owns of every input
/// ([`Shard::WHOLE`]: all), in spec order, collecting the candidates the statistics stage
/// needs (with truth columns for signal toys); the data's cutflow and histograms leave
/// out what blinding hides (`Prepared::hidden`).
pub fn execute(
    prepared: &Prepared,
    shard: Shard,
    column_cache: bool,
) -> Result<Executed, Diagnostic> {
    let (spec, query, base) = (&*prepared.spec, &prepared.query, &*prepared.base);
    let hidden = prepared.hidden.as_ref();
    let observable = match (&spec.model, &spec.plain_fit) {
        (Some(m), _) => Some(&m.observable().var.expr),
        (None, Some(p)) => Some(&p.observable.var.expr),
        (None, None) => None,
    };
    // The signal sample's outputs add its varied weights, up and down per variation.
    let signal = spec.efficiency_input();
    let programs: Vec<Program> = spec
        .inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let mut outputs = Vec::from_iter(observable);
            if observable.is_some() && signal == Some(i) {
                outputs.extend(
                    spec.weight_variations()
                        .flat_map(|(_, up, down)| [&up.expr, &down.expr]),
                );
            }
            Program::compile(&query.for_input(input, hidden), &outputs)
        })
        .collect();
    // Each column variation reruns the signal sample's selection with its columns
    // replaced, over the same events: one program per variation and side.
    let mut variants: Vec<(String, Program)> = Vec::new();
    if let (Some(i), Some(observable)) = (signal, observable) {
        let input = &spec.inputs[i];
        for (systematic, up, down) in spec.column_variations() {
            for (side, replacements) in [("up", up), ("down", down)] {
                let replacements: Vec<_> = replacements
                    .iter()
                    .map(|(c, v)| (c.expr.clone(), v.expr.clone()))
                    .collect();
                let mut varied = query.with_columns(&replacements).for_input(input, None);
                varied.histograms.clear();
                variants.push((
                    variation_label(&input.name.value, &systematic.name.value, side),
                    Program::compile(&varied, &[observable]),
                ));
            }
        }
    }
    // Every input is opened (metadata only) first: shards divide all of them.
    let mut opened = Vec::new();
    for (i, (input, program)) in spec.inputs.iter().zip(&programs).enumerate() {
        let toy = toy_of(input);
        let truth = truth_columns(input, toy.as_ref());
        let mut extra: Vec<String> = truth.iter().flat_map(TruthColumns::to_read).collect();
        if signal == Some(i) {
            for c in variants.iter().flat_map(|(_, p)| &p.plan.columns) {
                if !program.plan.columns.contains(c) && !extra.contains(c) {
                    extra.push(c.clone());
                }
            }
        }
        opened.push((
            input,
            toy,
            truth,
            open_input(input, program, &extra, base, column_cache)?,
        ));
    }
    let layout = Layout {
        inputs: opened
            .iter()
            .map(|(input, _, _, o)| InputLayout {
                name: input.name.value.clone(),
                files: o
                    .files
                    .iter()
                    .zip(&o.readers)
                    .map(|(path, r)| FileLayout {
                        path: path.display().to_string(),
                        chunk_rows: (0..r.chunks()).map(|c| r.chunk_rows(c)).collect(),
                    })
                    .collect(),
            })
            .collect(),
    };
    let mut executed = Executed {
        cutflows: Vec::new(),
        records: BTreeMap::new(),
        notes: opened
            .iter_mut()
            .flat_map(|(_, _, _, o)| std::mem::take(&mut o.notes))
            .collect(),
        candidates: Vec::new(),
        layout_sha256: layout.digest(),
    };
    for (index, ((input, toy, truth, o), work)) in
        opened.into_iter().zip(layout.assign(shard)).enumerate()
    {
        let record = match &o.toy_record {
            Some(record) => InputRecord::Toy(record.clone()),
            None => {
                let files = o
                    .files
                    .iter()
                    .zip(&work)
                    .map(|(p, w)| {
                        let sha256 = if w.hash { Some(input_hash(p)?) } else { None };
                        Ok(InputFile {
                            path: p.display().to_string(),
                            sha256,
                        })
                    })
                    .collect::<Result<Vec<_>, Diagnostic>>()?;
                InputRecord::Files { files }
            }
        };
        let program = &programs[index];
        let name = &input.name.value;
        let (cutflow, candidates) = run_program(
            input,
            name,
            program,
            &o,
            &work,
            truth.clone(),
            observable.is_some(),
        )?;
        if let Some(candidates) = candidates {
            executed.candidates.push(InputCandidates {
                name: name.clone(),
                candidates,
                toy: toy.clone(),
            });
        }
        executed.cutflows.push((name.clone(), cutflow));
        if signal == Some(index) {
            for (label, program) in &variants {
                let (cutflow, candidates) =
                    run_program(input, label, program, &o, &work, truth.clone(), true)?;
                executed.candidates.push(InputCandidates {
                    name: label.clone(),
                    candidates: candidates.unwrap_or_default(),
                    toy: toy.clone(),
                });
                executed.cutflows.push((label.clone(), cutflow));
            }
        }
        executed.records.insert(input.name.value.clone(), record);
    }
    Ok(executed)
}

/// Runs `program` over the events of `input` that `work` assigns (from `o`'s readers),
/// collecting the selected candidates when `collect`; `label` names it in the progress
/// line and errors.
fn run_program(
    input: &Input,
    label: &str,
    program: &Program,
    o: &Opened,
    work: &[crate::shard::FileWork],
    truth: Option<TruthColumns>,
    collect: bool,
) -> Result<(Cutflow, Option<collect::Candidates>), Diagnostic> {
    let total = o
        .readers
        .iter()
        .zip(work)
        .map(|(r, w)| w.chunks.clone().map(|c| r.chunk_rows(c)).sum::<u64>())
        .sum();
    let mut progress = progress::ProgressLine::new(label, total);
    let added = entry_columns(input, &o.entries);
    let tables = progress.track(o.readers.iter().zip(work).zip(added).flat_map(
        |((r, w), added)| {
            slice::owned_events(r, w.chunks.clone()).map(move |table| {
                table.map(|mut t| {
                    for (name, value) in &added {
                        t.push_constant(name, *value);
                    }
                    t
                })
            })
        },
    ));
    let (cutflow, candidates) = if collect {
        let mut collector = collect::Collector::new(program.plan.channels.len(), truth);
        let cutflow = exec::run_with(program, EventChunks::new(tables), |s| collector.take(s))
            .map_err(io_failure)?;
        (cutflow, Some(collector.candidates))
    } else {
        let cutflow = exec::run(program, EventChunks::new(tables)).map_err(io_failure)?;
        (cutflow, None)
    };
    if let Some(m) = program.correction_failure() {
        return Err(Diagnostic::error(
            codes::BAD_CORRECTION,
            format!("{m}, on a candidate of `{label}`"),
        )
        .with_help("every candidate of the input reaches its weight, before any cut: keep the input inside the bins with `clip` (below the last upper edge, e.g. `clip(p, 0.5, 3.999)`, quoted in a flow list), or use a correction that clamps"));
    }
    Ok((cutflow, candidates))
}

/// A whole run of a spec (every event of every input): what `run` writes and `verify`
/// and `diff --run` compare.
pub struct Completed {
    /// The cutflows and histograms per input, in spec order.
    pub cutflows: Vec<(String, Cutflow)>,
    /// The statistics stage's outcome (None without a model and scan).
    pub statistics: Option<crate::analysis::Outcome>,
    /// The provenance record, with every input's.
    pub provenance: Provenance,
    /// Notes from opening the inputs, for the caller to print.
    pub notes: Vec<String>,
}

impl Completed {
    /// The run's results.json document.
    pub fn results(&self, spec: &Spec) -> Value {
        let blinding =
            (!self.provenance.unblinded).then(|| crate::analysis::blinding::record(spec));
        crate::report::results::results_json(
            &spec.analysis.name.value,
            &self.provenance,
            &self.cutflows,
            &spec.scales(),
            self.statistics.as_ref(),
            blinding,
        )
    }
}

/// Runs a prepared spec (read from `path`) over every input, then its statistics, and
/// records its provenance.
pub fn complete(
    path: &Path,
    prepared: &Prepared,
    column_cache: bool,
) -> Result<Completed, Diagnostic> {
    let spec = &prepared.spec;
    let executed = execute(prepared, Shard::WHOLE, column_cache)?;
    let statistics = crate::analysis::statistics(
        spec,
        &prepared.base,
        &executed.candidates,
        prepared.unblinded,
    )?;
    let mut provenance = provenance::provenance(path, prepared)?;
    provenance.inputs = executed.records;
    Ok(Completed {
        cutflows: executed.cutflows,
        statistics,
        provenance,
        notes: executed.notes,
    })
}

/// Runs a prepared spec (read from `path`) over one shard of its inputs: the shard's
/// partial result for `searchlight merge`, and notes from opening the inputs.
pub fn complete_shard(
    path: &Path,
    prepared: &Prepared,
    shard: Shard,
    column_cache: bool,
) -> Result<(crate::shard::partial::Partial, Vec<String>), Diagnostic> {
    let mut executed = execute(prepared, shard, column_cache)?;
    let provenance = provenance::provenance(path, prepared)?;
    let notes = std::mem::take(&mut executed.notes);
    Ok((outputs::partial(shard, provenance, executed), notes))
}

/// A toy input's generator parameters as the generators take them.
fn toy_params(params: &[(Name, Spanned<ParamValue>)]) -> Params {
    Params(
        params
            .iter()
            .map(|(k, v)| (k.value.clone(), v.value.values()))
            .collect(),
    )
}

/// The columns that say what a signal sample's rows were generated at: a signal toy's
/// truth, or what a file input's `generated` names.
fn truth_columns(input: &Input, toy: Option<&(String, Params, u64)>) -> Option<TruthColumns> {
    match (&input.source, toy) {
        (_, Some((generator, _, _))) => {
            truth::signal_truth(generator).map(|t| TruthColumns::of_toy(&t))
        }
        (
            Source::Files {
                generated: Some(generated),
                units,
                ..
            },
            None,
        ) => Some(TruthColumns::of_files(generated, |column| {
            units
                .iter()
                .find(|(name, _)| name.value == column)
                .and_then(|(_, unit)| unit.value)
                .map_or(1.0, |u| u.to_base())
        })),
        _ => None,
    }
}

/// The constant columns added to each file's tables: the generated mass (and ctau) its
/// `files` entry states (`entries`: the entry of each file).
fn entry_columns(input: &Input, entries: &[usize]) -> Vec<Vec<(&'static str, f64)>> {
    let Source::Files {
        generated: Some(generated),
        ..
    } = &input.source
    else {
        return vec![Vec::new(); entries.len()];
    };
    let at = |g: Option<&GeneratedAt>, name: &'static str, entry: usize| match g {
        Some(GeneratedAt::PerEntry(values)) => Some((name, values[entry].value)),
        _ => None,
    };
    entries
        .iter()
        .map(|&e| {
            [
                at(Some(&generated.mass), collect::ENTRY_MASS, e),
                at(generated.ctau.as_ref(), collect::ENTRY_CTAU, e),
            ]
            .into_iter()
            .flatten()
            .collect()
        })
        .collect()
}

pub fn toy_of(input: &Input) -> Option<(String, Params, u64)> {
    match &input.source {
        Source::Toy {
            generator,
            events,
            params,
            ..
        } => Some((generator.value.clone(), toy_params(params), events.value)),
        Source::Files { .. } => None,
    }
}
