//! `limit workspace`: a CLs upper limit (or CLs at one value) on the POI of a pyhf JSON
//! workspace, asymptotic or from pseudo-experiments.

use crate::diag::{Diagnostic, codes};
use crate::stats::asymptotic::{Cls, ClsValues, UpperLimits};
use crate::stats::histfactory;
use crate::stats::toys::{ToyCls, cls_toys, upper_limits_toys};
use serde_json::{Value, json};
use std::path::Path;

/// How CLs is computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calculator {
    /// Asymptotic formulae with q̃μ (Cowan–Cranmer–Gross–Vitells).
    Asymptotic,
    /// Pseudo-experiments with q̃μ (as pyhf's toy calculator), per hypothesis, from a
    /// seed; limits from a scan of μ.
    Toys {
        /// Pseudo-experiments per hypothesis.
        toys: usize,
        /// Their seed; results do not depend on the thread count.
        seed: u64,
    },
}

/// What is asked of a workspace.
#[derive(Clone, Debug)]
pub struct WorkspaceRequest<'a> {
    /// The measurement (default: the first).
    pub measurement: Option<&'a str>,
    /// Confidence level, in (0, 1).
    pub cl: f64,
    /// How CLs is computed.
    pub calculator: Calculator,
    /// CLs at this POI value instead of the limit.
    pub mu: Option<f64>,
}

/// The answer.
#[derive(Clone, Debug)]
pub enum WorkspaceResult {
    /// Asymptotic CLs at one POI value.
    Cls {
        /// The POI's name.
        poi: String,
        /// Its value.
        mu: f64,
        /// CLs there.
        values: ClsValues,
    },
    /// CLs at one POI value from pseudo-experiments.
    ToyCls {
        /// The POI's name.
        poi: String,
        /// Its value.
        mu: f64,
        /// CLs there, with the toys' counts.
        values: ToyCls,
    },
    /// Upper limits.
    Limits {
        /// The POI's name.
        poi: String,
        /// Confidence level.
        cl: f64,
        /// Observed and expected limits.
        limits: UpperLimits,
        /// For toys: toys per point and the CLs scan the limits came from.
        scan: Option<(usize, Vec<(f64, ToyCls)>)>,
    },
}

/// Reads the workspace at `path` and answers `request`.
pub fn workspace_limit(
    path: &Path,
    request: &WorkspaceRequest,
) -> Result<WorkspaceResult, Diagnostic> {
    let invalid = |message: &str| Diagnostic::error(codes::INVALID_VALUE, message);
    if !(request.cl > 0.0 && request.cl < 1.0) {
        return Err(invalid("--cl must lie in (0, 1), e.g. 0.95"));
    }
    if matches!(request.calculator, Calculator::Toys { toys, .. } if toys < 10) {
        return Err(invalid("--toys must be at least 10"));
    }
    let text = crate::io::regular::read_to_string(path, crate::io::regular::MAX_WHOLE_FILE)
        .map_err(|e| {
            Diagnostic::error(codes::IO, format!("cannot read {}: {e}", path.display()))
        })?;
    let bad_model = |e: String| Diagnostic::error(codes::BAD_MODEL, e);
    let model = histfactory::from_json(&text, request.measurement)
        .map_err(|e| bad_model(format!("{}: {e}", path.display())))?;
    let (params, poi) = (&model.params, model.poi);
    let name = params[poi].name.clone();
    Ok(match (request.calculator, request.mu) {
        (Calculator::Toys { toys, seed }, Some(mu)) => WorkspaceResult::ToyCls {
            poi: name,
            mu,
            values: cls_toys(&model, params, poi, mu, toys, seed)
                .map_err(|e| bad_model(e.to_string()))?,
        },
        (Calculator::Toys { toys, seed }, None) => {
            let (limits, scan) = upper_limits_toys(&model, params, poi, request.cl, toys, seed)
                .map_err(|e| bad_model(e.to_string()))?;
            WorkspaceResult::Limits {
                poi: name,
                cl: request.cl,
                limits,
                scan: Some((toys, scan)),
            }
        }
        (Calculator::Asymptotic, mu) => {
            let cls = Cls::new(&model, params, poi)
                .map_err(|e| bad_model(format!("{}: {e}", path.display())))?;
            match mu {
                Some(mu) => WorkspaceResult::Cls {
                    poi: name,
                    mu,
                    values: cls.cls(mu).map_err(|e| bad_model(e.to_string()))?,
                },
                None => WorkspaceResult::Limits {
                    poi: name,
                    cl: request.cl,
                    limits: cls
                        .upper_limits(request.cl, true)
                        .map_err(|e| bad_model(e.to_string()))?,
                    scan: None,
                },
            }
        }
    })
}

impl WorkspaceResult {
    /// One JSON document: {"observed", "expected"} (toys add "toys" and "scan") or, at
    /// one value, {"cls_observed", "cls_expected"} (toys add "clsb", "clb", "toys",
    /// "failed_toys").
    pub fn json(&self) -> Value {
        match self {
            WorkspaceResult::Cls { values, .. } => {
                json!({"cls_observed": values.observed, "cls_expected": values.expected})
            }
            WorkspaceResult::ToyCls { values: t, .. } => {
                json!({"cls_observed": t.observed, "cls_expected": t.expected, "clsb": t.clsb, "clb": t.clb, "toys": t.toys, "failed_toys": t.failed})
            }
            WorkspaceResult::Limits { limits, scan, .. } => {
                let mut doc = json!({"observed": limits.observed, "expected": limits.expected});
                if let Some((toys, scan)) = scan {
                    let scan: Vec<_> = scan
                        .iter()
                        .map(|(mu, c)| json!({"mu": mu, "cls_observed": c.observed, "cls_expected": c.expected, "failed_toys": c.failed}))
                        .collect();
                    doc["toys"] = json!(toys);
                    doc["scan"] = json!(scan);
                }
                doc
            }
        }
    }

    /// One line of text.
    pub fn text(&self) -> String {
        match self {
            WorkspaceResult::Cls { poi, mu, values } => format!(
                "CLs at {poi} = {mu}: observed {:.6}, expected {:?}",
                values.observed, values.expected
            ),
            WorkspaceResult::ToyCls { poi, mu, values: t } => format!(
                "CLs at {poi} = {mu} from {} + {} toys: observed {:.4} (CLs+b {:.4}, CLb {:.4}), expected {:?}{}",
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
            ),
            WorkspaceResult::Limits {
                poi,
                cl,
                limits,
                scan,
            } => format!(
                "{:.0}% CL upper limit on {poi}{}: observed {:.5}, expected {:.5} [-2σ {:.5}, -1σ {:.5}, +1σ {:.5}, +2σ {:.5}]",
                100.0 * cl,
                match scan {
                    Some((toys, _)) => format!(" from {toys} toys per point"),
                    None => String::new(),
                },
                limits.observed,
                limits.expected[2],
                limits.expected[0],
                limits.expected[1],
                limits.expected[3],
                limits.expected[4]
            ),
        }
    }
}
