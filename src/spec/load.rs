//! Loading a spec file and its includes into a [`Spec`].

use super::convert::{Ctx, Map};
use super::keys::{self, Kind};
use super::model::*;
use super::yaml::{self, NodeKind, Style, YamlNode};
use crate::diag::{Diagnostic, FileId, SourceMap, Span, Spanned, codes};
use crate::expr::ExprKind;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Most bytes a spec file may have.
pub const MAX_SPEC_BYTES: u64 = 16 << 20;

/// The schema version this release reads.
pub const VERSION: u32 = 1;
/// Most files one spec may include, transitively.
pub const MAX_INCLUDES: usize = 64;

/// Why a spec could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// The spec file itself cannot be read (exit code 2).
    Io(Diagnostic),
    /// The spec is malformed (exit code 1); every problem found.
    Invalid(Vec<Diagnostic>),
}

/// Options for loading.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Let `include:` reach outside the analysis repository.
    pub allow_outside_includes: bool,
}

/// Reads and loads the spec at `path`, adding every file read to `sources`.
pub fn load_file(
    path: &Path,
    sources: &mut SourceMap,
    options: &LoadOptions,
) -> Result<Spec, LoadError> {
    let text =
        read(path).map_err(|message| LoadError::Io(Diagnostic::error(codes::IO, message)))?;
    let id = sources.add(path, text);
    let boundary = if options.allow_outside_includes {
        None
    } else {
        Some(repository_root(path))
    };
    load(id, sources, boundary)
}

/// Loads spec text held in memory; includes are resolved next to `path` and may not leave
/// its directory.
pub fn load_str(path: &Path, text: &str, sources: &mut SourceMap) -> Result<Spec, LoadError> {
    let id = sources.add(path, text.to_string());
    load(id, sources, Some(repository_root(path)))
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = crate::io::regular::read(path, MAX_SPEC_BYTES)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{} is not UTF-8 text (invalid byte at offset {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The directory includes must stay inside: the enclosing git work tree, else the spec's
/// own directory.
fn repository_root(spec: &Path) -> PathBuf {
    let dir = spec
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map_or(dir.clone(), Path::to_path_buf)
}

/// Parses the root file and every include, then builds the spec from their union.
fn load(
    root: FileId,
    sources: &mut SourceMap,
    boundary: Option<PathBuf>,
) -> Result<Spec, LoadError> {
    let mut ctx = Ctx::default();
    let mut docs: Vec<(FileId, YamlNode)> = Vec::new();
    let mut stack = Vec::new();
    gather(root, sources, &boundary, &mut stack, &mut docs, &mut ctx);
    if !ctx.diags.is_empty() {
        return Err(LoadError::Invalid(ctx.diags));
    }
    let spec = build(root, &docs, &mut ctx);
    match spec {
        Some(spec) if ctx.diags.is_empty() => Ok(spec),
        _ => Err(LoadError::Invalid(ctx.diags)),
    }
}

/// Parses `file` and, depth first, the files it includes; pushes them includes-first.
fn gather(
    file: FileId,
    sources: &mut SourceMap,
    boundary: &Option<PathBuf>,
    stack: &mut Vec<FileId>,
    docs: &mut Vec<(FileId, YamlNode)>,
    ctx: &mut Ctx,
) {
    let node = match yaml::parse(file, sources.file(file)) {
        Ok(node) => node,
        Err(d) => return ctx.report(d),
    };
    if !matches!(node.kind, NodeKind::Map(_)) {
        let what = if node.is_null() {
            "empty"
        } else {
            node.describe()
        };
        ctx.report(
            Diagnostic::error(
                codes::WRONG_TYPE,
                format!("a spec file must be a YAML mapping, this one is {what}"),
            )
            .at(node.span)
            .with_help("start with `searchlight: 1` and `analysis: { name: … }`"),
        );
        return;
    }
    stack.push(file);
    let includes = top_level(&node, "include").cloned();
    if let Some(includes) = includes
        && let Some(items) = ctx.list(&includes, "`include`")
    {
        for item in items {
            let Some(rel) = ctx.string(item, "an include path") else {
                continue;
            };
            if let Some(child) = open_include(&rel, file, sources, boundary, stack, docs.len(), ctx)
            {
                gather(child, sources, boundary, stack, docs, ctx);
            }
        }
    }
    stack.pop();
    docs.push((file, node));
}

fn open_include(
    rel: &Name,
    from: FileId,
    sources: &mut SourceMap,
    boundary: &Option<PathBuf>,
    stack: &[FileId],
    loaded: usize,
    ctx: &mut Ctx,
) -> Option<FileId> {
    let base = sources
        .file(from)
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let path = base.join(&rel.value);
    let canonical = match path.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            ctx.report(
                Diagnostic::error(
                    codes::INCLUDE_NOT_FOUND,
                    format!("cannot read included file {}: {e}", path.display()),
                )
                .at_labelled(rel.span, "included here")
                .with_help("include paths are relative to the file that includes them"),
            );
            return None;
        }
    };
    if let Some(root) = boundary
        && !canonical.starts_with(root)
    {
        ctx.report(
            Diagnostic::error(
                codes::INCLUDE_ESCAPE,
                format!(
                    "include `{}` leaves the analysis repository {}",
                    rel.value,
                    root.display()
                ),
            )
            .at_labelled(rel.span, "outside the repository")
            .with_help(
                "keep shared fragments inside the repository, or pass --allow-outside-includes",
            ),
        );
        return None;
    }
    let same = |id: &FileId| {
        sources
            .file(*id)
            .path
            .canonicalize()
            .is_ok_and(|p| p == canonical)
    };
    if let Some(pos) = stack.iter().position(same) {
        let chain: Vec<String> = stack[pos..]
            .iter()
            .map(|id| sources.file(*id).path.display().to_string())
            .collect();
        ctx.report(
            Diagnostic::error(
                codes::INCLUDE_CYCLE,
                format!(
                    "include cycle: {} -> {}",
                    chain.join(" -> "),
                    path.display()
                ),
            )
            .at_labelled(rel.span, "closes the cycle"),
        );
        return None;
    }
    if loaded + stack.len() >= MAX_INCLUDES {
        ctx.report(
            Diagnostic::error(
                codes::LIMIT_EXCEEDED,
                format!("more than {MAX_INCLUDES} included files"),
            )
            .at(rel.span),
        );
        return None;
    }
    match read(&canonical) {
        Ok(text) => Some(sources.add(path, text)),
        Err(message) => {
            ctx.report(
                Diagnostic::error(codes::INCLUDE_NOT_FOUND, message)
                    .at_labelled(rel.span, "included here"),
            );
            None
        }
    }
}

fn top_level<'n>(doc: &'n YamlNode, key: &str) -> Option<&'n YamlNode> {
    match &doc.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

/// Occurrences of a top-level section across the files, in merge order.
fn occurrences<'d>(docs: &'d [(FileId, YamlNode)], key: &str) -> Vec<(&'d YamlNode, &'d YamlNode)> {
    docs.iter()
        .filter_map(|(_, doc)| match &doc.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_scalar() == Some(key))
                .map(|(k, v)| (k, v)),
            _ => None,
        })
        .collect()
}

/// The single occurrence of a section that may be written in one file only.
fn single<'d>(docs: &'d [(FileId, YamlNode)], key: &str, ctx: &mut Ctx) -> Option<&'d YamlNode> {
    let found = occurrences(docs, key);
    if let [(first, _), (second, _), ..] = found.as_slice() {
        ctx.report(
            Diagnostic::error(
                codes::DUPLICATE_KEY,
                format!("section `{key}` is written in more than one file"),
            )
            .at_labelled(second.span, "again here")
            .with_related(first.span, "first here"),
        );
    }
    found.last().map(|(_, v)| *v)
}

/// Entries of a named section merged across files; a name defined twice is an error.
fn merged<'d>(
    docs: &'d [(FileId, YamlNode)],
    key: &str,
    ctx: &mut Ctx,
) -> Vec<&'d (YamlNode, YamlNode)> {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    let mut out = Vec::new();
    for (_, value) in occurrences(docs, key) {
        let Some(entries) = ctx.dict(value, &format!("`{key}`")) else {
            continue;
        };
        for entry in entries {
            let name = entry.0.as_scalar().unwrap_or_default();
            if let Some(first) = seen.insert(name, entry.0.span) {
                ctx.report(
                    Diagnostic::error(
                        codes::DUPLICATE_KEY,
                        format!("`{name}` is defined twice in `{key}`"),
                    )
                    .at_labelled(entry.0.span, "second definition")
                    .with_related(first, "first definition"),
                );
                continue;
            }
            out.push(entry);
        }
    }
    out
}

