//! `searchlight export {hepdata,pyhf} RESULTS -o DIR`: a run's results as a HEPData
//! submission (`report::hepdata`) or its counting windows as pyhf workspaces
//! (`report::pyhf`).

use super::{Status, fail};
use crate::diag::codes;
use crate::report::results::read_results;
use crate::report::{hepdata, pyhf};
use std::path::PathBuf;

/// Arguments of `export`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Export format.
    #[arg(value_enum)]
    format: Target,
    /// results.json written by `run`.
    results: PathBuf,
    /// Output directory.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
}

/// Export formats.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A HEPData submission (submission.yaml and one file per table).
    Hepdata,
    /// pyhf JSON workspaces: one per window of a cut-and-count scan, and index.json.
    Pyhf,
}

/// Writes the export.
pub fn run(args: &Args) -> Status {
    let results = match read_results(&args.results) {
        Ok(results) => results,
        Err(e) => return fail(codes::IO, e.to_string()),
    };
    let written = match args.format {
        Target::Hepdata => hepdata::write(&results, &args.output)
            .map(|n| format!("a HEPData submission of {n} tables")),
        Target::Pyhf => match pyhf::write(&results, &args.output) {
            Ok(n) => Ok(format!("{n} pyhf workspaces and index.json")),
            Err(e @ pyhf::ExportError::NotCounting) => {
                return fail(
                    codes::NOT_SUPPORTED,
                    format!("{}: {e}", args.results.display()),
                );
            }
            Err(pyhf::ExportError::Io(e)) => Err(e),
        },
    };
    match written {
        Ok(what) => {
            println!("wrote {what} to {}", args.output.display());
            Status::Ok
        }
        Err(e) => fail(
            codes::OUTPUT,
            format!("cannot write {}: {e}", args.output.display()),
        ),
    }
}
