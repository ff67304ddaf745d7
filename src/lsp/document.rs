//! What the language server knows of one open spec, computed from its text alone: the
//! linter's diagnostics, the key path at a position (for completion and hover), hover
//! text, completions, the definition of a name, and `fmt`'s rewrite. Positions are the
//! protocol's: 0-based lines and UTF-16 columns.

use crate::check::{LintOptions, lint};
use crate::diag::{Diagnostic, Severity, SourceMap, Span};
use crate::expr::FUNCTIONS;
use crate::pipeline::load::base_dir;
use crate::spec::keys::{self, Kind};
use crate::spec::{LoadError, Spec, Step, load_str};
use crate::stats::pdfs::PDFS;
use std::path::Path;

/// A position: 0-based line and UTF-16 column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// Line.
    pub line: u32,
    /// Column in UTF-16 code units.
    pub column: u32,
}

/// A range of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    /// First position.
    pub start: Position,
    /// Past the last.
    pub end: Position,
}

/// A finding of the linter (or loader) at a range of this document.
#[derive(Clone, Debug)]
pub struct Finding {
    /// Where.
    pub range: Range,
    /// The diagnostic (code, severity, message with its help).
    pub diagnostic: Diagnostic,
    /// Related places in this document, with their messages.
    pub related: Vec<(Range, String)>,
}

