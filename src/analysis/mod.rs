//! The statistics stage of a run: binds a checked spec and the evaluator's selected
//! candidates to the numerical library — signal efficiencies from the signal toy, the
//! scan over hypotheses (sliding-window fits with asymptotic CLs, or cut and count with
//! exact limits), the global significance and the reinterpretation of limits.

pub mod blinding;
pub mod collect;
mod components;
pub mod count_model;
pub mod count_scan;
pub mod efficiency;
pub mod fit_scan;
pub mod global_toys;
pub mod injection;
pub mod model_plane;
mod pdf;
pub mod plain_fit;
mod template;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::check::efficiency_source::{self, EfficiencySource};
use crate::check::grid;
use crate::diag::{Diagnostic, Span, codes};
use crate::expr::eval_const;
use crate::spec::{Fit, Model, PoiKind, Spec};
use crate::toy::Params;
use collect::Candidates;
use std::path::Path;

/// One input's selected candidates, with the toy that made it (for efficiencies).
pub struct InputCandidates {
    /// Input name.
    pub name: String,
    /// Selected candidates per channel.
    pub candidates: Candidates,
    /// (generator, parameters, events) when the input is a toy.
    pub toy: Option<(String, Params, u64)>,
}

/// The relative widths (up, down) of nuisance `n` at hypothesis `m`: its constants, or
/// its expressions of the scan parameter evaluated there (NaN if that fails; lint checks
/// the names); equal unless it is asymmetric.
pub fn widths_at(spec: &Spec, n: &crate::spec::Nuisance, m: f64) -> (f64, f64) {
    let at = |value: &crate::diag::Spanned<f64>, e: &Option<crate::spec::SpecExpr>| match e {
        Some(e) => crate::check::grid::eval_at(spec, e, m, None).unwrap_or(f64::NAN),
        None => value.value,
    };
    let up = at(&n.relative, &n.relative_at);
    let down = n.down.as_ref().map_or(up, |(v, e)| at(v, e));
    (up, down)
}

/// The relative width of nuisance `n` at hypothesis `m` where widths are symmetric (the
/// counting methods): the larger of an asymmetric one's.
pub fn relative_at(spec: &Spec, n: &crate::spec::Nuisance, m: f64) -> f64 {
    let (up, down) = widths_at(spec, n, m);
    up.max(down)
}

/// The name under which the candidates and cutflow of `input` under column variation
/// `systematic` (`side`: up or down) are kept: `signal (energy_scale up)`.
pub fn variation_label(input: &str, systematic: &str, side: &str) -> String {
    format!("{input} ({systematic} {side})")
}

/// A derived limit from a reinterpretation formula.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reinterpreted {
    /// From the observed limit.
    pub observed: Option<f64>,
    /// From the expected band.
    pub expected: Option<[f64; 5]>,
}

/// One hypothesis of the scan.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScanPoint {
    /// Hypothesis mass.
    pub mass: f64,
    /// Channel, when each channel has its own POI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Proper decay length of the signal hypothesis, for lifetime grids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctau: Option<f64>,
    /// Observed upper limit on the POI (null while blinded).
    pub observed: Option<f64>,
    /// Expected limits [−2σ, −1σ, median, +1σ, +2σ].
    pub expected: Option<[f64; 5]>,
    /// Local significance (null while blinded): √q₀ of the fit, or for a counting window
    /// the exact on/off Z_Bi of its count against its sidebands.
    pub local_significance: Option<f64>,
    /// Fitted POI (absent while blinded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fitted_poi: Option<f64>,
    /// Its HESSE error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fitted_poi_error: Option<f64>,
    /// Counting: expected background in the window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<f64>,
    /// Counting: standard deviation of `background` (from the sideband count).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background_error: Option<f64>,
    /// Counting: observed events in the window (null while blinded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_events: Option<u64>,
    /// Signal events per unit POI (efficiency × normalisation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efficiency: Option<f64>,
    /// Counting: standard deviation of `efficiency` (the spec's Gaussian uncertainties).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efficiency_error: Option<f64>,
    /// Counting: relative log-normal uncertainty r of `efficiency` (κ = 1 + r), when the
    /// spec gives log-normal ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efficiency_lognormal: Option<f64>,
    /// Counting: the efficiency's uncertainties, one per source, as the window's binned
    /// model takes them (`export pyhf`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub efficiency_modifiers: Vec<count_model::Modifier>,
    /// `ok`, or `failed: …` with the reason; failed points carry no limit.
    pub status: String,
    /// Limits on model parameters from `limits.reinterpret`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reinterpreted: BTreeMap<String, Reinterpreted>,
    /// Fits: the background function's choice and checks (`fit.background_choice`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_choice: Option<fit_scan::BackgroundReport>,
}

impl ScanPoint {
    /// Turns an `ok` point whose limits are not all finite and positive into a failure:
    /// no scan reports a limit it does not have.
    fn refuse_unusable_limits(&mut self) {
        if self.status != "ok" {
            return;
        }
        let usable = |x: f64| x.is_finite() && x > 0.0;
        let bad = self
            .expected
            .iter()
            .flatten()
            .chain(self.observed.iter())
            .copied()
            .find(|&x| !usable(x));
        if let Some(x) = bad {
            self.status = format!("failed: a limit came out as {x}, not a finite positive number");
            self.expected = None;
            self.observed = None;
            self.reinterpreted.clear();
        }
    }

    fn new(mass: f64, channel: Option<String>, ctau: Option<f64>) -> Self {
        ScanPoint {
            mass,
            channel,
            ctau,
            observed: None,
            expected: None,
            local_significance: None,
            fitted_poi: None,
            fitted_poi_error: None,
            background: None,
            background_error: None,
            observed_events: None,
            efficiency: None,
            efficiency_error: None,
            efficiency_lognormal: None,
            efficiency_modifiers: Vec::new(),
            status: "not run".into(),
            reinterpreted: BTreeMap::new(),
            background_choice: None,
        }
    }
}

