//! ## What it does
//! Checks each `limits.model_plane`: its coupling range is positive and increasing (the
//! couplings are spaced in its logarithm) and holds at least two `points`, the scan's signal has a lifetime axis of at
//! least two lifetimes (the plane reads the limit at the lifetime each coupling gives,
//! interpolated between them), and the coupling's name is not already the scan
//! parameter's, the POI's or a constant's.
//!
//! ## Why is this bad?
//! `run` cannot space couplings in a range that is not positive, and without a lifetime
//! axis the limit does not depend on the coupling: the plane would only redraw the
//! one-dimensional limit. A coupling named like another quantity makes its formulas
//! ambiguous.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   signal: { toy: idm_dark_higgs_signal, events: 100000, seed: 22, masses: [0.5, 1.0] }
//! limits:
//!   model_plane:
//!     sin_theta: { range: [0, 1e-2], ctau: "2.7e-6 / (m_hp * sin_theta ** 2)", prediction: "1.5" }
//! ```
//!
//! ## Use instead
//! ```yaml
//! inputs:
//!   signal: { toy: idm_dark_higgs_signal, events: 100000, seed: 22, masses: [0.5, 1.0], ctau: [0.1, 1, 10, 100] }
//! limits:
//!   model_plane:
//!     sin_theta: { range: [1e-5, 1e-2], ctau: "2.7e-6 / (m_hp * sin_theta ** 2)", prediction: "1.5" }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::check::efficiency_source::resolve;
use crate::diag::{Diagnostic, Severity};

pub const RULE: Rule = Rule {
    code: "SL043",
    name: "model-plane",
    severity: Severity::Error,
    summary: "a model plane without a positive coupling range or a scan over lifetimes",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let Some(limits) = spec.limits.as_ref().filter(|l| !l.model_plane.is_empty()) else {
        return;
    };
    // The signal's lifetimes, read once (the efficiency source's own problems are other
    // rules' findings).
    let lifetimes = match resolve(spec, &ctx.base_dir) {
        Ok(Some(source)) => Some(source.lifetimes(spec).len()),
        _ => None,
    };
    for plane in &limits.model_plane {
        let (low, high) = (plane.range.low.value, plane.range.high.value);
        if !(low > 0.0 && high > low) {
            out.push(
                RULE.diag(format!(
                    "the couplings of model plane `{}` are spaced in their logarithm: the range must be positive and increasing",
                    plane.coupling.value
                ))
                .at_labelled(plane.range.span, "not 0 < low < high"),
            );
        }
        let name = plane.coupling.value.as_str();
        let scan_parameter = spec.scan.as_ref().map(|s| s.parameter.value.as_str());
        let poi = spec.model.as_ref().map(|m| m.poi().name.value.as_str());
        if Some(name) == scan_parameter || Some(name) == poi || spec.constant(name).is_some() {
            out.push(
                RULE.diag(format!(
                    "the coupling `{name}` is already the scan parameter, the POI or a constant"
                ))
                .at_labelled(plane.coupling.span, "ambiguous name"),
            );
        }
        if let Some(points) = plane.points.as_ref().filter(|p| p.value < 2) {
            out.push(
                RULE.diag(format!(
                    "model plane `{}` needs at least two couplings",
                    plane.coupling.value
                ))
                .at_labelled(points.span, "fewer than 2"),
            );
        }
        if lifetimes.is_some_and(|n| n < 2) {
            out.push(
                RULE.diag(format!(
                    "model plane `{}` needs a signal over at least two lifetimes",
                    plane.coupling.value
                ))
                .at_labelled(plane.ctau.span, "no lifetime axis to read")
                .with_help("give the signal toy a `ctau` grid, the signal files their generated `ctau`, or the efficiency table a `ctau` column"),
            );
        }
    }
}
