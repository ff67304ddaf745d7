//! The signal region a blinded run hides, in one place: the spec's
//! `blinding.signal_region` condition, and the observable inside the blinded window
//! around every hypothesis of the scan (`blinding.window` for fits, default 3 σ;
//! `counting.window` for cut-and-count). Data-wide outputs (cutflow, histograms, skims)
//! leave out every data candidate in it; per-hypothesis outputs (fits, fit plots,
//! expected limits) use the sidebands of that hypothesis' window only.

use crate::diag::Span;
use crate::expr::{BinOp, Expr, ExprKind};
use crate::spec::{DEFAULT_BLINDED_WINDOW, Model, Spec, Width};

/// Most separate windows hidden one by one; beyond, their whole span is hidden (more
/// than asked, never less).
pub const MAX_WINDOWS: usize = 64;

/// Half the width of the blinded window at hypothesis `m` with resolution `sigma`; None
/// for a spec without a model.
pub fn half_width(spec: &Spec, sigma: f64) -> Option<f64> {
    let width = match &spec.model {
        Some(Model::Fit(_)) => spec.blinding.window.as_ref(),
        Some(Model::Counting(c)) => Some(&c.window),
        None => return None,
    };
    Some(match width {
        Some(Width::Sigma(k)) => k.value * sigma,
        Some(Width::Absolute(w)) => w.value,
        None => DEFAULT_BLINDED_WINDOW * sigma,
    })
}

/// The blinded windows of the observable around the scan's hypotheses, merged into
/// disjoint intervals in increasing order (at most [`MAX_WINDOWS`]). A hypothesis whose
/// resolution cannot be evaluated hides the whole scan range widened by the largest
/// window found.
pub fn windows(spec: &Spec) -> Vec<(f64, f64)> {
    let Ok(grid) = crate::check::grid::grid(spec) else {
        return Vec::new();
    };
    let mut pieces = Vec::with_capacity(grid.len());
    let mut unknown = false;
    for m in grid
        .into_iter()
        .filter(|&m| !crate::check::grid::excluded(spec, m))
    {
        match super::sigma_at(spec, m)
            .ok()
            .and_then(|s| half_width(spec, s))
        {
            Some(h) if h.is_finite() && h >= 0.0 => pieces.push((m - h, m + h)),
            _ => {
                unknown = true;
                pieces.push((m, m));
            }
        }
    }
    let mut merged = merge(pieces);
    if unknown || merged.len() > MAX_WINDOWS {
        let widest = merged.iter().map(|(a, b)| b - a).fold(0.0, f64::max);
        merged = match (merged.first(), merged.last()) {
            (Some(first), Some(last)) => vec![(first.0 - widest, last.1 + widest)],
            _ => Vec::new(),
        };
    }
    merged
}

/// Overlapping or touching intervals joined, in increasing order.
fn merge(mut pieces: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (lo, hi) in pieces {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    merged
}

/// The condition of the data candidates a blinded run hides (see the module), or None
/// when the spec blinds nothing.
pub fn hidden(spec: &Spec) -> Option<Expr> {
    let node = |kind| Expr {
        kind,
        span: Span::default(),
    };
    let number = |x: f64| Box::new(node(ExprKind::Number(x, None)));
    let observable = spec.model.as_ref().map(|m| &m.observable().var.expr);
    let in_windows = observable.into_iter().flat_map(|var| {
        windows(spec).into_iter().map(|(lo, hi)| {
            node(ExprKind::Window {
                value: Box::new(var.clone()),
                low: number(lo),
                high: number(hi),
                negated: false,
            })
        })
    });
    spec.blinding
        .signal_region
        .as_ref()
        .map(|r| r.expr.clone())
        .into_iter()
        .chain(in_windows)
        .reduce(|a, b| node(ExprKind::Binary(BinOp::Or, Box::new(a), Box::new(b))))
}

/// What a blinded run hid, for results.json: the spec's condition (as written) and the
/// windows of the observable.
pub fn record(spec: &Spec) -> serde_json::Value {
    serde_json::json!({
        "signal_region": spec.blinding.signal_region.as_ref().map(|r| crate::expr::print(&r.expr)),
        "observable": spec.model.as_ref().map(|m| crate::expr::print(&m.observable().var.expr)),
        "windows": windows(spec),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_merge_when_they_overlap_or_touch() {
        assert_eq!(
            merge(vec![(3.0, 4.0), (0.0, 1.0), (1.0, 2.0), (3.5, 3.7)]),
            vec![(0.0, 2.0), (3.0, 4.0)]
        );
        assert!(merge(Vec::new()).is_empty());
    }
}
