//! ## What it does
//! Finds selection steps with the same name (a step without `name` is named by its cut).
//!
//! ## Why is this bad?
//! Step names label the cutflow rows. Two rows with one label make the cutflow ambiguous,
//! and `diff` cannot tell which step changed.
//!
//! ## Example
//! ```yaml
//! selection:
//!   - { name: kinematics, cut: Mbc > 5.27 }
//!   - { name: kinematics, cut: abs(deltaE) < 0.1 }
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - { name: beam-constrained mass, cut: Mbc > 5.27 }
//!   - { name: energy difference, cut: abs(deltaE) < 0.1 }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use std::collections::HashMap;

pub const RULE: Rule = Rule {
    code: "SL020",
    name: "duplicate-step-name",
    severity: Severity::Error,
    summary: "two selection steps with the same name",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let mut seen = HashMap::new();
    for step in &ctx.spec.selection {
        let name = step.name();
        if let Some(first) = seen.insert(name.value.as_str(), name.span) {
            out.push(
                RULE.diag(format!("two selection steps are named `{}`", name.value))
                    .at_labelled(name.span, "second")
                    .with_related(first, "first")
                    .with_help("step names label cutflow rows; give each a distinct name"),
            );
        }
    }
}