/// What the statistics stage adds to results.json.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    /// The POI.
    pub poi: String,
    /// Confidence level.
    pub cl: f64,
    /// Limit method.
    pub method: String,
    /// True when the signal region of the data was not looked at.
    pub blinded: bool,
    /// Signal efficiencies per channel.
    pub efficiency: Vec<efficiency::EfficiencyTable>,
    /// The scan.
    pub scan: Vec<ScanPoint>,
    /// Exclusion in each model plane (`limits.model_plane`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub model_plane: Vec<model_plane::ModelPlane>,
    /// Global significance of the largest excess (null while blinded): from
    /// pseudo-experiments with `limits.global_toys`, else by Gross–Vitells upcrossings.
    pub global_significance: Option<f64>,
    /// Signal events injected into the data (`inputs.data.inject`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub injected: Option<injection::Injected>,
    /// How the pseudo-experiments gave it (absent without `limits.global_toys`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_significance_toys: Option<global_toys::GlobalToys>,
    /// Fits at representative hypotheses, binned for plots (not in results.json).
    #[serde(skip)]
    pub fit_figures: Vec<fit_scan::FitFigure>,
    /// Selected candidates whose observable is NaN or infinite, as notes for results.json
    /// (they enter no fit window and no count).
    #[serde(skip)]
    pub undefined_observables: Vec<String>,
}

/// What every scan needs besides its model: the data, efficiencies, channels and
/// settings.
#[derive(Clone)]
pub struct ScanInputs<'a> {
    /// Selected data candidates, per channel.
    pub data: &'a Candidates,
    /// Signal efficiencies, per channel.
    pub efficiency: &'a [efficiency::EfficiencyTable],
    /// Channel names.
    pub channels: Vec<String>,
    /// Whether each channel is a control region (`control: true`: fitted without signal).
    pub control: Vec<bool>,
    /// Signal events per unit POI and unit efficiency, per channel, before the nominal
    /// prediction of a signal-strength POI (`scale_at`).
    scale: Vec<f64>,
    /// A signal-strength POI's nominal signal events in a channel at each hypothesis.
    nominal: Option<std::sync::Arc<dyn Fn(usize, f64) -> f64 + Send + Sync + 'a>>,
    /// Kinematic endpoint of the hypothesis per channel.
    pub endpoints: Vec<Option<f64>>,
    /// Windows of the observable removed by vetoes.
    pub vetoed: Vec<(f64, f64)>,
    /// Every input's candidates (for PDFs built from a sample: `histogram`).
    pub inputs: &'a [InputCandidates],
    /// The spec's systematics on the signal efficiency.
    pub systematics: &'a [crate::spec::Systematic],
    /// Confidence level.
    pub cl: f64,
    /// Whether the signal region of the data may be looked at.
    pub unblind: bool,
    /// Whether the data enter fits with their weights: a weighted simulated sample in
    /// the place of the data (the spurious-signal test). Data are counted, unweighted.
    pub weighted: bool,
}

impl<'a> ScanInputs<'a> {
    /// Signal events per unit POI and unit efficiency in channel `c` at hypothesis `m`.
    pub fn scale_at(&self, c: usize, m: f64) -> f64 {
        self.scale[c] * self.nominal.as_ref().map_or(1.0, |nominal| nominal(c, m))
    }

    /// The same inputs with other data (pseudo-experiments).
    pub fn on<'b>(&self, data: &'b Candidates) -> ScanInputs<'b>
    where
        'a: 'b,
    {
        ScanInputs {
            data,
            ..self.clone()
        }
    }

    /// The channels of `group` open at hypothesis `m` (and lifetime `ctau`): below
    /// their endpoint, with signal efficiency — or control regions, which need none —
    /// and none unless a signal channel is open.
    pub fn active(&self, m: f64, group: &[usize], ctau: Option<f64>) -> Vec<usize> {
        let open: Vec<usize> = group
            .iter()
            .copied()
            .filter(|&c| {
                self.endpoints[c].is_none_or(|e| m < e)
                    && (self.control[c] || self.efficiency[c].at(m, ctau) > 0.0)
            })
            .collect();
        if open.iter().all(|&c| self.control[c]) {
            return Vec::new();
        }
        open
    }
}

impl<'a> Context<'a> {
    /// The scan inputs for signal yields of `per_unit` × each channel's factors.
    fn scan_inputs(
        &'a self,
        spec: &'a Spec,
        poi: &'a crate::spec::Poi,
        kind: PoiKind,
        cl: f64,
        unblind: bool,
    ) -> ScanInputs<'a> {
        let nominal = (kind == PoiKind::SignalStrength).then(|| {
            let f: std::sync::Arc<dyn Fn(usize, f64) -> f64 + Send + Sync + 'a> =
                std::sync::Arc::new(move |c: usize, m: f64| {
                    // The channel's own prediction, else the POI's.
                    let own = spec.channels.get(c).and_then(|ch| ch.nominal.as_ref());
                    match own.or(poi.nominal.as_ref()) {
                        Some((_, Some(e))) => grid::eval_at(spec, e, m, None).unwrap_or(f64::NAN),
                        Some((v, None)) => v.value,
                        None => f64::NAN,
                    }
                });
            f
        });
        ScanInputs {
            data: &self.data,
            efficiency: &self.efficiency,
            channels: self.channels.clone(),
            control: self
                .channels
                .iter()
                .map(|name| {
                    spec.channels
                        .iter()
                        .any(|c| c.control && c.name.value == *name)
                })
                .collect(),
            scale: signal_scale(spec, kind),
            nominal,
            endpoints: self.endpoints.clone(),
            vetoed: self.vetoed.clone(),
            inputs: self.inputs,
            systematics: &spec.systematics,
            cl,
            unblind,
            weighted: false,
        }
    }
}

/// The channels fitted or counted together: each alone when every channel has its own
/// POI, else all of them.
fn channel_groups(per_channel: bool, channels: usize) -> Vec<Vec<usize>> {
    if per_channel {
        (0..channels).map(|c| vec![c]).collect()
    } else {
        vec![(0..channels).collect()]
    }
}

