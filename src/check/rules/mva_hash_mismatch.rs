//! ## What it does
//! Computes the SHA-256 of each MVA model file and compares it with the `sha256` pinned in
//! the spec.
//!
//! ## Why is this bad?
//! A retrained or accidentally overwritten model changes every number downstream while the
//! spec still reads the same. Pinning makes the change visible and deliberate.
//!
//! ## Example
//! ```yaml
//! mva:
//!   continuum: { model: models/cs.json, format: xgboost, sha256: "0000…", features: [R2] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! # sha256 as printed by `sha256sum models/cs.json` (or by this rule's message)
//! mva:
//!   continuum: { model: models/cs.json, format: xgboost, sha256: "9f2c…", features: [R2] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use sha2::{Digest, Sha256};

pub const RULE: Rule = Rule {
    code: "SL017",
    name: "mva-hash-mismatch",
    severity: Severity::Error,
    summary: "an MVA model file whose SHA-256 differs from the pinned one",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for m in &ctx.spec.mva {
        let Some(pin) = &m.sha256 else { continue };
        let Ok(bytes) = crate::io::regular::read(
            &ctx.base_dir.join(&m.model.value),
            crate::io::regular::MAX_WHOLE_FILE,
        ) else {
            continue;
        };
        let actual = format!("{:x}", Sha256::digest(&bytes));
        if !actual.eq_ignore_ascii_case(pin.value.trim()) {
            out.push(
                RULE.diag(format!(
                    "model file of MVA `{}` does not match its pinned sha256",
                    m.name.value
                ))
                .at_labelled(pin.span, "pinned hash")
                .with_help(format!(
                    "the file's sha256 is {actual}; if the change is intended, pin the new hash"
                )),
            );
        }
    }
}
