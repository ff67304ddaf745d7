//! ## What it does
//! Finds classifiers in `mva:` whose output no cut, alias or channel uses.
//!
//! ## Why is this bad?
//! Every MVA costs evaluation time on every candidate, and an unused one usually means the
//! cut on it was forgotten.
//!
//! ## Example
//! ```yaml
//! mva:
//!   continuum: { model: models/cs.json, format: xgboost, features: [R2, cosTBTO] }
//! selection:
//!   - cut: Mbc > 5.27
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - cut: Mbc > 5.27
//!   - cut: continuum > 0.5
//! ```

use super::{Rule, referenced_names};
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL004",
    name: "unused-mva",
    severity: Severity::Warning,
    summary: "a classifier whose output nothing uses",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let used = referenced_names(ctx);
    for m in ctx
        .spec
        .mva
        .iter()
        .filter(|m| !used.contains(&m.name.value))
    {
        out.push(
            RULE.diag(format!("MVA `{}` is never used", m.name.value))
                .at_labelled(m.name.span, "unused")
                .with_help("cut on its output, or remove it"),
        );
    }
}
