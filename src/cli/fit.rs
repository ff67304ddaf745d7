//! `searchlight fit`: one fit of the data at one hypothesis, with errors.

use super::Status;
use super::prepare::{prepare, report, thread_pool};
use crate::pipeline::fit::{FitOptions, fit};
use std::path::PathBuf;

/// Arguments of `fit`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis spec (with a `fit:` model).
    spec: PathBuf,
    /// Fit only this channel (default: all channels, sharing the POI).
    #[arg(long)]
    channel: Option<String>,
    /// The hypothesis (default: the first point of the scan).
    #[arg(long)]
    mass: Option<f64>,
    /// The signal's lifetime cτ, for a signal over lifetimes (default: the first).
    #[arg(long)]
    ctau: Option<f64>,
    /// Print the result as JSON (shape in docs/cli.md) on stdout.
    #[arg(long)]
    json: bool,
    /// Worker threads (default: all cores); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Let the signal yield float for a spec with `blinding: { unblind: true }`.
    #[arg(long)]
    unblind: bool,
    /// Scan the POI's profile likelihood at N points over ±3σ (unblinded fits).
    #[arg(long, value_name = "N", default_value_t = 0)]
    profile: usize,
    /// MINOS intervals of every free parameter (plain fits).
    #[arg(long)]
    minos: bool,
    /// The impacts of the constrained nuisances on the POI (scan fits; blinded: on Asimov
    /// data with a signal at the median expected limit) or on the named parameter (plain
    /// fits), ranked; with -o also as a plot.
    #[arg(long, value_name = "PARAMETER", num_args = 0..=1, default_missing_value = "")]
    impacts: Option<String>,
    /// The goodness of fit: the saturated deviance of the binned data and its p-value from
    /// N pseudo-experiments drawn from the fit and refitted.
    #[arg(long, value_name = "N", default_value_t = 0)]
    gof: usize,
    /// Write the fit plot (SVG and PNG, with pulls) into this directory (plain fits).
    #[arg(short = 'o', long)]
    output: Option<PathBuf>,
}

/// Runs the fit; 1 when it does not converge, 2 for usage, I/O or input failures.
pub fn run(args: &Args) -> Status {
    let prepared = match prepare(&args.spec, args.unblind) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let options = FitOptions {
        channel: args.channel.clone(),
        mass: args.mass,
        ctau: args.ctau,
        profile: args.profile,
        minos: args.minos,
        impacts: args.impacts.clone(),
        gof: args.gof,
        plots: args.output.clone(),
    };
    let pool = match thread_pool(args.threads) {
        Ok(pool) => pool,
        Err(status) => return status,
    };
    let (fitted, written) = match pool.install(|| fit(&prepared, &options)) {
        Ok(done) => done,
        Err(d) => {
            report(&[d], &prepared.sources);
            return Status::Failure;
        }
    };
    for file in written {
        eprintln!("wrote {}", file.display());
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&fitted).expect("the report serialises")
        );
    } else {
        print!("{}", fitted.text());
    }
    if fitted.converged() {
        Status::Ok
    } else {
        Status::Findings
    }
}
