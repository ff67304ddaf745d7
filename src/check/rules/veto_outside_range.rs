//! ## What it does
//! Finds vetoes that cannot remove anything: a window on the fit observable that lies
//! outside the observable range, or a window outside the values that survive the
//! selection (or the variable's physical range).
//!
//! ## Why is this bad?
//! The veto documents an intent (removing π⁰ or K⁰_S background) that the analysis does
//! not carry out; usually the window is in the wrong unit or on the wrong variable.
//!
//! ## Example
//! ```yaml
//! fit:
//!   observable: { var: mgg, range: [0.16, 4.6] }
//! vetoes:
//!   pi0: { var: mgg, window: [120, 145] }   # MeV written as GeV
//! ```
//!
//! ## Use instead
//! ```yaml
//! vetoes:
//!   pi0: { var: mgg, window: ["120 MeV", "145 MeV"] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::check::intervals::{Range, Set, after_selection};
use crate::diag::{Diagnostic, Severity};
use crate::expr::print;
use crate::spec::Model;

pub const RULE: Rule = Rule {
    code: "SL008",
    name: "veto-outside-range",
    severity: Severity::Warning,
    summary: "a veto window outside the observable range or the selected values",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let observable = ctx.spec.model.as_ref().map(Model::observable);
    for veto in &ctx.spec.vetoes {
        let (lo, hi) = (veto.window.low.value, veto.window.high.value);
        if lo >= hi {
            continue; // inverted-window reports it
        }
        let window = Set::range(Range::closed(lo, hi));
        let key = print(&veto.var.expr);
        if let Some(obs) = observable.filter(|o| print(&o.var.expr) == key) {
            let range = Set::range(Range::closed(obs.range.low.value, obs.range.high.value));
            if range.intersect(&window).is_empty() {
                out.push(
                    RULE.diag(format!(
                        "veto `{}` lies outside the observable range",
                        veto.name.value
                    ))
                    .at_labelled(veto.window.span, "removes nothing in the fit range")
                    .with_related(obs.range.span, "observable range"),
                );
                continue;
            }
        }
        if after_selection(ctx, &veto.var.expr)
            .intersect(&window)
            .is_empty()
        {
            out.push(
                RULE.diag(format!(
                    "veto `{}` removes nothing: no selected candidate has `{key}` in its window",
                    veto.name.value
                ))
                .at_labelled(veto.window.span, "outside the selected values")
                .with_help("check the window's unit and the variable"),
            );
        }
    }
}