/// `[lo, hi]` ∩ `[m − half, m + half]` with the vetoed windows cut out.
pub fn window_ranges(
    range: (f64, f64),
    m: f64,
    half: f64,
    vetoed: &[(f64, f64)],
) -> Vec<(f64, f64)> {
    let mut pieces = vec![(range.0.max(m - half), range.1.min(m + half))];
    for &(a, b) in vetoed {
        pieces = pieces
            .into_iter()
            .flat_map(|(lo, hi)| [(lo, hi.min(a)), (lo.max(b), hi)])
            .filter(|(lo, hi)| hi > lo)
            .collect();
    }
    pieces.retain(|(lo, hi)| hi > lo);
    pieces
}

/// What the statistics stage cannot do with this spec and these inputs (`SL206`).
fn failure(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::NOT_SUPPORTED, message.into()).at(span)
}

/// A command-line choice (`fit --channel`, `--impacts`) the spec does not
/// offer (`SL213`).
fn usage(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(codes::USAGE, message.into()).at(span)
}

/// What the statistics of a spec are computed from: the data candidates, efficiencies,
/// channels and the observable's vetoed windows.
struct Context<'a> {
    data: std::borrow::Cow<'a, Candidates>,
    injected: Option<injection::Injected>,
    inputs: &'a [InputCandidates],
    efficiency: Vec<efficiency::EfficiencyTable>,
    channels: Vec<String>,
    endpoints: Vec<Option<f64>>,
    vetoed: Vec<(f64, f64)>,
}

fn context<'a>(
    spec: &Spec,
    model: &Model,
    inputs: &'a [InputCandidates],
    base: &Path,
) -> Result<Context<'a>, Diagnostic> {
    let source = efficiency_source::resolve(spec, base)
        .map_err(|r| {
            let d = failure(r.span, r.message);
            match r.help {
                Some(help) => d.with_help(help),
                None => d,
            }
        })?
        .ok_or_else(|| {
            failure(
                model.observable().var.span,
                "the scan needs an `efficiency`",
            )
        })?;
    let span = model.efficiency_span();
    let signal_name = match &source {
        EfficiencySource::Toy(name) | EfficiencySource::Files { input: name, .. } => {
            Some(name.as_str())
        }
        EfficiencySource::Given(_) => None,
    };
    let data = inputs
        .iter()
        .find(|i| i.name == crate::spec::DATA_INPUT)
        .or_else(|| inputs.iter().find(|i| Some(i.name.as_str()) != signal_name))
        .ok_or_else(|| failure(spec.analysis.name.span, "the scan needs a `data` input"))?;
    let channels = efficiency_source::channel_names(spec);
    let candidates_of = |name: &str| {
        inputs
            .iter()
            .find(|i| i.name == name)
            .ok_or_else(|| failure(span, format!("no candidates of input `{name}`")))
    };
    let variations: Vec<String> = spec
        .weight_variations()
        .map(|(s, _, _)| s.name.value.clone())
        .collect();
    // The efficiency tables from the candidates of `name` (the signal sample, or a column
    // variation's rerun of it), with the weight variations `variations`.
    let measure = |name: &str, variations: &[String]| match &source {
        EfficiencySource::Toy(signal) => {
            let Some((generator, params, events)) = &candidates_of(signal)?.toy else {
                return Err(failure(span, format!("input `{signal}` is not a toy")));
            };
            efficiency::from_toy(
                &candidates_of(name)?.candidates,
                &channels,
                variations,
                generator,
                params,
                *events,
            )
            .map_err(|m| failure(span, m))
        }
        EfficiencySource::Files { input, points } => efficiency::from_files(
            &candidates_of(name)?.candidates,
            &channels,
            variations,
            points,
            input,
        )
        .map_err(|m| failure(span, m)),
        EfficiencySource::Given(points) => Ok(efficiency::given(points, &channels)),
    };
    let efficiency = match signal_name {
        Some(name) => {
            let mut tables = measure(name, &variations)?;
            // The column variations' efficiencies join the weight variations', in the
            // order of `systematics`.
            let mut columns = Vec::new();
            for (s, ..) in spec.column_variations() {
                let side = |side: &str| measure(&variation_label(name, &s.name.value, side), &[]);
                columns.push((s.name.value.clone(), side("up")?, side("down")?));
            }
            efficiency::add_column_variations(&mut tables, spec, &columns);
            tables
        }
        None => measure("", &[])?,
    };
    let (data_candidates, injected) = match injection_of(spec) {
        None => (std::borrow::Cow::Borrowed(&data.candidates), None),
        Some(inject) => {
            // Lint (SL035) makes `from` the sample the efficiency is measured on.
            let joint = match &source {
                EfficiencySource::Files { points, .. } => {
                    points.iter().all(|p| p.channel.is_none())
                }
                _ => false,
            };
            let ctau = inject.ctau.as_ref().map(|t| t.value);
            let (candidates, selected) = injection::inject(
                &data.candidates,
                &candidates_of(&inject.from.value)?.candidates,
                &efficiency,
                joint,
                inject.mass.value,
                ctau,
                inject.events.value,
                inject.seed.value,
            )
            .map_err(|m| failure(inject.span, m))?;
            let injected = injection::Injected {
                from: inject.from.value.clone(),
                mass: inject.mass.value,
                ctau,
                events: inject.events.value,
                seed: inject.seed.value,
                selected,
                expected_significance: None,
            };
            (std::borrow::Cow::Owned(candidates), Some(injected))
        }
    };
    if let Model::Fit(fit) = model
        && fit.signal.pdf.value == "histogram"
        && let Some(from) = fit.signal.name_param("from")
        && spec.inputs.iter().any(|i| {
            i.name.value == from.value
                && matches!(
                    &i.source,
                    crate::spec::Source::Files {
                        generated: None,
                        ..
                    }
                )
        })
    {
        return Err(failure(
            from.span,
            format!(
                "the signal template comes from `{}`, read from files that do not say what they were generated at: it cannot be moved to each hypothesis",
                from.value
            ),
        )
        .with_help("state the generated mass of the sample (`generated`, or `mass` per `files` entry), or use a parametric signal PDF"));
    }
    let endpoints: Vec<Option<f64>> = if spec.channels.is_empty() {
        vec![None]
    } else {
        spec.channels
            .iter()
            .map(|c| c.endpoint.as_ref().map(|e| e.value))
            .collect()
    };
    let observable_text = crate::expr::print(&model.observable().var.expr);
    let vetoed = spec
        .vetoes
        .iter()
        .filter(|v| crate::expr::print(&v.var.expr) == observable_text)
        .map(|v| (v.window.low.value, v.window.high.value))
        .collect();
    Ok(Context {
        data: data_candidates,
        injected,
        inputs,
        efficiency,
        channels,
        endpoints,
        vetoed,
    })
}

