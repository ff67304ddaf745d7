//! ## What it does
//! Checks `fit.signal` and `fit.background`: the PDF exists, every parameter given is one
//! it takes, and its required parameters are all given.
//!
//! ## Why is this bad?
//! A misspelled tail parameter (`alpha_lo`) would otherwise fall back to a default and
//! change the signal shape without anyone noticing.
//!
//! ## Example
//! ```yaml
//! signal: { pdf: double_crystal_ball, mean: m_a, sigma: 0.01, alpha_lo: 1.2 }
//! ```
//!
//! ## Use instead
//! ```yaml
//! signal: { pdf: double_crystal_ball, mean: m_a, sigma: 0.01, alpha_low: 1.2 }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, suggestion};
use crate::stats::pdfs::{self, PDFS};

pub const RULE: Rule = Rule {
    code: "SL029",
    name: "unknown-pdf",
    severity: Severity::Error,
    summary: "an unknown PDF, an unknown PDF parameter, or a missing required one",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for pdf in ctx.spec.fit_pdfs() {
        let Some(sig) = pdfs::pdf(&pdf.pdf.value) else {
            out.push(
                RULE.diag(format!("unknown PDF `{}`", pdf.pdf.value))
                    .at_labelled(pdf.pdf.span, "unknown")
                    .with_help_opt(suggestion(&pdf.pdf.value, PDFS.iter().map(|p| p.name))),
            );
            continue;
        };
        for (name, _) in pdf.params.iter().filter(|(n, _)| !sig.accepts(&n.value)) {
            let all = sig.required.iter().chain(sig.optional).copied();
            out.push(
                RULE.diag(format!(
                    "PDF `{}` has no parameter `{}`",
                    sig.name, name.value
                ))
                .at_labelled(name.span, "unknown parameter")
                .with_help_opt(suggestion(&name.value, all)),
            );
        }
        for missing in sig
            .required
            .iter()
            .filter(|r| !pdf.params.iter().any(|(n, _)| n.value == **r))
        {
            out.push(
                RULE.diag(format!(
                    "PDF `{}` needs the parameter `{missing}`",
                    sig.name
                ))
                .at_labelled(pdf.pdf.span, "incomplete")
                .with_help(format!(
                    "{}: requires {}",
                    sig.doc,
                    sig.required.join(", ")
                )),
            );
        }
    }
}
