//! ## What it does
//! Flags a scan whose signal efficiency or signal template cannot be built: a fixed
//! efficiency, an efficiency from an input that is not a signal toy (files do not say
//! yet how many events were generated at each mass), a fit scan whose signal toy is
//! generated at several lifetimes (fit scans are in mass only), and a `histogram`
//! signal PDF from files (a template cannot yet be moved to each hypothesis without the
//! generated mass of each row).
//!
//! ## Why is this bad?
//! `run` reads and selects every input and then has to refuse the scan: the finding
//! belongs before the data are read.
//!
//! ## Example
//! ```yaml
//! fit:
//!   efficiency: 0.25
//! ```
//!
//! ## Use instead
//! ```yaml
//! inputs:
//!   signal: { toy: b_to_k_alp_signal, events: 400000, seed: 2, masses: [0.5, 1.0, 2.0, 3.0, 4.0] }
//! fit:
//!   efficiency: from(signal)
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::{Efficiency, Model, ParamValue, Source};

pub const RULE: Rule = Rule {
    code: "SL035",
    name: "scan-signal-source",
    severity: Severity::Error,
    summary: "a scan whose signal efficiency or signal template cannot be built",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let (Some(model), Some(_)) = (&spec.model, &spec.scan) else {
        return;
    };
    match model.efficiency() {
        Some(Efficiency::Value(v)) => out.push(
            RULE.diag("a fixed efficiency is not available in scans yet")
                .at_labelled(v.span, "a number")
                .with_help("measure it on a signal toy: `efficiency: from(signal)`"),
        ),
        Some(Efficiency::FromInput(name)) => {
            let Some(input) = spec.inputs.iter().find(|i| i.name.value == name.value) else {
                return; // dangling-reference reports it
            };
            match &input.source {
                Source::Files { .. } => out.push(
                    RULE.diag(format!(
                        "input `{}` is read from files: efficiencies are measured on signal toys only",
                        name.value
                    ))
                    .at_labelled(name.span, "files")
                    .with_help("file inputs do not say how many events were generated at each mass"),
                ),
                Source::Toy { params, .. } if matches!(model, Model::Fit(_)) => {
                    let lifetimes = params
                        .iter()
                        .find(|(n, _)| n.value == "ctau")
                        .filter(|(_, v)| matches!(&v.value, ParamValue::Many(l) if l.len() > 1));
                    if let Some((_, v)) = lifetimes {
                        out.push(
                            RULE.diag("fit scans are in mass only, but the signal toy is generated at several lifetimes")
                                .at_labelled(v.span, "several lifetimes")
                                .with_help("give the signal toy one `ctau`, or count instead of fitting"),
                        );
                    }
                }
                Source::Toy { .. } => {}
            }
        }
        None => {}
    }
    if let Model::Fit(fit) = model
        && fit.signal.pdf.value == "histogram"
        && let Some(from) = fit.signal.name_param("from")
        && spec
            .inputs
            .iter()
            .any(|i| i.name.value == from.value && matches!(i.source, Source::Files { .. }))
    {
        out.push(
            RULE.diag(format!(
                "the signal template comes from `{}`, read from files: it cannot be moved to each hypothesis",
                from.value
            ))
            .at_labelled(from.span, "files")
            .with_help("take the signal template from a signal toy, or use a parametric signal PDF"),
        );
    }
}
