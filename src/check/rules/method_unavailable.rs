//! ## What it does
//! Flags a `limits.method` that the spec's model cannot use in a scan: fits set limits
//! with `cls-asymptotic`; cut-and-count scans with `cls-exact`, `bayesian`,
//! `feldman-cousins`, `cls-asymptotic` or `cls-toys`. Toy-based limits for fits are not
//! available yet. Also flags `limits.global_toys` below 10 pseudo-experiments.
//!
//! ## Why is this bad?
//! The scan would have to compute its limits some other way than the spec says, and
//! results.json would name a method that was not used.
//!
//! ## Example
//! ```yaml
//! fit: { … }
//! limits: { cl: 0.90, method: bayesian }
//! ```
//!
//! ## Use instead
//! ```yaml
//! limits: { cl: 0.90, method: cls-asymptotic }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::Model;

pub const RULE: Rule = Rule {
    code: "SL032",
    name: "method-unavailable",
    severity: Severity::Error,
    summary: "a limit method the model's scan cannot use",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let (Some(limits), Some(model)) = (&ctx.spec.limits, &ctx.spec.model) else {
        return;
    };
    let methods = model.scan_methods();
    if !methods.contains(&limits.method.value.as_str()) {
        let kind = match model {
            Model::Fit(_) => "fit",
            Model::Counting(_) => "cut-and-count",
        };
        out.push(
            RULE.diag(format!(
                "`{}` is not available for {kind} scans",
                limits.method.value
            ))
            .at_labelled(limits.method.span, "not available here")
            .with_help(format!("use {}", methods.join(", "))),
        );
    }
    if let Some(toys) = limits
        .global_toys
        .as_ref()
        .filter(|t| t.value < MIN_GLOBAL_TOYS)
    {
        out.push(
            RULE.diag(format!(
                "{} pseudo-experiments cannot give a global p-value",
                toys.value
            ))
            .at_labelled(toys.span, "too few")
            .with_help(format!(
                "use at least {MIN_GLOBAL_TOYS}; the p-value resolves 1/global_toys"
            )),
        );
    }
}

/// Fewest pseudo-experiments `limits.global_toys` may ask for.
pub const MIN_GLOBAL_TOYS: u64 = 10;
