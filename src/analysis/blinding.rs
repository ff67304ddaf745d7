//! The signal region a blinded run hides, in one place: the spec's
//! `blinding.signal_region` condition, and the observable inside the blinded window
//! around every hypothesis of the scan (`blinding.window` for fits, default 3 σ;
//! `counting.window` for cut-and-count). Data-wide outputs (cutflow, histograms, skims)
//! leave out every data candidate in it; per-hypothesis outputs (fits, fit plots,
//! expected limits) use the sidebands of that hypothesis' window only.

use crate::diag::Span;
use crate::expr::{BinOp, Expr, ExprKind};
use crate::spec::{DEFAULT_BLINDED_WINDOW, Model, Spec};

/// Most separate windows hidden one by one; beyond, their whole span is hidden (more
/// than asked, never less).
pub const MAX_WINDOWS: usize = 64;

/// Half the width of the blinded window where the resolution is `sigma`; None for a spec
/// without a model.
pub fn half_width(spec: &Spec, sigma: f64) -> Option<f64> {
    let width = match &spec.model {
        Some(Model::Fit(_)) => spec.blinding.window.as_ref(),
        Some(Model::Counting(c)) => Some(&c.window),
        None => return None,
    };
    Some(width.map_or(DEFAULT_BLINDED_WINDOW * sigma, |w| w.at(sigma)))
}

/// The blinded windows of the observable around the scan's hypotheses, merged into
/// disjoint intervals in increasing order (at most [`MAX_WINDOWS`]: beyond, their whole
/// span). A hypothesis whose window cannot be computed (no resolution there, or a width
/// that is not a finite number) hides everything.
pub fn windows(spec: &Spec) -> Vec<(f64, f64)> {
    let everything = vec![(f64::NEG_INFINITY, f64::INFINITY)];
    let Ok(grid) = crate::check::grid::grid(spec) else {
        return everything;
    };
    let mut pieces = Vec::with_capacity(grid.len());
    for m in grid
        .into_iter()
        .filter(|&m| !crate::check::grid::excluded(spec, m))
    {
        match super::sigma_at(spec, m)
            .ok()
            .and_then(|s| half_width(spec, s))
        {
            Some(h) if h >= 0.0 && (m - h).is_finite() && (m + h).is_finite() => {
                pieces.push((m - h, m + h))
            }
            _ => return everything,
        }
    }
    let merged = merge(pieces);
    match (merged.first(), merged.last()) {
        (Some(first), Some(last)) if merged.len() > MAX_WINDOWS => vec![(first.0, last.1)],
        _ => merged,
    }
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

    #[test]
    fn windows_merge_and_any_width_is_hidden() {
        let text = "searchlight: 1\nanalysis: { name: t, n_bb: 7.7e8 }\ninputs:\n  data: { toy: idm_dark_higgs, events: 1000, seed: 1 }\n  signal: { toy: idm_dark_higgs_signal, events: 1000, seed: 2, masses: [0.5, 1.0] }\nfit:\n  observable: { var: M, range: [0.2, 4.2] }\n  signal: { pdf: gaussian, mean: m_hp, sigma: 0.01 }\n  background: { pdf: exponential, slope: { init: -1, range: [-5, 5] } }\n  efficiency: from(signal)\n  poi: { name: xsec, range: [0, 20] }\nscan: { parameter: m_hp, range: [0.3, 1.0], step: sigma }\nlimits: { cl: 0.95, method: cls-asymptotic }\nblinding: { window: WIDTH }\n";
        let windows_of = |width: &str| {
            let mut sources = crate::diag::SourceMap::new();
            let text = text.replace("WIDTH", width);
            let spec = crate::spec::load_str("t.yaml".as_ref(), &text, &mut sources)
                .unwrap_or_else(|_| panic!("{width}"));
            windows(&spec)
        };
        // σ = 0.01: one window from 0.27 to 1.03.
        let three = windows_of("3 sigma");
        assert_eq!(three.len(), 1);
        assert!((three[0].0 - 0.27).abs() < 1e-9 && (three[0].1 - 1.03).abs() < 1e-9);
        // A window wider than any range hides everything, however wide.
        let huge = windows_of("1e308 sigma");
        assert!(huge.len() == 1 && huge[0].0 < -1e300 && huge[0].1 > 1e300);
    }
}
