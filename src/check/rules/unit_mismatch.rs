//! ## What it does
//! Infers the physical dimension of every expression (energy in GeV, length in cm, time in
//! ns, from column declarations and unit suffixes such as `20 MeV`) and reports sums,
//! differences and comparisons of different dimensions.
//!
//! ## Why is this bad?
//! `dr > 5 MeV` or `Mbc - 2 cm` has no meaning; it is a slip of variable or unit that
//! would otherwise select an arbitrary sample.
//!
//! ## Example
//! ```yaml
//! selection:
//!   - cut: dr > 200 MeV
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - cut: dr > 0.2 cm
//! ```

use super::Rule;
use crate::check::types::{ProblemKind, infer};
use crate::check::{LintContext, sites::sites};
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL022",
    name: "unit-mismatch",
    severity: Severity::Error,
    summary: "quantities of different dimensions added or compared",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for site in sites(ctx.spec) {
        let mut problems = Vec::new();
        infer(&site.expr.expr, ctx, site.scope, &mut problems);
        for p in problems.into_iter().filter(|p| p.kind == ProblemKind::Unit) {
            out.push(
                RULE.diag(p.message)
                    .at_labelled(p.span, "incompatible units")
                    .with_help("bare numbers are in base units (GeV, cm, ns); write `20 MeV`, `2 mm`, `1.5 ps` for others"),
            );
        }
    }
}
