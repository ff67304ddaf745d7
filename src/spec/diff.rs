//! What changed between two versions of a spec, in the spec's own terms — a cut, a veto
//! window, an MVA pin, the fit model, the scan grid — not as changed lines.
//!
//! Each version is a path or a git revision and a path (`v1.2:analyses/x.yaml`); included
//! fragments are read from the same place. Both become a canonical tree
//! (`spec::canonical`): keys in a fixed order, expressions parsed and printed canonically
//! (so `5.27 < Mbc` equals `Mbc > 5.27` and spacing or parentheses never count), comments
//! and layout gone. The trees are compared by path; list items are matched by content (and
//! by `name` when a named item changed), so inserting a selection step reports one added
//! step.

use crate::spec::canonical;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// One difference between the two versions.
#[derive(Debug, PartialEq)]
pub struct Change {
    /// Where in the canonical tree (`selection.steps[veto_pi0].window`).
    pub path: String,
    /// The old value (None: added).
    pub old: Option<Value>,
    /// The new value (None: removed).
    pub new: Option<Value>,
}

impl Change {
    /// `added`, `removed` or `changed`.
    pub fn kind(&self) -> &'static str {
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
                let out = Command::new("git")
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

/// The change as one line: `path: old → new`.
pub fn human(c: &Change) -> String {
    match (&c.old, &c.new) {
        (None, Some(n)) => format!("{}: added {}", c.path, show(n)),
        (Some(o), None) => format!("{}: removed {}", c.path, show(o)),
        (Some(o), Some(n)) => format!("{}: {} → {}", c.path, show(o), show(n)),
        (None, None) => c.path.clone(),
    }
}

/// A value as compact YAML flow text: `{var: mgg, window: [0.75, 0.81]}`.
pub fn show(v: &Value) -> String {
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
pub fn canonical_version(arg: &str) -> Result<Value, String> {
    let (origin, path) = locate(arg);
    canonical::tree(&path, &|p| origin.read(p))
}

/// The differences between two canonical trees, in tree order.
pub fn changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    compare(old, new, "", &mut out);
    out
}

/// The path of `key` below `path` in a JSON tree (`fit.poi.range`).
pub fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn compare(old: &Value, new: &Value, path: &str, out: &mut Vec<Change>) {
    let at = |key: &str| child_path(path, key);
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

/// A version of a spec on disk, ready to run: its path and, for a git revision, the
/// worktree that holds the revision whole (its model files and fragments too), removed
/// when this is dropped.
pub struct Checkout {
    /// The spec's path.
    pub spec: PathBuf,
    worktree: Option<PathBuf>,
}

impl Drop for Checkout {
    fn drop(&mut self) {
        if let Some(dir) = &self.worktree {
            let _ = Command::new("git")
                .args(["worktree", "remove", "--force"])
                .arg(dir)
                .output();
        }
    }
}

/// Checks out a version given as a path or `REV:path` (`tag` names its scratch folder).
pub fn checkout(arg: &str, tag: &str) -> Result<Checkout, String> {
    let (Origin::Git(rev), path) = locate(arg) else {
        return Ok(Checkout {
            spec: PathBuf::from(arg),
            worktree: None,
        });
    };
    let dir = std::env::temp_dir().join(format!("searchlight-diff-{tag}-{}", std::process::id()));
    let out = Command::new("git")
        .args(["worktree", "add", "--detach", "--force"])
        .arg(&dir)
        .arg(&rev)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cannot check out {rev}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(Checkout {
        spec: dir.join(path),
        worktree: Some(dir),
    })
}
