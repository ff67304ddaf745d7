//! ## What it does
//! Loads the model file (reporting a corrupt or unsupported one) and compares the number of
//! features (and, where the model stores them, their names) with the `features:` list.
//!
//! ## Why is this bad?
//! A BDT evaluated on features in the wrong order or number returns plausible-looking
//! scores that mean nothing; nothing downstream can detect it.
//!
//! ## Example
//! ```yaml
//! mva:
//!   continuum: { model: models/cs.json, format: xgboost, features: [R2, cosTBTO] }  # model has 5
//! ```
//!
//! ## Use instead
//! ```yaml
//! mva:
//!   continuum:
//!     model: models/cs.json
//!     format: xgboost
//!     features: [R2, cosTBTO, cosTBz, thrustOm, KSFWVariables(hso02)]
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::expr::{mangle, print};

pub const RULE: Rule = Rule {
    code: "SL018",
    name: "mva-feature-mismatch",
    severity: Severity::Error,
    summary: "MVA features that differ in number or name from the model file",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for m in &ctx.spec.mva {
        let path = ctx.base_dir.join(&m.model.value);
        if !path.is_file() {
            continue; // mva-model-missing reports it
        }
        let model = match crate::mva::load(&path, &m.format.value) {
            Ok(model) => model,
            Err(e) => {
                out.push(
                    RULE.diag(format!("cannot read model of MVA `{}`: {e}", m.name.value))
                        .at_labelled(m.model.span, "unreadable"),
                );
                continue;
            }
        };
        let list_span = m.features.first().map(|f| f.span).unwrap_or(m.name.span);
        if model.forest.num_features != m.features.len() {
            out.push(
                RULE.diag(format!(
                    "MVA `{}` lists {} features but its model expects {}",
                    m.name.value,
                    m.features.len(),
                    model.forest.num_features
                ))
                .at_labelled(list_span, "features")
                .with_help(if model.feature_names.is_empty() {
                    "list the features in the order used for training".to_string()
                } else {
                    format!(
                        "the model was trained on: {}",
                        model.feature_names.join(", ")
                    )
                }),
            );
            continue;
        }
        for (f, stored) in m.features.iter().zip(&model.feature_names) {
            let text = print(&f.expr);
            if &text != stored && &mangle(&text) != stored && f.text.trim() != stored {
                out.push(
                    RULE.diag(format!(
                        "feature `{text}` of MVA `{}` is `{stored}` in the model",
                        m.name.value
                    ))
                    .at_labelled(f.span, "different name")
                    .with_help("features must be given in the model's order"),
                );
            }
        }
    }
}
