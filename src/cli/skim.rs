//! `searchlight skim`: the selected candidates of one input as Parquet, for plotting in
//! Python (`pipeline::skim`).

use super::prepare::{prepare, report};
use super::{Status, fail};
use crate::diag::codes;
use crate::pipeline::skim::skim;
use std::path::PathBuf;

/// Arguments of `skim`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis spec.
    spec: PathBuf,
    /// The input to skim.
    #[arg(long, default_value = "data")]
    input: String,
    /// Keep only candidates of this channel.
    #[arg(long)]
    channel: Option<String>,
    /// Output file (`.parquet`).
    #[arg(short = 'o', long)]
    output: PathBuf,
    /// Allow a spec with `blinding: { unblind: true }` to run.
    #[arg(long)]
    unblind: bool,
}

/// Writes the skim; 1 for analysis errors, 2 for I/O or usage failures.
pub fn run(args: &Args) -> Status {
    let prepared = match prepare(&args.spec, args.unblind) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let (spec, query) = (&prepared.spec, &prepared.query);
    let Some(input) = spec.inputs.iter().find(|i| i.name.value == args.input) else {
        let names: Vec<&str> = spec.inputs.iter().map(|i| i.name.value.as_str()).collect();
        return fail(
            codes::USAGE,
            format!(
                "the spec has no input `{}`; inputs: {}",
                args.input,
                names.join(", ")
            ),
        );
    };
    let channel = match &args.channel {
        None => None,
        Some(c) => match query.channels.iter().position(|ch| &ch.name == c) {
            Some(i) => Some(i),
            None => {
                let names: Vec<&str> = query.channels.iter().map(|c| c.name.as_str()).collect();
                return fail(
                    codes::USAGE,
                    format!("no channel `{c}`; channels: {}", names.join(", ")),
                );
            }
        },
    };
    if args.output.extension().is_none_or(|e| e != "parquet") {
        return fail(
            codes::USAGE,
            format!(
                "{}: skims are written as Parquet (.parquet)",
                args.output.display()
            ),
        );
    }
    let mut notes = Vec::new();
    let written = skim(&prepared, input, channel, &args.output, &mut notes);
    super::run::print_notes(&notes);
    match written {
        Ok(Some(rows)) => {
            eprintln!("wrote {rows} candidates to {}", args.output.display());
            Status::Ok
        }
        Ok(None) => fail(
            codes::NOT_DATA,
            format!("input `{}` has no rows", args.input),
        ),
        Err(d) => {
            report(&[d], &prepared.sources);
            Status::Failure
        }
    }
}
