//! A plain fit (`fit.components`): the selected candidates of one input and channel
//! fitted by an extended unbinned likelihood, a sum of named components each with its
//! shape and yield; any shape parameter and yield may float (a yield with a Gaussian
//! constraint, e.g. a peaking background taken from simulation). MIGRAD and HESSE, MINOS
//! on request; no scan, no limits.

use std::collections::BTreeMap;

use serde::Serialize;

use super::components::{ChannelContext, Parameters};
use super::pdf::{Compiled, compile};
use super::{FittedParameter, InputCandidates, failure, usage, window_ranges};
use crate::diag::Diagnostic;
use crate::spec::{DATA_INPUT, Spec};
use crate::stats::likelihood::{Channel, Data, Likelihood};
use crate::stats::minuit::{self, Settings};

/// What `searchlight fit` reports of a plain fit (shape in docs/cli.md).
#[derive(Clone, Debug, Serialize)]
pub struct PlainFitReport {
    /// The input fitted.
    pub input: String,
    /// The channel fitted.
    pub channel: String,
    /// Candidates in the fit range.
    pub events: usize,
    /// Sum of their weights.
    pub sum_of_weights: f64,
    /// `converged`, `covariance_forced_positive`, `call_limit` or `failed`.
    pub status: minuit::Status,
    /// Estimated distance to the minimum.
    pub edm: f64,
    /// −2 ln L at the minimum (with the constraint terms).
    pub minus_two_ln_l: f64,
    /// Parameters by name (`component.parameter`, `component.yield`).
    pub parameters: BTreeMap<String, FittedParameter>,
    /// Free parameters in matrix order.
    pub order: Vec<String>,
    /// Covariance matrix (HESSE), in `order`.
    pub covariance: Vec<Vec<f64>>,
    /// Correlation matrix, in `order`.
    pub correlation: Vec<Vec<f64>>,
    /// Free parameters that ended at a bound.
    pub at_limit: Vec<String>,
    /// The constrained parameters' impacts on the parameter asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacts: Option<crate::stats::impacts::Impacts>,
    /// The goodness of fit, when asked for (on the plot's bins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goodness_of_fit: Option<crate::stats::gof::GoodnessOfFit>,
    /// The fit binned for a plot (not in the JSON).
    #[serde(skip)]
    pub figure: Figure,
}

/// A plain fit binned for a plot.
#[derive(Clone, Debug, Default)]
pub struct Figure {
    /// Bins (low, high) over the fit range, vetoed windows left out.
    pub bins: Vec<(f64, f64)>,
    /// Data (summed weights) per bin.
    pub observed: Vec<f64>,
    /// Fitted expectation per component per bin.
    pub components: Vec<(String, Vec<f64>)>,
}

/// Bins of a plain fit's plot.
const PLOT_BINS: usize = 50;

