//! ## What it does
//! Checks what each nuisance acts on: its `channels` must be channels of the spec, and
//! its `on` the signal yield (`signal`, the default), the yield of a fit component that is
//! not free (a normalised or fixed one), or a fixed shape parameter of the signal or a
//! component (`signal.sigma`, `signal.mean`); counting scans take signal-yield nuisances
//! only. A systematic's `channels` must be channels too.
//!
//! ## Why is this bad?
//! A nuisance on a free yield or a floating parameter is degenerate with it (the fit
//! cannot tell them apart: the constraint alone decides it, and the fit's errors are
//! wrong); one on a name that is not in the model, or in a channel that does not exist,
//! acts nowhere.
//!
//! ## Example
//! ```yaml
//! fit:
//!   signal: { pdf: gaussian, mean: m_a, sigma: { init: 0.01, range: [0.001, 0.1] } }
//!   nuisances:
//!     resolution: { constraint: gaussian, relative: 0.1, on: signal.sigma }
//! ```
//!
//! ## Use instead
//! ```yaml
//! fit:
//!   signal: { pdf: gaussian, mean: m_a, sigma: 0.012 * m_a }
//!   nuisances:
//!     resolution: { constraint: gaussian, relative: 0.1, on: signal.sigma }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, suggestion};
use crate::spec::{Model, NuisanceTarget, Param, Pdf, Yield};
use crate::stats::pdfs;

pub const RULE: Rule = Rule {
    code: "SL037",
    name: "nuisance-target",
    severity: Severity::Error,
    summary: "a nuisance on something the model does not have, or cannot constrain",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let channels: Vec<&str> = spec
        .channels
        .iter()
        .map(|c| c.name.value.as_str())
        .collect();
    let named = spec.systematics.iter().flat_map(|s| &s.channels).chain(
        spec.model
            .iter()
            .flat_map(|m| nuisances_of(m).iter())
            .flat_map(|n| &n.channels),
    );
    for c in named.filter(|c| !channels.contains(&c.value.as_str())) {
        out.push(
            RULE.diag(format!("`{}` is not a channel of the spec", c.value))
                .at_labelled(c.span, "no such channel")
                .with_help_opt(suggestion(&c.value, channels.iter().copied())),
        );
    }
    let Some(model) = &spec.model else { return };
    for n in nuisances_of(model) {
        let Some(on) = &n.on else { continue };
        let problem = match (model, n.target()) {
            (_, NuisanceTarget::SignalYield) => None,
            (Model::Counting(_), _) => {
                Some("a counting scan's nuisances act on the signal yield only".to_string())
            }
            (Model::Fit(fit), NuisanceTarget::Yield(name)) => {
                match fit.backgrounds.iter().find(|c| c.name.value == name) {
                    None => Some(format!("the fit has no component `{name}`")),
                    Some(c) if matches!(c.yield_, Yield::Free | Yield::Floating { .. }) => {
                        Some(format!(
                            "the yield of `{name}` floats: a nuisance on it cannot be constrained"
                        ))
                    }
                    Some(_) => None,
                }
            }
            (Model::Fit(fit), NuisanceTarget::Parameter(component, parameter)) => {
                let pdf = match component {
                    "signal" => Some(&fit.signal),
                    name => fit
                        .backgrounds
                        .iter()
                        .find(|c| c.name.value == name)
                        .map(|c| &c.pdf),
                };
                match pdf {
                    None => Some(format!("the fit has no component `{component}`")),
                    Some(pdf) => parameter_problem(pdf, component, parameter),
                }
            }
        };
        if let Some(problem) = problem {
            out.push(
                RULE.diag(format!("nuisance `{}`: {problem}", n.name.value))
                    .at_labelled(on.span, "here")
                    .with_help("`on` names `signal` (its yield), a component with a normalised yield, or a fixed parameter such as `signal.sigma`"),
            );
        }
    }
}

fn nuisances_of(model: &Model) -> &[crate::spec::Nuisance] {
    match model {
        Model::Fit(f) => &f.nuisances,
        Model::Counting(c) => &c.nuisances,
    }
}

/// Why `component.parameter` of `pdf` cannot carry a nuisance, if it cannot.
fn parameter_problem(pdf: &Pdf, component: &str, parameter: &str) -> Option<String> {
    let signature = pdfs::pdf(&pdf.pdf.value)?;
    if signature.name == "histogram" {
        return Some(format!(
            "`{component}` is a `histogram` template: it has no shape parameter to scale"
        ));
    }
    if !signature.accepts(parameter)
        || matches!(parameter, "from" | "bins" | "interpolation" | "order")
    {
        return Some(format!(
            "the `{}` PDF of `{component}` has no shape parameter `{parameter}`",
            signature.name
        ));
    }
    match pdf.params.iter().find(|(n, _)| n.value == parameter) {
        Some((_, Param::Floating { .. })) => Some(format!(
            "`{component}.{parameter}` floats: a nuisance on it cannot be constrained"
        )),
        _ => None,
    }
}