/// The position of byte `offset` of `text`.
pub fn position_of(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = &text[..floor_char(text, offset)];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[start..].encode_utf16().count();
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// The byte offset of `position` in `text` (clamped to its line and to the text).
pub fn offset_of(text: &str, position: Position) -> usize {
    let mut start = 0;
    for _ in 0..position.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line = text[start..].split('\n').next().unwrap_or("");
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= position.column as usize {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + line.len()
}

fn floor_char(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Loads and lints `text` as the spec at `path` (its includes and files resolved from
/// there): the findings in this document. A finding in an included file is reported at
/// the document's first line, naming the file.
pub fn findings(path: &Path, text: &str) -> Vec<Finding> {
    let mut sources = SourceMap::new();
    let diagnostics = match load_str(path, text, &mut sources) {
        Ok(spec) => lint(&spec, &sources, base_dir(path), &LintOptions::default()),
        Err(LoadError::Invalid(diagnostics)) => diagnostics,
        Err(LoadError::Io(d)) => vec![d],
    };
    let root = sources.find(path);
    let range_of = |span: Span| Range {
        start: position_of(text, span.start),
        end: position_of(text, span.end.max(span.start)),
    };
    let top = Range {
        start: Position { line: 0, column: 0 },
        end: Position { line: 0, column: 0 },
    };
    diagnostics
        .into_iter()
        .map(|mut d| {
            let range = match d.span {
                Some(span) if Some(span.file) == root => range_of(span),
                Some(span) => {
                    let file = sources.file(span.file).path.display().to_string();
                    let (line, _) = sources.file(span.file).line_col(span.start);
                    d.message = format!("{file}:{line}: {}", d.message);
                    top
                }
                None => top,
            };
            if let Some(help) = &d.help {
                d.message = format!("{}\nhelp: {help}", d.message);
            }
            let related = d
                .related
                .iter()
                .filter(|r| Some(r.span.file) == root)
                .map(|r| (range_of(r.span), r.message.clone()))
                .collect();
            Finding {
                range,
                diagnostic: d,
                related,
            }
        })
        .collect()
}

/// The keys from the document's root to the mapping the cursor at `position` writes
/// into, from the block structure (indentation, `- ` items) and the open `{` of flow
/// mappings on the cursor's line; works on half-typed documents.
pub fn key_path(text: &str, position: Position) -> Vec<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(current) = lines.get(position.line as usize) else {
        return Vec::new();
    };
    let cursor = offset_of(
        current,
        Position {
            line: 0,
            column: position.column,
        },
    );
    let before = &current[..cursor];
    // The indentation the cursor writes at: its line's, or the cursor's on a blank line.
    let mut indent = if before.trim().is_empty() {
        before.len()
    } else {
        indentation(current)
    };
    let mut path = Vec::new();
    for line in lines[..position.line as usize].iter().rev() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let own = indentation(line);
        if own >= indent {
            continue;
        }
        let body = line.trim_start().trim_start_matches("- ");
        if let Some((key, value)) = body.split_once(':')
            && value.trim().is_empty()
        {
            path.push(key.trim().trim_matches('"').to_string());
        }
        indent = own;
        if own == 0 {
            break;
        }
    }
    path.reverse();
    // Keys of flow mappings still open before the cursor: `poi: { name: x, |`.
    let mut open: Vec<Option<String>> = Vec::new();
    let mut last_key: Option<String> = None;
    let mut word = String::new();
    for c in before.trim_start().trim_start_matches("- ").chars() {
        match c {
            '{' => open.push(last_key.take()),
            '}' => {
                open.pop();
            }
            ':' => last_key = Some(std::mem::take(&mut word).trim().to_string()),
            ',' => word.clear(),
            c if c.is_whitespace() && word.is_empty() => {}
            c => word.push(c),
        }
    }
    if !open.is_empty()
        && let Some(Some(outer)) = open.first()
        && path.last() != Some(outer)
    {
        // The line's own key opened the first brace (`poi: {`).
        path.push(outer.clone());
    }
    path.extend(open.into_iter().skip(1).flatten());
    path
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The kind of the mapping at `path` (`[]` is the document).
pub fn kind_at(path: &[String]) -> Option<&'static Kind> {
    let (first, rest) = path.split_first()?;
    let mut kind = keys::section_kind(first);
    for key in rest {
        kind = keys::child_kind(keys::item_kind(kind), key);
    }
    kind
}

/// The keys a mapping of `kind` (the document when None) may hold, with their meaning.
pub fn keys_of(kind: Option<&'static Kind>) -> &'static [keys::Key] {
    match kind {
        None => keys::ROOT,
        Some(Kind::List(inner)) => keys::fields(inner),
        Some(k) => keys::fields(k),
    }
}

/// One completion: the text and what it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// What to insert.
    pub label: String,
    /// A key, a function, a PDF, a variable or a word of a fixed set.
    pub kind: CompletionKind,
    /// Its meaning.
    pub detail: String,
}

/// What a completion is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A key of the mapping.
    Key,
    /// A built-in function.
    Function,
    /// A PDF.
    Pdf,
    /// A variable (alias) of the spec.
    Variable,
    /// A column of the data input (a toy's declared variable or a file's branch).
    Column,
    /// A value of a fixed set.
    Word,
}

/// Completions at `position`: after `key:` the values that key takes (its words, PDFs,
/// functions and the spec's variables in expressions), else the keys of the mapping.
pub fn completions(path: &Path, text: &str, position: Position) -> Vec<Completion> {
    let line = text.split('\n').nth(position.line as usize).unwrap_or("");
    let before = &line[..offset_of(
        line,
        Position {
            line: 0,
            column: position.column,
        },
    )];
    let mut keys_path = key_path(text, position);
    // In a value: `key: |` (the last key of the line before the cursor, no comma after).
    let value_key = before
        .rsplit_once(':')
        .filter(|(_, after)| !after.contains(',') && !after.contains('{'))
        .map(|(head, _)| {
            head.rsplit(['{', ',', '-'])
                .next()
                .unwrap_or(head)
                .trim()
                .to_string()
        })
        .filter(|k| !k.is_empty());
    let Some(key) = value_key else {
        return keys_of(kind_at(&keys_path))
            .iter()
            .map(|k| Completion {
                label: k.name.to_string(),
                kind: CompletionKind::Key,
                detail: k.doc.to_string(),
            })
            .collect();
    };
    if keys_path.last() == Some(&key) {
        keys_path.pop();
    }
    keys_path.push(key.clone());
    let kind = kind_at(&keys_path);
    if key == "pdf" {
        return PDFS
            .iter()
            .map(|p| Completion {
                label: p.name.to_string(),
                kind: CompletionKind::Pdf,
                detail: p.doc.to_string(),
            })
            .collect();
    }
    match kind {
        Some(Kind::Enum(words)) => words
            .iter()
            .map(|w| Completion {
                label: w.to_string(),
                kind: CompletionKind::Word,
                detail: String::new(),
            })
            .collect(),
        Some(Kind::Expr | Kind::Quantity | Kind::Width) => {
            let mut out: Vec<Completion> = FUNCTIONS
                .iter()
                .map(|f| Completion {
                    label: f.name.to_string(),
                    kind: CompletionKind::Function,
                    detail: f.doc.to_string(),
                })
                .collect();
            if let Some((spec, sources)) = loaded_with_sources(path, text) {
                out.extend(spec.variables.iter().map(|v| Completion {
                    label: v.name.value.clone(),
                    kind: CompletionKind::Variable,
                    detail: crate::expr::print(&v.expr.expr),
                }));
                out.extend(data_columns(&spec, &sources, path));
            }
            out
        }
        _ => Vec::new(),
    }
}

fn loaded_with_sources(path: &Path, text: &str) -> Option<(Spec, SourceMap)> {
    let mut sources = SourceMap::new();
    let spec = load_str(path, text, &mut sources).ok()?;
    Some((spec, sources))
}

/// The columns of the data input: a toy's declared variables (as an analyst writes them,
/// with their meaning, dimension and range), or the branches of its first file.
fn data_columns(spec: &Spec, sources: &SourceMap, path: &Path) -> Vec<Completion> {
    let ctx = crate::check::LintContext::new(spec, sources, base_dir(path));
    let mut out: Vec<Completion> = ctx
        .columns
        .iter()
        .flat_map(|c| c.values())
        .map(|decl| Completion {
            label: decl.var.to_string(),
            kind: CompletionKind::Column,
            detail: column_text(decl),
        })
        .collect();
    let mut branches: Vec<(&String, &String)> = ctx.file_columns.iter().flatten().collect();
    branches.sort();
    // A branch as the analyst writes it (`daughter(0, muonID)`), where it is basf2's
    // mangling of one.
    out.extend(branches.into_iter().map(|(b, what)| Completion {
        label: crate::expr::demangle(b).unwrap_or_else(|| b.clone()),
        kind: CompletionKind::Column,
        detail: format!("branch `{b}` of the data files: {what}"),
    }));
    out.sort_by(|a, b| a.label.cmp(&b.label));
    out
}

/// A toy column's meaning, dimension and range.
fn column_text(decl: &crate::toy::ColumnDecl) -> String {
    let range = decl
        .range
        .map_or(String::new(), |(lo, hi)| format!(", in [{lo}, {hi}]"));
    format!("{} ({}{range})", decl.doc, decl.dim)
}

/// The word (identifier characters) at byte `offset` of `text`, and its byte range.
fn word_at(text: &str, offset: usize) -> Option<(&str, std::ops::Range<usize>)> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let offset = floor_char(text, offset.min(text.len()));
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (start < end).then(|| (&text[start..end], start..end))
}