fn root_kind(key: &str) -> &'static Kind {
    &keys::find(keys::ROOT, key)
        .expect("top-level key is in the table")
        .kind
}

fn entry_kind(section: &str) -> &'static Kind {
    match root_kind(section) {
        Kind::Dict(inner) => inner,
        other => other,
    }
}

fn build(root: FileId, docs: &[(FileId, YamlNode)], ctx: &mut Ctx) -> Option<Spec> {
    // Key checking of every file's top level: fragments may hold any section.
    for (file, doc) in docs {
        ctx.map(doc, &Kind::Open(keys::ROOT, &Kind::Str), "the spec");
        if let NodeKind::Map(entries) = &doc.kind {
            for (k, _) in entries {
                let name = k.as_scalar().unwrap_or_default();
                if keys::find(keys::ROOT, name).is_none() {
                    let help = crate::diag::suggestion(name, keys::ROOT.iter().map(|k| k.name))
                        .unwrap_or_else(|| {
                            "see `searchlight schema` or docs/spec.md for the sections".into()
                        });
                    ctx.report(
                        Diagnostic::error(codes::UNKNOWN_KEY, format!("unknown section `{name}`"))
                            .at_labelled(k.span, "unknown section")
                            .with_help(help),
                    );
                }
            }
        }
        let _ = file;
    }
    // Required-key messages for fragments are noise: only the root must be complete.
    let root_doc = &docs.last().expect("root document is last").1;
    // A missing `searchlight:` is reported once, as a schema-version problem, below.
    ctx.diags.retain(|d| {
        d.code != codes::MISSING_KEY
            || (d.span.is_some_and(|s| s == root_doc.span) && !d.message.ends_with("`searchlight`"))
    });
    let version = version(root_doc, ctx);
    let analysis = single(docs, "analysis", ctx).and_then(|n| analysis(n, ctx));
    ctx.experiment = analysis
        .as_ref()
        .and_then(|a| a.experiment.as_ref())
        .map(|e| e.value.clone());
    let inputs = merged(docs, "inputs", ctx)
        .into_iter()
        .filter_map(|(k, v)| input(k, v, ctx))
        .collect();
    let variables = merged(docs, "variables", ctx)
        .into_iter()
        .filter_map(|(k, v)| {
            Some(Variable {
                name: ctx.string(k, "a variable name")?,
                expr: ctx.expr(v, "a variable")?,
            })
        })
        .collect();
    let mva = merged(docs, "mva", ctx)
        .into_iter()
        .filter_map(|(k, v)| mva(k, v, ctx))
        .collect();
    let corrections = merged(docs, "corrections", ctx)
        .into_iter()
        .filter_map(|(k, v)| correction_entry(k, v, ctx))
        .collect();
    let mut selection = Vec::new();
    for (_, value) in occurrences(docs, "selection") {
        for item in ctx.list(value, "`selection`").unwrap_or_default() {
            selection.extend(step(item, ctx));
        }
    }
    let vetoes: Vec<Veto> = merged(docs, "vetoes", ctx)
        .into_iter()
        .filter_map(|(k, v)| veto(k, v, ctx))
        .collect();
    let systematics: Vec<Systematic> = merged(docs, "systematics", ctx)
        .into_iter()
        .filter_map(|(k, v)| systematic(k, v, ctx))
        .collect();
    let histograms: Vec<Histogram> = merged(docs, "histograms", ctx)
        .into_iter()
        .filter_map(|(k, v)| histogram(k, v, ctx))
        .collect();
    let total_bins: u64 = histograms.iter().map(|h| h.bins.value).sum();
    if let Some(last) = histograms.last().filter(|_| total_bins > MAX_TOTAL_BINS) {
        ctx.report(
            Diagnostic::error(
                codes::LIMIT_EXCEEDED,
                format!("the histograms have {total_bins} bins in all, more than {MAX_TOTAL_BINS}"),
            )
            .at(last.bins.span)
            .with_help("results.json holds every bin of every histogram per input and channel"),
        );
    }
    let steps = selection.len() + vetoes.len();
    if let Some(h) = histograms.iter().find(|h| !h.without.is_empty())
        && steps > MAX_N_MINUS_1_STEPS
    {
        ctx.report(
            Diagnostic::error(
                codes::LIMIT_EXCEEDED,
                format!(
                    "histogram `{}` leaves out cuts, which needs at most {MAX_N_MINUS_1_STEPS} selection steps and vetoes, not {steps}",
                    h.name.value
                ),
            )
            .at(h.name.span),
        );
    }
    let channels = merged(docs, "channels", ctx)
        .into_iter()
        .filter_map(|(k, v)| channel(k, v, ctx))
        .collect();
    let (fit, plain_fit) = match single(docs, "fit", ctx).and_then(|n| fit(n, ctx)) {
        Some(FitSection::Scan(f)) => (Some(*f), None),
        Some(FitSection::Plain(p)) => (None, Some(*p)),
        None => (None, None),
    };
    let counting = single(docs, "counting", ctx).and_then(|n| counting(n, ctx));
    if plain_fit.is_some() && counting.is_some() {
        let at = single(docs, "counting", ctx).map_or(Span::default(), |n| n.span);
        ctx.report(
            Diagnostic::error(
                codes::DUPLICATE_KEY,
                "a spec has either `fit:` or `counting:`, not both",
            )
            .at(at),
        );
    }
    let model = match (fit, counting) {
        (Some(_), Some(_)) => {
            let at = single(docs, "counting", ctx).map(|n| n.span);
            let mut d = Diagnostic::error(
                codes::DUPLICATE_KEY,
                "a spec has either `fit:` or `counting:`, not both",
            );
            if let Some(at) = at {
                d = d.at(at);
            }
            ctx.report(d);
            None
        }
        (Some(f), None) => Some(Model::Fit(f)),
        (None, Some(c)) => Some(Model::Counting(c)),
        (None, None) => None,
    };
    let scan = single(docs, "scan", ctx).and_then(|n| scan(n, ctx));
    let limits = single(docs, "limits", ctx).and_then(|n| limits(n, ctx));
    let blinding = single(docs, "blinding", ctx).map_or(
        Some(Blinding {
            unblind: Spanned::new(false, Span::default()),
            signal_region: None,
            window: None,
        }),
        |n| {
            let m = ctx.map(n, root_kind("blinding"), "`blinding`")?;
            let unblind = match m.get("unblind") {
                Some(v) => ctx.boolean(v, "`unblind`")?,
                None => Spanned::new(false, m.span),
            };
            let signal_region = match m.get("signal_region") {
                Some(v) => Some(ctx.expr(v, "the signal region")?),
                None => None,
            };
            let window = match m.get("window") {
                Some(v) => Some(ctx.width(v, "`window`")?),
                None => None,
            };
            Some(Blinding {
                unblind,
                signal_region,
                window,
            })
        },
    );
    let includes = docs
        .iter()
        .map(|(f, _)| *f)
        .filter(|f| *f != root)
        .collect();
    Some(Spec {
        version: version?,
        root,
        includes,
        analysis: analysis?,
        inputs,
        variables,
        mva,
        corrections,
        selection,
        vetoes,
        histograms,
        channels,
        model,
        plain_fit,
        scan,
        limits,
        blinding: blinding?,
        systematics,
    })
}

fn version(doc: &YamlNode, ctx: &mut Ctx) -> Option<Spanned<u32>> {
    let Some(node) = top_level(doc, "searchlight") else {
        ctx.report(
            Diagnostic::error(
                codes::SCHEMA_VERSION,
                "the spec does not say which format version it is written in",
            )
            .at(Span::new(doc.span.file, 0, 0))
            .with_help(format!("add `searchlight: {VERSION}` as the first line")),
        );
        return None;
    };
    let v = ctx.count(node, "`searchlight`")?;
    if v.value != u64::from(VERSION) {
        ctx.report(
            Diagnostic::error(
                codes::SCHEMA_VERSION,
                format!(
                    "unsupported spec version {}; this searchlight reads version {VERSION}",
                    v.value
                ),
            )
            .at_labelled(v.span, "version"),
        );
        return None;
    }
    Some(Spanned::new(VERSION, v.span))
}

