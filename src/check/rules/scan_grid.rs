//! ## What it does
//! Builds the scan grid and reports when it cannot be built: a step that is zero, negative
//! or not finite somewhere in the range, a step that uses `sigma` where no resolution is
//! defined, or more than 100 000 hypotheses. Also reports a resolution that is not a
//! positive number, or as wide as the observable's whole range, at some hypothesis.
//!
//! ## Why is this bad?
//! Such a scan never ends, cannot start, or would run for days; the limit on hypotheses
//! also keeps a mistyped step from exhausting the machine.
//!
//! ## Example
//! ```yaml
//! scan: { parameter: m_a, range: [0.16, 4.5], step: 0.01 - 0.01 * m_a }
//! ```
//!
//! ## Use instead
//! ```yaml
//! scan: { parameter: m_a, range: [0.16, 4.5], step: sigma / 2 }
//! ```

use super::Rule;
use crate::check::{LintContext, grid};
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL026",
    name: "scan-grid",
    severity: Severity::Error,
    summary: "a scan grid that cannot be built (bad step, too many points)",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let Some(scan) = &ctx.spec.scan else { return };
    if scan.range.low.value >= scan.range.high.value {
        return; // inverted-window reports it
    }
    let points = match grid::grid(ctx.spec) {
        Ok(points) => points,
        Err(e) => {
            out.push(
                RULE.diag(e.message)
                    .at_labelled(e.span, "here")
                    .with_help("the step must be positive over the whole range"),
            );
            return;
        }
    };
    let (Some(model), Some(resolution)) = (&ctx.spec.model, grid::resolution(ctx.spec)) else {
        return;
    };
    let range = &model.observable().range;
    let width = range.high.value - range.low.value;
    for m in points {
        let Some(Ok(sigma)) = grid::sigma_at(ctx.spec, m) else {
            continue;
        };
        if !(sigma > 0.0 && sigma < width) {
            out.push(
                RULE.diag(format!(
                    "the resolution is {sigma:e} at {m}: not a positive width inside the observable's range ({width})"
                ))
                .at_labelled(resolution.expr.span, "here")
                .with_help("σ is the signal's width at the hypothesis, a small fraction of the range"),
            );
            return;
        }
    }
}
