//! The sliding-window fit scan: at each hypothesis, an extended unbinned likelihood of
//! the observable in a window around it (vetoed windows removed from data and from the
//! normalisation), signal shape at the hypothesis, a background with floating shape and
//! yield per channel, the signal yield POI × scale × efficiency × nuisances shared by the
//! channels (or one POI per channel), and asymptotic CLs upper limits.

use std::sync::Arc;

use rayon::prelude::*;

mod background_choice;

pub use background_choice::{
    BackgroundReport, FunctionReport, OrderChoice, OrderTest, SpuriousSignal,
};

use super::blinding;
use super::collect::Candidates;
use super::components::{ChannelContext, Parameters, Scaling, scale_parameters};
use super::global_toys::Rescan;
use super::pdf::{CompiledPdf, compile};
use super::{ScanInputs, ScanPoint, channel_groups, window_ranges};
use crate::spec::{Fit, NuisanceTarget, Spec, SystematicKind};
use crate::stats::asymptotic::{Cls, Model, background_only_fit, discovery_q0};
use crate::stats::interpolation::Code4;
use crate::stats::likelihood::{Channel, Component, Constraint, Data, Likelihood, Value};
use crate::stats::minuit::{Bounds, ParamSpec, Settings, minimize};
use crate::stats::toys::upper_limits_toys;

/// Everything a fit scan needs besides the hypotheses.
pub struct FitScan<'a> {
    /// The spec (for expressions of the hypothesis).
    pub spec: &'a Spec,
    /// Its `fit:`.
    pub fit: &'a Fit,
    /// Data, efficiencies, channels and settings shared with counting scans.
    pub common: ScanInputs<'a>,
}

