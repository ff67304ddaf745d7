//! A YAML document as a tree of nodes that all keep their source span.
//!
//! Why not serde: the spec needs a span on *every* key and value (for diagnostics, `fmt`
//! and `diff`), "did you mean" on unknown keys, and hard limits on nesting and alias
//! expansion. serde_yaml is deprecated; serde-saphyr's `Spanned<T>` gives spans but makes
//! every struct field a wrapper and reports unknown keys as plain text. Building our own
//! small tree from the saphyr-parser event stream (the maintained successor of yaml-rust)
//! gives all of this in one place, with no recursion, so hostile input cannot overflow the
//! stack.

use crate::diag::{Diagnostic, FileId, SourceFile, Span, codes};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Deepest nesting of sequences and mappings accepted.
pub const MAX_DEPTH: usize = 64;
/// Most nodes a document may expand to, aliases included (stops "billion laughs").
pub const MAX_NODES: usize = 100_000;

/// How a scalar was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Unquoted: may be a number, boolean or null.
    Plain,
    /// In single or double quotes, or a block scalar: always a string.
    Quoted,
}

/// One YAML node.
#[derive(Clone, Debug)]
pub struct YamlNode {
    /// What it holds.
    pub kind: NodeKind,
    /// Where it was written (for a quoted scalar, including the quotes).
    pub span: Span,
    /// Byte offset in the file where the scalar's text starts, when the text stands in the
    /// file verbatim (so offsets inside an expression map exactly onto the file).
    pub verbatim_at: Option<usize>,
}

/// The content of a node.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// A scalar with its text.
    Scalar(String, Style),
    /// A sequence.
    Seq(Vec<YamlNode>),
    /// A mapping in source order; keys are scalars.
    Map(Vec<(YamlNode, YamlNode)>),
}

impl YamlNode {
    /// Text of a scalar node.
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// True for a plain `null`, `~` or empty scalar.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s, Style::Plain) if s.is_empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    }

    /// A short name for the kind of node, for error messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(_, Style::Quoted) => "a string",
            NodeKind::Scalar(..) if self.is_null() => "nothing (null)",
            NodeKind::Scalar(s, _) if s.parse::<f64>().is_ok() => "a number",
            NodeKind::Scalar(s, _) if s == "true" || s == "false" => "a boolean",
            NodeKind::Scalar(..) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            NodeKind::Scalar(..) => 1,
            NodeKind::Seq(items) => 1 + items.iter().map(YamlNode::count).sum::<usize>(),
            NodeKind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.count() + v.count())
                    .sum::<usize>()
            }
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<YamlNode>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<(YamlNode, YamlNode)>,
        key: Option<YamlNode>,
    },
}

