//! ## What it does
//! Finds numbers outside the domain where they mean something: a nuisance's relative
//! width that is not positive or wider than its constraint can express, an
//! `external_efficiency` or `bf_daughter` outside (0, 1], a non-positive `n_bb` or
//! `luminosity`, a fit parameter whose `init` lies outside its `range`, a POI range
//! beyond 10¹⁰⁰, `best_candidate` keeping no candidate, and efficiency uncertainties
//! that combine beyond what the counting method takes.
//!
//! ## Why is this bad?
//! Each of these gives no result or a wrong one: a zero signal scale has no limit, a
//! relative width of 0 or below makes every fit fail, a Gaussian efficiency prior wider
//! than 50% puts visible probability below zero (where a wider prior would give a
//! stronger limit), and a fit started outside its range never starts.
//!
//! ## Example
//! ```yaml
//! channels:
//!   mumu: { cut: decayMode == 0, external_efficiency: 0 }
//! fit:
//!   nuisances:
//!     efficiency: { constraint: gaussian, relative: 1.5 }
//! ```
//!
//! ## Use instead
//! ```yaml
//! channels:
//!   mumu: { cut: decayMode == 0, external_efficiency: 0.15 }
//! fit:
//!   nuisances:
//!     efficiency: { constraint: lognormal, relative: 1.5 }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, Span};
use crate::spec::{Model, Param, Step, Yield, efficiency_uncertainties};
use crate::stats::counting::{
    MAX_GAUSSIAN_RELATIVE, MAX_GAUSSIAN_RELATIVE_BAYES, MAX_LOGNORMAL_RELATIVE,
};
use crate::stats::feldman_cousins::MAX_SMEARED_RELATIVE;

pub const RULE: Rule = Rule {
    code: "SL033",
    name: "implausible-value",
    severity: Severity::Error,
    summary: "a number outside the domain where it means something",
    check,
};