impl<'a> FitScan<'a> {
    /// This scan with the efficiency tables `tables` (those of one lifetime).
    pub fn with_efficiency<'b>(
        &self,
        tables: &'b [super::efficiency::EfficiencyTable],
    ) -> FitScan<'b>
    where
        'a: 'b,
    {
        FitScan {
            spec: self.spec,
            fit: self.fit,
            common: ScanInputs {
                efficiency: tables,
                ..self.common.clone()
            },
        }
    }

    /// This scan with another fit of the same spec.
    pub fn with_fit<'b>(&'b self, fit: &'b Fit) -> FitScan<'b> {
        FitScan {
            spec: self.spec,
            fit,
            common: self.common.clone(),
        }
    }

    /// Scan points for every hypothesis (in parallel; each point is independent, so the
    /// result does not depend on the thread count).
    pub fn run(
        &self,
        grid: &[f64],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Vec<ScanPoint> {
        self.jobs(grid, sigma)
            .par_iter()
            .enumerate()
            .map(|(index, (m, active))| {
                let channel = self
                    .fit
                    .poi
                    .per_channel
                    .value
                    .then(|| self.common.channels[active[0]].clone());
                let mut point = ScanPoint::new(*m, channel, None);
                // Pseudo-experiments' seed: from the point's place in the scan.
                let seed = (index as u64 + 1).wrapping_mul(0xD1B5_4A32_D192_ED03);
                match sigma(*m).and_then(|s| self.point(*m, s, active, seed, &mut point)) {
                    Ok(()) => {}
                    Err(message) => point.status = format!("failed: {message}"),
                }
                point
            })
            .collect()
    }

    /// The scan's fits in order: each hypothesis of `grid` with the channels fitted there
    /// (per POI group; hypotheses where no channel is open are left out).
    fn jobs(
        &self,
        grid: &[f64],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Vec<(f64, Vec<usize>)> {
        channel_groups(self.fit.poi.per_channel.value, self.common.channels.len())
            .iter()
            .flat_map(|group| grid.iter().map(move |&m| (m, self.fitted(m, group, sigma))))
            .filter(|(_, active)| !active.is_empty())
            .collect()
    }

    /// The channels of `group` fitted at `m`: open there ([`ScanInputs::active`]) and,
    /// when they have a kinematic endpoint, with the whole fit window below it. No
    /// background shape of the spec follows the edge where a spectrum ends, and a window
    /// across it fits the turn-off as a signal (a 16σ "excess" at the K⁺ endpoint of the
    /// B → h + invisible toy before this rule).
    pub(super) fn fitted(
        &self,
        m: f64,
        group: &[usize],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Vec<usize> {
        // Without a resolution the point fails later, saying why.
        let half = sigma(m).map_or(0.0, |s| self.half_window(s));
        self.common
            .active(m, group, None)
            .into_iter()
            .filter(|&c| {
                half.is_infinite() || self.common.endpoints[c].is_none_or(|end| m + half <= end)
            })
            .collect()
    }

    /// Expected signal events per unit POI at `m` over the signal channels of `active`.
    fn signal_per_poi(&self, m: f64, active: &[usize]) -> f64 {
        active
            .iter()
            .filter(|&&c| !self.is_control(c))
            .map(|&c| self.common.scale_at(c, m) * self.common.efficiency[c].at(m, None))
            .sum()
    }

    /// Whether channel `c` is a control region (`control: true`: no signal).
    fn is_control(&self, c: usize) -> bool {
        self.common.control[c]
    }

    /// Half the width of the fit window at resolution `sigma` (infinite: the whole range).
    fn half_window(&self, sigma: f64) -> f64 {
        self.fit
            .window
            .as_ref()
            .map_or(f64::INFINITY, |w| w.at(sigma))
    }

    /// The likelihood at hypothesis `m` (resolution `sigma`) over channels `active`, and
    /// its parameters: the POI first, then the nuisances, then per channel the floating
    /// shape parameters and the background yields.
    pub fn model_at(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
    ) -> Result<(Likelihood, Vec<ParamSpec>), String> {
        self.model(m, sigma, active, None)
            .map(|(likelihood, params, _)| (likelihood, params.specs))
    }

    /// [`FitScan::model_at`] with the data and the normalisation limited to the fit
    /// window's sidebands when `blinded` holds the half-width of the blinded window (the
    /// shapes keep the whole window's domain, so that their parameters mean the same);
    /// with the compiled PDFs, to rebuild it over other ranges.
    fn model(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
        blinded: Option<f64>,
    ) -> Result<(Likelihood, Parameters, Compiled), String> {
        let whole = self.model_ranges(m, sigma)?;
        let domain = (whole[0].0, whole[whole.len() - 1].1);
        let ranges = match blinded {
            None => whole,
            Some(w) => {
                let mut removed = self.common.vetoed.clone();
                removed.push((m - w, m + w));
                window_ranges(domain, m, f64::INFINITY, &removed)
            }
        };
        let mut compiled = Compiled {
            nuisances: Vec::new(),
            asymmetric: Vec::new(),
            signal: compile(self.spec, &self.fit.signal, m, sigma, domain)?,
            backgrounds: self
                .fit
                .backgrounds
                .iter()
                .map(|c| compile(self.spec, &c.pdf, m, sigma, domain))
                .collect::<Result<_, _>>()?,
            domain,
        };
        let expected_per_poi = self.signal_per_poi(m, active);
        if !(expected_per_poi > 0.0 && expected_per_poi.is_finite()) {
            return Err(format!(
                "no limit: {expected_per_poi} signal events per unit {} here",
                self.fit.poi.name.value
            ));
        }
        let mut params = Parameters::default();
        let poi_high = self.fit.poi.range.high.value;
        // The POI starts at about three signal events: far enough from its lower bound,
        // where the bounded-parameter transformation compresses the scale, for MIGRAD to
        // travel freely in either direction.
        let one_event = (1.0 / expected_per_poi.max(1e-300)).min(0.01 * poi_high);
        params.bind(
            ParamSpec::new(
                &self.fit.poi.name.value,
                3.0 * one_event,
                one_event,
                Bounds::Both(self.fit.poi.range.low.value.max(0.0), poi_high),
            ),
            |_| None,
        );
        for n in &self.fit.nuisances {
            let (up, down) = super::widths_at(self.spec, n, m);
            if !(up > 0.0 && up.is_finite() && down > 0.0 && down < 1.0) {
                return Err(format!(
                    "nuisance `{}` has the relative widths +{up} / -{down} at this hypothesis",
                    n.name.value
                ));
            }
            if n.down.is_some() {
                // An asymmetric width: α ~ N(0, 1), the factor interpolated from 1 − down
                // to 1 + up by HistFactory's code 4 (pyhf's normsys).
                let alpha = params.bind(
                    ParamSpec::new(&n.name.value, 0.0, 1.0, Bounds::Both(-5.0, 5.0)),
                    |param| {
                        Some(Constraint::Gaussian {
                            param,
                            mean: 0.0,
                            sigma: 1.0,
                        })
                    },
                );
                compiled.nuisances.push(alpha);
                compiled
                    .asymmetric
                    .push(Some(Code4::new(1.0 + up, 1.0 - down)));
            } else {
                compiled.nuisances.push(params.nuisance(
                    &n.name.value,
                    up,
                    n.constraint.value == "lognormal",
                ));
                compiled.asymmetric.push(None);
            }
        }
        let channels = active
            .iter()
            .map(|&c| self.channel(m, c, &ranges, &compiled, &mut params, true))
            .collect::<Result<_, _>>()?;
        let likelihood = Likelihood::new(channels, params.constraints.clone());
        Ok((likelihood, params, compiled))
    }

    /// Channel `c` of the model at `m` over `ranges` (ended at its endpoint), with its
    /// data there when `with_data` (else none: a model to generate Asimov data from).
    fn channel(
        &self,
        m: f64,
        c: usize,
        ranges: &[(f64, f64)],
        compiled: &Compiled,
        params: &mut Parameters,
        with_data: bool,
    ) -> Result<Channel, String> {
        // Nothing lies beyond a channel's kinematic endpoint: a window over the whole
        // range ends there (finite windows stay below it, see `fitted`).
        let ranges = channel_ranges(ranges, self.common.endpoints[c]);
        let name = &self.common.channels[c];
        if ranges.is_empty() {
            return Err(format!(
                "channel `{name}` has no sideband outside the blinded window"
            ));
        }
        let candidates = &self.common.data.channels[c];
        let inside = |v: &f64| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(v));
        let x: Vec<f64> = match with_data {
            true => candidates.x.iter().copied().filter(inside).collect(),
            false => Vec::new(),
        };
        let weights = (with_data && self.common.weighted).then(|| {
            candidates
                .x
                .iter()
                .zip(&candidates.weight)
                .filter(|(v, _)| inside(v))
                .map(|(_, &w)| w)
                .collect::<Vec<f64>>()
        });
        // The spec's nuisances acting here: on the signal yield, or scaling another yield
        // or a shape parameter.
        let mut theta = Vec::new();
        let mut asymmetric = Vec::new();
        let mut scalings = Vec::new();
        for ((n, &index), code4) in self
            .fit
            .nuisances
            .iter()
            .zip(&compiled.nuisances)
            .zip(&compiled.asymmetric)
        {
            if !n.acts_in(name) {
                continue;
            }
            let (component, parameter) = match (n.target(), code4) {
                (NuisanceTarget::SignalYield, None) => {
                    theta.push(index);
                    continue;
                }
                (NuisanceTarget::SignalYield, Some(code4)) => {
                    asymmetric.push(SignalFactor::Interpolated(index, code4.clone()));
                    continue;
                }
                (NuisanceTarget::Yield(component), _) => (component, None),
                (NuisanceTarget::Parameter(component, parameter), _) => {
                    (component, Some(parameter.to_owned()))
                }
            };
            scalings.push(Scaling {
                component: component.to_owned(),
                parameter,
                theta: index,
                interpolation: code4.clone(),
            });
        }
        let context = ChannelContext {
            spec: self.spec,
            inputs: self.common.inputs,
            channel: (c, name),
            mass: m,
            domain: compiled.domain,
            ranges: &ranges,
            suffix: format!("[{name}]"),
            scalings: &scalings,
        };
        let mut components = Vec::new();
        // A control region has no signal: its backgrounds only, their parameters shared
        // with the signal channels' where the spec says `shared: true`.
        if !self.is_control(c) {
            let signal_params = scale_parameters(
                params.of_pdf(&compiled.signal, |p| format!("signal.{p}[{name}]")),
                &compiled.signal,
                "signal",
                &scalings,
            )?;
            let per_poi = self.common.scale_at(c, m) * self.common.efficiency[c].at(m, None);
            let mut systematics = self.systematics(m, c, params)?;
            systematics.extend(asymmetric);
            components.push(Component {
                name: "signal".into(),
                shape: context.shape(&compiled.signal)?,
                params: signal_params,
                yield_: Value::Derived(Arc::new(move |p: &[f64]| {
                    p[0] * per_poi
                        * theta.iter().map(|&k| p[k]).product::<f64>()
                        * systematics.iter().map(|s| s.at(p)).product::<f64>()
                })),
            });
        }
        components.extend(context.components(
            &self.fit.backgrounds,
            &compiled.backgrounds,
            weights.as_ref().map_or(x.len() as f64, |w| w.iter().sum()),
            params,
        )?);
        Ok(Channel {
            name: name.clone(),
            ranges,
            components,
            data: Data::Unbinned { x, weights },
        })
    }

    /// Fits and limits at hypothesis `m` over channels `active`.
    fn point(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
        seed: u64,
        point: &mut ScanPoint,
    ) -> Result<(), String> {
        if self.fit.background_choice.is_some() {
            return self.point_with_choice(m, sigma, active, seed, point);
        }
        // Blinded, nothing is built from the data of the whole window (not even start
        // values or step sizes): the model and its parameters are the sidebands'.
        let (likelihood, params, generating) = match self.common.unblind {
            true => {
                let (likelihood, params) = self.model_at(m, sigma, active)?;
                (likelihood, params, None)
            }
            false => {
                let blinded = self.blinded_expectation(m, sigma, active)?;
                (blinded.expected, blinded.params, Some(blinded.generating))
            }
        };
        let cls = match &generating {
            None => Cls::new(&likelihood, &params, 0),
            Some(generating) => Ok(Cls::expected_only(&likelihood, &params, 0, generating)),
        }
        .map_err(|e| e.to_string())?;
        let limits = match self.toys() {
            None => cls.upper_limits(self.common.cl, self.common.unblind),
            // Blinded, the toys' "observed" data are the background-only Asimov data,
            // whose limit is not reported.
            Some(toys) => upper_limits_toys(&likelihood, &params, 0, self.common.cl, toys, seed)
                .map(|(limits, _)| limits),
        }
        .map_err(|e| e.to_string())?;
        point.expected = Some(limits.expected);
        if self.common.unblind {
            point.observed = Some(limits.observed);
            point.fitted_poi = Some(cls.best.values[0]);
            point.fitted_poi_error = cls.poi_error();
            point.local_significance = Some(cls.q0().sqrt());
        }
        point.status = "ok".into();
        Ok(())
    }
}

impl FitScan<'_> {
    /// Pseudo-experiments per μ when the limits are `cls-toys` (None: asymptotic).
    fn toys(&self) -> Option<usize> {
        let limits = self.spec.limits.as_ref()?;
        (limits.method.value == "cls-toys").then(|| {
            limits
                .toys
                .as_ref()
                .map_or(super::count_scan::DEFAULT_TOYS, |t| {
                    usize::try_from(t.value).unwrap_or(usize::MAX)
                })
        })
    }

    /// The factors `systematics` put on the signal yield of channel `c` at `m`: a weight
    /// variation's efficiency ratios interpolated by HistFactory's code 4 in its α
    /// (shared by the channels, a unit Gaussian constraint), the MC-statistical
    /// uncertainty a θ of the channel's own.
    fn systematics(
        &self,
        m: f64,
        c: usize,
        params: &mut Parameters,
    ) -> Result<Vec<SignalFactor>, String> {
        let channel = &self.common.channels[c];
        let table = &self.common.efficiency[c];
        let nominal = table.at(m, None);
        let mut variation = 0;
        let mut factors = Vec::new();
        for s in &self.spec.systematics {
            let acts = s.channels.is_empty() || s.channels.iter().any(|n| n.value == *channel);
            match &s.kind {
                SystematicKind::Weight { .. } | SystematicKind::Columns { .. } => {
                    let (up, down) = table.varied_at(m, None, variation);
                    variation += 1;
                    if !acts {
                        continue;
                    }
                    let (hi, lo) = (up / nominal, down / nominal);
                    if !(hi > 0.0 && lo > 0.0 && hi.is_finite() && lo.is_finite()) {
                        return Err(format!(
                            "systematic `{}` gives channel `{channel}` the efficiencies {up} and {down} against {nominal}",
                            s.name.value
                        ));
                    }
                    let alpha = params.bind(
                        ParamSpec::new(&s.name.value, 0.0, 1.0, Bounds::Both(-5.0, 5.0)),
                        |param| {
                            Some(Constraint::Gaussian {
                                param,
                                mean: 0.0,
                                sigma: 1.0,
                            })
                        },
                    );
                    factors.push(SignalFactor::Interpolated(alpha, Code4::new(hi, lo)));
                }
                SystematicKind::McStat => {
                    let relative = table.uncertainty_at(m, None) / nominal;
                    if acts && relative > 0.0 {
                        let name = format!("{}[{channel}]", s.name.value);
                        factors.push(SignalFactor::Scaled(
                            params.nuisance(&name, relative, false),
                        ));
                    }
                }
            }
        }
        Ok(factors)
    }

    /// Blinded: the model of the whole fit window with Asimov data of the background
    /// alone as fitted to the sidebands (no data of the blinded window is read).
    pub fn blinded_expectation(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
    ) -> Result<BlindedExpectation, String> {
        let half = self.blinded_half_width(sigma);
        let (sidebands, mut params, compiled) = self.model(m, sigma, active, Some(half))?;
        // The background-only fit as the unblinded expected band makes it (μ = 0, no
        // HESSE: only its minimum is used), to the sidebands.
        params.specs[0].value = 0.0;
        let fit = background_only_fit(&sidebands, &params.specs, 0)
            .map_err(|e| format!("sidebands: {e}"))?;
        // Over the whole window: the same components (a sample's normalisation counted
        // over the whole window), each free yield its sideband yield scaled by the fitted
        // shape's integrals; parameters that only the whole window has start where their
        // spec says.
        let whole = self.model_ranges(m, sigma)?;
        let channels = active
            .iter()
            .map(|&c| self.channel(m, c, &whole, &compiled, &mut params, false))
            .collect::<Result<Vec<_>, _>>()?;
        let mut generating = fit.values.clone();
        generating.extend(params.specs[fit.values.len()..].iter().map(|p| p.value));
        for (channel, sideband) in channels.iter().zip(&sidebands.channels) {
            let integrals = sideband.expected_in_bins(&fit.values, &channel.ranges);
            for (component, integral) in sideband.components.iter().zip(integrals) {
                if let Value::Free(k) = component.yield_
                    && component.name != "signal"
                {
                    generating[k] = integral.iter().sum();
                }
            }
        }
        let expected = Likelihood::new(channels, params.constraints);
        Ok(BlindedExpectation {
            expected: Model::asimov(&expected, &generating),
            params: params.specs,
            generating,
            sideband_nll: fit.fval,
        })
    }

    /// The median local significance of `events` generated signal events at `m` (an
    /// injection's): √q₀ of the Asimov data of the background fitted without signal (to
    /// the sidebands while blinded) plus a POI giving those events' expected selected
    /// candidates, Σ_c events·ε_c over Σ_c scale_c·ε_c. One POI for all channels only.
    pub fn expected_significance(&self, m: f64, sigma: f64, events: f64) -> Result<f64, String> {
        if self.fit.poi.per_channel.value {
            return Err("channels with their own POIs have no one significance".into());
        }
        let all: Vec<usize> = (0..self.common.channels.len()).collect();
        let active = self.fitted(m, &all, &|_| Ok(sigma));
        if let Some(chosen) = self.chosen_fit(m, sigma, &active)? {
            return self
                .with_fit(&chosen)
                .expected_significance(m, sigma, events);
        }
        let (signal, per_poi) = active.iter().fold((0.0, 0.0), |(s, p), &c| {
            let e = self.common.efficiency[c].at(m, None);
            (s + events * e, p + self.common.scale_at(c, m) * e)
        });
        if per_poi.is_nan() || per_poi <= 0.0 {
            return Err(format!("no channel is open at {m}"));
        }
        let (model, params, mut generating) = match self.common.unblind {
            true => {
                let (likelihood, params) = self.model_at(m, sigma, &active)?;
                let fit =
                    background_only_fit(&likelihood, &params, 0).map_err(|e| e.to_string())?;
                (likelihood, params, fit.values)
            }
            false => {
                let blinded = self.blinded_expectation(m, sigma, &active)?;
                (blinded.expected, blinded.params, blinded.generating)
            }
        };
        generating[0] = signal / per_poi;
        let asimov = Model::asimov(&model, &generating);
        discovery_q0(&asimov, &params, 0)
            .map(f64::sqrt)
            .map_err(|e| e.to_string())
    }

    /// The fit window at `m` with the vetoed windows cut out.
    fn model_ranges(&self, m: f64, sigma: f64) -> Result<Vec<(f64, f64)>, String> {
        let range = (
            self.fit.observable.range.low.value,
            self.fit.observable.range.high.value,
        );
        let ranges = window_ranges(range, m, self.half_window(sigma), &self.common.vetoed);
        if ranges.is_empty() {
            return Err("the fit window is empty after vetoes".into());
        }
        Ok(ranges)
    }

    /// Half the width of the blinded window at resolution `sigma`.
    fn blinded_half_width(&self, sigma: f64) -> f64 {
        blinding::half_width(self.spec, sigma).unwrap_or(f64::INFINITY)
    }

    /// The model a run may look at, at hypothesis `m` over channels `active`:
    /// unblinded, the whole fit window ([`FitScan::model_at`]); blinded, its sidebands
    /// with the signal yield held at 0. With it, the blinded half-width (None when
    /// unblinded).
    pub fn visible_model(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
    ) -> Result<(Likelihood, Vec<ParamSpec>, Option<f64>), String> {
        let blinded = (!self.common.unblind).then(|| self.blinded_half_width(sigma));
        let (likelihood, params, _) = self.model(m, sigma, active, blinded)?;
        let mut params = params.specs;
        if blinded.is_some() {
            params[0].value = 0.0;
            params[0].fixed = true;
        }
        Ok((likelihood, params, blinded))
    }
}

