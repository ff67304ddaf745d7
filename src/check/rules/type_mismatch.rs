//! ## What it does
//! Checks that conditions and numbers are used where each belongs: cuts and channel cuts
//! must be conditions; features, observables, rankings and parameters must be numbers;
//! `and`, `or`, `not` join conditions; arithmetic and comparisons take numbers.
//!
//! ## Why is this bad?
//! basf2 would reject such a cut at run time; other tools silently treat a number as
//! "non-zero is true", which turns `isSignal` or a mass into a cut nobody intended.
//!
//! ## Example
//! ```yaml
//! selection:
//!   - cut: isSignal and Mbc
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - cut: isSignal == 1 and Mbc > 5.27
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::check::sites::{Want, sites};
use crate::check::types::{ProblemKind, Ty, infer};
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL021",
    name: "type-mismatch",
    severity: Severity::Error,
    summary: "a condition where a number is needed, or a number where a condition is needed",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for site in sites(ctx.spec) {
        let mut problems = Vec::new();
        let info = infer(&site.expr.expr, ctx, site.scope, &mut problems);
        for p in problems.into_iter().filter(|p| p.kind == ProblemKind::Type) {
            out.push(RULE.diag(p.message).at_labelled(p.span, "wrong type"));
        }
        let wrong = match (site.want, info.ty) {
            (Want::Bool, Ty::Num) => Some(("a condition", "a number", "compare it, e.g. `x > 0`")),
            (Want::Num, Ty::Bool) => Some((
                "a number",
                "a condition",
                "use `ifelse(condition, 1, 0)` for a 0/1 value",
            )),
            _ => None,
        };
        if let Some((want, is, fix)) = wrong {
            out.push(
                RULE.diag(format!(
                    "{} must be {want}, but `{}` is {is}",
                    capitalised(site.role),
                    site.expr.text.trim()
                ))
                .at_labelled(site.expr.expr.span, is)
                .with_help(fix),
            );
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
