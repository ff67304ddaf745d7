//! ## What it does
//! Finds vetoes on the same variable whose windows overlap.
//!
//! ## Why is this bad?
//! Overlapping windows usually mean one of them is mistyped; and the scan's excluded
//! regions, the cutflow rows and the published list of vetoes no longer say what was
//! removed by what.
//!
//! ## Example
//! ```yaml
//! vetoes:
//!   pi0: { var: mgg, window: [0.10, 0.16] }
//!   pi0_tight: { var: mgg, window: [0.12, 0.15] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! vetoes:
//!   pi0: { var: mgg, window: [0.10, 0.16] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::expr::print;

pub const RULE: Rule = Rule {
    code: "SL009",
    name: "overlapping-vetoes",
    severity: Severity::Warning,
    summary: "two veto windows on the same variable that overlap",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let vetoes = &ctx.spec.vetoes;
    for (i, a) in vetoes.iter().enumerate() {
        for b in &vetoes[i + 1..] {
            if print(&a.var.expr) != print(&b.var.expr) {
                continue;
            }
            let (alo, ahi, blo, bhi) = (
                a.window.low.value,
                a.window.high.value,
                b.window.low.value,
                b.window.high.value,
            );
            if alo.max(blo) < ahi.min(bhi) {
                out.push(
                    RULE.diag(format!(
                        "vetoes `{}` and `{}` overlap",
                        a.name.value, b.name.value
                    ))
                    .at_labelled(b.window.span, "overlaps")
                    .with_related(a.window.span, "this window")
                    .with_help("merge them into one veto, or fix the edges"),
                );
            }
        }
    }
}