/// A factor on the signal yield from a systematic.
enum SignalFactor {
    /// Code-4 interpolation in the parameter at this index.
    Interpolated(usize, Code4),
    /// The parameter at this index.
    Scaled(usize),
}

impl SignalFactor {
    fn at(&self, p: &[f64]) -> f64 {
        match self {
            SignalFactor::Interpolated(k, code4) => code4.at(p[*k]),
            SignalFactor::Scaled(k) => p[*k],
        }
    }
}

/// A fit's PDFs compiled at one hypothesis, over the fit window's `domain`, and the
/// parameters of the spec's nuisances (in spec order).
struct Compiled {
    nuisances: Vec<usize>,
    /// Per nuisance, for an asymmetric one (on the signal yield): its code-4 factor in
    /// the parameter at the same index of `nuisances`.
    asymmetric: Vec<Option<Code4>>,
    signal: CompiledPdf,
    backgrounds: Vec<CompiledPdf>,
    domain: (f64, f64),
}

/// What a blinded fit scan computes expected limits from.
pub struct BlindedExpectation {
    /// The model of the whole fit window with the Asimov data of the background alone.
    pub expected: Likelihood,
    /// Its parameters, with start values and steps from the sidebands.
    pub params: Vec<ParamSpec>,
    /// The parameters that generated the Asimov data: the sideband fit (POI 0), each
    /// background yield scaled to the whole window.
    pub generating: Vec<f64>,
    /// −ln L of the background-only fit to the sidebands.
    pub sideband_nll: f64,
}

