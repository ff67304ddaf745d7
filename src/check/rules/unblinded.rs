//! ## What it does
//! Notes a spec that asks to unblind (`blinding: { unblind: true }`).
//!
//! ## Why is this bad?
//! Looking at data in the signal region before the selection is frozen biases a search.
//! Unblinding is a collaboration decision; `searchlight run` also requires `--unblind` on
//! the command line, so a spec alone cannot unblind by accident, and this warning keeps
//! the state visible in review.
//!
//! ## Example
//! ```yaml
//! blinding: { unblind: true }
//! ```
//!
//! ## Use instead
//! ```yaml
//! blinding: { unblind: false }   # until the review approves unblinding
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL019",
    name: "unblinded",
    severity: Severity::Warning,
    summary: "a spec that unblinds the signal region",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let unblind = &ctx.spec.blinding.unblind;
    if unblind.value {
        out.push(
            RULE.diag("this spec unblinds the signal region")
                .at_labelled(unblind.span, "unblinded")
                .with_help("`searchlight run` will also need `--unblind`; keep `unblind: false` until the analysis is approved"),
        );
    }
}
