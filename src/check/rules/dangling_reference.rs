//! ## What it does
//! Finds references by name that lead nowhere: `scan.exclude` naming a veto that does not
//! exist, `efficiency: from(X)`, a histogram PDF's `from: X`, a yield's `from: X` or a
//! spurious-signal test's `input: X`
//! naming a missing input, a histogram's `without` naming neither a cut step nor a veto,
//! and a template or a yield taken from the data fitted (`from: data`).
//!
//! ## Why is this bad?
//! An exclusion that excludes nothing scans straight through a resonance; an efficiency
//! from a missing sample cannot be computed; an N−1 distribution that leaves out no cut
//! is silently the full selection's; a background shaped or normalised by the data it is
//! fitted to absorbs every signal candidate (and reads the blinded region).
//!
//! ## Example
//! ```yaml
//! vetoes: { eta: { var: mgg, window: [0.50, 0.58] } }
//! scan: { parameter: m_a, range: [0.16, 4.5], step: sigma / 2, exclude: [etaprime] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! scan: { parameter: m_a, range: [0.16, 4.5], step: sigma / 2, exclude: [eta] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, suggestion};
use crate::expr::ExprKind;
use crate::spec::{DATA_INPUT, Efficiency, Model, Name, Param, Step, Yield};

pub const RULE: Rule = Rule {
    code: "SL025",
    name: "dangling-reference",
    severity: Severity::Error,
    summary: "a reference to a veto, step or input that does not exist",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let vetoes: Vec<&str> = spec.vetoes.iter().map(|v| v.name.value.as_str()).collect();
    let inputs: Vec<&str> = spec.inputs.iter().map(|i| i.name.value.as_str()).collect();
    if let Some(scan) = &spec.scan {
        let exclude = scan.exclude.iter();
        unknown(
            out,
            exclude,
            &vetoes,
            "scan.exclude",
            "not a veto",
            "no such veto",
        );
    }
    let cuts: Vec<&str> = spec
        .selection
        .iter()
        .filter_map(|s| match s {
            Step::Cut { name, .. } => Some(name.value.as_str()),
            Step::BestCandidate { .. } => None,
        })
        .chain(vetoes.iter().copied())
        .collect();
    let without = spec.histograms.iter().flat_map(|h| &h.without);
    let what = "neither a cut step nor a veto";
    unknown(out, without, &cuts, "without", what, "no such cut");
    let filled = spec.histograms.iter().flat_map(|h| &h.inputs);
    unknown(
        out,
        filled,
        &inputs,
        "inputs",
        "not an input",
        "no such input",
    );
    let mut input_refs = Vec::new();
    let efficiency = spec.model.as_ref().and_then(Model::efficiency);
    let pdfs = spec.fit_pdfs();
    if let Some(Efficiency::FromInput(name)) = efficiency {
        input_refs.push((name.value.clone(), name.span));
    }
    if let Some(input) = spec.plain_fit.as_ref().and_then(|p| p.input.as_ref()) {
        input_refs.push((input.value.clone(), input.span));
    }
    if let Some(Model::Fit(fit)) = &spec.model
        && let Some(spurious) = fit
            .background_choice
            .as_ref()
            .and_then(|b| b.spurious_signal.as_ref())
    {
        input_refs.push((spurious.input.value.clone(), spurious.input.span));
    }
    let fitted = spec
        .plain_fit
        .as_ref()
        .and_then(|p| p.input.as_ref())
        .map_or(DATA_INPUT, |i| i.value.as_str());
    for c in spec.fit_components() {
        if let Yield::FromInput { input, .. } = &c.yield_ {
            input_refs.push((input.value.clone(), input.span));
            if input.value == fitted {
                out.push(
                    RULE.diag(format!(
                        "component `{}` takes its normalisation from `{fitted}`, the input fitted",
                        c.name.value
                    ))
                    .at_labelled(input.span, "the data fitted")
                    .with_help("a normalisation comes from simulation: name the simulated sample, or leave `yield` out to let it float"),
                );
            }
        }
    }
    for pdf in pdfs {
        for (name, p) in &pdf.params {
            if let (Param::Fixed(e), "from") = (p, name.value.as_str())
                && let ExprKind::Name(input) = &e.expr.kind
            {
                input_refs.push((input.clone(), e.span));
                if input == fitted {
                    out.push(
                        RULE.diag(format!(
                            "a `histogram` PDF takes its shape from `{fitted}`, the input fitted"
                        ))
                        .at_labelled(e.span, "the data fitted")
                        .with_help("a template comes from another sample (simulation, a control sample): the data's own histogram fits anything, a signal included, and reads the blinded region"),
                    );
                }
            }
        }
    }
    for (name, span) in input_refs
        .into_iter()
        .filter(|(n, _)| !inputs.contains(&n.as_str()))
    {
        out.push(
            RULE.diag(format!("there is no input named `{name}`"))
                .at_labelled(span, "no such input")
                .with_help_opt(suggestion(&name, inputs.iter().copied())),
        );
    }
}

/// Reports each of `names` (from the key `key`) that is not in `known`: it is `what`.
fn unknown<'a>(
    out: &mut Vec<Diagnostic>,
    names: impl Iterator<Item = &'a Name>,
    known: &[&str],
    key: &str,
    what: &str,
    label: &str,
) {
    for name in names.filter(|n| !known.contains(&n.value.as_str())) {
        out.push(
            RULE.diag(format!("`{key}` names `{}`, which is {what}", name.value))
                .at_labelled(name.span, label)
                .with_help_opt(suggestion(&name.value, known.iter().copied())),
        );
    }
}
