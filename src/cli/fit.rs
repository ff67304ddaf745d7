//! `searchlight fit`: one fit of the data at one hypothesis, with errors.

use super::prepare::{prepare, report, thread_pool};
use super::{Status, fail};
use crate::analysis::plain_fit::plain_fit;
use crate::analysis::{self, InputCandidates};
use crate::check::grid;
use crate::diag::{Diagnostic, codes};
use crate::pipeline::{Prepared, execute};
use crate::report::{figures, fit_text};
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
    let spec = &prepared.spec;
    if spec.plain_fit.is_some() {
        if args.mass.is_some() || args.profile > 0 {
            return fail(
                codes::USAGE,
                "--mass and --profile belong to scan fits; this spec has a plain fit",
            );
        }
        if args.impacts.as_deref() == Some("") {
            return fail(
                codes::USAGE,
                "a plain fit has no POI: name the parameter, e.g. --impacts signal.yield",
            );
        }
        let fitted = match on_candidates(args, &prepared, |candidates| {
            plain_fit(
                spec,
                candidates,
                prepared.hidden.is_some(),
                args.channel.as_deref(),
                args.minos,
                args.impacts.as_deref().filter(|p| !p.is_empty()),
                args.gof,
            )
        }) {
            Ok(r) => r,
            Err(status) => return status,
        };
        if let Some(out) = &args.output {
            let observable = spec
                .plain_fit
                .as_ref()
                .map(|p| crate::expr::print(&p.observable.var.expr))
                .unwrap_or_default();
            let title = spec.analysis.display_title();
            let written = figures::plain_fit(out, title, &observable, &fitted).and_then(|mut f| {
                if let Some(impacts) = &fitted.impacts {
                    f.extend(figures::impacts(out, title, impacts)?);
                }
                Ok(f)
            });
            if let Err(status) = report_written(written) {
                return status;
            }
        }
        print_report(args.json, &fitted, fit_text::plain_fit);
        return if fitted.status.is_valid() {
            Status::Ok
        } else {
            Status::Findings
        };
    }
    let mass = match args.mass {
        Some(m) => m,
        None => match grid::grid(spec)
            .ok()
            .and_then(|g| g.into_iter().find(|&m| !grid::excluded(spec, m)))
        {
            Some(m) => m,
            None => {
                return fail(
                    codes::USAGE,
                    "give the hypothesis with --mass (the spec has no scan grid)",
                );
            }
        },
    };
    if args.minos || (args.output.is_some() && args.impacts.is_none()) {
        return fail(
            codes::USAGE,
            "--minos and -o (but for --impacts) belong to plain fits (`fit.components`); this spec has a scan fit",
        );
    }
    if args.impacts.as_deref().is_some_and(|p| !p.is_empty()) {
        return fail(
            codes::USAGE,
            "a scan fit's impacts are on its POI: give --impacts without a value",
        );
    }
    if args.profile > 0 && !prepared.unblinded {
        return fail(
            codes::USAGE,
            "--profile scans the signal yield, which a blinded fit holds at 0; it needs \
             `blinding: { unblind: true }` in the spec and --unblind",
        );
    }
    let fitted = match on_candidates(args, &prepared, |candidates| {
        analysis::fit_at(
            spec,
            &prepared.base,
            candidates,
            &analysis::FitRequest {
                mass,
                ctau: args.ctau,
                channel: args.channel.as_deref(),
                unblind: prepared.unblinded,
                profile_points: args.profile,
                impacts: args.impacts.is_some(),
                gof_toys: args.gof,
            },
        )
    }) {
        Ok(r) => r,
        Err(status) => return status,
    };
    if let (Some(out), Some(impacts)) = (&args.output, &fitted.impacts)
        && let Err(status) = report_written(figures::impacts(
            out,
            spec.analysis.display_title(),
            &impacts.impacts,
        ))
    {
        return status;
    }
    print_report(args.json, &fitted, fit_text::scan_fit);
    if fitted.status.is_valid() {
        Status::Ok
    } else {
        Status::Findings
    }
}

/// Runs the prepared spec over every input and `fit` on the selected candidates, in the
/// worker threads; prints why it cannot.
fn on_candidates<T>(
    args: &Args,
    prepared: &Prepared,
    fit: impl FnOnce(&[InputCandidates]) -> Result<T, Diagnostic> + Send,
) -> Result<T, Status>
where
    T: Send,
{
    let pool = thread_pool(args.threads)?;
    let outcome = pool.install(|| {
        let executed = execute(prepared, Shard::WHOLE, false)?;
        fit(&executed.candidates)
    });
    outcome.map_err(|d| {
        report(&[d], &prepared.sources);
        Status::Failure
    })
}

/// Prints the files written, or why they could not be.
fn report_written(written: Result<Vec<PathBuf>, String>) -> Result<(), Status> {
    match written {
        Ok(files) => {
            for f in files {
                eprintln!("wrote {}", f.display());
            }
            Ok(())
        }
        Err(e) => Err(fail(codes::OUTPUT, e)),
    }
}

/// The report as JSON (shape in docs/cli.md) or as text.
fn print_report<T: serde::Serialize>(json: bool, report: &T, text: fn(&T) -> String) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(report).expect("the report serialises")
        );
    } else {
        print!("{}", text(report));
    }
}
