//! `searchlight diff OLD NEW`: what changed between two versions of a search, in the
//! spec's own terms — a cut, a veto window, an MVA pin, the fit model, the scan grid —
//! not as changed lines.
//!
//! Each side is a path or a git revision and a path (`v1.2:analyses/x.yaml`); included
//! fragments are read from the same place. Both sides become a canonical tree: keys in a
//! fixed order, expressions parsed and printed canonically (so `5.27 < Mbc` equals
//! `Mbc > 5.27` and spacing or parentheses never count), comments and layout gone. The
//! trees are compared by path; list items are matched by content (and by `name` when a
//! named item changed), so inserting a selection step reports one added step.

use super::Status;
use crate::spec::canonical;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Arguments of `diff`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The old version: a path, or `REV:path` for a git revision.
    old: String,
    /// The new version: a path, or `REV:path`.
    new: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also run both versions and report the changes in events selected and in limits.
    #[arg(long)]
    run: bool,
}

/// Output formats of `diff`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// One line per change.
    Human,
    /// A JSON list of changes (`path`, `change`, `old`, `new`).
    Json,
    /// A Markdown table, for a pull-request comment.
    Markdown,
}

/// One difference between the two versions.
#[derive(Debug, PartialEq)]
struct Change {
    path: String,
    old: Option<Value>,
    new: Option<Value>,
}

impl Change {
    fn kind(&self) -> &'static str {
        match (&self.old, &self.new) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        }
    }
}

/// Where a version lives.
enum Origin {
    Files,
    Git(String),
}

impl Origin {
    fn read(&self, path: &Path) -> Result<String, String> {
        match self {
            Origin::Files => crate::io::regular::read_to_string(path, crate::spec::MAX_SPEC_BYTES)
                .map_err(|e| format!("cannot read {}: {e}", path.display())),
            Origin::Git(rev) => {
                let spec = format!("{rev}:{}", path.display());
                let out = std::process::Command::new("git")
                    .args(["show", &spec])
                    .output()
                    .map_err(|e| format!("cannot run git: {e}"))?;
                if !out.status.success() {
                    return Err(format!(
                        "git show {spec}: {}",
                        String::from_utf8_lossy(&out.stderr).trim()
                    ));
                }
                String::from_utf8(out.stdout).map_err(|_| format!("{spec} is not text"))
            }
        }
    }
}

/// Splits `REV:path` (when `path` does not exist as written) from a plain path.
fn locate(arg: &str) -> (Origin, PathBuf) {
    if !Path::new(arg).exists()
        && let Some((rev, path)) = arg.split_once(':')
        && !rev.is_empty()
    {
        return (Origin::Git(rev.to_string()), PathBuf::from(path));
    }
    (Origin::Files, PathBuf::from(arg))
}

/// Compares two versions of a spec; exit 0 when they mean the same, 1 when they differ.
pub fn run(args: &Args) -> Status {
    let load = |arg: &str| canonical_spec(arg).map_err(|e| eprintln!("error[SL201]: {e}"));
    let (Ok(old), Ok(new)) = (load(&args.old), load(&args.new)) else {
        return Status::Failure;
    };
    let mut changes = Vec::new();
    compare(&old, &new, "", &mut changes);
    let outcome = if args.run {
        match super::diff_run::compare_runs(&args.old, &args.new) {
            Ok(o) => Some(o),
            Err(e) => {
                eprintln!("error[SL201]: diff --run: {e}");
                return Status::Failure;
            }
        }
    } else {
        None
    };
    print_report(args.format, &changes, outcome.as_ref());
    let results_changed = outcome.as_ref().is_some_and(|(lines, _)| !lines.is_empty());
    if changes.is_empty() && !results_changed {
        Status::Ok
    } else {
        Status::Findings
    }
}