fn analysis(node: &YamlNode, ctx: &mut Ctx) -> Option<Analysis> {
    let m = ctx.map(node, root_kind("analysis"), "`analysis`")?;
    let opt_str = |ctx: &mut Ctx, key: &str| {
        m.get(key)
            .and_then(|v| ctx.string(v, &format!("`analysis.{key}`")))
    };
    let title = opt_str(ctx, "title");
    let description = opt_str(ctx, "description");
    let experiment = m
        .get("experiment")
        .and_then(|v| ctx.word(v, keys::EXPERIMENTS, "experiment"));
    let luminosity = m.get("luminosity").and_then(|v| luminosity(v, ctx));
    let n_bb = m.get("n_bb").and_then(|v| ctx.quantity(v, "`n_bb`"));
    let mut reference = Vec::new();
    if let Some(r) = m.get("reference")
        && let Some(rm) = ctx.map(
            r,
            &keys::find(keys::fields(root_kind("analysis")), "reference")?.kind,
            "`reference`",
        )
    {
        for (k, v) in rm.entries {
            if let (Some(k), Some(v)) = (
                ctx.string(k, "a reference kind"),
                ctx.string(v, "a reference"),
            ) {
                reference.push((k, v));
            }
        }
    }
    let name = ctx.identifier(m.get("name")?, "`analysis.name`")?;
    Some(Analysis {
        name,
        title,
        description,
        reference,
        experiment,
        luminosity,
        n_bb,
    })
}

/// `711 /fb`, `365 fb-1`, `0.4 /ab` → fb⁻¹.
fn luminosity(node: &YamlNode, ctx: &mut Ctx) -> Option<Spanned<f64>> {
    let text = ctx.string(node, "`luminosity`")?;
    let compact: String = text.value.chars().filter(|c| !c.is_whitespace()).collect();
    let units = [
        ("/fb", 1.0),
        ("fb-1", 1.0),
        ("/pb", 1e-3),
        ("pb-1", 1e-3),
        ("/ab", 1e3),
        ("ab-1", 1e3),
    ];
    let parsed = units.iter().find_map(|(suffix, scale)| {
        compact
            .strip_suffix(suffix)
            .and_then(|n| n.parse::<f64>().ok())
            .map(|v| v * scale)
    });
    match parsed.filter(|v| v.is_finite() && *v > 0.0) {
        Some(v) => Some(Spanned::new(v, text.span)),
        None => {
            ctx.report(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("`{}` is not a luminosity", text.value),
                )
                .at(text.span)
                .with_help("write e.g. `711 /fb`, `365 fb-1` or `0.4 /ab`"),
            );
            None
        }
    }
}

fn input(key: &YamlNode, node: &YamlNode, ctx: &mut Ctx) -> Option<Input> {
    let name = ctx.identifier(key, "an input name")?;
    let what = format!("input `{}`", name.value);
    let m = ctx.map(node, entry_kind("inputs"), &what)?;
    let source = match (m.get("toy"), m.get("files")) {
        (Some(toy), None) => {
            for key in ["tree", "units", "generated", "inject"] {
                if let Some((k, _)) = m.entries.iter().find(|(k, _)| k.as_scalar() == Some(key)) {
                    ctx.report(
                        Diagnostic::error(
                            codes::UNKNOWN_KEY,
                            format!("`{key}` belongs to file inputs; {what} is a toy"),
                        )
                        .at(k.span)
                        .with_help("a toy input takes `toy`, `events`, `seed`, `cuts`, `weight`, `scale` and its generator's parameters"),
                    );
                }
            }
            toy_source(toy, &m, &what, ctx)?
        }
        (None, Some(files)) => {
            for (k, _) in m.extras() {
                ctx.report(
                    Diagnostic::error(
                        codes::UNKNOWN_KEY,
                        format!(
                            "unknown key `{}` in file {what}",
                            k.as_scalar().unwrap_or_default()
                        ),
                    )
                    .at(k.span)
                    .with_help(
                        "file inputs take `files`, `tree`, `units`, `generated` and `inject`",
                    ),
                );
            }
            let entries: Vec<FileEntry> = ctx
                .list(files, "`files`")?
                .iter()
                .filter_map(|f| file_entry(f, ctx))
                .collect();
            let tree = m.get("tree").and_then(|t| ctx.string(t, "`tree`"));
            let units = m
                .get("units")
                .map_or_else(Vec::new, |u| column_units(u, ctx));
            let generated = generated(m.get("generated"), &entries, &what, m.span, ctx);
            let inject = match m.get("inject") {
                Some(node) => Some(Box::new(injection(node, ctx)?)),
                None => None,
            };
            Source::Files {
                files: entries.into_iter().map(|e| e.path).collect(),
                tree,
                units,
                generated,
                inject,
            }
        }
        _ => {
            ctx.report(
                Diagnostic::error(codes::MISSING_KEY, format!("{what} needs exactly one of `toy` or `files`"))
                    .at(m.span)
                    .with_help("e.g. `{ toy: b_to_k_alp, events: 100000, seed: 1 }` or `{ files: [\"ntuples/*.root\"], tree: ntuple }`"),
            );
            return None;
        }
    };
    let cuts = match m.get("cuts") {
        Some(list) => ctx.exprs(list, "`cuts`", "a cut")?,
        None => Vec::new(),
    };
    let weight = match m.get("weight") {
        Some(w) => Some(ctx.expr(w, "`weight`")?),
        None => None,
    };
    let scale = match m.get("scale") {
        Some(node) => {
            let v = ctx.quantity(node, "`scale`")?;
            if v.value <= 0.0 {
                ctx.report(
                    Diagnostic::error(codes::INVALID_VALUE, "`scale` must be positive").at(v.span),
                );
                return None;
            }
            Some(v)
        }
        None => None,
    };
    Some(Input {
        name,
        source,
        cuts,
        weight,
        scale,
    })
}

fn injection(node: &YamlNode, ctx: &mut Ctx) -> Option<Injection> {
    let m = ctx.map(node, &keys::INJECT, "`inject`")?;
    let from = m.get("from").and_then(|v| ctx.string(v, "`from`"));
    let mass = m.get("mass").and_then(|v| ctx.quantity(v, "`mass`"));
    let ctau = match m.get("ctau") {
        Some(v) => Some(ctx.quantity(v, "`ctau`")?),
        None => None,
    };
    let events = m.get("events").and_then(|v| ctx.count(v, "`events`"));
    let seed = m.get("seed").and_then(|v| ctx.count(v, "`seed`"));
    Some(Injection {
        from: from?,
        mass: mass?,
        ctau,
        events: events?,
        seed: seed?,
        span: m.span,
    })
}

/// One entry of a file input's `files`: a path or glob, with what it was generated at.
struct FileEntry {
    path: Name,
    mass: Option<Spanned<f64>>,
    ctau: Option<Spanned<f64>>,
    events: Option<Spanned<f64>>,
}

fn file_entry(node: &YamlNode, ctx: &mut Ctx) -> Option<FileEntry> {
    if !matches!(node.kind, NodeKind::Map(_)) {
        let path = ctx.string(node, "a file path")?;
        return Some(FileEntry {
            path,
            mass: None,
            ctau: None,
            events: None,
        });
    }
    let m = ctx.map(node, &keys::FILE_ENTRY, "a `files` entry")?;
    let mass = m.get("mass").and_then(|v| ctx.quantity(v, "`mass`"));
    let ctau = m.get("ctau").and_then(|v| ctx.quantity(v, "`ctau`"));
    let events = m
        .get("events")
        .and_then(|v| ctx.count(v, "`events`"))
        .map(|c| Spanned::new(c.value as f64, c.span));
    Some(FileEntry {
        path: m.get("path").and_then(|v| ctx.string(v, "`path`"))?,
        mass,
        ctau,
        events,
    })
}

