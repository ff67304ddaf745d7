//! ## What it does
//! Checks that the POI's stated `kind` has what normalises it: `n_bb` for a
//! `branching_fraction`, `luminosity` for a `cross_section`, in `analysis` or in every
//! channel; that a channel's own `n_bb` or `luminosity` is one its POI uses; and that a
//! channel's `n_bb` is positive.
//!
//! ## Why is this bad?
//! Without its normalisation the POI silently becomes a number of signal events (the
//! factor is 1) and every limit is off by N_BB or the luminosity; a channel's value the
//! POI does not use changes nothing, which is not what whoever wrote it meant.
//!
//! ## Example
//! ```yaml
//! analysis: { name: gamma-alp, experiment: belle2 }
//! counting:
//!   poi: { name: xsec, kind: cross_section, range: [0, 50] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! analysis: { name: gamma-alp, experiment: belle2, luminosity: 365 /fb }
//! counting:
//!   poi: { name: xsec, kind: cross_section, range: [0, 50] }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::PoiKind;

pub const RULE: Rule = Rule {
    code: "SL039",
    name: "poi-normalisation",
    severity: Severity::Error,
    summary: "a POI kind without its n_bb or luminosity, or a channel's value the POI does not use",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let Some(model) = &spec.model else { return };
    let kind = model.poi_kind();
    let poi = model.poi();
    if let (Some(stated), Some(key)) = (&poi.kind, kind.normalisation_key()) {
        let lacking: Vec<&str> = spec
            .channels
            .iter()
            .filter(|c| spec.poi_normalisation(kind, Some(c)).is_none())
            .map(|c| c.name.value.as_str())
            .collect();
        let nowhere = spec.channels.is_empty() && spec.poi_normalisation(kind, None).is_none();
        if nowhere || !lacking.is_empty() {
            let whom = if lacking.is_empty() {
                String::new()
            } else {
                format!(" (channels {})", lacking.join(", "))
            };
            out.push(
                RULE.diag(format!(
                    "the POI is a {} but nothing gives `{key}`{whom}",
                    stated.value.replace('_', " ")
                ))
                .at_labelled(stated.span, "needs its normalisation")
                .with_help(format!(
                    "give `analysis.{key}`, or `{key}` in every channel"
                )),
            );
        }
    }
    for c in &spec.channels {
        for (key, value, uses) in [
            ("n_bb", &c.n_bb, PoiKind::BranchingFraction),
            ("luminosity", &c.luminosity, PoiKind::CrossSection),
        ] {
            let Some(v) = value else { continue };
            if kind != uses {
                out.push(
                    RULE.diag(format!(
                        "channel `{}` gives `{key}`, which a POI of kind `{}` does not use",
                        c.name.value,
                        kind.name()
                    ))
                    .at_labelled(v.span, "ignored")
                    .with_help(format!(
                        "state the POI's kind (`poi: {{ kind: {} }}`) or leave `{key}` out",
                        uses.name()
                    )),
                );
            } else if !(v.value > 0.0 && v.value.is_finite()) {
                out.push(
                    RULE.diag(format!(
                        "`{key}` of channel `{}` is {}: it must be positive",
                        c.name.value, v.value
                    ))
                    .at_labelled(v.span, "normalises the signal yield"),
                );
            }
        }
    }
}
