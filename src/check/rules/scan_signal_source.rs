//! ## What it does
//! Flags a scan whose signal efficiency or signal template cannot be built: no
//! `efficiency`; an efficiency from a toy that is not a signal toy, or from files that do
//! not say what they were generated at (`generated`, or `mass` and `events` per `files`
//! entry), or whose generated points are inconsistent (a mass column without a list of
//! masses, masses listed twice, no events); a given efficiency outside [0, 1] at a
//! hypothesis; an efficiency table that cannot be read, has changed from its pinned
//! SHA-256, or does not cover the spec's channels; and a `histogram` signal PDF from
//! files that do not state their generated masses (its template cannot be moved to each
//! hypothesis); `systematics` without a scan whose efficiency they can act on (a weight
//! or column variation needs an efficiency measured on a sample, `from(INPUT)`); a column
//! variation of something that is not a column of the signal sample, or of a column no
//! expression reads.
//!
//! ## Why is this bad?
//! `run` reads and selects every input and then has to refuse the scan: the finding
//! belongs before the data are read.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   signal: { files: ["mc/signal_*.root"], tree: variables }
//! fit:
//!   efficiency: from(signal)
//! ```
//!
//! ## Use instead
//! ```yaml
//! inputs:
//!   signal:
//!     files: ["mc/signal_*.root"]
//!     tree: variables
//!     generated: { mass: mc_mass, events: { 0.5: 100000, 1.0: 100000 } }
//! fit:
//!   efficiency: from(signal)
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::check::efficiency_source::resolve;
use crate::diag::{Diagnostic, Severity};
use crate::spec::{Efficiency, Model, Source};

pub const RULE: Rule = Rule {
    code: "SL035",
    name: "scan-signal-source",
    severity: Severity::Error,
    summary: "a scan whose signal efficiency or signal template cannot be built",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let scan = spec.model.as_ref().zip(spec.scan.as_ref());
    for s in &spec.systematics {
        let weighted = s.kind.is_variation();
        let reason = match (scan, weighted) {
            (None, _) => {
                Some("systematics act on a scan's signal efficiency; this spec has no scan")
            }
            (Some(_), true) if spec.efficiency_input().is_none() => Some(
                "a weight or column variation varies the signal sample the efficiency is measured on; this efficiency is not measured (`efficiency: from(INPUT)`)",
            ),
            _ => None,
        };
        if let Some(reason) = reason {
            out.push(
                RULE.diag(format!("systematic `{}`: {reason}", s.name.value))
                    .at_labelled(s.name.span, "here"),
            );
        }
    }
    // A column variation replaces columns of the signal sample, not derived values.
    let signal = spec
        .efficiency_input()
        .map_or(crate::check::Scope::Data, crate::check::Scope::Input);
    // The names and basf2 calls the analysis reads, besides the variations themselves.
    let mut read = std::collections::HashSet::new();
    for site in crate::check::sites::sites(spec)
        .into_iter()
        .filter(|s| !matches!(s.role, "a varied column" | "a column's varied value"))
    {
        super::visit_resolvable(&site.expr.expr, &mut |e| read.extend(e.name_key()));
    }
    for (s, up, down) in spec.column_variations() {
        for (column, _) in up.iter().chain(down) {
            if !column.expr.name_key().is_some_and(|k| read.contains(&k)) {
                out.push(
                    RULE.diag(format!(
                        "systematic `{}` varies `{}`, which no expression of the analysis reads: it would change nothing",
                        s.name.value, column.text
                    ))
                    .at_labelled(column.span, "never read")
                    .with_help("vary the columns the selection reads, as they are written there (`daughter(1, daughter(0, E))`, not an alias of it)"),
                );
                continue;
            }
            let symbol = match &column.expr.kind {
                crate::expr::ExprKind::Name(n) => ctx.resolve(n, signal),
                crate::expr::ExprKind::Call(..) => ctx.resolve_call_in(&column.expr, signal),
                _ => None,
            };
            if !matches!(
                symbol,
                Some(crate::check::Symbol::Column(_) | crate::check::Symbol::FileColumn(_))
            ) {
                out.push(
                    RULE.diag(format!(
                        "systematic `{}`: `{}` is not a column of the signal sample",
                        s.name.value, column.text
                    ))
                    .at_labelled(column.span, "not a column")
                    .with_help("a column variation replaces columns read from the input; vary a variable through the columns it is made of"),
                );
            }
        }
    }
    let Some((model, _)) = scan else {
        return;
    };
    let dangling = match model.efficiency() {
        Some(Efficiency::FromInput(name)) => {
            !spec.inputs.iter().any(|i| i.name.value == name.value)
        }
        _ => false,
    };
    // A missing input is dangling-reference's finding.
    if !dangling && let Err(refusal) = resolve(spec, &ctx.base_dir) {
        let mut d = RULE.diag(refusal.message).at(refusal.span);
        if let Some(help) = refusal.help {
            d = d.with_help(help);
        }
        out.push(d);
    }
    if let Model::Fit(fit) = model
        && fit.signal.pdf.value == "histogram"
        && let Some(from) = fit.signal.name_param("from")
        && spec.inputs.iter().any(|i| {
            i.name.value == from.value
                && matches!(
                    i.source,
                    Source::Files {
                        generated: None,
                        ..
                    }
                )
        })
    {
        out.push(
            RULE.diag(format!(
                "the signal template comes from `{}`, read from files that do not say what they were generated at: it cannot be moved to each hypothesis",
                from.value
            ))
            .at_labelled(from.span, "files")
            .with_help("state the generated mass of the sample (`generated`, or `mass` per `files` entry), or use a parametric signal PDF"),
        );
    }
}