/// What the word at `position` is, in Markdown: a key of the format (its meaning and
/// value), a variable (its definition), a built-in function, a PDF or a column of the
/// data; on a selection step or veto, also its cutflow rows from the last run's
/// results.json (`results/<analysis>/` beside the spec or in the working directory).
pub fn hover(path: &Path, text: &str, position: Position) -> Option<(String, Range)> {
    let loaded = loaded_with_sources(path, text);
    let found = hover_word(path, text, position, loaded.as_ref());
    let Some(cutflow) = loaded
        .as_ref()
        .and_then(|(spec, _)| cutflow_rows(spec, path, text, position))
    else {
        return found;
    };
    let line_range = |line: u32| Range {
        start: Position { line, column: 0 },
        end: Position { line, column: 0 },
    };
    Some(match found {
        Some((markdown, range)) => (format!("{markdown}\n\n{cutflow}"), range),
        None => (cutflow, line_range(position.line)),
    })
}

/// The cutflow rows of the step or veto written on the cursor's line, from the last
/// results.json of this analysis, as Markdown.
fn cutflow_rows(spec: &Spec, path: &Path, text: &str, position: Position) -> Option<String> {
    let on_line = |span: Span| position_of(text, span.start).line == position.line;
    let label = spec
        .selection
        .iter()
        .find_map(|step| {
            let (name, extra) = match step {
                crate::spec::Step::Cut { name, cut } => (name, Some(cut.span)),
                crate::spec::Step::BestCandidate { name, by, .. } => (name, Some(by.span)),
            };
            (on_line(name.span) || extra.is_some_and(on_line)).then(|| name.value.clone())
        })
        .or_else(|| {
            spec.vetoes
                .iter()
                .find(|v| on_line(v.name.span) || on_line(v.var.span))
                .map(|v| format!("veto {}", v.name.value))
        })?;
    let name = &spec.analysis.name.value;
    let file = [base_dir(path), std::path::PathBuf::from(".")]
        .into_iter()
        .map(|dir| dir.join("results").join(name).join("results.json"))
        .find(|f| f.is_file())?;
    let results = crate::report::results::read_results(&file).ok()?;
    let mut out = format!("cutflow of `{label}` in `{}`:", file.display());
    for (channel, rows) in results.cutflow.iter().flatten() {
        let Some(k) = rows.iter().position(|r| r.step == label) else {
            continue;
        };
        let row = &rows[k];
        let before = k.checked_sub(1).map(|j| rows[j].events);
        let share = before.filter(|&b| b > 0).map_or(String::new(), |b| {
            format!(
                ", {:.1}% of the step before",
                100.0 * row.events as f64 / b as f64
            )
        });
        let weighted = row
            .weighted
            .map_or("undefined".to_string(), |w| format!("{w}"));
        out.push_str(&format!(
            "\n- `{channel}`: {} events (weighted {weighted}){share}",
            row.events
        ));
    }
    Some(out)
}

