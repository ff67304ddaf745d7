//! ## What it does
//! Uses interval reasoning to find cuts that no candidate can pass, given the cuts before
//! them, the vetoes, and the declared ranges of columns (Mbc cannot exceed the beam
//! energy) and of classifier outputs (from the model's leaves and link: a probability in
//! [0, 1], a TMVA score in [−1, 1] or −999). Also finds an observable range that the
//! selection has emptied.
//!
//! ## Why is this bad?
//! The analysis would select nothing, and the limit would be computed on an empty sample.
//! Usually a sign flip, a unit slip (`5.27` vs `5270`) or a window written backwards.
//!
//! ## Example
//! ```yaml
//! selection:
//!   - cut: Mbc > 5.27
//!   - cut: Mbc < 5.25
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - cut: 5.27 < Mbc < 5.29
//! ```

use super::Rule;
use crate::check::{LintContext, intervals::flow};
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL005",
    name: "cut-never-passes",
    severity: Severity::Error,
    summary: "a cut that no candidate can pass given earlier cuts and known ranges",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for v in flow(ctx).into_iter().filter(|v| v.never) {
        let mut d = RULE
            .diag(format!("this {} can never pass", v.what))
            .at_labelled(v.span, "empty");
        d = match v.earlier {
            Some(e) => d.with_related(e, "an earlier cut already excludes every value it accepts"),
            None => d.with_help("the values it accepts lie outside the variable's physical range"),
        };
        out.push(d);
    }
}
