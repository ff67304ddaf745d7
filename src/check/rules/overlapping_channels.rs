//! ## What it does
//! Finds channels whose cuts select overlapping values of the same variable, such as two
//! channels both defined by `decayMode == 0`.
//!
//! ## Why is this bad?
//! Channels are fitted simultaneously as independent samples; a candidate in two channels
//! is counted twice and the combined limit is too strong.
//!
//! ## Example
//! ```yaml
//! channels:
//!   K+:   { cut: decayMode == 0 }
//!   K_S0: { cut: decayMode == 0 }
//! ```
//!
//! ## Use instead
//! ```yaml
//! channels:
//!   K+:   { cut: decayMode == 0 }
//!   K_S0: { cut: decayMode == 1 }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::check::intervals::atoms;
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL030",
    name: "overlapping-channels",
    severity: Severity::Warning,
    summary: "two channels whose cuts can select the same candidate",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let channels = &ctx.spec.channels;
    let sets: Vec<_> = channels.iter().map(|c| atoms(&c.cut.expr)).collect();
    for (i, a) in channels.iter().enumerate() {
        for (j, b) in channels.iter().enumerate().skip(i + 1) {
            let (Some(sa), Some(sb)) = (&sets[i], &sets[j]) else {
                continue;
            };
            // Overlap is certain only when both cuts constrain exactly the same variables
            // and every pair of constraints intersects.
            let same_vars =
                sa.len() == sb.len() && sa.iter().all(|x| sb.iter().any(|y| y.key == x.key));
            let all_meet = sa.iter().all(|x| {
                sb.iter()
                    .any(|y| y.key == x.key && !x.set.intersect(&y.set).is_empty())
            });
            if same_vars && all_meet {
                out.push(
                    RULE.diag(format!(
                        "channels `{}` and `{}` can select the same candidates",
                        a.name.value, b.name.value
                    ))
                    .at_labelled(b.cut.span, "overlaps")
                    .with_related(a.cut.span, "this channel")
                    .with_help("make the channel cuts mutually exclusive"),
                );
            }
        }
    }
}