fn hover_word(
    path: &Path,
    text: &str,
    position: Position,
    loaded: Option<&(Spec, SourceMap)>,
) -> Option<(String, Range)> {
    let (word, bytes) = word_at(text, offset_of(text, position))?;
    let range = Range {
        start: position_of(text, bytes.start),
        end: position_of(text, bytes.end),
    };
    let is_key = text[bytes.end..].starts_with(':');
    if is_key {
        let mut path_to = key_path(text, position);
        if path_to.last().map(String::as_str) == Some(word) {
            path_to.pop();
        }
        if let Some(key) = keys::find(keys_of(kind_at(&path_to)), word) {
            let required = if key.required { " (required)" } else { "" };
            return Some((format!("**`{word}`**{required}: {}", key.doc), range));
        }
    }
    if let Some((spec, _)) = loaded
        && let Some(v) = spec.variables.iter().find(|v| v.name.value == word)
    {
        return Some((
            format!(
                "variable **`{word}`** = `{}`",
                crate::expr::print(&v.expr.expr)
            ),
            range,
        ));
    }
    if let Some(f) = crate::expr::function(word) {
        return Some((format!("function **`{word}`**: {}", f.doc), range));
    }
    if let Some(found) = loaded
        .and_then(|(spec, sources)| column_hover(spec, sources, path, text, word, bytes.clone()))
    {
        return Some((found, range));
    }
    if let Some(p) = crate::stats::pdfs::pdf(word) {
        let mut parameters: Vec<&str> = p.required.to_vec();
        parameters.extend(p.optional);
        return Some((
            format!(
                "PDF **`{word}`**: {} (parameters: {})",
                p.doc,
                parameters.join(", ")
            ),
            range,
        ));
    }
    None
}

/// A quick fix: a title and the replacement of a range.
#[derive(Clone, Debug, PartialEq)]
pub struct QuickFix {
    /// What it does (`replace with \`nTracks\``).
    pub title: String,
    /// The text it replaces.
    pub range: Range,
    /// The new text.
    pub new_text: String,
}

