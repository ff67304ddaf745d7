//! `searchlight limit workspace`: a CLs upper limit (or CLs at one value) on the POI of a
//! pyhf JSON workspace, asymptotic or from pseudo-experiments.

use crate::cli::{Status, fail};
use crate::diag::codes;
use crate::stats::asymptotic::{Cls, UpperLimits};
use crate::stats::histfactory;
use crate::stats::toys::{cls_toys, upper_limits_toys};
use serde_json::json;
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
    if !(w.cl > 0.0 && w.cl < 1.0) {
        return fail(codes::INVALID_VALUE, "--cl must lie in (0, 1), e.g. 0.95");
    }
    if w.calculator == Calculator::Toys && w.toys < 10 {
        return fail(codes::INVALID_VALUE, "--toys must be at least 10");
    }
    let text = match crate::io::regular::read_to_string(
        &w.workspace,
        crate::io::regular::MAX_WHOLE_FILE,
    ) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                codes::IO,
                format!("cannot read {}: {e}", w.workspace.display()),
            );
        }
    };
    let model = match histfactory::from_json(&text, w.measurement.as_deref()) {
        Ok(m) => m,
        Err(e) => return fail(codes::BAD_MODEL, format!("{}: {e}", w.workspace.display())),
    };
    if let (Calculator::Toys, Some(mu)) = (w.calculator, w.mu) {
        return match cls_toys(&model, &model.params, model.poi, mu, w.toys, w.seed) {
            Ok(t) if w.json => {
                println!(
                    "{}",
                    json!({"cls_observed": t.observed, "cls_expected": t.expected, "clsb": t.clsb, "clb": t.clb, "toys": t.toys, "failed_toys": t.failed})
                );
                Status::Ok
            }
            Ok(t) => {
                println!(
                    "CLs at {} = {mu} from {} + {} toys: observed {:.4} (CLs+b {:.4}, CLb {:.4}), expected {:?}{}",
                    model.params[model.poi].name,
                    t.toys[0],
                    t.toys[1],
                    t.observed,
                    t.clsb,
                    t.clb,
                    t.expected,
                    if t.failed > 0 {
                        format!("; {} toys left out (failed fits)", t.failed)
                    } else {
                        String::new()
                    }
                );
                Status::Ok
            }
            Err(e) => fail(codes::BAD_MODEL, e.to_string()),
        };
    }
    if w.calculator == Calculator::Toys {
        let (limits, scan) =
            match upper_limits_toys(&model, &model.params, model.poi, w.cl, w.toys, w.seed) {
                Ok(r) => r,
                Err(e) => return fail(codes::BAD_MODEL, e.to_string()),
            };
        let scan: Vec<_> = scan
            .iter()
            .map(|(mu, c)| json!({"mu": mu, "cls_observed": c.observed, "cls_expected": c.expected, "failed_toys": c.failed}))
            .collect();
        return print_limits(w, &model.params[model.poi].name, &limits, Some(scan));
    }
    let cls = match Cls::new(&model, &model.params, model.poi) {
        Ok(c) => c,
        Err(e) => return fail(codes::BAD_MODEL, format!("{}: {e}", w.workspace.display())),
    };
    let poi = &model.params[model.poi].name;
    if let Some(mu) = w.mu {
        let values = match cls.cls(mu) {
            Ok(v) => v,
            Err(e) => return fail(codes::BAD_MODEL, e.to_string()),
        };
        if w.json {
            println!(
                "{}",
                json!({"cls_observed": values.observed, "cls_expected": values.expected})
            );
        } else {
            println!(
                "CLs at {poi} = {mu}: observed {:.6}, expected {:?}",
                values.observed, values.expected
            );
        }
        return Status::Ok;
    }
    let limits = match cls.upper_limits(w.cl, true) {
        Ok(l) => l,
        Err(e) => return fail(codes::BAD_MODEL, e.to_string()),
    };
    print_limits(w, poi, &limits, None)
}

/// Prints upper limits (with the toy scan they came from, if any).
fn print_limits(
    w: &Workspace,
    poi: &str,
    limits: &UpperLimits,
    scan: Option<Vec<serde_json::Value>>,
) -> Status {
    if w.json {
        let mut doc = json!({"observed": limits.observed, "expected": limits.expected});
        if let Some(scan) = scan {
            doc["toys"] = json!(w.toys);
            doc["scan"] = json!(scan);
        }
        println!("{doc}");
    } else {
        println!(
            "{:.0}% CL upper limit on {poi}{}: observed {:.5}, expected {:.5} [-2σ {:.5}, -1σ {:.5}, +1σ {:.5}, +2σ {:.5}]",
            100.0 * w.cl,
            if scan.is_some() {
                format!(" from {} toys per point", w.toys)
            } else {
                String::new()
            },
            limits.observed,
            limits.expected[2],
            limits.expected[0],
            limits.expected[1],
            limits.expected[3],
            limits.expected[4]
        );
    }
    Status::Ok
}