/// `ranges` ended at a channel's kinematic endpoint: nothing lies beyond it.
fn channel_ranges(ranges: &[(f64, f64)], end: Option<f64>) -> Vec<(f64, f64)> {
    match end {
        Some(end) => ranges
            .iter()
            .filter(|&&(lo, _)| lo < end)
            .map(|&(lo, hi)| (lo, hi.min(end)))
            .collect(),
        None => ranges.to_vec(),
    }
}

impl Rescan for FitScan<'_> {
    /// √q₀ at every fit of the scan on `data`.
    fn local_significances_on(
        &self,
        data: &Candidates,
        grid: &[f64],
        sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    ) -> Vec<Option<f64>> {
        let scan = FitScan {
            common: self.common.on(data),
            ..*self
        };
        scan.jobs(grid, sigma)
            .into_iter()
            .map(|(m, active)| {
                let (likelihood, params) = scan.model_at(m, sigma(m).ok()?, &active).ok()?;
                discovery_q0(&likelihood, &params, 0).ok().map(f64::sqrt)
            })
            .collect()
    }
}

/// A channel's fit at one hypothesis, binned for a plot.
#[derive(Clone, Debug)]
pub struct FitFigure {
    /// Hypothesis.
    pub mass: f64,
    /// Channel.
    pub channel: String,
    /// Bins (low, high) over the fit window, vetoed windows left out.
    pub bins: Vec<(f64, f64)>,
    /// Data counts per bin (NaN: a bin reaching into the blinded window).
    pub observed: Vec<f64>,
    /// Fitted expectation per component (`signal`, `background`) per bin.
    pub components: Vec<(String, Vec<f64>)>,
    /// The fit's status.
    pub status: String,
    /// True when the POI was held at 0 (blinded).
    pub blinded: bool,
}

