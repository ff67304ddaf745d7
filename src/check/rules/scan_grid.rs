//! ## What it does
//! Builds the scan grid and reports when it cannot be built: a step that is zero, negative
//! or not finite somewhere in the range, a step that uses `sigma` where no resolution is
//! defined, or more than 100 000 hypotheses.
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
    if let Err(e) = grid::grid(ctx.spec) {
        out.push(
            RULE.diag(e.message)
                .at_labelled(e.span, "here")
                .with_help("the step must be positive over the whole range"),
        );
    }
}
