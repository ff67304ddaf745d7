//! ## What it does
//! Requires an input named `data`: the observed dataset that cuts are applied to and
//! limits are set on.
//!
//! ## Why is this bad?
//! Without it, `run` cannot tell the observed sample from the simulated ones, and
//! blinding cannot be enforced.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   observed: { toy: b_to_k_alp, events: 200000, seed: 1 }
//! ```
//!
//! ## Use instead
//! ```yaml
//! inputs:
//!   data: { toy: b_to_k_alp, events: 200000, seed: 1 }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, Span, suggestion};

pub const RULE: Rule = Rule {
    code: "SL028",
    name: "missing-data-input",
    severity: Severity::Error,
    summary: "no input named `data`",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let inputs = &ctx.spec.inputs;
    if inputs.iter().any(|i| i.name.value == "data") {
        return;
    }
    let at = inputs
        .first()
        .map_or(Span::new(ctx.spec.root, 0, 0), |i| i.name.span);
    out.push(
        RULE.diag("no input is named `data`")
            .at_labelled(at, "inputs")
            .with_help_opt(
                suggestion("data", inputs.iter().map(|i| i.name.value.as_str())).or(Some(
                    "name the observed dataset `data`; simulated samples may have any other name"
                        .into(),
                )),
            ),
    );
}
