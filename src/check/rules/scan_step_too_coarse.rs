//! ## What it does
//! Compares the scan step with the resolution σ at the start, middle and end of the scan
//! and reports a step larger than σ.
//!
//! ## Why is this bad?
//! A narrow signal lying between two hypotheses would be seen by neither: the search
//! loses sensitivity exactly where it claims to have looked. Steps of σ/2 to σ are usual.
//!
//! ## Example
//! ```yaml
//! counting: { resolution: 0.002 + 0.004 * m, … }
//! scan: { parameter: m, range: [0.3, 4.0], step: 50 MeV }
//! ```
//!
//! ## Use instead
//! ```yaml
//! scan: { parameter: m, range: [0.3, 4.0], step: sigma }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::check::grid::{eval_at, sigma_at};
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL013",
    name: "scan-step-too-coarse",
    severity: Severity::Warning,
    summary: "a scan step larger than the resolution",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let Some(scan) = &spec.scan else { return };
    let (low, high) = (scan.range.low.value, scan.range.high.value);
    for m in [low, 0.5 * (low + high), high] {
        let Some(Ok(sigma)) = sigma_at(spec, m) else {
            return;
        };
        let Ok(step) = eval_at(spec, &scan.step, m, Some(sigma)) else {
            return;
        };
        if step > sigma * (1.0 + 1e-9) {
            out.push(
                RULE.diag(format!(
                    "at {} = {m:.4} the step {step:.4} is larger than the resolution {sigma:.4}",
                    scan.parameter.value
                ))
                .at_labelled(scan.step.span, "too coarse")
                .with_help("use `step: sigma / 2` or a fixed step below the smallest resolution"),
            );
            return;
        }
    }
}
