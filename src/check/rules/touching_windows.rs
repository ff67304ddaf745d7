//! ## What it does
//! Finds windows that share an edge exactly: two vetoes on the same variable, or a veto
//! edge equal to an edge of the observable range.
//!
//! ## Why is this bad?
//! Veto windows are closed (`[low, high]` removes both edges) while the observable range
//! keeps its edges too; at a shared edge the boundary value belongs to both, and values
//! stored as 32-bit floats or rounded by the reconstruction pile up exactly on round
//! numbers. Whether such candidates are kept then depends on a convention a reader of the
//! spec cannot see. Make the intent explicit by separating the windows.
//!
//! ## Example
//! ```yaml
//! fit:
//!   observable: { var: mgg, range: [0.16, 4.6] }
//! vetoes:
//!   pi0: { var: mgg, window: [0.10, 0.16] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! vetoes:
//!   pi0: { var: mgg, window: [0.10, 0.159] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, Span};
use crate::expr::print;
use crate::spec::Model;

pub const RULE: Rule = Rule {
    code: "SL010",
    name: "touching-windows",
    severity: Severity::Warning,
    summary: "windows that share an edge, leaving the boundary value ambiguous",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let vetoes = &ctx.spec.vetoes;
    let touch = |out: &mut Vec<Diagnostic>, at: Span, other: Span, edge: f64, what: String| {
        out.push(
            RULE.diag(format!("{what} share the edge {edge}"))
                .at_labelled(at, "shared edge")
                .with_related(other, "other window")
                .with_help("veto windows are closed: move one edge so the boundary value is clearly in or out"),
        );
    };
    for (i, a) in vetoes.iter().enumerate() {
        for b in &vetoes[i + 1..] {
            if print(&a.var.expr) != print(&b.var.expr) {
                continue;
            }
            for (x, y) in [
                (a.window.high.value, b.window.low.value),
                (b.window.high.value, a.window.low.value),
            ] {
                if x == y {
                    touch(
                        out,
                        b.window.span,
                        a.window.span,
                        x,
                        format!("vetoes `{}` and `{}`", a.name.value, b.name.value),
                    );
                }
            }
        }
    }
    let Some(observable) = ctx.spec.model.as_ref().map(Model::observable) else {
        return;
    };
    let key = print(&observable.var.expr);
    for v in vetoes.iter().filter(|v| print(&v.var.expr) == key) {
        for edge in [observable.range.low.value, observable.range.high.value] {
            if edge == v.window.low.value || edge == v.window.high.value {
                touch(
                    out,
                    v.window.span,
                    observable.range.span,
                    edge,
                    format!("veto `{}` and the observable range", v.name.value),
                );
            }
        }
    }
}
