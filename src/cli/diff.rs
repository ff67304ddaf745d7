//! `searchlight diff OLD NEW`: what changed between two versions of a search
//! (`spec::diff`), and with `--run` what the change did to its results
//! (`report::compare`).

use super::prepare::results_of;
use super::{Status, fail};
use crate::diag::codes;
use crate::report::compare::{RunChanges, compare_runs};
use crate::report::results::RunResults;
use crate::spec::diff::{Change, canonical_version, changes, checkout, human, show};
use serde_json::{Value, json};

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

/// Compares two versions of a spec; exit 0 when they mean the same, 1 when they differ.
pub fn run(args: &Args) -> Status {
    let (old, new) = match (canonical_version(&args.old), canonical_version(&args.new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(e), _) | (_, Err(e)) => return fail(codes::IO, e),
    };
    let changes = changes(&old, &new);
    let outcome = if args.run {
        match run_both(&args.old, &args.new) {
            Ok(o) => Some(o),
            Err(status) => return status,
        }
    } else {
        None
    };
    print_report(args.format, &changes, outcome.as_ref());
    let results_changed = outcome.as_ref().is_some_and(|o| !o.lines.is_empty());
    if changes.is_empty() && !results_changed {
        Status::Ok
    } else {
        Status::Findings
    }
}

/// Runs both versions (a revision checked out whole) and compares their results.
fn run_both(old: &str, new: &str) -> Result<RunChanges, Status> {
    let results = |arg: &str, tag: &str| -> Result<RunResults, Status> {
        let side = checkout(arg, tag).map_err(|e| fail(codes::IO, format!("diff --run: {e}")))?;
        let doc = results_of(&side.spec, false, None)?;
        serde_json::from_value(doc).map_err(|e| fail(codes::IO, format!("diff --run: {e}")))
    };
    let (a, b) = (results(old, "old")?, results(new, "new")?);
    Ok(compare_runs(&a, &b))
}

fn print_report(format: Format, changes: &[Change], outcome: Option<&RunChanges>) {
    let lines: &[String] = outcome.map_or(&[], |o| o.lines.as_slice());
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
                Some(o) => json!({"changes": list, "run": o.json}),
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
