//! A spec as a canonical tree: keys in a fixed order, expressions parsed and printed
//! canonically (so `5.27 < Mbc` equals `Mbc > 5.27` and spacing or parentheses never
//! count), comments and layout gone. `diff` compares two such trees, `fmt` checks that a
//! rewrite kept its meaning, and a run's provenance records the tree's SHA-256.

use crate::diag::SourceMap;
use crate::expr::{CmpOp, Expr, ExprKind, parse_text, print};
use crate::spec::keys::{self, Kind};
use crate::spec::yaml::{self, NodeKind, YamlNode};
use serde_json::{Map, Value};
use std::path::Path;

/// The canonical tree of the spec at `path` and its included fragments (sections merged
/// by name), each file's text given by `read`.
pub fn tree(path: &Path, read: &dyn Fn(&Path) -> Result<String, String>) -> Result<Value, String> {
    let path = path.to_path_buf();
    let mut merged = Map::new();
    let mut pending = vec![path];
    let mut seen = Vec::new();
    while let Some(path) = pending.pop() {
        if seen.contains(&path) || seen.len() > 64 {
            continue;
        }
        let text = read(&path)?;
        let mut sources = SourceMap::new();
        let id = sources.add(path.clone(), text);
        let node = yaml::parse(id, sources.file(id))
            .map_err(|d| format!("{}: {}", path.display(), d.message))?;
        let NodeKind::Map(entries) = &node.kind else {
            return Err(format!("{} is not a mapping", path.display()));
        };
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (key, value) in entries {
            let Some(name) = key.as_scalar() else {
                continue;
            };
            if name == "include" {
                for item in sequence(value) {
                    if let Some(p) = item.as_scalar() {
                        pending.push(dir.join(p));
                    }
                }
                continue;
            }
            let canon = canonical(value, keys::section_kind(name));
            match (merged.get_mut(name), canon) {
                (Some(Value::Object(into)), Value::Object(more)) => into.extend(more),
                (_, canon) => {
                    merged.insert(name.to_string(), canon);
                }
            }
        }
        seen.push(path);
    }
    Ok(Value::Object(merged))
}

/// The canonical tree of one YAML document's text (no includes), for checking that a
/// rewrite kept its meaning.
pub fn document(path: &Path, text: &str) -> Result<Value, String> {
    let mut sources = SourceMap::new();
    let id = sources.add(path.to_path_buf(), text.to_string());
    let node = yaml::parse(id, sources.file(id))
        .map_err(|d| format!("{}: {}", path.display(), d.message))?;
    let NodeKind::Map(entries) = &node.kind else {
        return Ok(canonical(&node, None));
    };
    Ok(Value::Object(
        entries
            .iter()
            .filter_map(|(k, v)| {
                let key = k.as_scalar()?;
                Some((key.to_string(), canonical(v, keys::section_kind(key))))
            })
            .collect(),
    ))
}

fn sequence(node: &YamlNode) -> Vec<&YamlNode> {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    }
}

/// A node as a canonical value: expressions (and constant quantities) printed
/// canonically, mappings with sorted keys.
fn canonical(node: &YamlNode, kind: Option<&Kind>) -> Value {
    match &node.kind {
        NodeKind::Scalar(text, _) => match (keys::is_expression(kind), parse_text(text)) {
            (true, Ok(e)) => Value::String(print(&normalized(e))),
            _ => Value::String(text.clone()),
        },
        NodeKind::Seq(items) => Value::Array(
            items
                .iter()
                .map(|n| canonical(n, keys::item_kind(kind)))
                .collect(),
        ),
        NodeKind::Map(entries) => {
            let mut out: Vec<(String, Value)> = entries
                .iter()
                .filter_map(|(k, v)| {
                    let key = k.as_scalar()?;
                    Some((key.to_string(), canonical(v, keys::child_kind(kind, key))))
                })
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(out.into_iter().collect())
        }
    }
}

/// Puts a constant on the right of a single comparison (`5.27 < Mbc` → `Mbc > 5.27`).
fn normalized(e: Expr) -> Expr {
    let constant = |x: &Expr| matches!(x.kind, ExprKind::Number(..));
    match e.kind {
        ExprKind::Compare(first, rest)
            if rest.len() == 1 && constant(&first) && !constant(&rest[0].1) =>
        {
            let (op, x) = rest.into_iter().next().expect("one comparison");
            let flipped = match op {
                CmpOp::Lt => CmpOp::Gt,
                CmpOp::Le => CmpOp::Ge,
                CmpOp::Gt => CmpOp::Lt,
                CmpOp::Ge => CmpOp::Le,
                other => other,
            };
            Expr {
                kind: ExprKind::Compare(Box::new(x), vec![(flipped, *first)]),
                ..e
            }
        }
        kind => Expr { kind, ..e },
    }
}
