//! ## What it does
//! Finds a `scan:` or `limits:` without a statistical model (`fit:` or `counting:`), and a
//! model or scan without `limits:`.
//!
//! ## Why is this bad?
//! A scan needs something to fit or count at each hypothesis, and limits need a
//! likelihood; a model without limits runs but publishes nothing.
//!
//! ## Example
//! ```yaml
//! scan: { parameter: m_a, range: [0.16, 4.5], step: 0.01 }
//! limits: { cl: 0.9, method: bayesian }
//! ```
//!
//! ## Use instead
//! ```yaml
//! fit: { observable: { var: mgg, range: [0.1, 4.6] }, … }
//! scan: { parameter: m_a, range: [0.16, 4.5], step: 0.01 }
//! limits: { cl: 0.9, method: bayesian }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL031",
    name: "missing-model",
    severity: Severity::Error,
    summary: "a scan or limits without a fit or counting model, or a model without limits",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    if spec.model.is_none() {
        let at = spec
            .scan
            .as_ref()
            .map(|s| s.parameter.span)
            .or(spec.limits.as_ref().map(|l| l.method.span));
        if let Some(at) = at {
            out.push(
                RULE.diag("a scan or limits need a statistical model")
                    .at_labelled(at, "nothing to fit or count")
                    .with_help("add a `fit:` or `counting:` section"),
            );
        }
    } else if spec.limits.is_none() {
        let at = spec
            .scan
            .as_ref()
            .map_or(spec.analysis.name.span, |s| s.parameter.span);
        out.push(
            RULE.diag("the spec has a statistical model but no `limits:`")
                .with_help("add `limits: { cl: 0.90, method: … }`")
                .at(at)
                .with_help("add `limits: { cl: 0.90, method: … }`"),
        );
    }
}