/// What a signal sample from files was generated at: `generated:` of the input and the
/// `mass`, `ctau` and `events` of its `files` entries; None for other samples.
fn generated(
    node: Option<&YamlNode>,
    entries: &[FileEntry],
    what: &str,
    span: Span,
    ctx: &mut Ctx,
) -> Option<Generated> {
    let m = match node {
        Some(node) => Some(ctx.map(node, &keys::GENERATED, "`generated`")?),
        None => None,
    };
    let entry_values = |pick: fn(&FileEntry) -> Option<Spanned<f64>>| -> Vec<Option<Spanned<f64>>> {
        entries.iter().map(pick).collect()
    };
    let per_entry = [
        entry_values(|e| e.mass.clone()),
        entry_values(|e| e.ctau.clone()),
        entry_values(|e| e.events.clone()),
    ];
    if m.is_none() && per_entry.iter().flatten().all(Option::is_none) {
        return None;
    }
    let mut ok = true;
    // Each of mass, ctau and events is stated per entry (all of them) or for the input.
    let mut at = |key: &str,
                  values: &[Option<Spanned<f64>>],
                  ctx: &mut Ctx|
     -> Option<Vec<Spanned<f64>>> {
        let given = values.iter().filter(|v| v.is_some()).count();
        if given == 0 {
            return None;
        }
        let input_level = m.as_ref().and_then(|m| m.get(key));
        if given < values.len() || input_level.is_some() {
            let at = input_level.map_or(span, |n| n.span);
            ctx.report(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("{what}: `{key}` is given for some `files` entries only, or both per entry and in `generated`"),
                )
                .at(at)
                .with_help(format!("give `{key}` in every `files` entry, or once in `generated`")),
            );
            ok = false;
            return None;
        }
        Some(values.iter().flatten().cloned().collect())
    };
    let mass_entries = at("mass", &per_entry[0], ctx);
    let ctau_entries = at("ctau", &per_entry[1], ctx);
    let events_entries = at("events", &per_entry[2], ctx);
    let column_or_value = |key: &str, ctx: &mut Ctx| -> Option<GeneratedAt> {
        let node = m.as_ref()?.get(key)?;
        let text = ctx.string(node, &format!("`generated.{key}`"))?;
        match crate::expr::parse_text(&text.value) {
            Ok(e) if matches!(e.kind, ExprKind::Name(_)) => Some(GeneratedAt::Column(text)),
            _ => ctx
                .quantity(node, &format!("`generated.{key}`"))
                .map(|v| GeneratedAt::PerEntry(vec![v; entries.len()])),
        }
    };
    let mass = mass_entries
        .map(GeneratedAt::PerEntry)
        .or_else(|| column_or_value("mass", ctx));
    let ctau = ctau_entries
        .map(GeneratedAt::PerEntry)
        .or_else(|| column_or_value("ctau", ctx));
    let events = match events_entries {
        Some(v) => Some(GeneratedEvents::PerEntry(v)),
        None => m
            .as_ref()
            .and_then(|m| m.get("events"))
            .and_then(|node| generated_events(node, ctx)),
    };
    if !ok {
        return None;
    }
    let (Some(mass), Some(events)) = (mass, events) else {
        ctx.report(
            Diagnostic::error(
                codes::MISSING_KEY,
                format!("{what} says what it was generated at only in part: it needs the generated mass of its rows and the events generated at each point"),
            )
            .at(m.as_ref().map_or(span, |m| m.span))
            .with_help("e.g. `generated: { mass: mc_mass, events: { 0.5: 100000, 1.0: 100000 } }`, or `files: [{ path: sig_0p5.root, mass: 0.5, events: 100000 }]`"),
        );
        return None;
    };
    Some(Generated {
        mass,
        ctau,
        events,
        span: m.as_ref().map_or(span, |m| m.span),
    })
}

/// `generated.events`: a number, mass → number, a table file, or `{ tree: NAME }`.
fn generated_events(node: &YamlNode, ctx: &mut Ctx) -> Option<GeneratedEvents> {
    let count = |node: &YamlNode, ctx: &mut Ctx| {
        ctx.count(node, "generated events")
            .map(|c| Spanned::new(c.value as f64, c.span))
    };
    match &node.kind {
        NodeKind::Map(entries) if entries.iter().any(|(k, _)| k.as_scalar() == Some("tree")) => {
            let m = ctx.map(node, &keys::GENERATED_EVENTS_TREE, "`generated.events`")?;
            ctx.string(m.get("tree")?, "`tree`")
                .map(GeneratedEvents::InTree)
        }
        NodeKind::Map(entries) => {
            let mut out = Vec::new();
            for (k, v) in entries {
                if let (Some(mass), Some(n)) = (ctx.quantity(k, "a generated mass"), count(v, ctx))
                {
                    out.push((mass, n));
                }
            }
            (out.len() == entries.len()).then_some(GeneratedEvents::ByMass(out))
        }
        NodeKind::Scalar(text, Style::Plain) if text.parse::<f64>().is_ok() => {
            count(node, ctx).map(GeneratedEvents::PerPoint)
        }
        _ => ctx
            .string(node, "`generated.events`")
            .map(GeneratedEvents::Table),
    }
}

/// `units: { column: unit }` of a file input, columns by branch name.
fn column_units(node: &YamlNode, ctx: &mut Ctx) -> Vec<(Name, Spanned<Option<crate::expr::Unit>>)> {
    let Some(m) = ctx.map(node, &Kind::Dict(&Kind::Str), "`units`") else {
        return Vec::new();
    };
    let mut units = Vec::new();
    for (k, v) in m.entries {
        let (Some(column), Some(unit)) = (ctx.string(k, "a column"), ctx.string(v, "a unit"))
        else {
            continue;
        };
        let branch = match crate::expr::parse_text(&column.value) {
            Ok(e) => crate::expr::mangle(&crate::expr::print(&e)),
            Err(_) => column.value.clone(),
        };
        let parsed = match unit.value.as_str() {
            "1" => Some(None),
            symbol => crate::expr::Unit::from_symbol(symbol).map(Some),
        };
        match parsed {
            Some(u) => units.push((
                Spanned::new(branch, column.span),
                Spanned::new(u, unit.span),
            )),
            None => ctx.report(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("`{}` is not a unit", unit.value),
                )
                .at(unit.span)
                .with_help("units: TeV GeV MeV keV eV, cm mm um nm, ns ps fs, or 1 for none"),
            ),
        }
    }
    units
}

fn toy_source(toy: &YamlNode, m: &Map, what: &str, ctx: &mut Ctx) -> Option<Source> {
    let generator = ctx.string(toy, "`toy`");
    let events = m
        .get("events")
        .map(|v| ctx.count_at_most(v, "`events`", MAX_TOY_EVENTS));
    let seed = m.get("seed").map(|v| ctx.count(v, "`seed`"));
    let mut params = Vec::new();
    for (k, v) in m.extras() {
        let Some(k) = ctx.string(k, "a generator parameter") else {
            continue;
        };
        let value = match &v.kind {
            NodeKind::Seq(items) => {
                let values: Option<Vec<f64>> = items
                    .iter()
                    .map(|i| ctx.quantity(i, &k.value).map(|q| q.value))
                    .collect();
                values.map(ParamValue::Many)
            }
            _ => ctx.quantity(v, &k.value).map(|q| ParamValue::One(q.value)),
        };
        if let Some(value) = value {
            params.push((k, Spanned::new(value, v.span)));
        }
    }
    let (Some(events), Some(seed)) = (events, seed) else {
        ctx.report(
            Diagnostic::error(codes::MISSING_KEY, format!("toy {what} needs `events` and `seed`"))
                .at(m.span)
                .with_help("a toy input is reproducible only with a fixed seed: `{ toy: NAME, events: N, seed: S }`"),
        );
        return None;
    };
    Some(Source::Toy {
        generator: generator?,
        events: events?,
        seed: seed?,
        params,
    })
}

fn mva(key: &YamlNode, node: &YamlNode, ctx: &mut Ctx) -> Option<Mva> {
    let name = ctx.identifier(key, "an MVA name")?;
    let what = format!("MVA `{}`", name.value);
    let m = ctx.map(node, entry_kind("mva"), &what)?;
    let model = m.get("model").and_then(|v| ctx.string(v, "`model`"));
    let format = m
        .get("format")
        .and_then(|v| ctx.word(v, keys::MVA_FORMATS, "model format"));
    let sha256 = m.get("sha256").and_then(|v| ctx.string(v, "`sha256`"));
    let features = m
        .get("features")
        .and_then(|v| ctx.exprs(v, "`features`", "a feature"));
    let output = match m.get("output") {
        Some(v) => ctx.word(v, &["probability", "margin"], "MVA output")?,
        None => Spanned::new("probability".to_string(), m.span),
    };
    Some(Mva {
        name,
        model: model?,
        format: format?,
        sha256,
        features: features?,
        output,
    })
}

