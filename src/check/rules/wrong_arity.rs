//! ## What it does
//! Finds built-in functions called with the wrong number of arguments.
//!
//! ## Why is this bad?
//! `atan2(y)` or `clip(x, 0)` has no value; the analysis cannot run.
//!
//! ## Example
//! ```yaml
//! variables:
//!   phi: atan2(py)
//! ```
//!
//! ## Use instead
//! ```yaml
//! variables:
//!   phi: atan2(py, px)
//! ```

use super::Rule;
use crate::check::types::{ProblemKind, infer};
use crate::check::{LintContext, sites::sites};
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL023",
    name: "wrong-arity",
    severity: Severity::Error,
    summary: "a built-in function called with the wrong number of arguments",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for site in sites(ctx.spec) {
        let mut problems = Vec::new();
        infer(&site.expr.expr, ctx, site.scope, &mut problems);
        for p in problems
            .into_iter()
            .filter(|p| p.kind == ProblemKind::Arity)
        {
            out.push(
                RULE.diag(p.message)
                    .at_labelled(p.span, "wrong number of arguments"),
            );
        }
    }
}
