//! ## What it does
//! Finds confidence levels outside [0.5, 1), such as `cl: 90`.
//!
//! ## Why is this bad?
//! A confidence level is a probability. `90` is meant as 90% but no method can honour it,
//! `1.0` asks for an infinite limit, and an upper limit below 50% confidence excludes
//! signals the data favour.
//!
//! ## Example
//! ```yaml
//! limits: { cl: 90, method: bayesian }
//! ```
//!
//! ## Use instead
//! ```yaml
//! limits: { cl: 0.90, method: bayesian }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::stats::counting::CL_RANGE;

pub const RULE: Rule = Rule {
    code: "SL014",
    name: "cl-out-of-range",
    severity: Severity::Error,
    summary: "a confidence level outside [0.5, 1)",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let Some(limits) = &ctx.spec.limits else {
        return;
    };
    let cl = limits.cl.value;
    if (CL_RANGE.0..=CL_RANGE.1).contains(&cl) {
        return;
    }
    let help = if cl > 1.0 && cl < 100.0 {
        format!(
            "confidence levels are fractions: did you mean `{}`?",
            cl / 100.0
        )
    } else {
        "use 0.90 or 0.95".to_string()
    };
    out.push(
        RULE.diag(format!("confidence level {cl} is outside [0.5, 1)"))
            .at_labelled(limits.cl.span, "not a probability")
            .with_help(help),
    );
}