fn correction_entry(key: &YamlNode, node: &YamlNode, ctx: &mut Ctx) -> Option<CorrectionEntry> {
    let name = ctx.identifier(key, "a correction name")?;
    let what = format!("correction `{}`", name.value);
    let m = ctx.map(node, entry_kind("corrections"), &what)?;
    let file = m.get("file").and_then(|v| ctx.string(v, "`file`"));
    let sha256 = m.get("sha256").and_then(|v| ctx.string(v, "`sha256`"));
    let correction = m
        .get("correction")
        .and_then(|v| ctx.string(v, "`correction`"));
    let inputs = m
        .get("inputs")
        .and_then(|v| ctx.exprs(v, "`inputs`", "a correction input"));
    let mut keys = Vec::new();
    if let Some(v) = m.get("keys") {
        for (k, v) in ctx.dict(v, "`keys`").unwrap_or_default() {
            if let (Some(k), Some(v)) = (
                ctx.string(k, "a string input's name"),
                ctx.string(v, "a key"),
            ) {
                keys.push((k, v));
            }
        }
    }
    let vary = m.get("vary").and_then(|v| ctx.string(v, "`vary`"));
    Some(CorrectionEntry {
        name,
        file: file?,
        sha256,
        correction,
        inputs: inputs?,
        keys,
        vary,
    })
}

fn step(node: &YamlNode, ctx: &mut Ctx) -> Option<Step> {
    let step_kind = match root_kind("selection") {
        Kind::List(inner) => *inner,
        other => other,
    };
    let m = ctx.map(node, step_kind, "a selection step")?;
    let name = m.get("name").and_then(|v| ctx.string(v, "a step name"));
    match (m.get("cut"), m.get("best_candidate")) {
        (Some(cut), None) => {
            let cut = ctx.expr(cut, "a cut")?;
            let name = name.unwrap_or_else(|| Spanned::new(cut.text.clone(), cut.span));
            Some(Step::Cut { name, cut })
        }
        (None, Some(best)) => {
            let b = ctx.map(
                best,
                &keys::find(keys::fields(step_kind), "best_candidate")?.kind,
                "`best_candidate`",
            )?;
            let by = ctx.expr(b.get("by")?, "the ranking")?;
            let keep = match b.get("keep") {
                Some(v) => ctx.word(v, &["lowest", "highest"], "`keep`")?,
                None => Spanned::new("lowest".into(), b.span),
            };
            let count = match b.get("n") {
                Some(v) => ctx.count(v, "`n`")?,
                None => Spanned::new(1, b.span),
            };
            let name = name
                .unwrap_or_else(|| Spanned::new(format!("best candidate by {}", by.text), b.span));
            Some(Step::BestCandidate {
                name,
                by,
                keep,
                count,
            })
        }
        _ => {
            ctx.report(
                Diagnostic::error(
                    codes::MISSING_KEY,
                    "a selection step needs exactly one of `cut` or `best_candidate`",
                )
                .at(m.span)
                .with_help("e.g. `- { name: beam-constrained mass, cut: Mbc > 5.27 }`"),
            );
            None
        }
    }
}

fn systematic(key: &YamlNode, node: &YamlNode, ctx: &mut Ctx) -> Option<Systematic> {
    let name = ctx.identifier(key, "a systematic's name")?;
    let what = format!("systematic `{}`", name.value);
    let m = ctx.map(node, entry_kind("systematics"), &what)?;
    let channels = match m.get("channels") {
        Some(c) => ctx.strings(c, "`channels`", "a channel name")?,
        None => Vec::new(),
    };
    let kind = match (m.get("weight"), m.get("efficiency"), m.get("columns")) {
        (None, None, Some(c)) => {
            let kind = sub_kind(entry_kind("systematics"), "columns");
            let c = ctx.map(c, kind, "`columns`")?;
            let mut side = |key: &str| -> Option<Vec<(SpecExpr, SpecExpr)>> {
                let entries = ctx.dict(c.get(key)?, &format!("`columns.{key}`"))?;
                let pairs: Vec<Option<(SpecExpr, SpecExpr)>> = entries
                    .iter()
                    .map(|(column, value)| {
                        Some((
                            ctx.expr(column, "a varied column")?,
                            ctx.expr(value, "a column's varied value")?,
                        ))
                    })
                    .collect();
                pairs.into_iter().collect()
            };
            let up = side("up");
            let down = side("down");
            SystematicKind::Columns {
                up: up?,
                down: down?,
            }
        }
        (Some(w), None, None) => {
            let kind = sub_kind(entry_kind("systematics"), "weight");
            let w = ctx.map(w, kind, "`weight`")?;
            let up = w
                .get("up")
                .and_then(|v| ctx.expr(v, "the weight at +1 sigma"));
            let down = w
                .get("down")
                .and_then(|v| ctx.expr(v, "the weight at -1 sigma"));
            SystematicKind::Weight {
                up: Box::new(up?),
                down: Box::new(down?),
            }
        }
        (None, Some(e), None) => {
            ctx.word(e, &["mc_stat"], "`efficiency`")?;
            SystematicKind::McStat
        }
        _ => {
            ctx.report(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    format!("{what} needs exactly one of `weight`, `columns` and `efficiency`"),
                )
                .at(m.span)
                .with_help("`weight: { up: EXPR, down: EXPR }` (a weight variation), `columns: { up: { COLUMN: EXPR }, down: { COLUMN: EXPR } }` (a column variation) or `efficiency: mc_stat`"),
            );
            return None;
        }
    };
    Some(Systematic {
        name,
        kind,
        channels,
        span: m.span,
    })
}

fn veto(key: &YamlNode, node: &YamlNode, ctx: &mut Ctx) -> Option<Veto> {
    let name = ctx.identifier(key, "a veto name")?;
    let m = ctx.map(
        node,
        entry_kind("vetoes"),
        &format!("veto `{}`", name.value),
    )?;
    let var = m
        .get("var")
        .and_then(|v| ctx.expr(v, "the vetoed variable"));
    let window = ctx.interval(m.get("window")?, "`window`")?;
    Some(Veto {
        name,
        var: var?,
        window,
    })
}

/// Most cut steps and vetoes a spec with N−1 histograms may have (the evaluator keeps
/// one pass bit per step in a 64-bit word).
pub const MAX_N_MINUS_1_STEPS: usize = 64;
/// Most events a toy input may generate.
pub const MAX_TOY_EVENTS: u64 = 100_000_000;
/// Most pseudo-experiments `limits.toys` and `limits.global_toys` may ask for.
pub const MAX_TOYS: u64 = 100_000;
/// Most bins all histograms of a spec may have together.
pub const MAX_TOTAL_BINS: u64 = 1_000_000;
/// Most bins one histogram may have.
pub const MAX_BINS: u64 = 100_000;

fn histogram(key: &YamlNode, node: &YamlNode, ctx: &mut Ctx) -> Option<Histogram> {
    let name = ctx.identifier(key, "a histogram name")?;
    let m = ctx.map(
        node,
        entry_kind("histograms"),
        &format!("histogram `{}`", name.value),
    )?;
    let var = m
        .get("var")
        .and_then(|v| ctx.expr(v, "the histogrammed variable"));
    let bins = ctx.count(m.get("bins")?, "`bins`")?;
    let range = ctx.interval(m.get("range")?, "`range`")?;
    if bins.value == 0 || bins.value > MAX_BINS {
        ctx.report(
            Diagnostic::error(
                codes::LIMIT_EXCEEDED,
                format!(
                    "histogram `{}` has {} bins; it may have 1 to {MAX_BINS}",
                    name.value, bins.value
                ),
            )
            .at(bins.span),
        );
        return None;
    }
    if range.low.value.partial_cmp(&range.high.value) != Some(std::cmp::Ordering::Less) {
        ctx.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!(
                    "histogram `{}` needs low < high, got [{}, {}]",
                    name.value, range.low.value, range.high.value
                ),
            )
            .at(range.span),
        );
        return None;
    }
    let without = match m.get("without") {
        Some(w) => ctx.strings(w, "`without`", "a step or veto name")?,
        None => Vec::new(),
    };
    let inputs = match m.get("inputs") {
        Some(list) => ctx.strings(list, "`inputs`", "an input name")?,
        None => Vec::new(),
    };
    Some(Histogram {
        inputs,
        name,
        var: var?,
        bins,
        range,
        without,
    })
}

