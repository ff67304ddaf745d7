//! `searchlight fit`: one fit of the data at one hypothesis, with errors.

use super::Status;
use super::prepare::{prepare, report, thread_pool};
use crate::analysis::{self, FitReport};
use crate::check::grid;
use crate::pipeline::{Prepared, execute};
use crate::shard::Shard;
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
    /// Print the result as JSON (shape in CLI.md) on stdout.
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
}

/// Runs the fit; 1 when it does not converge, 2 for usage, I/O or input failures.
pub fn run(args: &Args) -> Status {
    let Prepared {
        spec,
        sources,
        base,
        query,
        unblinded: unblind,
        hidden,
    } = match prepare(&args.spec, args.unblind) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let mass = match args.mass {
        Some(m) => m,
        None => match grid::grid(&spec)
            .ok()
            .and_then(|g| g.into_iter().find(|&m| !grid::excluded(&spec, m)))
        {
            Some(m) => m,
            None => {
                eprintln!("error: give the hypothesis with --mass (the spec has no scan grid)");
                return Status::Failure;
            }
        },
    };
    if args.profile > 0 && !unblind {
        eprintln!(
            "error: --profile scans the signal yield, which a blinded fit holds at 0; it needs \
             `blinding: {{ unblind: true }}` in the spec and --unblind"
        );
        return Status::Failure;
    }
    let pool = match thread_pool(args.threads) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let outcome = pool.install(|| {
        let candidates =
            execute(&spec, &query, hidden.as_ref(), &base, Shard::WHOLE, false)?.candidates;
        analysis::fit_at(
            &spec,
            &base,
            &candidates,
            mass,
            args.channel.as_deref(),
            unblind,
            args.profile,
        )
    });
    let fitted = match outcome {
        Ok(r) => r,
        Err(d) => {
            report(&[d], &sources);
            return Status::Failure;
        }
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&fitted).expect("the report serialises")
        );
    } else {
        print_table(&fitted);
    }
    if fitted.status.is_valid() {
        Status::Ok
    } else {
        Status::Findings
    }
}

fn print_table(fitted: &FitReport) {
    println!(
        "fit at {} over {}: {:?}, -ln L = {:.6}{}",
        fitted.mass,
        fitted.channels.join(", "),
        fitted.status,
        fitted.nll,
        if fitted.blinded {
            " (blinded: signal yield held at 0, background fitted to the sidebands)"
        } else {
            ""
        }
    );
    for name in &fitted.order {
        let p = &fitted.parameters[name];
        let minos = p.minos.map_or(String::new(), |[lo, hi]| {
            format!("  minos [{lo:+.4e}, {hi:+.4e}]")
        });
        println!(
            "  {name:<28} {:>14.6e} ± {:<12.4e}{minos}",
            p.value, p.error
        );
    }
    if !fitted.at_limit.is_empty() {
        println!("  at a bound: {}", fitted.at_limit.join(", "));
    }
    if !fitted.profile.is_empty() {
        println!("  profile of {}: value, Δ(−ln L)", fitted.order[0]);
        for point in &fitted.profile {
            let note = if point.valid {
                ""
            } else {
                "  (fit not converged)"
            };
            println!("    {:>14.6e} {:>10.4}{note}", point.value, point.delta);
        }
    }
}
