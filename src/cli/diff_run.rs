//! `diff --run`: runs both versions of a spec and reports what the change did to the
//! results — events selected per channel, and the limits at the hypotheses both scan.
//!
//! A git-revision side is checked out whole (`git worktree add --detach`) into a scratch
//! directory, so its model files and included fragments are those of the revision.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A version ready to run: its spec path and, for a revision, the worktree to remove.
struct Side {
    spec: PathBuf,
    worktree: Option<PathBuf>,
}

impl Drop for Side {
    fn drop(&mut self) {
        if let Some(dir) = &self.worktree {
            let _ = Command::new("git")
                .args(["worktree", "remove", "--force"])
                .arg(dir)
                .output();
        }
    }
}

fn checkout(arg: &str, tag: &str) -> Result<Side, String> {
    let exists = Path::new(arg).exists();
    let (rev, path) = match arg.split_once(':') {
        Some((rev, path)) if !exists && !rev.is_empty() => (rev, path),
        _ => {
            return Ok(Side {
                spec: PathBuf::from(arg),
                worktree: None,
            });
        }
    };
    let dir = std::env::temp_dir().join(format!("searchlight-diff-{tag}-{}", std::process::id()));
    let out = Command::new("git")
        .args(["worktree", "add", "--detach", "--force"])
        .arg(&dir)
        .arg(rev)
        .output()
        .map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cannot check out {rev}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(Side {
        spec: dir.join(path),
        worktree: Some(dir),
    })
}

/// Runs a side and returns its results.json document.
fn results(side: &Side) -> Result<Value, String> {
    super::prepare::results_of(&side.spec, false, None)
        .map_err(|_| format!("running {} failed (see above)", side.spec.display()))
}

/// Runs both versions and lists how their results differ: one human line per finding,
/// and the same as JSON.
pub(super) fn compare_runs(old: &str, new: &str) -> Result<(Vec<String>, Value), String> {
    let (a, b) = (checkout(old, "old")?, checkout(new, "new")?);
    let (ra, rb) = (results(&a)?, results(&b)?);
    let mut lines = Vec::new();
    let mut cutflow = Vec::new();
    let empty = serde_json::Map::new();
    let (ca, cb) = (
        ra["cutflow"].as_object().unwrap_or(&empty),
        rb["cutflow"].as_object().unwrap_or(&empty),
    );
    for channel in ca.keys().chain(cb.keys().filter(|k| !ca.contains_key(*k))) {
        let last = |c: &serde_json::Map<String, Value>| {
            c.get(channel)
                .and_then(|rows| rows.as_array()?.last()?["weighted"].as_f64())
        };
        let (x, y) = (last(ca), last(cb));
        if x != y {
            lines.push(format!(
                "run: channel {channel}: {} → {} events selected{}",
                x.map_or("none".into(), |v| v.to_string()),
                y.map_or("none".into(), |v| v.to_string()),
                match (x, y) {
                    (Some(x), Some(y)) if x > 0.0 => format!(" ({:+.1}%)", 100.0 * (y / x - 1.0)),
                    _ => String::new(),
                }
            ));
        }
        cutflow.push(json!({"channel": channel, "old": x, "new": y}));
    }
    let limits = limit_ratios(&ra, &rb);
    if let Some(summary) = &limits {
        let ratio = &summary["expected_ratio"];
        if ratio["min"] != 1.0
            || ratio["max"] != 1.0
            || summary["only_old"] != 0
            || summary["only_new"] != 0
        {
            lines.push(format!(
                "run: expected limits at {} common hypotheses: new/old median {:.3} (range {:.3}–{:.3}); {} hypotheses only in the old scan, {} only in the new",
                summary["common"],
                ratio["median"].as_f64().unwrap_or(f64::NAN),
                ratio["min"].as_f64().unwrap_or(f64::NAN),
                ratio["max"].as_f64().unwrap_or(f64::NAN),
                summary["only_old"],
                summary["only_new"]
            ));
        }
    }
    Ok((lines, json!({"cutflow": cutflow, "limits": limits})))
}

/// Ratios new/old of the median expected limit at the hypotheses (channel, lifetime,
/// mass) both scans computed.
fn limit_ratios(old: &Value, new: &Value) -> Option<Value> {
    let key = |p: &Value| format!("{}|{}|{}", p["channel"], p["ctau"], p["mass"]);
    let median = |p: &Value| p["expected"].as_array().and_then(|e| e.get(2)?.as_f64());
    let (a, b) = (old["scan"].as_array()?, new["scan"].as_array()?);
    let mut ratios = Vec::new();
    let mut only_old = 0;
    for p in a {
        match b.iter().find(|q| key(q) == key(p)) {
            Some(q) => {
                if let (Some(x), Some(y)) = (median(p), median(q))
                    && x > 0.0
                {
                    ratios.push(y / x);
                }
            }
            None => only_old += 1,
        }
    }
    let only_new = b
        .iter()
        .filter(|q| !a.iter().any(|p| key(p) == key(q)))
        .count();
    ratios.sort_by(f64::total_cmp);
    let pick = |f: f64| {
        ratios
            .get(((ratios.len() as f64 - 1.0) * f).round() as usize)
            .copied()
    };
    Some(json!({
        "common": ratios.len(),
        "only_old": only_old,
        "only_new": only_new,
        "expected_ratio": {"min": pick(0.0), "median": pick(0.5), "max": pick(1.0)},
    }))
}

#[cfg(test)]
mod tests {
    use super::limit_ratios;
    use serde_json::json;

    #[test]
    fn limit_ratios_use_the_common_hypotheses() {
        let point = |m: f64, e: f64| json!({"channel": "K+", "ctau": null, "mass": m, "expected": [0, 0, e, 0, 0]});
        let old = json!({"scan": [point(1.0, 2.0), point(2.0, 4.0), point(3.0, 1.0)]});
        let new = json!({"scan": [point(1.0, 1.0), point(2.0, 4.0), point(4.0, 1.0)]});
        let s = limit_ratios(&old, &new).unwrap();
        assert_eq!(s["common"], 2);
        assert_eq!(
            (s["only_old"].clone(), s["only_new"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(s["expected_ratio"]["min"], 0.5);
        assert_eq!(s["expected_ratio"]["max"], 1.0);
    }
}