/// The quick fixes of the findings that touch `range`: a misspelt name or key the linter
/// suggests a known one for (its help, `did you mean \`X\`?`) is replaced by it.
pub fn quick_fixes(path: &Path, text: &str, range: Range) -> Vec<QuickFix> {
    findings(path, text)
        .into_iter()
        .filter(|f| f.range.start.line <= range.end.line && f.range.end.line >= range.start.line)
        .filter_map(|f| {
            let help = f.diagnostic.help.as_deref()?;
            let name = help.strip_prefix("did you mean `")?.strip_suffix("`?")?;
            let (start, end) = (offset_of(text, f.range.start), offset_of(text, f.range.end));
            let written = text.get(start..end)?;
            let is_word = |w: &str| {
                !w.is_empty()
                    && w.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+-*.".contains(c))
            };
            (is_word(written) && is_word(name)).then(|| QuickFix {
                title: format!("replace `{written}` with `{name}` ({})", f.diagnostic.code),
                range: f.range,
                new_text: name.to_string(),
            })
        })
        .collect()
}

/// What the data column named at `bytes` is (`word`, or the basf2 call `word(…)` that
/// starts there): a toy's declared variable with its branch, type, dimension and range,
/// or a branch of the data files.
fn column_hover(
    spec: &Spec,
    sources: &SourceMap,
    path: &Path,
    text: &str,
    word: &str,
    bytes: std::ops::Range<usize>,
) -> Option<String> {
    let written = match text[bytes.end..].strip_prefix('(') {
        Some(rest) => {
            let mut depth = 1;
            let end = rest.char_indices().find_map(|(i, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    '\n' => return Some(None),
                    _ => {}
                }
                (depth == 0).then_some(Some(i))
            })??;
            &text[bytes.start..bytes.end + 2 + end]
        }
        None => word,
    };
    let branch = crate::expr::mangle(written);
    let ctx = crate::check::LintContext::new(spec, sources, base_dir(path));
    if let Some(decl) = ctx.columns.as_ref().and_then(|c| c.get(&branch)) {
        return Some(format!(
            "column **`{written}`**: {}; branch `{branch}`, {}",
            column_text(decl),
            decl.ty.name()
        ));
    }
    ctx.file_columns
        .as_ref()
        .and_then(|c| c.get(&branch))
        .map(|what| format!("column **`{written}`**: branch `{branch}` of the data files, {what}"))
}

/// Where something is defined: a range of this document, or a file.
#[derive(Clone, Debug, PartialEq)]
pub enum Definition {
    /// A range of this document (a variable's key).
    Here(Range),
    /// A range of another file (a veto defined in an included fragment).
    There(std::path::PathBuf, Range),
    /// A file (an included fragment, an MVA model, a correction file).
    File(std::path::PathBuf),
}

/// Where the name at `position` is defined: a variable's key in this document, a veto's
/// or selection step's name (here or in an included fragment: `scan.exclude`,
/// a histogram's `without`), an MVA's model file or a correction's file; on an
/// `include:` item, the fragment.
pub fn definition(path: &Path, text: &str, position: Position) -> Option<Definition> {
    let base = base_dir(path);
    let line = text.split('\n').nth(position.line as usize).unwrap_or("");
    if key_path(text, position).first().map(String::as_str) == Some("include")
        || line.trim_start().starts_with("include:")
    {
        let item = line
            .split(" #")
            .next()
            .unwrap_or("")
            .trim_start()
            .trim_start_matches("include:")
            .trim()
            .trim_start_matches(['-', '['])
            .trim_end_matches(']')
            .trim()
            .trim_matches('"');
        if !item.is_empty() && !item.contains(',') {
            return Some(Definition::File(base.join(item)));
        }
    }
    let (word, _) = word_at(text, offset_of(text, position))?;
    let (spec, sources) = loaded_with_sources(path, text)?;
    let named = spec
        .variables
        .iter()
        .map(|v| &v.name)
        .chain(spec.vetoes.iter().map(|v| &v.name))
        .chain(spec.selection.iter().map(Step::name));
    if let Some(name) = named.into_iter().find(|n| n.value == word) {
        let file = sources.file(name.span.file);
        let range = Range {
            start: position_of(&file.text, name.span.start),
            end: position_of(&file.text, name.span.end),
        };
        // The root document is the first file loaded.
        return Some(
            if Some(name.span.file) == sources.files().next().map(|(id, _)| id) {
                Definition::Here(range)
            } else {
                Definition::There(file.path.clone(), range)
            },
        );
    }
    if let Some(m) = spec.mva.iter().find(|m| m.name.value == word) {
        return Some(Definition::File(base.join(&m.model.value)));
    }
    let c = spec.corrections.iter().find(|c| c.name.value == word)?;
    Some(Definition::File(base.join(&c.file.value)))
}

