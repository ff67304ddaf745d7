//! ## What it does
//! Finds cut-and-count sidebands that overlap the signal window (both in units of the
//! resolution σ), and counting windows at least as wide as the observable's whole range.
//!
//! ## Why is this bad?
//! The background is estimated from the sidebands: a sideband inside the window counts
//! signal as background (and, blinded, looks into the signal region), and a window over
//! the whole range leaves no sideband and no hypothesis its own place.
//!
//! ## Example
//! ```yaml
//! counting:
//!   window: 2 sigma
//!   sidebands: [[-6, -1], [1, 6]]
//! ```
//!
//! ## Use instead
//! ```yaml
//! counting:
//!   window: 2 sigma
//!   sidebands: [[-6, -3], [3, 6]]
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::{Model, Width};

pub const RULE: Rule = Rule {
    code: "SL034",
    name: "sideband-overlaps-window",
    severity: Severity::Error,
    summary: "a sideband inside the signal window, or a window over the whole range",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let (window, range) = match &ctx.spec.model {
        Some(Model::Counting(c)) => {
            if let Width::Sigma(k) = &c.window {
                for s in c.sidebands.iter().filter(|s| s.low.value < s.high.value) {
                    if s.low.value < k.value && -k.value < s.high.value {
                        out.push(
                            RULE.diag(format!(
                                "the sideband [{}, {}] σ overlaps the signal window ±{} σ",
                                s.low.value, s.high.value, k.value
                            ))
                            .at_labelled(s.span, "reaches into the window")
                            .with_help(format!("start the sidebands at ±{} σ or beyond", k.value)),
                        );
                    }
                }
            }
            (&c.window, &c.observable.range)
        }
        _ => return,
    };
    if let Width::Absolute(half) = window
        && 2.0 * half.value >= range.high.value - range.low.value
    {
        out.push(
            RULE.diag(format!(
                "a window of ±{} covers the observable's whole range [{}, {}]",
                half.value, range.low.value, range.high.value
            ))
            .at_labelled(half.span, "wider than the range")
            .with_help("a window is a few resolutions wide: `window: 2 sigma`"),
        );
    }
}