/// The points of `points` at lifetime `ctau`.
fn first_lifetime(points: &[ScanPoint], ctau: Option<f64>) -> Vec<ScanPoint> {
    points.iter().filter(|p| p.ctau == ctau).cloned().collect()
}

/// The data input's `inject`, if any.
fn injection_of(spec: &Spec) -> Option<&crate::spec::Injection> {
    spec.inputs
        .iter()
        .find(|i| i.name.value == crate::spec::DATA_INPUT)
        .and_then(|i| match &i.source {
            crate::spec::Source::Files { inject, .. } => inject.as_deref(),
            crate::spec::Source::Toy { .. } => None,
        })
}

/// The resolution σ at hypothesis `m`.
fn sigma_at(spec: &Spec, m: f64) -> Result<f64, String> {
    match grid::sigma_at(spec, m) {
        Some(Ok(s)) if s > 0.0 && s.is_finite() => Ok(s),
        Some(Ok(s)) => Err(format!("the resolution is {s} at {m}")),
        Some(Err(e)) => Err(e.message),
        None => Err("the spec defines no resolution".into()),
    }
}

/// Signal events per unit POI and unit efficiency in each channel: the POI's
/// normalisation there (N_BB, the luminosity, or 1: `Spec::poi_normalisation`) ×
/// `bf_daughter` × `external_efficiency`.
fn signal_scale(spec: &Spec, kind: PoiKind) -> Vec<f64> {
    let per_unit =
        |c: Option<&crate::spec::Channel>| spec.poi_normalisation(kind, c).map_or(1.0, |n| n.value);
    if spec.channels.is_empty() {
        return vec![per_unit(None)];
    }
    spec.channels
        .iter()
        .map(|c| {
            per_unit(Some(c))
                * c.bf_daughter.as_ref().map_or(1.0, |b| b.value)
                * c.external_efficiency.as_ref().map_or(1.0, |e| e.value)
        })
        .collect()
}

/// The fit scan of a `fit:` model over `context`.
fn fit_scan<'a>(
    spec: &'a Spec,
    fit: &'a Fit,
    context: &'a Context,
    cl: f64,
    unblind: bool,
) -> fit_scan::FitScan<'a> {
    fit_scan::FitScan {
        spec,
        fit,
        common: context.scan_inputs(spec, &fit.poi, fit.poi_kind(), cl, unblind),
    }
}

/// Runs the statistics stage, or `None` when the spec has no model and scan (`base`: the
/// directory the spec's table files are relative to).
pub fn statistics(
    spec: &Spec,
    base: &Path,
    inputs: &[InputCandidates],
    unblind: bool,
) -> Result<Option<Outcome>, Diagnostic> {
    let (Some(model), Some(_), Some(limits)) = (&spec.model, &spec.scan, &spec.limits) else {
        return Ok(None);
    };
    let context = context(spec, model, inputs, base)?;
    let mut injected = context.injected.clone();
    let points = grid::grid(spec).map_err(|e| failure(e.span, e.message))?;
    let points: Vec<f64> = points
        .into_iter()
        .filter(|&m| !grid::excluded(spec, m))
        .collect();
    let sigma = |m: f64| sigma_at(spec, m);
    let mut fit_figures = Vec::new();
    if !model.scan_methods().contains(&limits.method.value.as_str()) {
        return Err(failure(
            limits.method.span,
            format!("`{}` is not available for this scan", limits.method.value),
        ));
    }
    let observable = &model.observable().range;
    // A signal over lifetimes: a fit scan in mass at each lifetime, the efficiency taken
    // there (the look-elsewhere effect, the injection and the plots are the first
    // lifetime's: the fits differ only in the signal yield per unit POI).
    let lifetimes = efficiency::EfficiencyTable::grid_lifetimes(&context.efficiency);
    let per_lifetime: Vec<Vec<efficiency::EfficiencyTable>> = lifetimes
        .iter()
        .map(|&t| efficiency::EfficiencyTable::all_at_lifetime(&context.efficiency, t))
        .collect();
    // The points the look-elsewhere effect counts: a fit scan's first lifetime (its
    // local significances repeat at every lifetime), every point of a counting scan.
    let (mut scan_points, searched, scan): (_, Vec<ScanPoint>, Box<dyn global_toys::Rescan>) =
        match model {
            Model::Fit(fit) => {
                let whole = fit_scan(spec, fit, &context, limits.cl.value, unblind);
                let scans: Vec<fit_scan::FitScan> = per_lifetime
                    .iter()
                    .map(|tables| whole.with_efficiency(tables))
                    .collect();
                let mut scan_points = Vec::new();
                for (scan, &ctau) in scans.iter().zip(&lifetimes) {
                    scan_points.extend(scan.run(&points, &sigma).into_iter().map(|mut p| {
                        p.ctau = ctau;
                        p
                    }));
                }
                let scan = scans.into_iter().next().expect("one lifetime at least");
                if let Some(injected) = &mut injected {
                    injected.expected_significance =
                        injected_significance(&scan, inputs, injected, &sigma)?;
                }
                let first = first_lifetime(&scan_points, lifetimes[0]);
                fit_figures = representative_fits(&scan, &points, &sigma, &first);
                (scan_points, first, Box::new(scan))
            }
            Model::Counting(counting) => {
                let scan = count_scan::CountScan {
                    spec,
                    counting,
                    method: limits.method.value.clone(),
                    toys: limits.toys.as_ref().map_or(count_scan::DEFAULT_TOYS, |t| {
                        usize::try_from(t.value).unwrap_or(usize::MAX)
                    }),
                    common: context.scan_inputs(
                        spec,
                        model.poi(),
                        model.poi_kind(),
                        limits.cl.value,
                        unblind,
                    ),
                };
                let scan_points = scan.run(&points, &sigma);
                (scan_points.clone(), scan_points, Box::new(scan))
            }
        };
    reinterpret(spec, base, &mut scan_points)?;
    scan_points
        .iter_mut()
        .for_each(ScanPoint::refuse_unusable_limits);
    if !scan_points.iter().any(|p| p.status == "ok") {
        return Err(no_limits(spec, &points, &scan_points));
    }
    let model_plane = limits
        .model_plane
        .iter()
        .map(|plane| model_plane::exclusion(spec, base, plane, &scan_points))
        .collect::<Result<_, _>>()?;
    let global_toys = match &limits.global_toys {
        Some(toys) if unblind => Some(
            global_toys::SmoothedData::new(
                &context.data,
                &context.vetoed,
                (observable.low.value, observable.high.value),
                &points,
                &sigma,
            )
            .and_then(|null| {
                global_toys::run(
                    scan.as_ref(),
                    &null,
                    &points,
                    &sigma,
                    &searched,
                    usize::try_from(toys.value).unwrap_or(usize::MAX),
                )
            })
            .map_err(|e| failure(toys.span, format!("global significance: {e}")))?,
        ),
        _ => None,
    };
    let global_significance = if let Some(toys) = &global_toys {
        Some(toys.significance())
    } else if unblind && matches!(model, Model::Fit(_)) {
        let z: Vec<f64> = searched
            .iter()
            .map(|p| p.local_significance.unwrap_or(0.0))
            .collect();
        Some(crate::stats::significance::global_significance(&z))
    } else {
        None
    };
    drop(scan);
    let undefined_observables = undefined_observables(spec, model, inputs);
    Ok(Some(Outcome {
        undefined_observables,
        poi: model.poi().name.value.clone(),
        cl: limits.cl.value,
        method: limits.method.value.clone(),
        blinded: !unblind,
        efficiency: context.efficiency,
        scan: scan_points,
        model_plane,
        global_significance,
        global_significance_toys: global_toys,
        injected,
        fit_figures,
    }))
}

