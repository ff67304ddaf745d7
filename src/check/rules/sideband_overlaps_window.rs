//! ## What it does
//! Finds cut-and-count sidebands that overlap the signal window (both in units of the
//! resolution σ), counting windows at least as wide as the observable's whole range, and
//! a fit scan's blinded window (`blinding.window`) as wide as its fit window, or given to
//! a counting scan (which blinds its `counting.window`).
//!
//! ## Why is this bad?
//! The background is estimated from the sidebands: a sideband inside the window counts
//! signal as background (and, blinded, looks into the signal region), and a window over
//! the whole range leaves no sideband and no hypothesis its own place. A blinded fit
//! fits its background to the fit window outside the blinded window: without sidebands
//! there is nothing to fit.
//!
//! ## Example
//! ```yaml
//! counting:
//!   window: 2 sigma
//!   sidebands: [[-6, -1], [1, 6]]
//! ```
//!
//! ## Use instead
//! ```yaml
//! counting:
//!   window: 2 sigma
//!   sidebands: [[-6, -3], [3, 6]]
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity};
use crate::spec::{Model, Width};

pub const RULE: Rule = Rule {
    code: "SL034",
    name: "sideband-overlaps-window",
    severity: Severity::Error,
    summary: "a sideband inside the signal window, or a window over the whole range",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let (window, range) = match &ctx.spec.model {
        Some(Model::Counting(c)) => {
            if let Width::Sigma(k) = &c.window {
                for s in c.sidebands.iter().filter(|s| s.low.value < s.high.value) {
                    if s.low.value < k.value && -k.value < s.high.value {
                        out.push(
                            RULE.diag(format!(
                                "the sideband [{}, {}] σ overlaps the signal window ±{} σ",
                                s.low.value, s.high.value, k.value
                            ))
                            .at_labelled(s.span, "reaches into the window")
                            .with_help(format!("start the sidebands at ±{} σ or beyond", k.value)),
                        );
                    }
                }
            }
            (&c.window, &c.observable.range)
        }
        Some(Model::Fit(f)) => {
            blinded_fit_window(ctx, f, out);
            return;
        }
        None => return,
    };
    if let Some(w) = &ctx.spec.blinding.window {
        let span = w.span();
        out.push(
            RULE.diag(
                "`blinding.window` is for fit scans; a counting scan blinds its `counting.window`",
            )
            .at_labelled(span, "not used by `counting:`")
            .with_help("remove it, or widen `counting.window`"),
        );
    }
    if let Width::Absolute(half) = window
        && 2.0 * half.value >= range.high.value - range.low.value
    {
        out.push(
            RULE.diag(format!(
                "a window of ±{} covers the observable's whole range [{}, {}]",
                half.value, range.low.value, range.high.value
            ))
            .at_labelled(half.span, "wider than the range")
            .with_help("a window is a few resolutions wide: `window: 2 sigma`"),
        );
    }
}

/// A blinded window at least as wide as the fit window leaves no sideband.
fn blinded_fit_window(ctx: &LintContext, fit: &crate::spec::Fit, out: &mut Vec<Diagnostic>) {
    let blinded = match &ctx.spec.blinding.window {
        Some(w) => w.clone(),
        None => Width::Sigma(crate::diag::Spanned::new(
            crate::spec::DEFAULT_BLINDED_WINDOW,
            ctx.spec.blinding.unblind.span,
        )),
    };
    let too_wide = match (&blinded, &fit.window) {
        (Width::Sigma(b), Some(Width::Sigma(f))) => (b.value >= f.value).then_some((b, f, " σ")),
        (Width::Absolute(b), Some(Width::Absolute(f))) => {
            (b.value >= f.value).then_some((b, f, ""))
        }
        _ => None,
    };
    if let Some((b, f, unit)) = too_wide {
        let (default, span) = match &ctx.spec.blinding.window {
            Some(_) => ("", b.span),
            None => (" (the default)", f.span),
        };
        out.push(
            RULE.diag(format!(
                "the blinded window ±{}{unit}{default} is as wide as the fit window ±{}{unit}: a blinded fit has no sideband to fit its background to",
                b.value, f.value
            ))
            .at_labelled(span, "no sideband left")
            .with_help("widen `fit.window`, or narrow `blinding.window`"),
        );
        return;
    }
    // Otherwise, at the scan's hypotheses: a window that leaves no sideband at any of them
    // (inside the observable's range) fails every point of a blinded run.
    if let (Some(window), Ok(grid)) = (
        &ctx.spec.blinding.window,
        crate::check::grid::grid(ctx.spec),
    ) {
        let (lo, hi) = (
            fit.observable.range.low.value,
            fit.observable.range.high.value,
        );
        let sideband_at = |m: f64| {
            let Some(Ok(sigma)) = crate::check::grid::sigma_at(ctx.spec, m) else {
                return true; // other rules report a resolution that cannot be evaluated
            };
            let half = fit.window.as_ref().map_or(f64::INFINITY, |f| f.at(sigma));
            let blinded = window.at(sigma);
            lo.max(m - half) < m - blinded || m + blinded < hi.min(m + half)
        };
        let points: Vec<f64> = grid
            .into_iter()
            .filter(|&m| !crate::check::grid::excluded(ctx.spec, m))
            .collect();
        if !points.is_empty() && !points.iter().any(|&m| sideband_at(m)) {
            out.push(
                RULE.diag("the blinded window leaves no sideband in the observable's range at any hypothesis: a blinded fit has nothing to fit its background to")
                    .at_labelled(window.span(), "no sideband left")
                    .with_help("narrow `blinding.window`"),
            );
        }
    }
}
