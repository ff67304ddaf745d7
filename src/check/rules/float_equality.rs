//! ## What it does
//! Finds `==` and `!=` applied to continuous (floating-point) variables.
//!
//! ## Why is this bad?
//! A reconstructed mass or energy practically never equals a written constant exactly,
//! so `==` selects nothing and `!=` everything; both depend on rounding in storage.
//! Integer and boolean columns (`decayMode`, `isSignal`) are fine.
//!
//! ## Example
//! ```yaml
//! selection:
//!   - cut: daughter(0, M) == 0.4976
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - cut: abs(daughter(0, M) - 0.4976) < 0.01
//! ```

use super::Rule;
use crate::check::types::infer;
use crate::check::{LintContext, sites::sites};
use crate::diag::{Diagnostic, Severity};
use crate::expr::{CmpOp, ExprKind, eval_const};

pub const RULE: Rule = Rule {
    code: "SL011",
    name: "float-equality",
    severity: Severity::Warning,
    summary: "`==` or `!=` on a continuous variable",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for site in sites(ctx.spec) {
        site.expr.expr.walk(&mut |e| {
            let ExprKind::Compare(first, rest) = &e.kind else {
                return;
            };
            let operands: Vec<_> = std::iter::once(first.as_ref())
                .chain(rest.iter().map(|(_, x)| x))
                .collect();
            for (i, (op, _)) in rest.iter().enumerate() {
                if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    continue;
                }
                for side in [operands[i], operands[i + 1]] {
                    if eval_const(side, &|n: &str| ctx.spec.constant(n)).is_ok() {
                        continue;
                    }
                    let info = infer(side, ctx, site.scope, &mut Vec::new());
                    if info.discrete == Some(false) {
                        out.push(
                            RULE.diag(format!(
                                "`{}` compares the continuous variable `{side}` exactly",
                                op.symbol()
                            ))
                            .at_labelled(e.span, "exact comparison")
                            .with_help(format!(
                                "use a window, e.g. `abs({side} - value) < tolerance`"
                            )),
                        );
                        return;
                    }
                }
            }
        });
    }
}
