//! A spec with every expression (cuts, aliases, MVA features, model formulas) in its
//! canonical form (the printer `plan` and `diff` use), touching nothing else: comments,
//! key order, quoting, layout and constants stay as written.
//!
//! Only scalars that stand verbatim in the file are rewritten, in place, and the result
//! is accepted only when it parses to the same canonical tree as the original (an edit
//! that would change the meaning or break the YAML is left out). Formatting is
//! idempotent, since printing a parsed canonical expression gives it back.

use crate::diag::{Diagnostic, SourceMap};
use crate::expr::{parse_text, print};
use crate::spec::canonical::document as canonical_document;
use crate::spec::keys::{self, Kind};
use crate::spec::yaml::{self, NodeKind, YamlNode};
use std::path::Path;

/// One rewrite: the byte range of an expression and its canonical text.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// The text of a spec with every expression in canonical form.
pub fn format_text(path: &Path, text: &str) -> Result<String, Diagnostic> {
    let mut sources = SourceMap::new();
    let id = sources.add(path.to_path_buf(), text.to_string());
    let node = yaml::parse(id, sources.file(id))?;
    let mut edits = Vec::new();
    if let NodeKind::Map(entries) = &node.kind {
        for (key, value) in entries {
            if let Some(name) = key.as_scalar() {
                collect(value, keys::section_kind(name), &mut edits);
            }
        }
    }
    let meaning = canonical_document(path, text)
        .map_err(|e| Diagnostic::error(crate::diag::codes::YAML_SYNTAX, e))?;
    let keeps_meaning =
        |candidate: &str| canonical_document(path, candidate).ok() == Some(meaning.clone());
    let all = apply(text, edits.iter());
    if keeps_meaning(&all) {
        return Ok(all);
    }
    // Some edit does not survive in its place: keep each one that does on its own.
    let safe: Vec<&Edit> = edits
        .iter()
        .filter(|e| keeps_meaning(&apply(text, std::iter::once(*e))))
        .collect();
    Ok(apply(text, safe.into_iter()))
}

/// Expression scalars whose canonical text differs from what is written.
fn collect(node: &YamlNode, kind: Option<&Kind>, edits: &mut Vec<Edit>) {
    match &node.kind {
        NodeKind::Scalar(text, _) => {
            // Cuts, aliases and features; constants (`772e6`, `[0.100, 0.159]`) stay as
            // their authors wrote them.
            let (Some(Kind::Expr), Some(start), Ok(expr)) =
                (kind, node.verbatim_at, parse_text(text))
            else {
                return;
            };
            let canonical = print(&expr);
            if canonical != *text {
                edits.push(Edit {
                    start,
                    end: start + text.len(),
                    text: canonical,
                });
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                collect(item, keys::item_kind(kind), edits);
            }
        }
        NodeKind::Map(entries) => {
            for (key, value) in entries {
                if let Some(k) = key.as_scalar() {
                    collect(value, keys::child_kind(kind, k), edits);
                }
            }
        }
    }
}

/// `text` with the edits applied (they do not overlap; applied from the end).
fn apply<'e>(text: &str, edits: impl Iterator<Item = &'e Edit>) -> String {
    let mut edits: Vec<&Edit> = edits.collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    let mut out = text.to_string();
    for e in edits {
        if text.get(e.start..e.end).is_some() {
            out.replace_range(e.start..e.end, &e.text);
        }
    }
    out
}
