//! ## What it does
//! Finds scans that reach beyond the kinematic `endpoint` of every channel (e.g. m_B − m_K
//! for B → K a), or beyond the observable range. A channel stops contributing above its
//! own endpoint; past the largest one no channel is left.
//!
//! ## Why is this bad?
//! Hypotheses past the endpoint cannot be produced: the signal efficiency is zero there,
//! the limit is infinite or undefined, and the fit of an empty window wastes time and
//! can fail.
//!
//! ## Example
//! ```yaml
//! channels:
//!   K*0: { cut: decayMode == 2, endpoint: m_B0 - m_Kst0 }   # 4.384 GeV
//! scan: { parameter: m_a, range: [0.16, 4.5], step: sigma / 2 }    # only K*0
//! ```
//!
//! ## Use instead
//! ```yaml
//! scan: { parameter: m_a, range: [0.16, 4.2], step: sigma / 2 }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::Model;

pub const RULE: Rule = Rule {
    code: "SL012",
    name: "scan-past-endpoint",
    severity: Severity::Warning,
    summary: "a scan that reaches past a kinematic endpoint or the observable range",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let Some(scan) = &ctx.spec.scan else { return };
    let high = scan.range.high.value;
    let last = ctx
        .spec
        .channels
        .iter()
        .filter_map(|c| c.endpoint.as_ref())
        .max_by(|a, b| a.value.total_cmp(&b.value));
    if let Some(end) = last.filter(|e| high > e.value) {
        out.push(
            RULE.diag(format!(
                "the scan reaches {high} GeV but the last channel ends at {:.4} GeV",
                end.value
            ))
            .at_labelled(scan.range.high.span, "past every endpoint")
            .with_related(end.span, "largest kinematic endpoint")
            .with_help("stop the scan at the largest endpoint"),
        );
    }
    let Some(observable) = ctx.spec.model.as_ref().map(Model::observable) else {
        return;
    };
    if scan.range.low.value < observable.range.low.value || high > observable.range.high.value {
        out.push(
            RULE.diag("the scan range extends outside the observable range")
                .at_labelled(scan.range.span, "scan range")
                .with_related(observable.range.span, "observable range"),
        );
    }
}