/// The median local significance of an injection at its mass, against the data as they
/// were before it (None where the model has one POI per channel).
fn injected_significance(
    scan: &fit_scan::FitScan,
    inputs: &[InputCandidates],
    injected: &injection::Injected,
    sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
) -> Result<Option<f64>, Diagnostic> {
    if scan.fit.poi.per_channel.value {
        return Ok(None);
    }
    let span = scan.fit.observable.var.span;
    let original = inputs
        .iter()
        .find(|i| i.name == crate::spec::DATA_INPUT)
        .ok_or_else(|| failure(span, "no data input"))?;
    let before = fit_scan::FitScan {
        common: scan.common.on(&original.candidates),
        ..*scan
    };
    let m = injected.mass;
    sigma(m)
        .and_then(|s| before.expected_significance(m, s, injected.events as f64))
        .map(Some)
        .map_err(|e| failure(span, format!("the injection's expected significance: {e}")))
}

/// The error of a scan in which no hypothesis got a limit, with the reason.
fn no_limits(spec: &Spec, grid: &[f64], points: &[ScanPoint]) -> Diagnostic {
    let span = spec
        .scan
        .as_ref()
        .map_or(spec.analysis.name.span, |s| s.range.span);
    let reason = if grid.is_empty() {
        "its grid holds no hypothesis outside the excluded windows".to_string()
    } else if points.is_empty() {
        format!(
            "none of its {} hypotheses has a channel open with signal efficiency (all efficiencies are zero, or every hypothesis lies beyond the channels' endpoints)",
            grid.len()
        )
    } else {
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for p in points {
            *reasons.entry(p.status.as_str()).or_default() += 1;
        }
        let (status, count) = reasons
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(s, n)| (*s, *n))
            .unwrap_or(("", 0));
        format!(
            "all {} hypotheses failed; {count} with `{status}`",
            points.len()
        )
    };
    Diagnostic::error(
        codes::NO_LIMIT,
        format!("the scan gives no limit: {reason}"),
    )
    .at(span)
}

/// One note per input and channel with selected candidates whose observable is not a
/// finite number.
fn undefined_observables(spec: &Spec, model: &Model, inputs: &[InputCandidates]) -> Vec<String> {
    let observable = crate::expr::print(&model.observable().var.expr);
    let mut notes = Vec::new();
    for input in inputs {
        for (c, channel) in input.candidates.channels.iter().enumerate() {
            let n = channel.x.iter().filter(|x| !x.is_finite()).count();
            if n > 0 {
                let name = spec
                    .channels
                    .get(c)
                    .map_or("all", |c| c.name.value.as_str());
                notes.push(format!(
                    "input `{}`, channel `{name}`: {n} selected candidates have an undefined or infinite `{observable}` and enter no fit or count",
                    input.name
                ));
            }
        }
    }
    notes
}

/// The hypothesis with the largest local significance among `points` (unblinded scans).
fn largest_excess<'a>(points: impl Iterator<Item = &'a ScanPoint>) -> Option<f64> {
    points
        .filter_map(|p| Some((p.local_significance.filter(|z| z.is_finite())?, p.mass)))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, m)| m)
}