fn channel(key: &YamlNode, node: &YamlNode, ctx: &mut Ctx) -> Option<Channel> {
    let name = ctx.identifier(key, "a channel name")?;
    let m = ctx.map(
        node,
        entry_kind("channels"),
        &format!("channel `{}`", name.value),
    )?;
    let bf_daughter = m
        .get("bf_daughter")
        .and_then(|v| ctx.quantity(v, "`bf_daughter`"));
    let external_efficiency = m
        .get("external_efficiency")
        .and_then(|v| ctx.quantity(v, "`external_efficiency`"));
    let endpoint = m
        .get("endpoint")
        .and_then(|v| ctx.quantity(v, "`endpoint`"));
    let n_bb = m.get("n_bb").and_then(|v| ctx.quantity(v, "`n_bb`"));
    let luminosity = m.get("luminosity").and_then(|v| luminosity(v, ctx));
    let control = match m.get("control") {
        Some(v) => ctx.boolean(v, "`control`")?.value,
        None => false,
    };
    let nominal = match m.get("nominal") {
        Some(v) => Some(ctx.quantity_or_expr(v, "`nominal`")?),
        None => None,
    };
    let cut = ctx.expr(m.get("cut")?, "a channel cut")?;
    Some(Channel {
        name,
        cut,
        bf_daughter,
        external_efficiency,
        endpoint,
        n_bb,
        luminosity,
        control,
        nominal,
    })
}

fn sub_kind(parent: &'static Kind, key: &str) -> &'static Kind {
    &keys::find(keys::fields(parent), key)
        .expect("sub-key is in its table")
        .kind
}

fn observable(node: &YamlNode, parent: &'static Kind, ctx: &mut Ctx) -> Option<Observable> {
    let m = ctx.map(node, sub_kind(parent, "observable"), "`observable`")?;
    let var = m.get("var").and_then(|v| ctx.expr(v, "the observable"));
    let range = ctx.interval(m.get("range")?, "`range`")?;
    Some(Observable { var: var?, range })
}

fn pdf(node: &YamlNode, parent: &'static Kind, key: &str, ctx: &mut Ctx) -> Option<Pdf> {
    pdf_of(node, sub_kind(parent, key), &format!("`{key}`"), ctx)
}

/// A PDF mapping of `kind` (a PDF, or a plain fit's component): its name and parameters.
fn pdf_of(node: &YamlNode, kind: &'static Kind, what: &str, ctx: &mut Ctx) -> Option<Pdf> {
    let m = ctx.map(node, kind, what)?;
    let mut params = Vec::new();
    for (k, v) in m.extras() {
        let Some(name) = ctx.string(k, "a parameter name") else {
            continue;
        };
        let param = match &v.kind {
            NodeKind::Map(_) => {
                let floating = match kind {
                    Kind::Open(_, Kind::OneOf(kinds)) => &kinds[1],
                    _ => unreachable!("PDF kind is open with a floating alternative"),
                };
                let f = ctx.map(v, floating, &format!("parameter `{}`", name.value));
                f.and_then(|f| {
                    let init = f.get("init").and_then(|i| ctx.quantity(i, "`init`"));
                    let shared = match f.get("shared") {
                        Some(v) => ctx.boolean(v, "`shared`")?.value,
                        None => false,
                    };
                    let range = ctx.interval(f.get("range")?, "`range`")?;
                    Some(Param::Floating {
                        init: init?,
                        range,
                        shared,
                    })
                })
            }
            _ => ctx.expr(v, "a parameter").map(Param::Fixed),
        };
        if let Some(p) = param {
            params.push((name, p));
        }
    }
    let pdf = ctx.string(m.get("pdf")?, "`pdf`")?;
    Some(Pdf {
        pdf,
        params,
        span: m.span,
    })
}

fn poi(node: &YamlNode, parent: &'static Kind, ctx: &mut Ctx) -> Option<Poi> {
    let m = ctx.map(node, sub_kind(parent, "poi"), "`poi`")?;
    let name = m.get("name").and_then(|v| ctx.string(v, "the POI name"));
    let per_channel = match m.get("per_channel") {
        Some(v) => ctx.boolean(v, "`per_channel`")?,
        None => Spanned::new(false, m.span),
    };
    let kind = match m.get("kind") {
        Some(v) => Some(ctx.word(v, crate::spec::model::POI_KINDS, "POI `kind`")?),
        None => None,
    };
    let nominal = match m.get("nominal") {
        Some(v) => Some(ctx.quantity_or_expr(v, "`nominal`")?),
        None => None,
    };
    let range = ctx.interval(m.get("range")?, "`range`")?;
    Some(Poi {
        name: name?,
        kind,
        nominal,
        range,
        per_channel,
    })
}

fn nuisances(node: Option<&YamlNode>, parent: &'static Kind, ctx: &mut Ctx) -> Vec<Nuisance> {
    let Some(node) = node else { return Vec::new() };
    let kind = match sub_kind(parent, "nuisances") {
        Kind::Dict(inner) => *inner,
        other => other,
    };
    let entries = ctx.dict(node, "`nuisances`").unwrap_or_default();
    entries
        .iter()
        .filter_map(|(k, v)| {
            let name = ctx.identifier(k, "a nuisance name")?;
            let m = ctx.map(v, kind, &format!("nuisance `{}`", name.value))?;
            let constraint = match m.get("constraint") {
                Some(c) => ctx.word(c, &["gaussian", "lognormal"], "constraint")?,
                None => Spanned::new("gaussian".into(), m.span),
            };
            let relative = m.get("relative")?;
            let (relative, relative_at, down) = if let NodeKind::Map(_) = relative.kind {
                let r = ctx.map(relative, &keys::ASYMMETRIC, "`relative`")?;
                let up = ctx.quantity_or_expr(r.get("up")?, "`relative.up`");
                let down = ctx.quantity_or_expr(r.get("down")?, "`relative.down`");
                let (up, up_at) = up?;
                (up, up_at, Some(down?))
            } else {
                let (relative, relative_at) = ctx.quantity_or_expr(relative, "`relative`")?;
                (relative, relative_at, None)
            };
            let on = match m.get("on") {
                Some(o) => Some(ctx.string(o, "`on`")?),
                None => None,
            };
            let channels = match m.get("channels") {
                Some(c) => ctx.strings(c, "`channels`", "a channel name")?,
                None => Vec::new(),
            };
            Some(Nuisance {
                name,
                constraint,
                relative,
                relative_at,
                down,
                on,
                channels,
            })
        })
        .collect()
}

fn efficiency(node: Option<&YamlNode>, ctx: &mut Ctx) -> Option<Efficiency> {
    let node = node?;
    if let NodeKind::Map(_) = node.kind {
        let m = ctx.map(node, &keys::EFFICIENCY_TABLE, "`efficiency`")?;
        let sha256 = m.get("sha256").and_then(|v| ctx.string(v, "`sha256`"));
        let path = m.get("table").and_then(|v| ctx.string(v, "`table`"))?;
        return Some(Efficiency::Table { path, sha256 });
    }
    let e = ctx.expr(node, "`efficiency`")?;
    if let ExprKind::Call(f, args) = &e.expr.kind
        && f == "from"
        && let [arg] = args.as_slice()
        && let Some(input) = arg.as_name()
    {
        return Some(Efficiency::FromInput(Spanned::new(
            input.to_string(),
            arg.span,
        )));
    }
    Some(Efficiency::Given(e))
}

/// What a `fit:` section is: a scan's model, or a plain fit of named components.
enum FitSection {
    Scan(Box<Fit>),
    Plain(Box<PlainFit>),
}

fn fit(node: &YamlNode, ctx: &mut Ctx) -> Option<FitSection> {
    let kind = root_kind("fit");
    let m = ctx.map(node, kind, "`fit`")?;
    let observable = m.get("observable").and_then(|v| observable(v, kind, ctx));
    let key_span = |key: &str| {
        m.entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(key))
            .map(|(k, _)| k.span)
    };
    let components = m.get("components");
    // A fit without a signal and POI of a scan is a plain fit of its components.
    let scan_keys = [
        "window",
        "signal",
        "background",
        "efficiency",
        "poi",
        "nuisances",
        "background_choice",
    ];
    let plain = components.is_some() && m.get("signal").is_none();
    if plain {
        for key in scan_keys {
            if let Some(span) = key_span(key) {
                ctx.report(
                    Diagnostic::error(
                        codes::UNKNOWN_KEY,
                        format!("`{key}` belongs to scan fits; a fit with `components` and no `signal` is a plain fit"),
                    )
                    .at(span)
                    .with_help("a plain fit has its components and their yields; a scan fit has `signal`, `background` (or `components`), `efficiency` and `poi`"),
                );
            }
        }
        let input = m.get("input").and_then(|v| ctx.string(v, "`input`"));
        return Some(FitSection::Plain(Box::new(PlainFit {
            observable: observable?,
            input,
            components: fit_components(components?, false, ctx)?,
            span: m.span,
        })));
    }
    if let Some(span) = key_span("input") {
        ctx.report(
            Diagnostic::error(
                codes::UNKNOWN_KEY,
                "`input` belongs to plain fits (`components` without `signal`)",
            )
            .at(span),
        );
    }
    let window = m.get("window").and_then(|v| ctx.width(v, "`window`"));
    let required = |key: &str, ctx: &mut Ctx| {
        if m.get(key).is_none() {
            ctx.report(
                Diagnostic::error(codes::MISSING_KEY, format!("`fit` needs the key `{key}`"))
                    .at_labelled(m.span, format!("`{key}` missing here"))
                    .with_help("a scan fit has `signal`, `background` (or `components`) and `poi`; a plain fit (no scan) has `components`"),
            );
        }
    };
    required("signal", ctx);
    required("poi", ctx);
    let signal = m.get("signal").and_then(|v| pdf(v, kind, "signal", ctx));
    let backgrounds = match (m.get("background"), components) {
        (Some(b), None) => pdf(b, kind, "background", ctx).map(|pdf| {
            vec![FitComponent {
                name: Spanned::new("background".into(), b.span),
                pdf,
                yield_: Yield::Free,
            }]
        }),
        (None, Some(c)) => fit_components(c, true, ctx),
        (Some(_), Some(c)) => {
            fit_components(c, true, ctx);
            ctx.report(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    "a scan fit has its background as `background` or as `components`, not both",
                )
                .at(key_span("components").unwrap_or(m.span))
                .with_help("list every background component under `components`"),
            );
            None
        }
        (None, None) => {
            required("background", ctx);
            None
        }
    };
    let efficiency = efficiency(m.get("efficiency"), ctx);
    let poi = m.get("poi").and_then(|v| poi(v, kind, ctx));
    let nuisances = nuisances(m.get("nuisances"), kind, ctx);
    let background_choice = match m.get("background_choice") {
        Some(v) => Some(Box::new(background_choice(v, kind, ctx)?)),
        None => None,
    };
    Some(FitSection::Scan(Box::new(Fit {
        observable: observable?,
        window,
        signal: signal?,
        backgrounds: backgrounds?,
        efficiency,
        poi: poi?,
        nuisances,
        background_choice,
    })))
}