/// Bins of about `width` covering `ranges` exactly.
pub(crate) fn plot_bins(ranges: &[(f64, f64)], count: usize) -> Vec<(f64, f64)> {
    let total: f64 = ranges.iter().map(|(lo, hi)| hi - lo).sum();
    let width = total / count as f64;
    ranges
        .iter()
        .flat_map(|&(lo, hi)| {
            let n = ((hi - lo) / width).round().max(1.0) as usize;
            let w = (hi - lo) / n as f64;
            (0..n).map(move |k| (lo + k as f64 * w, lo + (k + 1) as f64 * w))
        })
        .collect()
}

impl FitScan<'_> {
    /// The fit at hypothesis `m` over channels `active` (signal held at 0 unless
    /// unblinded), binned per channel for plotting.
    pub fn figures(&self, m: f64, sigma: f64, active: &[usize]) -> Result<Vec<FitFigure>, String> {
        if let Some(chosen) = self.chosen_fit(m, sigma, active)? {
            return self.with_fit(&chosen).figures(m, sigma, active);
        }
        // Blinded: the background alone, fitted to the sidebands; the bins that reach
        // into the blinded window show no data.
        let (likelihood, params, blinded) = self.visible_model(m, sigma, active)?;
        let result = minimize(&likelihood, &params, Settings::default());
        let status = serde_json::to_value(result.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let whole = self.model_ranges(m, sigma)?;
        let hidden = |(lo, hi): (f64, f64)| blinded.is_some_and(|w| lo < m + w && hi > m - w);
        Ok(likelihood
            .channels
            .iter()
            .zip(active)
            .map(|(channel, &c)| {
                let bins = plot_bins(&channel_ranges(&whole, self.common.endpoints[c]), 40);
                let observed = match &channel.data {
                    Data::Unbinned { x, .. } => bins
                        .iter()
                        .enumerate()
                        .map(|(k, &(lo, hi))| {
                            if hidden((lo, hi)) {
                                return f64::NAN;
                            }
                            let last = k + 1 == bins.len() || bins[k + 1].0 != hi;
                            x.iter()
                                .filter(|&&v| lo <= v && (v < hi || (last && v == hi)))
                                .count() as f64
                        })
                        .collect(),
                    Data::Binned { counts, .. } => counts.clone(),
                };
                let expected = channel.expected_in_bins(&result.values, &bins);
                FitFigure {
                    mass: m,
                    channel: channel.name.clone(),
                    observed,
                    components: channel
                        .components
                        .iter()
                        .map(|c| c.name.clone())
                        .zip(expected)
                        .collect(),
                    bins,
                    status: status.clone(),
                    blinded: !self.common.unblind,
                }
            })
            .collect())
    }
}