/// The document with every expression in canonical form (`fmt`), when that changes it
/// and keeps its meaning; None otherwise.
pub fn formatted(path: &Path, text: &str) -> Option<String> {
    crate::spec::format::format_text(path, text)
        .ok()
        .filter(|f| f != text)
}

/// The protocol's severity number of a diagnostic (1 error, 2 warning, 3 information).
pub fn severity_number(severity: Severity) -> u8 {
    match severity {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Info => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    #[test]
    fn positions_count_utf16_units() {
        let text = "a: 1\nb: \"𝛾 → μμ\" # x\n"; // 𝛾 is two UTF-16 units
        let offset = text.find('#').unwrap();
        let p = position_of(text, offset);
        assert_eq!(p, pos(1, 13));
        assert_eq!(offset_of(text, p), offset);
        assert_eq!(offset_of(text, pos(9, 0)), text.len());
    }

    #[test]
    fn the_key_path_follows_blocks_items_and_open_braces() {
        let text = "fit:\n  signal:\n    pdf: gaussian\n    \nselection:\n  - cut: x > 1\n    \nlimits: { cl: 0.9, \n";
        assert_eq!(key_path(text, pos(3, 4)), ["fit", "signal"]);
        assert_eq!(key_path(text, pos(2, 4)), ["fit", "signal"]);
        assert_eq!(key_path(text, pos(6, 4)), ["selection"]);
        assert_eq!(key_path(text, pos(7, 19)), ["limits"]);
        assert_eq!(key_path(text, pos(0, 0)), Vec::<String>::new());
    }

    #[test]
    fn completions_offer_the_keys_of_the_mapping_and_the_words_of_a_key() {
        let path = Path::new("/nonexistent/spec.yaml");
        let text = "limits: { cl: 0.9, method: \nfit:\n  poi: { name: br, kind: \n";
        let words = |c: Vec<Completion>| c.into_iter().map(|c| c.label).collect::<Vec<_>>();
        let methods = words(completions(path, text, pos(0, 27)));
        assert!(
            methods.contains(&"cls-asymptotic".to_string()),
            "{methods:?}"
        );
        let kinds = words(completions(path, text, pos(2, 26)));
        assert_eq!(
            kinds,
            [
                "branching_fraction",
                "cross_section",
                "yield",
                "signal_strength"
            ]
        );
        let keys = words(completions(path, "fit:\n  \n", pos(1, 2)));
        assert!(keys.contains(&"observable".to_string()), "{keys:?}");
    }

    #[test]
    fn vetoes_and_steps_named_elsewhere_lead_to_their_definitions() {
        let path = Path::new("analyses/dark_higgs_idm.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        // A step and a veto named in a histogram's `without`: their names in this spec.
        let spec_path = Path::new("tests/reference/run/cutflow.yaml");
        let doc = std::fs::read_to_string(spec_path).unwrap();
        let without = doc.find("without: [pi0, eta]").unwrap();
        for (name, shift) in [("pi0", 10), ("eta", 15)] {
            match definition(spec_path, &doc, position_of(&doc, without + shift)) {
                Some(Definition::Here(range)) => {
                    let line = doc.lines().nth(range.start.line as usize).unwrap();
                    assert!(line.contains(name), "{name}: {line}");
                    assert!(range.start.line < position_of(&doc, without).line);
                }
                other => panic!("{name}: {other:?}"),
            }
        }
        // A veto defined in an included fragment: that file, at its name.
        let fragment = Path::new("analyses/common/displaced_vetoes.yaml");
        let fragment_text = std::fs::read_to_string(fragment).unwrap();
        let (spec, _) = loaded_with_sources(path, &text).unwrap();
        let veto = &spec.vetoes.first().unwrap().name.value;
        let doc = format!("{text}\n# {veto}\n");
        let last = doc.rfind(veto.as_str()).unwrap();
        match definition(path, &doc, position_of(&doc, last + 1)) {
            Some(Definition::There(file, range)) => {
                assert!(file.ends_with("common/displaced_vetoes.yaml"), "{file:?}");
                let line = fragment_text
                    .lines()
                    .nth(range.start.line as usize)
                    .unwrap();
                assert!(line.contains(veto.as_str()), "{line}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn definitions_lead_to_fragments_models_and_variables() {
        let at = |text: &str, needle: &str, shift: usize| {
            position_of(text, text.find(needle).unwrap() + shift)
        };
        let path = Path::new("analyses/dark_higgs_idm.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            definition(path, &text, at(&text, "common/displaced", 3)),
            Some(Definition::File(
                Path::new("analyses/common/displaced_vetoes.yaml").into()
            ))
        );
        let path = Path::new("analyses/b_to_k_alp.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let use_site = text.rfind("cs_bdt").unwrap();
        assert_eq!(
            definition(path, &text, position_of(&text, use_site + 1)),
            Some(Definition::File(
                Path::new("analyses/models/cs_bdt.json").into()
            ))
        );
    }

    #[test]
    fn columns_of_toys_and_files_are_hovered_and_completed() {
        let path = Path::new("analyses/dark_higgs_idm.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let at = |needle: &str| position_of(&text, text.find(needle).unwrap() + 1);
        let (hover_text, _) = hover(path, &text, at("dr < 60")).unwrap();
        assert!(
            hover_text.contains("column **`dr`**") && hover_text.contains("branch `dr`"),
            "{hover_text}"
        );
        let columns: Vec<Completion> = completions(path, &text, at("dr < 60"))
            .into_iter()
            .filter(|c| c.kind == CompletionKind::Column)
            .collect();
        assert!(
            columns.iter().any(|c| c.label == "missingEnergyOfEventCMS"),
            "{columns:?}"
        );
        let path = Path::new("analyses/dark_photon_files.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        let offset = text.find("chiProb > 0.001").unwrap() + 2;
        let (hover_text, _) = hover(path, &text, position_of(&text, offset)).unwrap();
        assert!(
            hover_text.contains("of the data files, f64"),
            "{hover_text}"
        );
        let offset = text.find("chiProb > 0.001").unwrap();
        let labels: Vec<String> = completions(path, &text, position_of(&text, offset))
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert!(
            labels.contains(&"daughter(0, muonID)".to_string()),
            "{labels:?}"
        );
        let offset = text.find("min(daughter(0, muonID)").unwrap() + 5;
        let (hover_text, _) = hover(path, &text, position_of(&text, offset)).unwrap();
        assert!(hover_text.contains("`daughter(0, muonID)`"), "{hover_text}");
    }

    /// Every request at positions all over a spec (and past its ends, and in a
    /// half-typed copy) answers without panicking.
    #[test]
    fn requests_anywhere_never_panic() {
        let path = Path::new("analyses/b_to_h_invisible.yaml");
        let whole = std::fs::read_to_string(path).unwrap();
        let half = &whole[..floor_char(&whole, whole.len() / 2)];
        for text in [
            whole.as_str(),
            half,
            "",
            "fit: { poi: {",
            "\u{1F600}: é\n  - [",
        ] {
            let lines = text.split('\n').count() as u32;
            for line in (0..lines + 2).step_by(5) {
                for column in (0..90).step_by(11) {
                    let p = pos(line, column);
                    let _ = hover(path, text, p);
                    let _ = completions(path, text, p);
                    let _ = definition(path, text, p);
                    let _ = key_path(text, p);
                }
            }
        }
    }
}