/// Fits at representative hypotheses (the quartiles of the scan grid, and the largest
/// excess of the group's points in an unblinded scan), for each channel group, binned
/// for plots. Failures leave the figure out (the scan table says more).
fn representative_fits(
    scan: &fit_scan::FitScan,
    points: &[f64],
    sigma: &(dyn Fn(f64) -> Result<f64, String> + Sync),
    scanned: &[ScanPoint],
) -> Vec<fit_scan::FitFigure> {
    let quartiles: Vec<f64> = [1, 2, 3]
        .iter()
        .filter_map(|q| points.get(q * points.len() / 4).copied())
        .collect();
    let per_channel = scan.fit.poi.per_channel.value;
    let groups = channel_groups(per_channel, scan.common.channels.len());
    let mut figures = Vec::new();
    for group in &groups {
        let mut masses = quartiles.clone();
        let channel = per_channel.then(|| &scan.common.channels[group[0]]);
        let excess = largest_excess(scanned.iter().filter(|p| p.channel.as_ref() == channel));
        if let Some(m) = excess.filter(|m| !masses.contains(m)) {
            masses.push(m);
        }
        for &m in &masses {
            let active = scan.fitted(m, group, sigma);
            if active.is_empty() {
                continue;
            }
            if let Ok(f) = sigma(m).and_then(|s| scan.figures(m, s, &active)) {
                figures.extend(f);
            }
        }
    }
    figures
}

/// One fitted parameter.
#[derive(Clone, Debug, Serialize)]
pub struct FittedParameter {
    /// Best value.
    pub value: f64,
    /// Parabolic (HESSE) error.
    pub error: f64,
    /// MINOS interval (lower, upper) as signed distances, for the POI.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minos: Option<[f64; 2]>,
}

/// The result of `searchlight fit` (shape in docs/cli.md).
#[derive(Clone, Debug, Serialize)]
pub struct FitReport {
    /// `converged`, `covariance_forced_positive`, `call_limit` or `failed`.
    pub status: crate::stats::minuit::Status,
    /// −ln L at the minimum.
    pub nll: f64,
    /// Parameters by name.
    pub parameters: BTreeMap<String, FittedParameter>,
    /// Covariance matrix, rows and columns in `order`.
    pub covariance: Vec<Vec<f64>>,
    /// Parameter names in covariance order.
    pub order: Vec<String>,
    /// The hypothesis.
    pub mass: f64,
    /// Channels fitted.
    pub channels: Vec<String>,
    /// True when the spec is blinded: the POI was held at 0 and the fit read only the
    /// sidebands of the blinded window (the background yields are theirs).
    pub blinded: bool,
    /// Free parameters that ended at a bound.
    pub at_limit: Vec<String>,
    /// The POI's profile likelihood, when asked for (unblinded fits only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profile: Vec<crate::stats::minuit::ProfilePoint>,
    /// The constrained nuisances' impacts on the POI, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impacts: Option<ImpactsReport>,
    /// The goodness of fit, when asked for (on 40 bins per channel of the data fitted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goodness_of_fit: Option<crate::stats::gof::GoodnessOfFit>,
}

/// What `searchlight fit` asks of a scan fit.
#[derive(Clone, Copy, Debug)]
pub struct FitRequest<'a> {
    /// The hypothesis.
    pub mass: f64,
    /// The signal's lifetime, for a signal over lifetimes (None: the first).
    pub ctau: Option<f64>,
    /// One channel (default: every channel sharing the POI).
    pub channel: Option<&'a str>,
    /// The signal region may be looked at.
    pub unblind: bool,
    /// Points of the POI's profile likelihood (0: none).
    pub profile_points: usize,
    /// The impacts of the constrained nuisances on the POI.
    pub impacts: bool,
    /// Pseudo-experiments of the goodness-of-fit test (0: none).
    pub gof_toys: usize,
}

/// The seed of goodness-of-fit pseudo-experiments (fixed: a fit's p-value is reproducible).
pub const GOF_SEED: u64 = 20261207;

/// Impacts on the POI (parameter 0) of the fit `best` of `likelihood`, on Asimov data
/// generated at POI `asimov` when given.
fn impacts_on(
    likelihood: &crate::stats::likelihood::Likelihood,
    params: &[crate::stats::minuit::ParamSpec],
    best: &crate::stats::minuit::FitResult,
    asimov: Option<f64>,
) -> Result<ImpactsReport, crate::stats::impacts::RefitFailed> {
    if !best.status.is_valid() {
        return Err(crate::stats::impacts::RefitFailed {
            with: String::new(),
            status: best.status,
        });
    }
    let impacts = crate::stats::impacts::impacts(
        likelihood,
        params,
        0,
        best,
        crate::stats::minuit::Settings::default(),
    )?;
    Ok(ImpactsReport { asimov, impacts })
}

/// Blinded: the model of the whole window with Asimov data of the background fitted to
/// the sidebands plus a signal at the median expected limit, its parameters, its fit and
/// that POI value (impacts before unblinding, without reading the signal region).
fn expected_impacts(
    scan: &fit_scan::FitScan,
    mass: f64,
    sigma: f64,
    active: &[usize],
) -> Result<
    (
        crate::stats::likelihood::Likelihood,
        Vec<crate::stats::minuit::ParamSpec>,
        crate::stats::minuit::FitResult,
        f64,
    ),
    String,
> {
    use crate::stats::asymptotic::{Cls, Model as Asimov};
    let blinded = scan.blinded_expectation(mass, sigma, active)?;
    let cls = Cls::expected_only(&blinded.expected, &blinded.params, 0, &blinded.generating);
    let mu = cls
        .upper_limits(scan.common.cl, false)
        .map_err(|e| e.to_string())?
        .expected[2];
    let mut generating = blinded.generating.clone();
    generating[0] = mu;
    let asimov = Asimov::asimov(&blinded.expected, &generating);
    let mut params = blinded.params.clone();
    for (p, v) in params.iter_mut().zip(&generating) {
        p.value = *v;
    }
    let best =
        crate::stats::minuit::minimize(&asimov, &params, crate::stats::minuit::Settings::default());
    Ok((asimov, params, best, mu))
}

