//! ## What it does
//! Warns when asymptotic CLs (`cls-asymptotic`) is chosen for a cut-and-count search,
//! where zero or a handful of events are expected in each window.
//!
//! ## Why is this bad?
//! The asymptotic formulae of Cowan, Cranmer, Gross and Vitells assume many events. With
//! zero observed and no background they give an upper limit near 1.94 events at 95% CL
//! where the exact answer is 3.00: the limit is too strong by a third.
//!
//! ## Example
//! ```yaml
//! counting: { … }
//! limits: { cl: 0.95, method: cls-asymptotic }
//! ```
//!
//! ## Use instead
//! ```yaml
//! limits: { cl: 0.95, method: cls-exact }   # or feldman-cousins, bayesian
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::Model;

pub const RULE: Rule = Rule {
    code: "SL015",
    name: "asymptotic-small-counts",
    severity: Severity::Warning,
    summary: "asymptotic CLs chosen where expected counts are tiny",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let (Some(limits), Some(Model::Counting(_))) = (&ctx.spec.limits, &ctx.spec.model) else {
        return;
    };
    if limits.method.value == "cls-asymptotic" {
        out.push(
            RULE.diag("asymptotic CLs is unreliable for a cut-and-count search with few events per window")
                .at_labelled(limits.method.span, "asymptotic")
                .with_help("use `cls-exact`, `feldman-cousins` or `bayesian`, which are right at zero and one observed events"),
        );
    }
}
