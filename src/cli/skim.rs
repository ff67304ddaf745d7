//! `searchlight skim`: the selected candidates of one input as Parquet or as a ROOT
//! TTree (`pipeline::skim`).

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
    /// Output file: `.parquet`, or `.root` (a TTree `variables`).
    #[arg(short = 'o', long)]
    output: PathBuf,
    /// Compression of `.root` output.
    #[arg(long, value_enum, default_value = "zlib")]
    compression: super::RootCompression,
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
    if let Err(e) = crate::io::sink::check_output(&args.output) {
        return fail(e.code, e.message);
    }
    let mut notes = Vec::new();
    let written = skim(
        &prepared,
        input,
        channel,
        &args.output,
        args.compression.into(),
        &mut notes,
    );
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
