//! ## What it does
//! Checks the channels marked `control: true`: a control region is a channel of a fit,
//! fitted together with the signal channels and without signal, so the spec needs a
//! `fit` (not `counting`), one POI for all channels (not `per_channel: true`), and at
//! least one channel that is not a control region.
//!
//! ## Why is this bad?
//! A counting scan counts every channel as a signal region; with a POI per channel a
//! control region would be fitted alone, without the signal channel whose background it
//! constrains; with only control regions there is no signal to set a limit on.
//!
//! ## Example
//! ```yaml
//! channels:
//!   SR: { cut: region == 0 }
//!   CR: { cut: region == 1, control: true }
//! fit:
//!   poi: { name: n_sig, kind: yield, range: [0, 500], per_channel: true }
//! ```
//!
//! ## Use instead
//! ```yaml
//! channels:
//!   SR: { cut: region == 0 }
//!   CR: { cut: region == 1, control: true }
//! fit:
//!   background: { pdf: exponential, slope: { init: -0.2, range: [-2, 0], shared: true } }
//!   poi: { name: n_sig, kind: yield, range: [0, 500] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::Model;

pub const RULE: Rule = Rule {
    code: "SL041",
    name: "control-region",
    severity: Severity::Error,
    summary: "a control region outside a fit with one POI, or no signal channel",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let Some(first) = spec.channels.iter().find(|c| c.control) else {
        return;
    };
    let at = first.name.span;
    match &spec.model {
        Some(Model::Counting(_)) => out.push(
            RULE.diag(format!(
                "channel `{}` is a control region, but a counting scan counts every channel as a signal region",
                first.name.value
            ))
            .at_labelled(at, "control region")
            .with_help("fit the observable (`fit:`) to use control regions"),
        ),
        Some(Model::Fit(fit)) if fit.poi.per_channel.value => out.push(
            RULE.diag(format!(
                "channel `{}` is a control region, but each channel has its own POI: it would be fitted alone",
                first.name.value
            ))
            .at_labelled(at, "control region")
            .with_help("remove `per_channel: true` so that the channels are fitted together"),
        ),
        _ => {}
    }
    if spec.channels.iter().all(|c| c.control) {
        out.push(
            RULE.diag("every channel is a control region: there is no signal to fit")
                .at_labelled(at, "control region"),
        );
    }
}
