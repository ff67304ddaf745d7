//! `searchlight verify RESULTS`: reruns an analysis from the provenance recorded in its
//! results.json and compares the new result with the recorded one (`pipeline::verify`).
//!
//! Before rerunning it checks that what the result was made from is still what is on
//! disk, and refuses (exit 2) naming what changed: a rerun on other inputs would prove
//! nothing. Exit 0 when the results agree (bitwise, or within `--tolerance`), 1 when they
//! differ.

use super::prepare::{prepare, results_of_prepared};
use super::{Status, fail};
use crate::diag::codes;
use crate::pipeline::verify::{BUILD_FIELDS, differences, unchanged_sources};
use crate::report::results::{RunResults, read_results_document};
use std::path::PathBuf;

/// Arguments of `verify`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// results.json written by an earlier `run`.
    results: PathBuf,
    /// Largest relative difference of numbers still counted as equal (default: bitwise).
    #[arg(long, default_value_t = 0.0)]
    tolerance: f64,
    /// The spec to rerun, when it moved (default: the path recorded in the results).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

fn cannot(message: impl std::fmt::Display) -> Status {
    fail(codes::IO, format!("cannot verify: {message}"))
}

/// Verifies a recorded result by rerunning it.
pub fn run(args: &Args) -> Status {
    if args.tolerance.is_nan() || args.tolerance < 0.0 {
        return fail(codes::USAGE, "--tolerance must be a non-negative number");
    }
    let old = match read_results_document(&args.results) {
        Ok(v) => v,
        Err(e) => return cannot(e),
    };
    let provenance = match serde_json::from_value::<RunResults>(old.clone()) {
        Ok(results) => results.provenance,
        Err(e) => {
            return cannot(format!(
                "{} records no usable provenance: {e}",
                args.results.display()
            ));
        }
    };
    let spec = match (&args.spec, provenance.spec.as_str()) {
        (Some(s), _) => s.clone(),
        (None, "") => {
            return cannot(format!(
                "{} records no spec path (written before `verify` existed?); pass --spec",
                args.results.display()
            ));
        }
        (None, s) => PathBuf::from(s),
    };
    let unblind = provenance.unblinded;
    let Ok(prepared) = prepare(&spec, unblind) else {
        return cannot(format!(
            "the spec {} cannot be loaded (see above)",
            spec.display()
        ));
    };
    if let Err(changed) = unchanged_sources(&spec, &prepared, &provenance) {
        return cannot(changed);
    }
    // Decoded afresh (no column cache): verification trusts no cache.
    let Ok(new) = results_of_prepared(&spec, &prepared, args.threads) else {
        return cannot("the rerun failed (see above)");
    };
    for field in BUILD_FIELDS {
        let (a, b) = (&old["provenance"][field], &new["provenance"][field]);
        if a != b {
            eprintln!("note: recorded with {field} {a}, rerun with {b}");
        }
    }
    let differences = differences(&old, &new, args.tolerance);
    if differences.is_empty() {
        println!(
            "verified: the rerun reproduces {} {}",
            args.results.display(),
            if args.tolerance > 0.0 {
                format!("within a relative tolerance of {}", args.tolerance)
            } else {
                "bit for bit".into()
            }
        );
        return Status::Ok;
    }
    println!(
        "{} quantities differ from {}:",
        differences.len(),
        args.results.display()
    );
    for d in differences.iter().take(50) {
        println!("  {d}");
    }
    if differences.len() > 50 {
        println!("  … and {} more", differences.len() - 50);
    }
    Status::Findings
}
