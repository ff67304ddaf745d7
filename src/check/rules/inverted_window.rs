//! ## What it does
//! Finds intervals whose lower edge is not below the upper edge: veto windows, observable,
//! POI, scan and parameter ranges, sidebands, and `x in [a, b]` windows in cuts.
//!
//! ## Why is this bad?
//! An inverted window is empty: a veto that removes nothing, a cut nothing passes, a scan
//! with no points. It is almost always a typo.
//!
//! ## Example
//! ```yaml
//! vetoes:
//!   eta: { var: mgg, window: [0.58, 0.50] }
//! ```
//!
//! ## Use instead
//! ```yaml
//! vetoes:
//!   eta: { var: mgg, window: [0.50, 0.58] }
//! ```

use super::Rule;
use crate::check::{LintContext, sites::sites};
use crate::diag::{Diagnostic, Severity};
use crate::expr::{ExprKind, eval_const};
use crate::spec::{Interval, Model, Param, Yield};

pub const RULE: Rule = Rule {
    code: "SL007",
    name: "inverted-window",
    severity: Severity::Error,
    summary: "a window or range whose low edge is not below its high edge",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let mut intervals: Vec<(&Interval, String)> = Vec::new();
    intervals.extend(
        spec.vetoes
            .iter()
            .map(|v| (&v.window, format!("veto `{}`", v.name.value))),
    );
    let (observable, poi, sidebands) = match &spec.model {
        Some(Model::Fit(f)) => (Some(&f.observable), Some(&f.poi), &[][..]),
        Some(Model::Counting(c)) => (Some(&c.observable), Some(&c.poi), c.sidebands.as_slice()),
        None => (
            spec.plain_fit.as_ref().map(|p| &p.observable),
            None,
            &[][..],
        ),
    };
    intervals.extend(observable.map(|o| (&o.range, "the observable range".to_string())));
    intervals.extend(poi.map(|p| (&p.range, format!("the range of `{}`", p.name.value))));
    intervals.extend(sidebands.iter().map(|s| (s, "a sideband".to_string())));
    for pdf in spec.fit_pdfs() {
        for (name, p) in &pdf.params {
            if let Param::Floating { range, .. } = p {
                intervals.push((range, format!("the range of parameter `{}`", name.value)));
            }
        }
    }
    for c in spec.fit_components() {
        if let Yield::Floating { range, .. } = &c.yield_ {
            intervals.push((range, format!("the range of `{}.yield`", c.name.value)));
        }
    }
    intervals.extend(
        spec.scan
            .as_ref()
            .map(|s| (&s.range, "the scan range".to_string())),
    );
    for (iv, what) in intervals {
        if iv.low.value >= iv.high.value {
            out.push(
                RULE.diag(format!(
                    "{what} is empty: {} is not below {}",
                    iv.low.value, iv.high.value
                ))
                .at_labelled(iv.span, "low edge first")
                .with_help("write the window as [low, high]"),
            );
        }
    }
    for site in sites(spec) {
        site.expr.expr.walk(&mut |e| {
            if let ExprKind::Window { low, high, .. } = &e.kind
                && let (Ok(lo), Ok(hi)) = (
                    eval_const(low, &|n: &str| ctx.spec.constant(n)),
                    eval_const(high, &|n: &str| ctx.spec.constant(n)),
                )
                && lo > hi
            {
                out.push(
                    RULE.diag(format!("window [{lo}, {hi}] is empty"))
                        .at_labelled(e.span, "low edge first")
                        .with_help("write the window as `x in [low, high]`"),
                );
            }
        });
    }
}