/// Fits the spec's plain fit to the selected candidates of its input (`hidden`: blinding
/// hides data, which a plain fit of `data` then refuses), in `channel` (needed when the
/// spec has several); MINOS intervals of every free parameter with `minos`, the impacts
/// of the constrained parameters on the parameter `impacts_on`, the goodness of fit from
/// `gof_toys` pseudo-experiments (0: none).
pub fn plain_fit(
    spec: &Spec,
    inputs: &[InputCandidates],
    hidden: bool,
    channel: Option<&str>,
    minos: bool,
    impacts_on: Option<&str>,
    gof_toys: usize,
) -> Result<PlainFitReport, Diagnostic> {
    let Some(plain) = &spec.plain_fit else {
        return Err(usage(
            spec.analysis.name.span,
            "the spec has no plain fit (`fit.components`)",
        ));
    };
    let input_name = plain
        .input
        .as_ref()
        .map_or(DATA_INPUT, |i| i.value.as_str());
    let span = plain.input.as_ref().map_or(plain.span, |i| i.span);
    let input = inputs
        .iter()
        .find(|i| i.name == input_name)
        .ok_or_else(|| failure(span, format!("no input named `{input_name}`")))?;
    if hidden && input_name == DATA_INPUT {
        return Err(failure(
            span,
            "the data are blinded: a plain fit of `data` would read the signal region",
        )
        .with_help("fit another input, or unblind (`blinding: { unblind: true }` and --unblind)"));
    }
    let channels: Vec<&str> = spec
        .channels
        .iter()
        .map(|c| c.name.value.as_str())
        .collect();
    let (index, channel_name) = match (channel, channels.as_slice()) {
        (None, []) => (0, "all"),
        (None, [only]) => (0, *only),
        (None, _) => {
            return Err(
                usage(plain.span, "the spec has several channels: choose one")
                    .with_help(format!("--channel with one of {}", channels.join(", "))),
            );
        }
        (Some(name), _) => {
            let index = channels.iter().position(|c| *c == name).ok_or_else(|| {
                usage(plain.span, format!("no channel named `{name}`"))
                    .with_help(format!("channels: {}", channels.join(", ")))
            })?;
            (index, name)
        }
    };
    let observable = &plain.observable;
    let range = (observable.range.low.value, observable.range.high.value);
    let text = crate::expr::print(&observable.var.expr);
    let vetoed: Vec<(f64, f64)> = spec
        .vetoes
        .iter()
        .filter(|v| crate::expr::print(&v.var.expr) == text)
        .map(|v| (v.window.low.value, v.window.high.value))
        .collect();
    let ranges = window_ranges(range, 0.5 * (range.0 + range.1), f64::INFINITY, &vetoed);
    let candidates = &input.candidates.channels[index];
    let inside = |x: f64| ranges.iter().any(|&(lo, hi)| lo <= x && x <= hi);
    let (x, w): (Vec<f64>, Vec<f64>) = candidates
        .x
        .iter()
        .zip(&candidates.weight)
        .filter(|&(&x, _)| inside(x))
        .map(|(&x, &w)| (x, w))
        .unzip();
    if x.is_empty() {
        return Err(failure(
            observable.var.span,
            format!("no selected candidate of `{input_name}` in the fit range"),
        ));
    }
    let compiled = plain
        .components
        .iter()
        .map(|c| {
            let compiled = compile(spec, &c.pdf, f64::NAN, f64::NAN, range)
                .map_err(|m| failure(c.pdf.span, m))?;
            if compiled
                .params
                .iter()
                .any(|p| matches!(p, Compiled::Fixed(v) if !v.is_finite()))
            {
                return Err(failure(
                    c.pdf.span,
                    format!(
                        "a fixed parameter of `{}` is not a finite number (plain fits have no hypothesis)",
                        c.name.value
                    ),
                ));
            }
            Ok(compiled)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut params = Parameters::default();
    let context = ChannelContext {
        spec,
        inputs,
        channel: (index, channel_name),
        mass: f64::NAN,
        domain: range,
        ranges: &ranges,
        suffix: String::new(),
        scalings: &[],
    };
    let components = context
        .components(&plain.components, &compiled, w.iter().sum(), &mut params)
        .map_err(|m| failure(plain.span, m))?;
    let Parameters {
        specs: params,
        constraints,
    } = params;
    let weighted = w.iter().any(|&v| v != 1.0);
    let sum_of_weights: f64 = w.iter().sum();
    let events = x.len();
    let channel = Channel {
        name: channel_name.to_owned(),
        ranges: ranges.clone(),
        components,
        data: Data::Unbinned {
            x: x.clone(),
            weights: weighted.then_some(w.clone()),
        },
    };
    let likelihood = Likelihood::new(vec![channel], constraints);
    let settings = Settings::default();
    let result = minuit::minimize(&likelihood, &params, settings);
    let parameters = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let interval = (minos && result.status.is_valid()).then(|| {
                let (low, high) = minuit::minos(&likelihood, &params, settings, &result, i);
                [low.error, high.error]
            });
            (
                p.name.clone(),
                FittedParameter {
                    value: result.values[i],
                    error: result.errors[i],
                    minos: interval,
                },
            )
        })
        .collect();
    let impacts = impacts_on
        .map(|name| {
            let free = || {
                params
                    .iter()
                    .filter(|p| !p.fixed)
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let index = params
                .iter()
                .position(|p| p.name == name && !p.fixed)
                .ok_or_else(|| {
                    usage(plain.span, format!("no free parameter named `{name}`"))
                        .with_help(format!("--impacts takes one of {}", free()))
                })?;
            if !result.status.is_valid() {
                return Err(failure(
                    plain.span,
                    format!("impacts: the fit did not converge ({:?})", result.status),
                ));
            }
            crate::stats::impacts::impacts(&likelihood, &params, index, &result, settings)
                .map_err(|m| failure(plain.span, format!("impacts: {m}")))
        })
        .transpose()?;
    let covariance = result.covariance.rows();
    let correlation = covariance
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, &c)| c / (covariance[i][i] * covariance[j][j]).sqrt())
                .collect()
        })
        .collect();
    let bins = super::fit_scan::plot_bins(&ranges, PLOT_BINS);
    let observed = bins
        .iter()
        .enumerate()
        .map(|(k, &(lo, hi))| {
            let last = k + 1 == bins.len() || bins[k + 1].0 != hi;
            x.iter()
                .zip(&w)
                .filter(|&(&v, _)| lo <= v && (v < hi || (last && v == hi)))
                .map(|(_, &w)| w)
                .sum()
        })
        .collect();
    let goodness_of_fit = (gof_toys > 0)
        .then(|| {
            crate::stats::gof::goodness_of_fit(
                &likelihood,
                &params,
                &result,
                std::slice::from_ref(&bins),
                gof_toys,
                super::GOF_SEED,
            )
            .map_err(|m| failure(plain.span, format!("goodness of fit: {m}")))
        })
        .transpose()?;
    let expected = likelihood.channels[0].expected_in_bins(&result.values, &bins);
    let figure = Figure {
        components: likelihood.channels[0]
            .components
            .iter()
            .map(|c| c.name.clone())
            .zip(expected)
            .collect(),
        bins,
        observed,
    };
    Ok(PlainFitReport {
        input: input_name.to_owned(),
        channel: channel_name.to_owned(),
        events,
        sum_of_weights,
        status: result.status,
        edm: result.edm,
        minus_two_ln_l: 2.0 * result.fval,
        parameters,
        order: params.iter().map(|p| p.name.clone()).collect(),
        covariance,
        correlation,
        at_limit: result.at_limit,
        impacts,
        goodness_of_fit,
        figure,
    })
}
