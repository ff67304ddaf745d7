//! ## What it does
//! Checks `fit.background_choice`: it names one of the fit's background components (or
//! the fit has only one); `f_test` acts on a `chebychev` or `bernstein` component whose
//! written order is at most `max_order`, with a p-value in (0, 1) and a way for the
//! added coefficients to float (`coefficient`, starting inside its range, or a floating
//! coefficient written in the component); `spurious_signal` fits a sample other than the data, with a positive
//! `max`; the envelope's `penalty` is not negative and its functions are not named after
//! the component (whose own function is reported under its name); no `cls-toys` limits
//! with an envelope (its profile is asymptotic); and no `limits.global_toys`, whose
//! pseudo-experiments refit the nominal background only.
//!
//! ## Why is this bad?
//! Each of these would make the run fail at every hypothesis, or test something other
//! than the spec says: an order test of a non-polynomial, a "spurious signal" fitted on
//! the data (which is the signal search itself, and reads the blinded region), added
//! coefficients that cannot float (the higher orders would equal the lower ones), a
//! global significance from fits of another model than the scan's.
//!
//! ## Example
//! ```yaml
//! fit:
//!   background: { pdf: exponential, slope: { init: -1, range: [-10, 0] } }
//!   background_choice:
//!     f_test: { max_order: 4 }
//!     spurious_signal: { input: data }
//! ```
//!
//! ## Use instead
//! ```yaml
//! fit:
//!   background: { pdf: chebychev, c1: { init: 0, range: [-1, 1] } }
//!   background_choice:
//!     f_test: { max_order: 4 }
//!     spurious_signal: { input: continuum_mc }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, suggestion};
use crate::spec::{DATA_INPUT, Model, Param, Pdf};
use crate::stats::pdfs;

pub const RULE: Rule = Rule {
    code: "SL042",
    name: "background-choice",
    severity: Severity::Error,
    summary: "a background choice that names no component, an order test of a non-polynomial, a spurious-signal test on the data",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let Some(Model::Fit(fit)) = &ctx.spec.model else {
        return;
    };
    let Some(choice) = &fit.background_choice else {
        return;
    };
    let names: Vec<&str> = fit
        .backgrounds
        .iter()
        .map(|c| c.name.value.as_str())
        .collect();
    let component = match &choice.component {
        Some(name) => match fit.backgrounds.iter().find(|c| c.name.value == name.value) {
            Some(c) => c,
            None => {
                out.push(
                    RULE.diag(format!(
                        "`background_choice.component` names `{}`, which is not a background component",
                        name.value
                    ))
                    .at_labelled(name.span, "no such component")
                    .with_help_opt(suggestion(&name.value, names.iter().copied())),
                );
                return;
            }
        },
        None if fit.backgrounds.len() == 1 => &fit.backgrounds[0],
        None => {
            out.push(
                RULE.diag("`background_choice` needs `component`: the fit has several background components")
                    .at_labelled(choice.span, "which component?")
                    .with_help(format!("one of {}", names.join(", "))),
            );
            return;
        }
    };
    let penalty = &choice.penalty;
    if !(penalty.value >= 0.0 && penalty.value.is_finite()) {
        out.push(
            RULE.diag(format!(
                "`penalty` is {}; it is a cost per parameter, 0 or more",
                penalty.value
            ))
            .at_labelled(penalty.span, "not 0 or more"),
        );
    }
    for (name, _) in &choice.envelope {
        if name.value == component.name.value {
            out.push(
                RULE.diag(format!(
                    "the envelope's function `{}` has the component's name, under which its own function is reported",
                    name.value
                ))
                .at_labelled(name.span, "name taken"),
            );
        }
    }
    if let Some(f_test) = &choice.f_test {
        let pdf = &component.pdf;
        // PDFs whose order an F-test may choose: those with numbered coefficients.
        if pdfs::pdf(&pdf.pdf.value).is_none_or(|s| s.numbered.is_none()) {
            out.push(
                RULE.diag(format!(
                    "`f_test` chooses a polynomial's order, but component `{}` has the `{}` PDF",
                    component.name.value, pdf.pdf.value
                ))
                .at_labelled(f_test.span, "no order to choose")
                .with_help("use a `chebychev` or `bernstein` component, or an `envelope` of other functions"),
            );
        } else {
            let written = pdf.written_order();
            if written > f_test.max_order.value {
                out.push(
                    RULE.diag(format!(
                        "`max_order` is {}, below the order {written} component `{}` writes",
                        f_test.max_order.value, component.name.value
                    ))
                    .at_labelled(f_test.max_order.span, "below the written order")
                    .with_help("the orders tried run from the component's own up to `max_order`"),
                );
            }
            let floating = pdf
                .params
                .iter()
                .any(|(n, p)| Pdf::is_coefficient(&n.value) && matches!(p, Param::Floating { .. }));
            if f_test.coefficient.is_none() && !floating {
                out.push(
                    RULE.diag(format!(
                        "`f_test` adds coefficients to `{}`, but nothing says how they float",
                        component.name.value
                    ))
                    .at_labelled(f_test.span, "no floating coefficient")
                    .with_help("give `coefficient: { init: 0, range: [-1, 1] }`, or write a floating coefficient in the component"),
                );
            }
        }
        if let Some(Param::Floating { init, range, .. }) = &f_test.coefficient
            && !(range.low.value..=range.high.value).contains(&init.value)
        {
            out.push(
                RULE.diag(format!(
                    "`coefficient` starts at {} outside its range [{}, {}]",
                    init.value, range.low.value, range.high.value
                ))
                .at_labelled(init.span, "outside the range"),
            );
        }
        let p = &f_test.p_value;
        if !(p.value > 0.0 && p.value < 1.0) {
            out.push(
                RULE.diag(format!("`p_value` is {}; it must lie in (0, 1)", p.value))
                    .at_labelled(p.span, "not a probability"),
            );
        }
    }
    if let Some(method) = ctx.spec.limits.as_ref().map(|l| &l.method)
        && method.value == "cls-toys"
        && !choice.envelope.is_empty()
    {
        out.push(
            RULE.diag("`cls-toys` limits of an envelope are not available: its profile is asymptotic")
                .at_labelled(method.span, "not with an envelope")
                .with_help("use `cls-asymptotic` with the envelope, or `cls-toys` with one function (F-test and spurious-signal test allowed)"),
        );
    }
    if let Some(toys) = ctx
        .spec
        .limits
        .as_ref()
        .and_then(|l| l.global_toys.as_ref())
    {
        out.push(
            RULE.diag("`global_toys` refits the nominal background, not the background choice, in each pseudo-experiment")
                .at_labelled(toys.span, "not with a background choice")
                .with_help("leave `global_toys` out: the global significance then comes from the scan's own local significances (Gross–Vitells)"),
        );
    }
    if let Some(spurious) = &choice.spurious_signal {
        if spurious.input.value == DATA_INPUT {
            out.push(
                RULE.diag("the spurious-signal test fits a background-only sample, not the data")
                    .at_labelled(spurious.input.span, "the data")
                    .with_help("name a simulated background sample (or a sideband sample) that holds no signal"),
            );
        }
        if !(spurious.max.value > 0.0 && spurious.max.value.is_finite()) {
            out.push(
                RULE.diag(format!(
                    "`max` is {}; it must be a positive fraction of the statistical uncertainty",
                    spurious.max.value
                ))
                .at_labelled(spurious.max.span, "not positive"),
            );
        }
    }
}