/// Parses one YAML document into a node tree. An empty document gives a null scalar.
pub fn parse(file: FileId, source: &SourceFile) -> Result<YamlNode, Diagnostic> {
    let text = source.text.as_str();
    let byte = |char_index: usize| source.byte_of_char(char_index);
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, YamlNode> = HashMap::new();
    let mut nodes = 0usize;
    let mut root: Option<YamlNode> = None;
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| {
            let at = byte(e.marker().index());
            let code = if e.info().contains("recursion limit") {
                codes::LIMIT_EXCEEDED
            } else {
                codes::YAML_SYNTAX
            };
            Diagnostic::error(code, format!("YAML syntax error: {}", e.info()))
                .at_labelled(Span::new(file, at, at), "here")
        })?;
        let (start, end) = (byte(span.start.index()), byte(span.end.index()));
        let here = Span::new(file, start, end);
        let tagged = match &event {
            Event::Scalar(_, _, _, tag)
            | Event::SequenceStart(_, tag)
            | Event::MappingStart(_, tag) => tag.is_some(),
            _ => false,
        };
        if tagged {
            // `!include /etc/passwd` would otherwise be read as a plain value.
            return Err(Diagnostic::error(
                codes::YAML_SYNTAX,
                "YAML tags (`!name`) are not part of the spec format",
            )
            .at_labelled(here, "tagged value")
            .with_help("remove the tag; other files are included with `include:`"));
        }
        let finished: YamlNode = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(Diagnostic::error(
                        codes::YAML_SYNTAX,
                        "a spec file holds one YAML document, found a second",
                    )
                    .at_labelled(here, "second document starts here")
                    .with_help("remove the `---` line, or split the file and use `include:`"));
                }
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Diagnostic::error(
                        codes::LIMIT_EXCEEDED,
                        format!("YAML nesting deeper than {MAX_DEPTH} levels"),
                    )
                    .at_labelled(here, "too deep"));
                }
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = match stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        items,
                    }) => (start, anchor, NodeKind::Seq(items)),
                    Some(Frame::Map {
                        start,
                        anchor,
                        entries,
                        ..
                    }) => (start, anchor, NodeKind::Map(entries)),
                    None => continue,
                };
                let (start, anchor, kind) = node;
                let node = YamlNode {
                    kind,
                    span: Span::new(file, start, end.max(start)),
                    verbatim_at: None,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Scalar(value, style, anchor, _) => {
                nodes += 1;
                let style = if style == ScalarStyle::Plain {
                    Style::Plain
                } else {
                    Style::Quoted
                };
                let verbatim_at = verbatim_offset(text, start, end, &value, style);
                let node = YamlNode {
                    kind: NodeKind::Scalar(value.into_owned(), style),
                    span: here,
                    verbatim_at,
                };
                if anchor > 0 {
                    anchors.insert(anchor, node.clone());
                }
                node
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(Diagnostic::error(
                        codes::YAML_SYNTAX,
                        "alias to an unknown anchor",
                    )
                    .at(here));
                };
                nodes += target.count();
                if nodes > MAX_NODES {
                    return Err(Diagnostic::error(
                        codes::LIMIT_EXCEEDED,
                        format!("YAML aliases expand to more than {MAX_NODES} nodes"),
                    )
                    .at_labelled(here, "expansion limit reached at this alias")
                    .with_help(
                        "a spec this large is almost certainly an alias bomb; write the values out",
                    ));
                }
                let mut copy = target.clone();
                copy.span = here;
                copy
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => continue,
        };
        match stack.last_mut() {
            Some(Frame::Seq { items, .. }) => items.push(finished),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => {
                    if !matches!(finished.kind, NodeKind::Scalar(..)) {
                        return Err(Diagnostic::error(
                            codes::WRONG_TYPE,
                            "mapping keys must be plain names",
                        )
                        .at_labelled(finished.span, "complex key"));
                    }
                    let name = finished.as_scalar().unwrap_or_default();
                    if let Some((first, _)) =
                        entries.iter().find(|(k, _)| k.as_scalar() == Some(name))
                    {
                        return Err(Diagnostic::error(
                            codes::DUPLICATE_KEY,
                            format!("key `{name}` appears twice"),
                        )
                        .at_labelled(finished.span, "second time")
                        .with_related(first.span, "first time"));
                    }
                    *key = Some(finished);
                }
                Some(k) => entries.push((k, finished)),
            },
            None => root = Some(finished),
        }
    }
    Ok(root.unwrap_or(YamlNode {
        kind: NodeKind::Scalar(String::new(), Style::Plain),
        span: Span::new(file, 0, 0),
        verbatim_at: None,
    }))
}

/// Where the scalar's value stands verbatim in the source, if it does.
fn verbatim_offset(
    text: &str,
    start: usize,
    end: usize,
    value: &str,
    style: Style,
) -> Option<usize> {
    let raw = text.get(start..end)?;
    if style == Style::Plain && raw == value {
        return Some(start);
    }
    let inner = raw.get(1..raw.len().saturating_sub(1))?;
    (raw.len() >= 2 && inner == value).then_some(start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceMap;

    fn load(text: &str) -> Result<YamlNode, Diagnostic> {
        let mut map = SourceMap::new();
        let id = map.add("t.yaml", text.to_string());
        parse(id, map.file(id))
    }

    #[test]
    fn keeps_spans_of_scalars() {
        let text = "a: 1\nb: 'x < 2'\n";
        let node = load(text).unwrap();
        let NodeKind::Map(entries) = node.kind else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
        let (k, v) = &entries[1];
        assert_eq!(&text[k.span.start..k.span.end], "b");
        assert_eq!(v.as_scalar(), Some("x < 2"));
        assert_eq!(v.verbatim_at, Some(9));
    }

    #[test]
    fn rejects_duplicate_keys_and_bombs() {
        assert_eq!(load("a: 1\na: 2\n").unwrap_err().code, codes::DUPLICATE_KEY);
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let prev = i - 1;
            bomb.push_str(&format!("a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"));
        }
        assert_eq!(load(&bomb).unwrap_err().code, codes::LIMIT_EXCEEDED);
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        assert_eq!(load(&deep).unwrap_err().code, codes::LIMIT_EXCEEDED);
    }
}
