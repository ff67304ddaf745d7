//! `searchlight limit workspace`: a CLs upper limit (or CLs at one value) on the POI of a
//! pyhf JSON workspace, asymptotic or from pseudo-experiments.

use crate::cli::{Status, failed};
use crate::pipeline::workspace::{self, WorkspaceRequest, workspace_limit};
use std::path::PathBuf;

/// CLs calculators for workspaces.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Calculator {
    /// Asymptotic formulae with q̃μ (Cowan–Cranmer–Gross–Vitells).
    Asymptotic,
    /// Pseudo-experiments with q̃μ (as pyhf's toy calculator); limits from a scan of μ.
    Toys,
}

#[derive(clap::Args, Debug)]
pub struct Workspace {
    /// The workspace, as pyhf writes it.
    workspace: PathBuf,
    /// Confidence level, in (0, 1).
    #[arg(long, default_value_t = 0.95)]
    cl: f64,
    /// CLs calculator.
    #[arg(long, value_enum, default_value_t = Calculator::Asymptotic)]
    calculator: Calculator,
    /// Instead of the limit, CLs at this POI value.
    #[arg(long)]
    mu: Option<f64>,
    /// Pseudo-experiments per hypothesis (`--calculator toys`).
    #[arg(long, default_value_t = 2000)]
    toys: usize,
    /// Seed of the pseudo-experiments; results do not depend on the thread count.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The measurement to use (default: the first).
    #[arg(long)]
    measurement: Option<String>,
    /// Print one JSON document: {"observed", "expected"} or, with --mu,
    /// {"cls_observed", "cls_expected"} (toys add "clsb", "clb", "toys", "failed_toys").
    #[arg(long)]
    json: bool,
}

/// Computes and prints the limit or CLs value.
pub fn workspace(w: &Workspace) -> Status {
    let request = WorkspaceRequest {
        measurement: w.measurement.as_deref(),
        cl: w.cl,
        calculator: match w.calculator {
            Calculator::Asymptotic => workspace::Calculator::Asymptotic,
            Calculator::Toys => workspace::Calculator::Toys {
                toys: w.toys,
                seed: w.seed,
            },
        },
        mu: w.mu,
    };
    match workspace_limit(&w.workspace, &request) {
        Ok(result) if w.json => println!("{}", result.json()),
        Ok(result) => println!("{}", result.text()),
        Err(d) => return failed(d),
    }
    Status::Ok
}
