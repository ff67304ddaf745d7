//! `searchlight limit counting`: an upper limit for one Poisson count.

use super::Status;
use crate::stats::counting::{Uncertain, bayes_upper, cls_upper, feldman_cousins};
use serde_json::json;

/// Largest observed count the exact methods accept (they sum Poisson terms up to it).
const MAX_OBSERVED: u64 = 100_000;

/// Arguments of `limit`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    kind: Kind,
}

#[derive(clap::Subcommand, Debug)]
enum Kind {
    /// A cut-and-count: observed events, expected background, optional efficiency.
    Counting(Counting),
}

/// Limit-setting methods for a count.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Method {
    /// Flat-prior Bayesian, uncertainties marginalised.
    Bayes,
    /// Feldman–Cousins (known background and efficiency).
    Fc,
    /// Exact CLs, uncertainties integrated out (Cousins–Highland).
    Cls,
}

#[derive(clap::Args, Debug)]
struct Counting {
    /// Observed events.
    #[arg(long)]
    observed: u64,
    /// Expected background events.
    #[arg(long)]
    background: f64,
    /// Absolute uncertainty of the background.
    #[arg(long, default_value_t = 0.0)]
    background_unc: f64,
    /// Signal efficiency: the limit is quoted on signal / efficiency.
    #[arg(long, default_value_t = 1.0)]
    efficiency: f64,
    /// Absolute uncertainty of the efficiency.
    #[arg(long, default_value_t = 0.0)]
    efficiency_unc: f64,
    /// Confidence level, in (0, 1).
    #[arg(long)]
    cl: f64,
    /// Method.
    #[arg(long, value_enum)]
    method: Method,
    /// Print one JSON document: {"method", "cl", "upper", "lower"}.
    #[arg(long)]
    json: bool,
}

/// Computes and prints the limit; exit 2 for invalid numbers.
pub fn run(args: &Args) -> Status {
    let Kind::Counting(c) = &args.kind;
    let bad = |what: &str| {
        eprintln!("error: {what}");
        Status::Failure
    };
    if c.observed > MAX_OBSERVED {
        return bad(&format!(
            "--observed {} is beyond what the exact methods compute here (at most {MAX_OBSERVED}); with this many events use an asymptotic method",
            c.observed
        ));
    }
    if !(c.cl > 0.0 && c.cl < 1.0) {
        return bad("--cl must lie in (0, 1), e.g. 0.90");
    }
    if !(c.background >= 0.0
        && c.background.is_finite()
        && c.background_unc >= 0.0
        && c.background_unc.is_finite())
    {
        return bad("--background and --background-unc must be finite and ≥ 0");
    }
    if !(c.efficiency > 0.0
        && c.efficiency.is_finite()
        && c.efficiency_unc >= 0.0
        && c.efficiency_unc.is_finite())
    {
        return bad("--efficiency must be > 0 and --efficiency-unc ≥ 0");
    }
    let (b, e) = (
        Uncertain {
            value: c.background,
            sigma: c.background_unc,
        },
        Uncertain {
            value: c.efficiency,
            sigma: c.efficiency_unc,
        },
    );
    let (name, lower, upper) = match c.method {
        Method::Bayes => ("bayes", 0.0, bayes_upper(c.observed, b, e, c.cl)),
        Method::Cls => ("cls", 0.0, cls_upper(c.observed, b, e, c.cl)),
        Method::Fc => {
            if c.background_unc > 0.0 || c.efficiency_unc > 0.0 {
                return bad(
                    "Feldman–Cousins here takes a known background and efficiency; use --method bayes or cls with uncertainties",
                );
            }
            let (lo, hi) = feldman_cousins(c.observed, c.background, c.cl);
            ("fc", lo / c.efficiency, hi / c.efficiency)
        }
    };
    if c.json {
        println!(
            "{}",
            json!({"method": name, "cl": c.cl, "upper": upper, "lower": lower})
        );
    } else {
        println!(
            "{:.0}% CL {name} interval for signal / efficiency: [{lower:.4}, {upper:.4}]",
            c.cl * 100.0
        );
    }
    Status::Ok
}
