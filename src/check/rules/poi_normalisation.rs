//! ## What it does
//! Checks that the POI's stated `kind` has what normalises it: `n_bb` for a
//! `branching_fraction`, `luminosity` for a `cross_section`, in `analysis` or in every
//! channel, a positive `nominal` (at both ends of the scan) for a `signal_strength`, in
//! `poi` or in every signal channel; that a channel's own `n_bb`, `luminosity` or
//! `nominal`, and the POI's `nominal`, are ones its POI uses; and that a channel's `n_bb`
//! is positive.
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
    let strength = kind == PoiKind::SignalStrength;
    // A signal strength's prediction: the POI's, or every (signal) channel's own.
    let lacking: Vec<&str> = spec
        .channels
        .iter()
        .filter(|c| !c.control && c.nominal.is_none())
        .map(|c| c.name.value.as_str())
        .collect();
    let everywhere = !spec.channels.is_empty() && lacking.is_empty();
    if let (None, true, Some(stated)) = (&poi.nominal, strength, &poi.kind)
        && !everywhere
    {
        let whom = match spec.channels.is_empty() {
            true => String::new(),
            false => format!(" (channels {})", lacking.join(", ")),
        };
        out.push(
            RULE.diag(format!(
                "a signal strength needs the signal it is the strength of{whom}"
            ))
            .at_labelled(stated.span, "needs `nominal`")
            .with_help(
                "give `nominal`: the signal events before efficiency at POI = 1, e.g. `nominal: 12.5` or an expression of the scan parameter (in `poi`, or in every channel)",
            ),
        );
    }
    let nominals = poi
        .nominal
        .iter()
        .map(|n| ("`nominal`".to_string(), n))
        .chain(spec.channels.iter().filter_map(|c| {
            c.nominal
                .as_ref()
                .map(|n| (format!("`nominal` of channel `{}`", c.name.value), n))
        }));
    for (what, (value, expr)) in nominals {
        if !strength {
            out.push(
                RULE.diag(format!(
                    "{what} is for a signal strength; this POI is a {}",
                    kind.name().replace('_', " ")
                ))
                .at_labelled(value.span, "ignored")
                .with_help("state `kind: signal_strength`, or leave `nominal` out"),
            );
            continue;
        }
        let ends = spec.scan.as_ref().map_or(vec![f64::NAN], |s| {
            vec![s.range.low.value, s.range.high.value]
        });
        for m in ends {
            let at = match expr {
                Some(e) => crate::check::grid::eval_at(spec, e, m, None),
                None => Ok(value.value),
            };
            let problem = match at {
                Ok(v) if v > 0.0 && v.is_finite() => continue,
                Ok(v) => {
                    format!("{what} is {v} at {m}: the signal the POI scales must be positive")
                }
                Err(e) => format!("{what} cannot be evaluated at {m}: {}", e.message),
            };
            out.push(
                RULE.diag(problem)
                    .at_labelled(value.span, "at an end of the scan"),
            );
            break;
        }
    }
    if let (Some(stated), Some(key)) = (&poi.kind, kind.normalisation_key())
        && kind != PoiKind::SignalStrength
    {
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