fn background_choice(
    node: &YamlNode,
    parent: &'static Kind,
    ctx: &mut Ctx,
) -> Option<BackgroundChoice> {
    let kind = sub_kind(parent, "background_choice");
    let m = ctx.map(node, kind, "`background_choice`")?;
    let component = match m.get("component") {
        Some(v) => Some(ctx.string(v, "`component`")?),
        None => None,
    };
    let mut envelope = Vec::new();
    if let Some(e) = m.get("envelope") {
        let pdf_kind = match sub_kind(kind, "envelope") {
            Kind::Dict(inner) => *inner,
            other => other,
        };
        for (k, v) in ctx.dict(e, "`envelope`").unwrap_or_default() {
            let Some(name) = ctx.identifier(k, "a function name") else {
                continue;
            };
            let what = format!("function `{}`", name.value);
            if let Some(pdf) = pdf_of(v, pdf_kind, &what, ctx) {
                envelope.push((name, pdf));
            }
        }
    }
    let penalty = match m.get("penalty") {
        Some(v) => ctx.quantity(v, "`penalty`")?,
        None => Spanned::new(crate::spec::model::ENVELOPE_PENALTY, m.span),
    };
    let f_test = match m.get("f_test") {
        Some(v) => {
            let f = ctx.map(v, sub_kind(kind, "f_test"), "`f_test`")?;
            let max_order = ctx.count_at_most(f.get("max_order")?, "`max_order`", 20)?;
            let p_value = match f.get("p_value") {
                Some(p) => ctx.quantity(p, "`p_value`")?,
                None => Spanned::new(0.05, f.span),
            };
            let coefficient = match f.get("coefficient") {
                Some(c) => {
                    let c = ctx.map(
                        c,
                        sub_kind(sub_kind(kind, "f_test"), "coefficient"),
                        "`coefficient`",
                    )?;
                    let init = ctx.quantity(c.get("init")?, "`init`")?;
                    let range = ctx.interval(c.get("range")?, "`range`")?;
                    Some(Param::Floating {
                        init,
                        range,
                        shared: false,
                    })
                }
                None => None,
            };
            Some(FTest {
                max_order,
                p_value,
                coefficient,
                span: f.span,
            })
        }
        None => None,
    };
    let spurious_signal = match m.get("spurious_signal") {
        Some(v) => {
            let s = ctx.map(v, sub_kind(kind, "spurious_signal"), "`spurious_signal`")?;
            let input = ctx.string(s.get("input")?, "`input`")?;
            let max = match s.get("max") {
                Some(x) => ctx.quantity(x, "`max`")?,
                None => Spanned::new(0.2, s.span),
            };
            Some(SpuriousSignal { input, max })
        }
        None => None,
    };
    Some(BackgroundChoice {
        component,
        envelope,
        penalty,
        f_test,
        spurious_signal,
        span: m.span,
    })
}

/// The components of a fit (`scan`: the backgrounds of a scan fit, whose yields are free
/// or from an input in every window).
fn fit_components(node: &YamlNode, scan: bool, ctx: &mut Ctx) -> Option<Vec<FitComponent>> {
    let entries = ctx.dict(node, "`components`")?;
    if entries.is_empty() {
        ctx.report(
            Diagnostic::error(codes::MISSING_KEY, "a fit needs at least one component")
                .at(node.span),
        );
        return None;
    }
    let parsed: Vec<Option<FitComponent>> = entries
        .iter()
        .map(|(k, v)| fit_component(k, v, scan, ctx))
        .collect();
    parsed.into_iter().collect()
}

fn fit_component(
    key: &YamlNode,
    node: &YamlNode,
    scan: bool,
    ctx: &mut Ctx,
) -> Option<FitComponent> {
    let name = ctx.identifier(key, "a component name")?;
    if scan && name.value == "signal" {
        ctx.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                "a scan fit's signal is `fit.signal`; `components` are its backgrounds",
            )
            .at(name.span)
            .with_help("name the background component otherwise"),
        );
        return None;
    }
    let pdf = pdf_of(
        node,
        &keys::COMPONENT,
        &format!("component `{}`", name.value),
        ctx,
    )?;
    // `pdf_of` checked that the component is a mapping.
    let NodeKind::Map(entries) = &node.kind else {
        return None;
    };
    let yield_node = entries
        .iter()
        .find(|(k, _)| k.as_scalar() == Some("yield"))
        .map(|(_, v)| v);
    let yield_ = match yield_node {
        None => Yield::Free,
        Some(y) => component_yield(&name, y, ctx)?,
    };
    if scan && matches!(yield_, Yield::Fixed(_) | Yield::Floating { .. }) {
        ctx.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!(
                    "component `{}`: a scan fit's yields are free or from an input in every window, not a number",
                    name.value
                ),
            )
            .at(yield_node.map_or(name.span, |y| y.span))
            .with_help("leave `yield` out (free per channel), or `yield: { from: INPUT, relative: 0.1 }`"),
        );
        return None;
    }
    Some(FitComponent { name, pdf, yield_ })
}