fn print_report(format: Format, changes: &[Change], outcome: Option<&(Vec<String>, Value)>) {
    let lines: &[String] = outcome.map_or(&[], |(l, _)| l.as_slice());
    match format {
        Format::Human => {
            if changes.is_empty() {
                println!("no semantic change");
            }
            for c in changes {
                println!("{}", human(c));
            }
            if outcome.is_some() && lines.is_empty() {
                println!("run: the same events selected and the same limits");
            }
            for l in lines {
                println!("{l}");
            }
        }
        Format::Json => {
            let list: Vec<Value> = changes
                .iter()
                .map(|c| json!({"path": c.path, "change": c.kind(), "old": c.old, "new": c.new}))
                .collect();
            let doc = match outcome {
                Some((_, run)) => json!({"changes": list, "run": run}),
                None => Value::Array(list),
            };
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).expect("serialises")
            );
        }
        Format::Markdown => {
            if changes.is_empty() {
                println!("No semantic change.");
            } else {
                println!("| where | change | old | new |\n|---|---|---|---|");
                for c in changes {
                    println!(
                        "| `{}` | {} | {} | {} |",
                        c.path,
                        c.kind(),
                        c.old
                            .as_ref()
                            .map_or(String::new(), |v| format!("`{}`", show(v))),
                        c.new
                            .as_ref()
                            .map_or(String::new(), |v| format!("`{}`", show(v)))
                    );
                }
            }
            if outcome.is_some() {
                println!("\n**Results**\n");
                if lines.is_empty() {
                    println!("- the same events selected and the same limits");
                }
                for l in lines {
                    println!("- {}", l.trim_start_matches("run: "));
                }
            }
        }
    }
}

fn human(c: &Change) -> String {
    match (&c.old, &c.new) {
        (None, Some(n)) => format!("{}: added {}", c.path, show(n)),
        (Some(o), None) => format!("{}: removed {}", c.path, show(o)),
        (Some(o), Some(n)) => format!("{}: {} → {}", c.path, show(o), show(n)),
        (None, None) => c.path.clone(),
    }
}

/// A value as compact YAML flow text: `{var: mgg, window: [0.75, 0.81]}`.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{k}: {}", show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// The canonical tree of a spec given as a path or `REV:path`, and its fragments.
fn canonical_spec(arg: &str) -> Result<Value, String> {
    let (origin, path) = locate(arg);
    canonical::tree(&path, &|p| origin.read(p))
}

/// Collects the differences between two canonical trees.
fn compare(old: &Value, new: &Value, path: &str, out: &mut Vec<Change>) {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, va) in a {
                match b.get(key) {
                    Some(vb) => compare(va, vb, &at(key), out),
                    None => out.push(Change {
                        path: at(key),
                        old: Some(va.clone()),
                        new: None,
                    }),
                }
            }
            for (key, vb) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                out.push(Change {
                    path: at(key),
                    old: None,
                    new: Some(vb.clone()),
                });
            }
        }
        // Windows and ranges (two scalars) change as a whole.
        (Value::Array(a), Value::Array(b))
            if a != b
                && a.len() == 2
                && b.len() == 2
                && a.iter().chain(b).all(|v| !v.is_object() && !v.is_array()) =>
        {
            out.push(Change {
                path: path.to_string(),
                old: Some(old.clone()),
                new: Some(new.clone()),
            });
        }
        (Value::Array(a), Value::Array(b)) => compare_lists(a, b, path, out),
        (a, b) if a != b => out.push(Change {
            path: path.to_string(),
            old: Some(a.clone()),
            new: Some(b.clone()),
        }),
        _ => {}
    }
}

/// Lists: items matched by a longest common subsequence of equal items; an unmatched
/// old and new item with the same `name` are one changed item.
fn compare_lists(a: &[Value], b: &[Value], path: &str, out: &mut Vec<Change>) {
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let (mut removed, mut added) = (Vec::new(), Vec::new());
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j == m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1]) {
            removed.push(i);
            i += 1;
        } else {
            added.push(j);
            j += 1;
        }
    }
    let label = |v: &Value, index: usize| match v.get("name").and_then(Value::as_str) {
        Some(name) => format!("{path}[{name}]"),
        None => format!("{path}[{index}]"),
    };
    let same_shape = |x: &Value, y: &Value| match (x, y) {
        (Value::Object(p), Value::Object(q)) => p.keys().eq(q.keys()),
        _ => false,
    };
    for &r in &removed {
        let named = |x: &usize| a[r].get("name").is_some() && a[r].get("name") == b[*x].get("name");
        // A named item pairs with its namesake; an unnamed one with the next added item of
        // the same shape (a step whose cut was edited).
        let partner = added.iter().position(named).or_else(|| {
            added
                .iter()
                .position(|x| a[r].get("name").is_none() && same_shape(&a[r], &b[*x]))
        });
        match partner {
            Some(p) => {
                let x = added.remove(p);
                compare(&a[r], &b[x], &label(&a[r], r), out);
            }
            None => out.push(Change {
                path: label(&a[r], r),
                old: Some(a[r].clone()),
                new: None,
            }),
        }
    }
    for &x in &added {
        out.push(Change {
            path: label(&b[x], x),
            old: None,
            new: Some(b[x].clone()),
        });
    }
}
