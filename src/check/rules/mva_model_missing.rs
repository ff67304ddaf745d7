//! ## What it does
//! Finds `mva:` entries whose `model` file does not exist (paths are relative to the spec).
//!
//! ## Why is this bad?
//! The analysis cannot run; finding out at lint time, in CI or in the editor, is cheaper
//! than after reading the data.
//!
//! ## Example
//! ```yaml
//! mva:
//!   continuum: { model: model/continuum.json, format: xgboost, features: [R2] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! mva:
//!   continuum: { model: models/continuum.json, format: xgboost, features: [R2] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL016",
    name: "mva-model-missing",
    severity: Severity::Error,
    summary: "an MVA model file that does not exist",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for m in &ctx.spec.mva {
        let path = ctx.base_dir.join(&m.model.value);
        if !path.is_file() {
            out.push(
                RULE.diag(format!(
                    "model file {} of MVA `{}` does not exist",
                    path.display(),
                    m.name.value
                ))
                .at_labelled(m.model.span, "not found")
                .with_help("model paths are relative to the spec file"),
            );
        }
    }
}