/// The impacts `searchlight fit --impacts` reports.
#[derive(Clone, Debug, Serialize)]
pub struct ImpactsReport {
    /// Blinded: the POI value of the Asimov data fitted (the median expected limit);
    /// absent when the data were fitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asimov: Option<f64>,
    /// The impacts.
    #[serde(flatten)]
    pub impacts: crate::stats::impacts::Impacts,
}

/// One fit of the data at hypothesis `mass` over `channel` (or all channels sharing the
/// POI). Blinded specs fit the sidebands of the blinded window with the POI held at 0:
/// the signal region is not looked at.
/// With `profile_points` > 0 (unblinded only) the POI's profile likelihood is scanned at
/// that many points over ±3 HESSE errors around the minimum, within its range.
pub fn fit_at(
    spec: &Spec,
    base: &Path,
    inputs: &[InputCandidates],
    request: &FitRequest,
) -> Result<FitReport, Diagnostic> {
    let FitRequest {
        mass,
        ctau,
        channel,
        unblind,
        profile_points,
        impacts,
        gof_toys,
    } = *request;
    let Some(Model::Fit(fit)) = &spec.model else {
        return Err(usage(
            spec.analysis.name.span,
            "`fit` needs a spec with a `fit:` model",
        ));
    };
    let context = context(spec, spec.model.as_ref().expect("checked"), inputs, base)?;
    let group: Vec<usize> = match channel {
        Some(name) => vec![
            context
                .channels
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| {
                    usage(
                        spec.analysis.name.span,
                        format!("no channel named `{name}`"),
                    )
                    .with_help(format!("channels: {}", context.channels.join(", ")))
                })?,
        ],
        None => (0..context.channels.len()).collect(),
    };
    // The efficiency at the signal's lifetime (a signal over lifetimes).
    let lifetimes = efficiency::EfficiencyTable::grid_lifetimes(&context.efficiency);
    let lifetime = match ctau {
        None => lifetimes[0],
        Some(t) if lifetimes.contains(&Some(t)) => Some(t),
        Some(t) => {
            let known: Vec<String> = lifetimes.iter().flatten().map(f64::to_string).collect();
            return Err(usage(
                spec.analysis.name.span,
                format!("the signal has no lifetime {t}"),
            )
            .with_help(match known.is_empty() {
                true => "the signal has one lifetime: leave --ctau out".to_string(),
                false => format!("lifetimes: {}", known.join(", ")),
            }));
        }
    };
    let tables = efficiency::EfficiencyTable::all_at_lifetime(&context.efficiency, lifetime);
    let whole = fit_scan(spec, fit, &context, 0.9, unblind);
    let scan = whole.with_efficiency(&tables);
    let active = scan.common.active(mass, &group, None);
    let span = fit.observable.var.span;
    if active.is_empty() {
        return Err(failure(
            span,
            format!("no channel is open at {mass} (above its endpoint, or no signal efficiency)"),
        ));
    }
    let sigma = sigma_at(spec, mass).map_err(|m| failure(span, m))?;
    // The background function the scan takes at this hypothesis.
    let chosen = scan
        .chosen_fit(mass, sigma, &active)
        .map_err(|m| failure(span, format!("background choice: {m}")))?;
    let scan = match &chosen {
        Some(fit) => scan.with_fit(fit),
        None => scan,
    };
    // Blinded: the data of the blinded window are not read and the signal yield is held
    // at zero; the background is fitted to the sidebands.
    let (likelihood, params, _) = scan
        .visible_model(mass, sigma, &active)
        .map_err(|m| failure(span, m))?;
    let settings = crate::stats::minuit::Settings::default();
    let result = crate::stats::minuit::minimize(&likelihood, &params, settings);
    let poi_minos = (unblind && result.status.is_valid()).then(|| {
        let (low, high) = crate::stats::minuit::minos(&likelihood, &params, settings, &result, 0);
        [low.error, high.error]
    });
    let parameters = params
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let minos = if i == 0 { poi_minos } else { None };
            (
                p.name.clone(),
                FittedParameter {
                    value: result.values[i],
                    error: result.errors[i],
                    minos,
                },
            )
        })
        .collect();
    let impacts = match impacts {
        false => None,
        true if unblind => {
            Some(impacts_on(&likelihood, &params, &result, None).map_err(|e| e.to_string()))
        }
        true => Some(expected_impacts(&scan, mass, sigma, &active).and_then(
            |(asimov, params, best, mu)| {
                impacts_on(&asimov, &params, &best, Some(mu)).map_err(|e| e.to_string())
            },
        )),
    }
    .transpose()
    .map_err(|m| failure(span, format!("impacts: {m}")))?;
    // On the plot's bins of each channel (blinded: of its sidebands, the data fitted).
    let goodness_of_fit = (gof_toys > 0)
        .then(|| {
            let bins: Vec<Vec<(f64, f64)>> = likelihood
                .channels
                .iter()
                .map(|c| fit_scan::plot_bins(&c.ranges, 40))
                .collect();
            crate::stats::gof::goodness_of_fit(
                &likelihood,
                &params,
                &result,
                &bins,
                gof_toys,
                GOF_SEED,
            )
            .map_err(|m| failure(span, format!("goodness of fit: {m}")))
        })
        .transpose()?;
    Ok(FitReport {
        impacts,
        goodness_of_fit,
        status: result.status,
        nll: result.fval,
        parameters,
        covariance: result.covariance.rows(),
        order: params.iter().map(|p| p.name.clone()).collect(),
        mass,
        channels: active
            .iter()
            .map(|&c| context.channels[c].clone())
            .collect(),
        blinded: !unblind,
        profile: poi_profile(&likelihood, &params, &result, profile_points),
        at_limit: result.at_limit,
    })
}

