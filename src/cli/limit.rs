//! `searchlight limit counting` (an upper limit for one Poisson count) and
//! `searchlight limit workspace` (`limit_workspace.rs`).

use super::limit_workspace::{self, Workspace};
use super::{Status, fail};
use crate::diag::codes;
use crate::stats::counting::{Background, CountingError, Efficiency, bayes_upper, cls_upper};
use crate::stats::feldman_cousins::feldman_cousins;
use serde_json::json;

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
    /// A binned model from a pyhf/HistFactory JSON workspace: CLs upper limit on its POI.
    Workspace(Workspace),
}

/// Limit-setting methods for a count.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Method {
    /// Flat-prior Bayesian, uncertainties marginalised.
    Bayes,
    /// Feldman–Cousins (uncertainties integrated out when given).
    Fc,
    /// Exact CLs, uncertainties integrated out (Cousins–Highland).
    Cls,
}

/// Shapes of an efficiency uncertainty.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Constraint {
    /// Gaussian, truncated at zero.
    Gaussian,
    /// Log-normal.
    Lognormal,
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
    /// Shape of the efficiency uncertainty: a Gaussian truncated at zero, or a log-normal
    /// with κ = 1 + efficiency-unc / efficiency.
    #[arg(long, value_enum, default_value_t = Constraint::Gaussian)]
    efficiency_constraint: Constraint,
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

/// Computes and prints the limit; exit 2 for invalid numbers or files.
pub fn run(args: &Args) -> Status {
    match &args.kind {
        Kind::Counting(c) => counting(c),
        Kind::Workspace(w) => limit_workspace::workspace(w),
    }
}

fn counting(c: &Counting) -> Status {
    let relative = c.efficiency_unc / c.efficiency;
    let (gaussian, lognormal) = match c.efficiency_constraint {
        Constraint::Gaussian => (relative, 0.0),
        Constraint::Lognormal => (0.0, relative),
    };
    let (b, e) = (
        Background {
            value: c.background,
            sigma: c.background_unc,
        },
        Efficiency {
            value: c.efficiency,
            gaussian,
            lognormal,
        },
    );
    let result = match c.method {
        Method::Bayes => bayes_upper(c.observed, &b, &e, c.cl).map(|u| ("bayes", 0.0, u)),
        Method::Cls => cls_upper(c.observed, &b, &e, c.cl).map(|u| ("cls", 0.0, u)),
        Method::Fc => feldman_cousins(c.observed, &b, &e, c.cl).map(|(lo, hi)| ("fc", lo, hi)),
    };
    let (name, lower, upper) = match result {
        Ok(r) => r,
        Err(e) => {
            let code = match e {
                CountingError::OutOfDomain(_) => codes::INVALID_VALUE,
                CountingError::NoLimit(_) => codes::NO_LIMIT,
            };
            return fail(code, e.to_string());
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