/// A component's `yield`: a number, floating (`{ init, range, gaussian }`) or from an
/// input (`{ from, constraint, relative }`).
fn component_yield(component: &Name, node: &YamlNode, ctx: &mut Ctx) -> Option<Yield> {
    let NodeKind::Map(entries) = &node.kind else {
        return Some(Yield::Fixed(ctx.quantity(node, "`yield`")?));
    };
    if entries.iter().any(|(k, _)| k.as_scalar() == Some("from")) {
        let y = ctx.map(node, &keys::YIELD_FROM_INPUT, "`yield`")?;
        let input = ctx.string(y.get("from")?, "`from`")?;
        let constraint = match y.get("constraint") {
            Some(c) => Some(ctx.word(c, &["gaussian", "lognormal"], "constraint")?),
            None => None,
        };
        let free = match y.get("free") {
            Some(f) => ctx.boolean(f, "`free`")?,
            None => Spanned::new(false, y.span),
        };
        if free.value && (y.get("relative").is_some() || constraint.is_some()) {
            ctx.report(
                Diagnostic::error(
                    codes::INVALID_VALUE,
                    "a free normalisation has no `relative` uncertainty or `constraint`",
                )
                .at(free.span),
            );
            return None;
        }
        let uncertainty = match (y.get("relative"), constraint) {
            (Some(r), constraint) => Some(Box::new(Nuisance {
                name: Spanned::new(format!("{}.norm", component.value), component.span),
                constraint: constraint.unwrap_or_else(|| Spanned::new("gaussian".into(), y.span)),
                relative: ctx.quantity(r, "`relative`")?,
                relative_at: None,
                down: None,
                on: None,
                channels: Vec::new(),
            })),
            (None, Some(c)) => {
                ctx.report(
                    Diagnostic::error(
                        codes::MISSING_KEY,
                        "a constrained normalisation needs its `relative` uncertainty",
                    )
                    .at(c.span),
                );
                return None;
            }
            (None, None) => None,
        };
        return Some(Yield::FromInput {
            input,
            uncertainty,
            free: free.value,
        });
    }
    let object = match &keys::YIELD {
        Kind::OneOf(kinds) => &kinds[1],
        _ => unreachable!("a yield is a number or an object"),
    };
    let y = ctx.map(node, object, "`yield`")?;
    let init = y.get("init").and_then(|v| ctx.quantity(v, "`init`"));
    let range = y.get("range").and_then(|v| ctx.interval(v, "`range`"));
    let gaussian = match y.get("gaussian") {
        Some(g) => {
            let items = ctx.list(g, "`gaussian`")?;
            let values: Vec<Spanned<f64>> = items
                .iter()
                .filter_map(|i| ctx.quantity(i, "`gaussian`"))
                .collect();
            match values.as_slice() {
                [mean, sigma] if sigma.value > 0.0 => Some((mean.clone(), sigma.clone())),
                _ => {
                    ctx.report(
                        Diagnostic::error(
                            codes::INVALID_VALUE,
                            "`gaussian` is [mean, sigma] with sigma > 0",
                        )
                        .at(g.span),
                    );
                    return None;
                }
            }
        }
        None => None,
    };
    Some(Yield::Floating {
        init: init?,
        range: range?,
        gaussian,
    })
}

fn counting(node: &YamlNode, ctx: &mut Ctx) -> Option<Counting> {
    let kind = root_kind("counting");
    let m = ctx.map(node, kind, "`counting`")?;
    let observable = m.get("observable").and_then(|v| observable(v, kind, ctx));
    let resolution = m
        .get("resolution")
        .and_then(|v| ctx.expr(v, "the resolution"));
    let window = m.get("window").and_then(|v| ctx.width(v, "`window`"));
    let sidebands = m
        .get("sidebands")
        .and_then(|v| ctx.list(v, "`sidebands`"))
        .map(|items| {
            items
                .iter()
                .filter_map(|i| ctx.interval(i, "a sideband"))
                .collect()
        })
        .unwrap_or_default();
    let efficiency = efficiency(m.get("efficiency"), ctx);
    let poi = m.get("poi").and_then(|v| poi(v, kind, ctx));
    let nuisances = nuisances(m.get("nuisances"), kind, ctx);
    Some(Counting {
        observable: observable?,
        resolution: resolution?,
        window: window?,
        sidebands,
        efficiency,
        poi: poi?,
        nuisances,
    })
}

fn scan(node: &YamlNode, ctx: &mut Ctx) -> Option<Scan> {
    let m = ctx.map(node, root_kind("scan"), "`scan`")?;
    let parameter = m
        .get("parameter")
        .and_then(|v| ctx.string(v, "`parameter`"));
    let range = m.get("range").and_then(|v| ctx.interval(v, "`range`"));
    let step = m.get("step").and_then(|v| ctx.expr(v, "`step`"));
    let exclude = m
        .get("exclude")
        .and_then(|v| ctx.strings(v, "`exclude`", "a veto name"))
        .unwrap_or_default();
    Some(Scan {
        parameter: parameter?,
        range: range?,
        step: step?,
        exclude,
    })
}

fn limits(node: &YamlNode, ctx: &mut Ctx) -> Option<Limits> {
    let kind = root_kind("limits");
    let m = ctx.map(node, kind, "`limits`")?;
    let cl = m.get("cl").and_then(|v| ctx.quantity(v, "`cl`"));
    let method = m
        .get("method")
        .and_then(|v| ctx.word(v, keys::METHODS, "limit method"));
    let expected = match m.get("expected") {
        Some(v) => ctx.boolean(v, "`expected`"),
        None => Some(Spanned::new(true, m.span)),
    };
    let toys = m
        .get("toys")
        .and_then(|v| ctx.count_at_most(v, "`toys`", MAX_TOYS));
    let global_toys = m
        .get("global_toys")
        .and_then(|v| ctx.count_at_most(v, "`global_toys`", MAX_TOYS));
    let mut reinterpret = Vec::new();
    if let Some(r) = m.get("reinterpret") {
        let inner = match sub_kind(kind, "reinterpret") {
            Kind::Dict(inner) => *inner,
            other => other,
        };
        for (k, v) in ctx.dict(r, "`reinterpret`").unwrap_or_default() {
            let Some(name) = ctx.identifier(k, "a reinterpreted parameter name") else {
                continue;
            };
            let Some(rm) = ctx.map(v, inner, &format!("reinterpretation `{}`", name.value)) else {
                continue;
            };
            let unit = rm.get("unit").and_then(|u| ctx.string(u, "`unit`"));
            let tables = formula_tables(&rm, ctx);
            let channels = channel_formulas(&rm, ctx);
            if let Some(formula) = rm.get("formula").and_then(|f| ctx.expr(f, "a formula")) {
                reinterpret.push(Reinterpret {
                    name,
                    formula,
                    unit,
                    tables,
                    channels,
                });
            }
        }
    }
    let mut model_plane = Vec::new();
    if let Some(planes) = m.get("model_plane") {
        let inner = match sub_kind(kind, "model_plane") {
            Kind::Dict(inner) => *inner,
            other => other,
        };
        for (k, v) in ctx.dict(planes, "`model_plane`").unwrap_or_default() {
            let Some(coupling) = ctx.identifier(k, "a coupling name") else {
                continue;
            };
            let what = format!("model plane `{}`", coupling.value);
            let Some(pm) = ctx.map(v, inner, &what) else {
                continue;
            };
            let range = pm.get("range").and_then(|r| ctx.interval(r, "`range`"));
            let points = pm
                .get("points")
                .and_then(|p| ctx.count_at_most(p, "`points`", MAX_MODEL_PLANE_POINTS));
            let ctau = pm.get("ctau").and_then(|e| ctx.expr(e, "`ctau`"));
            let prediction = pm
                .get("prediction")
                .and_then(|e| ctx.expr(e, "`prediction`"));
            let shortest_is_prompt = pm
                .get("shortest_is_prompt")
                .and_then(|b| ctx.boolean(b, "`shortest_is_prompt`"));
            let (tables, channels) = (formula_tables(&pm, ctx), channel_formulas(&pm, ctx));
            if let (Some(range), Some(ctau), Some(prediction)) = (range, ctau, prediction) {
                model_plane.push(ModelPlane {
                    coupling,
                    range,
                    points,
                    ctau,
                    prediction,
                    shortest_is_prompt,
                    channels,
                    tables,
                });
            }
        }
    }
    Some(Limits {
        cl: cl?,
        method: method?,
        expected: expected?,
        toys,
        global_toys,
        reinterpret,
        model_plane,
    })
}

/// Most couplings of a model plane.
const MAX_MODEL_PLANE_POINTS: u64 = 10_000;

/// `tables:` of a reinterpretation or model plane: name → file.
fn formula_tables(m: &Map, ctx: &mut Ctx) -> Vec<(Name, Name)> {
    let Some(t) = m.get("tables") else {
        return Vec::new();
    };
    ctx.dict(t, "`tables`")
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            let (name, file) = (
                ctx.identifier(k, "a table name"),
                ctx.string(v, "a table file"),
            );
            Some((name?, file?))
        })
        .collect()
}

/// `channels:` of a reinterpretation or model plane: channel → formula.
fn channel_formulas(m: &Map, ctx: &mut Ctx) -> Vec<(Name, SpecExpr)> {
    let Some(c) = m.get("channels") else {
        return Vec::new();
    };
    ctx.dict(c, "`channels`")
        .unwrap_or_default()
        .iter()
        .filter_map(|(k, v)| {
            let (name, formula) = (
                ctx.identifier(k, "a channel name"),
                ctx.expr(v, "a formula"),
            );
            Some((name?, formula?))
        })
        .collect()
}