/// The POI's profile at `points` values over ±3σ around the minimum, clipped to its
/// range; empty when not asked for or when the POI was held fixed.
fn poi_profile(
    likelihood: &crate::stats::likelihood::Likelihood,
    params: &[crate::stats::minuit::ParamSpec],
    best: &crate::stats::minuit::FitResult,
    points: usize,
) -> Vec<crate::stats::minuit::ProfilePoint> {
    if points == 0 || params[0].fixed || !best.status.is_valid() {
        return Vec::new();
    }
    let (center, error) = (best.values[0], best.errors[0]);
    let (mut low, mut high) = (center - 3.0 * error, center + 3.0 * error);
    if let crate::stats::minuit::Bounds::Both(a, b) = params[0].bounds {
        (low, high) = (low.max(a), high.min(b));
    }
    let values: Vec<f64> = (0..points)
        .map(|k| low + (high - low) * k as f64 / (points.max(2) - 1) as f64)
        .collect();
    crate::stats::minuit::profile(
        likelihood,
        params,
        crate::stats::minuit::Settings::default(),
        best,
        0,
        &values,
    )
}

/// Adds each `limits.reinterpret` parameter's limits to every point: its formula (the
/// channel's own, for a point of that channel) of the POI limit, the hypothesis, the
/// constants and its tables interpolated at the hypothesis (`value` against `mass`, the
/// point's channel's rows where the table has a `channel` column; outside a table's
/// masses the point has no reinterpreted limit).
fn reinterpret(spec: &Spec, base: &Path, points: &mut [ScanPoint]) -> Result<(), Diagnostic> {
    let (Some(limits), Some(model), Some(_)) = (&spec.limits, &spec.model, &spec.scan) else {
        return Ok(());
    };
    let poi = &model.poi().name.value;
    for r in &limits.reinterpret {
        let tables = read_tables(base, &r.tables)?;
        for point in points.iter_mut() {
            let formula = point
                .channel
                .as_ref()
                .and_then(|c| r.channels.iter().find(|(n, _)| &n.value == c))
                .map_or(&r.formula, |(_, f)| f);
            let scope = FormulaScope::new(spec, &tables, point.mass, point.channel.as_deref());
            let at = |value: f64| scope.value(&formula.expr, (poi, value));
            let observed = point.observed.and_then(at);
            let expected = point.expected.and_then(|e| {
                let values = e.map(at);
                values
                    .iter()
                    .all(Option::is_some)
                    .then(|| values.map(|v| v.unwrap_or(f64::NAN)))
            });
            point
                .reinterpreted
                .insert(r.name.value.clone(), Reinterpreted { observed, expected });
        }
    }
    Ok(())
}

/// What a formula of the hypothesis (`limits.reinterpret`, `limits.model_plane`) reads at
/// one hypothesis besides its one bound name (the POI, a coupling): the scan parameter,
/// the tables interpolated there (once, for every value of the bound name), the
/// constants.
pub(crate) struct FormulaScope<'a> {
    spec: &'a Spec,
    mass: f64,
    tables: Vec<(&'a str, f64)>,
}

impl<'a> FormulaScope<'a> {
    /// At hypothesis `mass` (of `channel`, whose rows the tables use where they name
    /// channels).
    pub(crate) fn new(
        spec: &'a Spec,
        tables: &[(&'a str, Vec<crate::io::point_table::PointRow>)],
        mass: f64,
        channel: Option<&str>,
    ) -> Self {
        let tables = tables
            .iter()
            .map(|(name, rows)| (*name, interpolate(rows, mass, channel)))
            .collect();
        FormulaScope { spec, mass, tables }
    }

    /// `expr` with `bound.0` = `bound.1`; None when it cannot be evaluated or is not
    /// finite.
    pub(crate) fn value(&self, expr: &crate::expr::Expr, bound: (&str, f64)) -> Option<f64> {
        let scan_parameter = self.spec.scan.as_ref().map(|s| s.parameter.value.as_str());
        let env = |name: &str| {
            if name == bound.0 {
                Some(bound.1)
            } else if Some(name) == scan_parameter {
                Some(self.mass)
            } else if let Some(&(_, v)) = self.tables.iter().find(|(n, _)| *n == name) {
                Some(v)
            } else {
                self.spec.constant(name)
            }
        };
        eval_const(expr, &env).ok().filter(|v| v.is_finite())
    }
}

/// The `tables` of a reinterpretation or model plane, read: (name, rows).
pub(crate) fn read_tables<'a>(
    base: &Path,
    tables: &'a [(crate::spec::Name, crate::spec::Name)],
) -> Result<Vec<(&'a str, Vec<crate::io::point_table::PointRow>)>, Diagnostic> {
    tables
        .iter()
        .map(|(name, file)| {
            crate::io::point_table::read(&base.join(&file.value), &["value"], &[])
                .map(|rows| (name.value.as_str(), rows))
                .map_err(|e| Diagnostic::error(e.code, e.message).at(file.span))
        })
        .collect()
}

/// A table's `value` at `mass`, linear between its masses (the rows of `channel` where
/// the table names channels); NaN outside them.
fn interpolate(rows: &[crate::io::point_table::PointRow], mass: f64, channel: Option<&str>) -> f64 {
    let mut points: Vec<(f64, f64)> = rows
        .iter()
        .filter(|r| r.channel.is_none() || r.channel.as_deref() == channel)
        .filter_map(|r| Some((r.mass, r.values.first().copied().flatten()?)))
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let above = points.partition_point(|&(m, _)| m < mass);
    match (above.checked_sub(1).map(|i| points[i]), points.get(above)) {
        (_, Some(&(m, v))) if m == mass => v,
        (Some((m0, v0)), Some(&(m1, v1))) => v0 + (v1 - v0) * (mass - m0) / (m1 - m0),
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_lose_vetoed_pieces_and_stay_in_range() {
        let r = window_ranges((0.0, 5.0), 0.5, 0.2, &[(0.45, 0.55)]);
        assert_eq!(r, vec![(0.3, 0.45), (0.55, 0.7)]);
        let r = window_ranges((0.0, 5.0), 0.05, 0.2, &[]);
        assert_eq!(r, vec![(0.0, 0.25)]);
        assert!(window_ranges((0.0, 5.0), 0.5, 0.01, &[(0.4, 0.6)]).is_empty());
    }
}
