//! `fit`: one fit of the data — the plain fit of `fit.components`, or a scan fit at one
//! hypothesis — with the options each kind takes checked against the spec before any
//! event is read, and its plots.

use super::{Prepared, execute};
use crate::analysis::plain_fit::{PlainFitReport, plain_fit};
use crate::analysis::{self, FitReport};
use crate::check::grid;
use crate::diag::{Diagnostic, codes};
use crate::report::{figures, fit_text};
use crate::shard::Shard;
use std::path::{Path, PathBuf};

/// What a `fit` asks for beyond the spec.
#[derive(Clone, Debug, Default)]
pub struct FitOptions {
    /// Fit only this channel.
    pub channel: Option<String>,
    /// The hypothesis of a scan fit (default: the first point of the scan).
    pub mass: Option<f64>,
    /// The signal's lifetime cτ of a scan fit over lifetimes (default: the first).
    pub ctau: Option<f64>,
    /// Points of the POI's profile likelihood (unblinded scan fits).
    pub profile: usize,
    /// MINOS intervals (plain fits).
    pub minos: bool,
    /// Impacts: on the POI of a scan fit (`Some("")`) or on the named parameter of a
    /// plain fit.
    pub impacts: Option<String>,
    /// Pseudo-experiments for the goodness of fit.
    pub gof: usize,
    /// The directory of the plots (the plain fit, the impacts).
    pub plots: Option<PathBuf>,
}

/// A fit's result.
#[derive(Debug, serde::Serialize)]
#[serde(untagged)]
pub enum Fitted {
    /// Of a plain fit.
    Plain(PlainFitReport),
    /// Of a scan fit at one hypothesis.
    Scan(FitReport),
}

impl Fitted {
    /// True when the fit converged with a valid covariance.
    pub fn converged(&self) -> bool {
        match self {
            Fitted::Plain(r) => r.status.is_valid(),
            Fitted::Scan(r) => r.status.is_valid(),
        }
    }

    /// The report as text.
    pub fn text(&self) -> String {
        match self {
            Fitted::Plain(r) => fit_text::plain_fit(r),
            Fitted::Scan(r) => fit_text::scan_fit(r),
        }
    }
}

/// Runs the prepared spec over every input and fits the selected candidates (in the
/// current thread pool); returns the result and the plot files written. Options that do
/// not belong to the spec's kind of fit are refused (SL213) before any event is read.
pub fn fit(
    prepared: &Prepared,
    options: &FitOptions,
) -> Result<(Fitted, Vec<PathBuf>), Diagnostic> {
    let spec = &prepared.spec;
    let channel = options.channel.as_deref();
    if spec.plain_fit.is_some() {
        let impacts_on = plain_options(options)?;
        let candidates = execute(prepared, Shard::WHOLE, false)?.candidates;
        let fitted = plain_fit(
            spec,
            &candidates,
            prepared.hidden.is_some(),
            channel,
            options.minos,
            impacts_on,
            options.gof,
        )?;
        let written = match &options.plots {
            Some(out) => plain_plots(prepared, out, &fitted)?,
            None => Vec::new(),
        };
        return Ok((Fitted::Plain(fitted), written));
    }
    let mass = scan_options(prepared, options)?;
    let candidates = execute(prepared, Shard::WHOLE, false)?.candidates;
    let fitted = analysis::fit_at(
        spec,
        &prepared.base,
        &candidates,
        &analysis::FitRequest {
            mass,
            ctau: options.ctau,
            channel,
            unblind: prepared.unblinded,
            profile_points: options.profile,
            impacts: options.impacts.is_some(),
            gof_toys: options.gof,
        },
    )?;
    let written = match (&options.plots, &fitted.impacts) {
        (Some(out), Some(impacts)) => written(figures::impacts(
            out,
            spec.analysis.display_title(),
            &impacts.impacts,
        ))?,
        _ => Vec::new(),
    };
    Ok((Fitted::Scan(fitted), written))
}

/// A plain fit's options checked; the parameter of its impacts.
fn plain_options(options: &FitOptions) -> Result<Option<&str>, Diagnostic> {
    if options.mass.is_some() || options.profile > 0 {
        return Err(usage(
            "--mass and --profile belong to scan fits; this spec has a plain fit",
        ));
    }
    match options.impacts.as_deref() {
        Some("") => Err(usage(
            "a plain fit has no POI: name the parameter, e.g. --impacts signal.yield",
        )),
        named => Ok(named),
    }
}

/// A scan fit's options checked; the hypothesis (the first of the scan by default).
fn scan_options(prepared: &Prepared, options: &FitOptions) -> Result<f64, Diagnostic> {
    let spec = &prepared.spec;
    if options.minos || (options.plots.is_some() && options.impacts.is_none()) {
        return Err(usage(
            "--minos and -o (but for --impacts) belong to plain fits (`fit.components`); this spec has a scan fit",
        ));
    }
    if options.impacts.as_deref().is_some_and(|p| !p.is_empty()) {
        return Err(usage(
            "a scan fit's impacts are on its POI: give --impacts without a value",
        ));
    }
    if options.profile > 0 && !prepared.unblinded {
        return Err(usage(
            "--profile scans the signal yield, which a blinded fit holds at 0; it needs \
             `blinding: { unblind: true }` in the spec and --unblind",
        ));
    }
    match options.mass {
        Some(m) => Ok(m),
        None => grid::grid(spec)
            .ok()
            .and_then(|g| g.into_iter().find(|&m| !grid::excluded(spec, m)))
            .ok_or_else(|| usage("give the hypothesis with --mass (the spec has no scan grid)")),
    }
}

/// The plain fit's plot, and its impacts' when asked for.
fn plain_plots(
    prepared: &Prepared,
    out: &Path,
    fitted: &PlainFitReport,
) -> Result<Vec<PathBuf>, Diagnostic> {
    let spec = &prepared.spec;
    let observable = spec
        .plain_fit
        .as_ref()
        .map(|p| crate::expr::print(&p.observable.var.expr))
        .unwrap_or_default();
    let title = spec.analysis.display_title();
    let mut files = written(figures::plain_fit(out, title, &observable, fitted))?;
    if let Some(impacts) = &fitted.impacts {
        files.extend(written(figures::impacts(out, title, impacts))?);
    }
    Ok(files)
}

/// Files written, or why they could not be.
fn written(files: Result<Vec<PathBuf>, String>) -> Result<Vec<PathBuf>, Diagnostic> {
    files.map_err(|e| Diagnostic::error(codes::OUTPUT, e))
}

/// A command-line option that contradicts the spec.
fn usage(message: &str) -> Diagnostic {
    Diagnostic::error(codes::USAGE, message)
}
