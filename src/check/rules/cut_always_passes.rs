//! ## What it does
//! Uses interval reasoning to find cuts that every candidate reaching them passes, given
//! earlier cuts and declared column ranges.
//!
//! ## Why is this bad?
//! The cut adds a cutflow row with 100% efficiency and does nothing; often it was meant to
//! be tighter, or an earlier cut was meant to be looser.
//!
//! ## Example
//! ```yaml
//! selection:
//!   - cut: -0.1 < deltaE < 0.05
//!   - cut: deltaE > -0.2
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - cut: -0.1 < deltaE < 0.05
//! ```

use super::Rule;
use crate::check::{LintContext, intervals::flow};
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL006",
    name: "cut-always-passes",
    severity: Severity::Warning,
    summary: "a cut that every candidate reaching it passes",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for v in flow(ctx).into_iter().filter(|v| v.always) {
        let mut d = RULE
            .diag(format!("this {} always passes", v.what))
            .at_labelled(v.span, "removes nothing");
        d = match v.earlier {
            Some(e) => d.with_related(e, "an earlier cut is already at least as tight"),
            None => d.with_help("every value of the variable's physical range passes"),
        };
        out.push(d);
    }
}
