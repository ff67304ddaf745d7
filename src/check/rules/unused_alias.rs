//! ## What it does
//! Finds aliases in `variables:` that no cut, feature, veto, channel or fit uses.
//!
//! ## Why is this bad?
//! Dead definitions make a spec harder to review and often mean that an intended cut was
//! never written, or was written against the raw column instead of the alias.
//!
//! ## Example
//! ```yaml
//! variables:
//!   abs_dE: abs(deltaE)
//! selection:
//!   - cut: abs(deltaE) < 0.1
//! ```
//!
//! ## Use instead
//! ```yaml
//! variables:
//!   abs_dE: abs(deltaE)
//! selection:
//!   - cut: abs_dE < 0.1
//! ```

use super::{Rule, referenced_names};
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL003",
    name: "unused-alias",
    severity: Severity::Warning,
    summary: "an alias that nothing uses",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let used = referenced_names(ctx);
    for v in ctx
        .spec
        .variables
        .iter()
        .filter(|v| !used.contains(&v.name.value))
    {
        out.push(
            RULE.diag(format!("alias `{}` is never used", v.name.value))
                .at_labelled(v.name.span, "unused")
                .with_help("use it, or remove it"),
        );
    }
}
