//! ## What it does
//! Finds MVA entries without a `sha256` pin.
//!
//! ## Why is this bad?
//! Without a pin, replacing the model file silently changes the analysis; a result cannot
//! be traced to the exact classifier that produced it.
//!
//! ## Example
//! ```yaml
//! mva:
//!   continuum: { model: models/cs.json, format: xgboost, features: [R2] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! mva:
//!   continuum: { model: models/cs.json, format: xgboost, sha256: "9f2c…", features: [R2] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use sha2::{Digest, Sha256};

pub const RULE: Rule = Rule {
    code: "SL027",
    name: "mva-unpinned",
    severity: Severity::Warning,
    summary: "an MVA model without a pinned sha256",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for m in ctx.spec.mva.iter().filter(|m| m.sha256.is_none()) {
        let help = match crate::io::regular::read(
            &ctx.base_dir.join(&m.model.value),
            crate::io::regular::MAX_WHOLE_FILE,
        ) {
            Ok(bytes) => format!("add `sha256: \"{:x}\"`", Sha256::digest(&bytes)),
            Err(_) => "add `sha256:` with the model file's hash".to_string(),
        };
        out.push(
            RULE.diag(format!("MVA `{}` is not pinned", m.name.value))
                .at_labelled(m.name.span, "no sha256")
                .with_help(help),
        );
    }
}