/// Largest magnitude a POI range may reach.
const MAX_POI: f64 = 1e100;

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let mut flag = |span: Span, message: String, help: &str| {
        out.push(
            RULE.diag(message)
                .at_labelled(span, "here")
                .with_help(help.to_string()),
        );
    };
    for channel in &spec.channels {
        for (key, value) in [
            ("external_efficiency", &channel.external_efficiency),
            ("bf_daughter", &channel.bf_daughter),
        ] {
            if let Some(v) = value
                .as_ref()
                .filter(|v| !(v.value > 0.0 && v.value <= 1.0))
            {
                flag(
                    v.span,
                    format!(
                        "`{key}` of channel `{}` is {}, outside (0, 1]",
                        channel.name.value, v.value
                    ),
                    "a fraction of the signal: leave the channel out instead of scaling it to zero",
                );
            }
        }
    }
    for (key, value) in [
        ("n_bb", &spec.analysis.n_bb),
        ("luminosity", &spec.analysis.luminosity),
    ] {
        if let Some(v) = value
            .as_ref()
            .filter(|v| !(v.value > 0.0 && v.value.is_finite()))
        {
            flag(
                v.span,
                format!("`analysis.{key}` is {}: it must be positive", v.value),
                "it normalises the signal yield",
            );
        }
    }
    for step in &spec.selection {
        if let Step::BestCandidate { count, name, .. } = step
            && count.value == 0
        {
            flag(
                count.span,
                format!("best-candidate step `{}` keeps no candidate", name.value),
                "keep at least one: `n: 1`",
            );
        }
    }
    let yields = spec
        .fit_components()
        .iter()
        .filter_map(|c| match &c.yield_ {
            Yield::Floating { init, range, .. } => {
                Some((format!("{}.yield", c.name.value), init, range))
            }
            Yield::Fixed(_) | Yield::Free | Yield::FromInput { .. } => None,
        });
    let floating = spec
        .fit_pdfs()
        .into_iter()
        .flat_map(|pdf| &pdf.params)
        .filter_map(|(name, p)| match p {
            Param::Floating { init, range, .. } => Some((name.value.clone(), init, range)),
            Param::Fixed(_) => None,
        })
        .chain(yields);
    for (name, init, range) in floating {
        if range.low.value <= range.high.value
            && !(range.low.value <= init.value && init.value <= range.high.value)
        {
            flag(
                init.span,
                format!(
                    "parameter `{name}` starts at {}, outside its range [{}, {}]",
                    init.value, range.low.value, range.high.value
                ),
                "start the fit inside the range",
            );
        }
    }
    let normalisations = spec
        .fit_components()
        .iter()
        .filter_map(|c| match &c.yield_ {
            Yield::FromInput { uncertainty, .. } => uncertainty.as_deref(),
            _ => None,
        });
    let nuisances = match &spec.model {
        Some(Model::Fit(f)) => f.nuisances.as_slice(),
        Some(Model::Counting(c)) => c.nuisances.as_slice(),
        None => &[],
    };
    // A width that depends on the hypothesis is checked at both ends of the scan.
    let ends: Vec<f64> = spec
        .scan
        .as_ref()
        .map(|s| vec![s.range.low.value, s.range.high.value])
        .unwrap_or_default();
    let at = |value: &crate::diag::Spanned<f64>, e: &Option<crate::spec::SpecExpr>| match e {
        Some(e) => ends
            .iter()
            .filter_map(|&m| crate::check::grid::eval_at(spec, e, m, None).ok())
            .collect(),
        None => vec![value.value],
    };
    // Every width (up, and down for an asymmetric one, which must stay below 1).
    let widths = |n: &crate::spec::Nuisance| -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = at(&n.relative, &n.relative_at)
            .into_iter()
            .map(|r| (r, max_relative(n)))
            .collect();
        if let Some((value, e)) = &n.down {
            let max = max_relative(n).min(0.99);
            out.extend(at(value, e).into_iter().map(|r| (r, max)));
        }
        out
    };
    for n in nuisances.iter().chain(normalisations) {
        let Some((r, max)) = widths(n)
            .into_iter()
            .find(|&(r, max)| !(r > 0.0 && r <= max))
        else {
            continue;
        };
        let at = if n.relative_at.is_some() {
            " at an end of the scan"
        } else {
            ""
        };
        flag(
            n.relative.span,
            format!(
                "nuisance `{}`: a {} relative width of {r}{at} is outside (0, {max}]",
                n.name.value, n.constraint.value
            ),
            if r > max && n.constraint.value != "lognormal" {
                "wider uncertainties are log-normal: `constraint: lognormal`"
            } else {
                "a relative uncertainty is a positive fraction; leave a nuisance out rather than give it no width"
            },
        );
    }
    let Some(model) = &spec.model else { return };
    let poi = &model.poi().range;
    let reach = poi.low.value.abs().max(poi.high.value.abs());
    if reach.is_nan() || reach > MAX_POI {
        flag(
            poi.span,
            format!(
                "the POI range [{:e}, {:e}] reaches beyond ±{MAX_POI:e}",
                poi.low.value, poi.high.value
            ),
            "give a range a few times wider than the expected limit",
        );
    }
    // The exact counting methods integrate the combined width.
    let method = spec.limits.as_ref().map(|l| l.method.value.as_str());
    if let (Model::Counting(counting), Some(method)) = (model, method) {
        let widest = |n: &crate::spec::Nuisance| widths(n).into_iter().fold(0.0, |a, w| w.0.max(a));
        let (gaussian, lognormal) = efficiency_uncertainties(&counting.nuisances, widest);
        let caps = match method {
            "cls-exact" => Some((
                MAX_GAUSSIAN_RELATIVE,
                MAX_LOGNORMAL_RELATIVE,
                "state wider uncertainties as log-normal",
            )),
            "bayesian" => Some((
                MAX_GAUSSIAN_RELATIVE_BAYES,
                MAX_LOGNORMAL_RELATIVE,
                "a flat-prior posterior is improper once a Gaussian efficiency prior reaches zero: state the uncertainty as log-normal",
            )),
            "feldman-cousins" => Some((
                MAX_SMEARED_RELATIVE,
                MAX_SMEARED_RELATIVE,
                "Feldman–Cousins intervals with uncertainties are validated up to this width: use cls-exact",
            )),
            _ => None,
        };
        if let (Some((cap_gaussian, cap_lognormal, help)), Some(first)) =
            (caps, counting.nuisances.first())
            && (gaussian > cap_gaussian || lognormal > cap_lognormal)
        {
            flag(
                first.relative.span,
                format!(
                    "the efficiency uncertainties combine to relative widths {gaussian:.3} (Gaussian) and {lognormal:.3} (log-normal), beyond the {cap_gaussian} and {cap_lognormal} that `{method}` takes"
                ),
                help,
            );
        }
    }
}

/// The widest relative width a nuisance of its constraint may have.
fn max_relative(n: &crate::spec::Nuisance) -> f64 {
    if n.constraint.value == "lognormal" {
        MAX_LOGNORMAL_RELATIVE
    } else {
        MAX_GAUSSIAN_RELATIVE
    }
}
