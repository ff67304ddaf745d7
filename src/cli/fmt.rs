//! `searchlight fmt SPEC... [--check]`: rewrites every expression of each spec in its
//! canonical form (`spec::format`), touching nothing else.

use super::{Status, failed};
use crate::diag::{Diagnostic, codes};
use crate::report::results::write_atomically;
use crate::spec::format::format_text;
use std::path::PathBuf;

/// Arguments of `fmt`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Spec files to format in place.
    #[arg(required = true)]
    specs: Vec<PathBuf>,
    /// Change nothing; exit 1 if a file is not formatted (for CI and pre-commit).
    #[arg(long)]
    check: bool,
}

/// Formats or checks each spec.
pub fn run(args: &Args) -> Status {
    let (mut unformatted, mut any_failed) = (0, false);
    for path in &args.specs {
        let text = match crate::io::regular::read_to_string(path, crate::spec::MAX_SPEC_BYTES) {
            Ok(t) => t,
            Err(e) => {
                failed(Diagnostic::error(
                    codes::IO,
                    format!("cannot read {}: {e}", path.display()),
                ));
                any_failed = true;
                continue;
            }
        };
        let formatted = match format_text(path, &text) {
            Ok(f) => f,
            Err(d) => {
                let message = format!("{}: {}", path.display(), d.message);
                failed(Diagnostic::error(d.code, message));
                any_failed = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        unformatted += 1;
        if args.check {
            println!("{} is not formatted:", path.display());
            for (old, new) in text.lines().zip(formatted.lines()).filter(|(a, b)| a != b) {
                println!("  - {}\n  + {}", old.trim(), new.trim());
            }
        } else if let Err(e) = write_atomically(path, formatted.as_bytes()) {
            failed(Diagnostic::error(
                codes::OUTPUT,
                format!("cannot write {}: {e}", path.display()),
            ));
            any_failed = true;
        } else {
            println!("formatted {}", path.display());
        }
    }
    if any_failed {
        Status::Failure
    } else if args.check && unformatted > 0 {
        Status::Findings
    } else {
        Status::Ok
    }
}
