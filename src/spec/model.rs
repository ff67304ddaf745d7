//! The typed spec tree. Every name, value and expression keeps the span it was read from.

use crate::diag::{FileId, Span, Spanned};
use crate::expr::Expr;

/// A user-chosen name (of a variable, veto, channel, …) with its span.
pub type Name = Spanned<String>;

/// An expression as written in the spec: its source text, parsed tree and span.
#[derive(Clone, Debug)]
pub struct SpecExpr {
    /// The text as written.
    pub text: String,
    /// The parsed expression.
    pub expr: Expr,
    /// Span of the whole YAML scalar.
    pub span: Span,
}

/// A closed interval `[low, high]` in base units.
#[derive(Clone, Debug)]
pub struct Interval {
    /// Lower edge.
    pub low: Spanned<f64>,
    /// Upper edge.
    pub high: Spanned<f64>,
    /// Span of the whole `[low, high]`.
    pub span: Span,
}

/// A complete analysis.
#[derive(Clone, Debug)]
pub struct Spec {
    /// Schema version (`searchlight: 1`).
    pub version: Spanned<u32>,
    /// The spec file itself.
    pub root: FileId,
    /// Included fragments, in the order they were read.
    pub includes: Vec<FileId>,
    /// `analysis:` metadata.
    pub analysis: Analysis,
    /// `inputs:`, in order.
    pub inputs: Vec<Input>,
    /// `variables:` aliases, in order.
    pub variables: Vec<Variable>,
    /// `mva:` classifiers.
    pub mva: Vec<Mva>,
    /// `corrections:` data/MC corrections.
    pub corrections: Vec<CorrectionEntry>,
    /// `selection:` steps, in order: each is one cutflow row.
    pub selection: Vec<Step>,
    /// `vetoes:` windows removed from the data.
    pub vetoes: Vec<Veto>,
    /// `histograms:` of the selected candidates.
    pub histograms: Vec<Histogram>,
    /// `channels:` fitted or counted simultaneously.
    pub channels: Vec<Channel>,
    /// `fit:` or `counting:`.
    pub model: Option<Model>,
    /// `fit:` with `components`: a plain fit, no scan.
    pub plain_fit: Option<PlainFit>,
    /// `scan:` over hypotheses.
    pub scan: Option<Scan>,
    /// `limits:`.
    pub limits: Option<Limits>,
    /// `blinding:`.
    pub blinding: Blinding,
    /// `systematics:`, in spec order.
    pub systematics: Vec<Systematic>,
}

impl Spec {
    /// The value that normalises a POI of `kind` in `channel` (None: a spec without
    /// channels): N_BB or the luminosity in fb⁻¹ as the POI's kind says, the channel's
    /// own first, else the analysis's; None for a yield or when neither is given.
    pub fn poi_normalisation<'a>(
        &'a self,
        kind: PoiKind,
        channel: Option<&'a Channel>,
    ) -> Option<&'a Spanned<f64>> {
        match kind {
            PoiKind::BranchingFraction => channel
                .and_then(|c| c.n_bb.as_ref())
                .or(self.analysis.n_bb.as_ref()),
            PoiKind::CrossSection => channel
                .and_then(|c| c.luminosity.as_ref())
                .or(self.analysis.luminosity.as_ref()),
            PoiKind::Yield | PoiKind::SignalStrength => None,
        }
    }

    /// The inputs with a `scale`, and their scales.
    pub fn scales(&self) -> Vec<(String, f64)> {
        self.inputs
            .iter()
            .filter_map(|i| i.scale.as_ref().map(|s| (i.name.value.clone(), s.value)))
            .collect()
    }

    /// The `scale` of input `name` (1 when it has none).
    pub fn scale_of(&self, name: &str) -> f64 {
        self.inputs
            .iter()
            .find(|i| i.name.value == name)
            .and_then(|i| i.scale.as_ref())
            .map_or(1.0, |s| s.value)
    }

    /// The components of the fit with a yield of their own: a scan fit's backgrounds, or
    /// a plain fit's components.
    pub fn fit_components(&self) -> &[FitComponent] {
        match (&self.model, &self.plain_fit) {
            (Some(Model::Fit(f)), _) => &f.backgrounds,
            (_, Some(p)) => &p.components,
            _ => &[],
        }
    }

    /// The PDFs of the fit: a scan fit's signal and backgrounds, or a plain fit's
    /// components.
    pub fn fit_pdfs(&self) -> Vec<&Pdf> {
        match (&self.model, &self.plain_fit) {
            (Some(Model::Fit(f)), _) => std::iter::once(&f.signal)
                .chain(f.backgrounds.iter().map(|c| &c.pdf))
                .chain(
                    f.background_choice
                        .iter()
                        .flat_map(|b| b.envelope.iter().map(|(_, pdf)| pdf)),
                )
                .collect(),
            (_, Some(p)) => p.components.iter().map(|c| &c.pdf).collect(),
            _ => Vec::new(),
        }
    }

    /// The physical constant of that name, √s and the CMS beam energy included when
    /// `analysis.experiment` names the beams.
    pub fn constant(&self, name: &str) -> Option<f64> {
        let experiment = self.analysis.experiment.as_ref().map(|e| e.value.as_str());
        crate::physics::constant_in(name, experiment)
    }
}

/// `analysis:` metadata.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Short identifier, used for the default output directory.
    pub name: Name,
    /// Human title.
    pub title: Option<Name>,
    /// Free text.
    pub description: Option<Name>,
    /// Publication references (`arxiv`, `doi`, `url`, `inspired_by`).
    pub reference: Vec<(Name, Name)>,
    /// `belle` or `belle2`: beams and E*_beam.
    pub experiment: Option<Name>,
    /// Integrated luminosity in fb⁻¹.
    pub luminosity: Option<Spanned<f64>>,
    /// Number of BB̄ pairs.
    pub n_bb: Option<Spanned<f64>>,
}

impl Analysis {
    /// The title figures carry: the human title, else the name.
    pub fn display_title(&self) -> &str {
        self.title.as_ref().map_or(&self.name.value, |t| &t.value)
    }
}

/// The name of the observed dataset among the inputs.
pub const DATA_INPUT: &str = "data";

/// One named input sample.
#[derive(Clone, Debug)]
pub struct Input {
    /// `data`, `signal`, …
    pub name: Name,
    /// Where the rows come from.
    pub source: Source,
    /// Conditions applied to this input only, before the selection (truth matching on
    /// simulation: `isSignal == 1`).
    pub cuts: Vec<SpecExpr>,
    /// The weight of each candidate of this input (default: the `__weight__` column, or
    /// 1), e.g. `__weight__ * pid_correction`.
    pub weight: Option<SpecExpr>,
    /// The normalisation of this input's weighted counts (σ × L / N_generated for a
    /// simulated sample), reported beside them.
    pub scale: Option<Spanned<f64>>,
}

/// Where an input's rows come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Generated on the fly by a toy generator.
    Toy {
        /// Generator name.
        generator: Name,
        /// Number of events.
        events: Spanned<u64>,
        /// Random seed.
        seed: Spanned<u64>,
        /// Generator parameters.
        params: Vec<(Name, Spanned<ParamValue>)>,
    },
    /// ROOT or Parquet files.
    Files {
        /// Paths or globs, relative to the spec.
        files: Vec<Name>,
        /// TTree name (ROOT only).
        tree: Option<Name>,
        /// `units`: the unit each listed column is stored in, by branch name (a basf2
        /// variable's mangled text); `None` for a dimensionless column (`1`).
        units: Vec<(Name, Spanned<Option<crate::expr::Unit>>)>,
        /// What a simulated signal sample was generated at, when it serves
        /// `efficiency: from(...)`.
        generated: Option<Generated>,
        /// Signal events added to this data input (closure tests).
        inject: Option<Box<Injection>>,
    },
}

/// Events of a signal sample at one generated point added to the data (`inject:`).
#[derive(Clone, Debug)]
pub struct Injection {
    /// The signal input.
    pub from: Name,
    /// The generated mass.
    pub mass: Spanned<f64>,
    /// The generated lifetime.
    pub ctau: Option<Spanned<f64>>,
    /// Generated events drawn.
    pub events: Spanned<u64>,
    /// Seed of the draw.
    pub seed: Spanned<u64>,
    /// Span of the mapping.
    pub span: Span,
}

/// What a signal sample read from files was generated at: `generated:` of the input and
/// the `mass`, `ctau` and `events` of its `files` entries.
#[derive(Clone, Debug)]
pub struct Generated {
    /// The generated mass of each row.
    pub mass: GeneratedAt,
    /// The generated proper decay length of each row, for lifetime grids.
    pub ctau: Option<GeneratedAt>,
    /// The events generated at each point.
    pub events: GeneratedEvents,
    /// Where it is stated.
    pub span: Span,
}

/// Where a row's generated mass (or lifetime) comes from.
#[derive(Clone, Debug)]
pub enum GeneratedAt {
    /// A column of the files (branch name).
    Column(Name),
    /// One value per `files` entry (all rows of the entry's files).
    PerEntry(Vec<Spanned<f64>>),
}

/// How many events were generated at each point.
#[derive(Clone, Debug)]
pub enum GeneratedEvents {
    /// The same number at every point.
    PerPoint(Spanned<f64>),
    /// Mass → events.
    ByMass(Vec<(Spanned<f64>, Spanned<f64>)>),
    /// A CSV or JSON table (mass, optional ctau and channel, events), relative to the
    /// spec.
    Table(Name),
    /// One number per `files` entry (summed over entries of one point).
    PerEntry(Vec<Spanned<f64>>),
    /// The entries of this tree in each `files` entry's files (one per generated event,
    /// e.g. an event-based tree written before any selection).
    InTree(Name),
}

/// A toy generator parameter value.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// One number.
    One(f64),
    /// A grid of numbers.
    Many(Vec<f64>),
}

impl ParamValue {
    /// The value or values as a list.
    pub fn values(&self) -> Vec<f64> {
        match self {
            ParamValue::One(x) => vec![*x],
            ParamValue::Many(xs) => xs.clone(),
        }
    }
}

/// An alias: a name for an expression.
#[derive(Clone, Debug)]
pub struct Variable {
    /// The alias.
    pub name: Name,
    /// What it stands for.
    pub expr: SpecExpr,
}

/// A classifier whose output is usable as a variable.
#[derive(Clone, Debug)]
pub struct Mva {
    /// Output name.
    pub name: Name,
    /// Model file path, relative to the spec.
    pub model: Name,
    /// `xgboost`, `lightgbm` or `tmva`.
    pub format: Name,
    /// Pinned SHA-256 of the model file.
    pub sha256: Option<Name>,
    /// Feature expressions, in the model's order.
    pub features: Vec<SpecExpr>,
    /// `probability` or `margin`.
    pub output: Name,
}

/// A data/MC correction whose value is usable as a variable: `NAME` with its keys,
/// `NAME(VALUE)` with the varied string input set to VALUE.
#[derive(Clone, Debug)]
pub struct CorrectionEntry {
    /// Name in expressions.
    pub name: Name,
    /// The file, relative to the spec.
    pub file: Name,
    /// Pinned SHA-256 of the file.
    pub sha256: Option<Name>,
    /// The correction's name in the file (None: the entry's name, or a table's only one).
    pub correction: Option<Name>,
    /// Expressions of the numeric inputs, in the correction's order.
    pub inputs: Vec<SpecExpr>,
    /// The value of each string input, by input name.
    pub keys: Vec<(Name, Name)>,
    /// The string input a call varies.
    pub vary: Option<Name>,
}

/// One selection step.
#[derive(Clone, Debug)]
pub enum Step {
    /// Keep candidates passing a cut.
    Cut {
        /// Cutflow label.
        name: Name,
        /// The cut.
        cut: SpecExpr,
    },
    /// Keep the best `keep` candidates per event.
    BestCandidate {
        /// Cutflow label.
        name: Name,
        /// Ranking expression.
        by: SpecExpr,
        /// `lowest` or `highest`.
        keep: Name,
        /// How many to keep per event.
        count: Spanned<u64>,
    },
}

impl Step {
    /// Cutflow label.
    pub fn name(&self) -> &Name {
        match self {
            Step::Cut { name, .. } | Step::BestCandidate { name, .. } => name,
        }
    }
}

/// A vetoed window of a variable.
#[derive(Clone, Debug)]
pub struct Veto {
    /// Veto name (referenced by `scan.exclude`).
    pub name: Name,
    /// The vetoed variable.
    pub var: SpecExpr,
    /// The closed window removed.
    pub window: Interval,
}

/// A histogram of the selected candidates (after selection and vetoes), per input and
/// channel.
#[derive(Clone, Debug)]
pub struct Histogram {
    /// Its name.
    pub name: Name,
    /// The variable.
    pub var: SpecExpr,
    /// Number of equal-width bins.
    pub bins: Spanned<u64>,
    /// [low, high).
    pub range: Interval,
    /// Cut steps and vetoes left out (an N−1 distribution; empty for the selection's
    /// survivors).
    pub without: Vec<Name>,
    /// The inputs filled (empty: every input).
    pub inputs: Vec<Name>,
}

/// A channel: a disjoint category fitted or counted simultaneously.
#[derive(Clone, Debug)]
pub struct Channel {
    /// Channel name.
    pub name: Name,
    /// Membership cut.
    pub cut: SpecExpr,
    /// Product of daughter branching fractions.
    pub bf_daughter: Option<Spanned<f64>>,
    /// Efficiency factor the signal sample does not simulate (e.g. the tag side's).
    pub external_efficiency: Option<Spanned<f64>>,
    /// Kinematic endpoint of the scanned mass in this channel, GeV.
    pub endpoint: Option<Spanned<f64>>,
    /// This channel's number of parent B mesons or BB pairs (else `analysis.n_bb`).
    pub n_bb: Option<Spanned<f64>>,
    /// This channel's integrated luminosity in fb⁻¹ (else `analysis.luminosity`).
    pub luminosity: Option<Spanned<f64>>,
    /// A control region: fitted with the others, without a signal component.
    pub control: bool,
    /// A signal strength's prediction in this channel (else `poi.nominal`): a number, or
    /// (the second) an expression of the scan parameter.
    pub nominal: Option<(Spanned<f64>, Option<SpecExpr>)>,
}

/// What a POI can be: the factor between it and the signal events before efficiency.
pub const POI_KINDS: &[&str] = &[
    "branching_fraction",
    "cross_section",
    "yield",
    "signal_strength",
];

/// What the POI is, and so what normalises the signal yield.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoiKind {
    /// Signal events = POI × N_BB (`n_bb`) × `bf_daughter` × ε.
    BranchingFraction,
    /// Signal events = POI × luminosity (fb⁻¹; a POI in fb) × `bf_daughter` × ε.
    CrossSection,
    /// Signal events = POI × `bf_daughter` × ε.
    Yield,
    /// Signal events = POI × `nominal`(m) × `bf_daughter` × ε: μ, the signal of a model
    /// in units of its prediction.
    SignalStrength,
}

impl PoiKind {
    /// Its name in specs (`POI_KINDS`).
    pub fn name(self) -> &'static str {
        match self {
            PoiKind::BranchingFraction => "branching_fraction",
            PoiKind::CrossSection => "cross_section",
            PoiKind::Yield => "yield",
            PoiKind::SignalStrength => "signal_strength",
        }
    }

    /// The spec key whose value normalises the POI (`n_bb`, `luminosity`), if any.
    pub fn normalisation_key(self) -> Option<&'static str> {
        match self {
            PoiKind::BranchingFraction => Some("n_bb"),
            PoiKind::CrossSection => Some("luminosity"),
            PoiKind::Yield => None,
            PoiKind::SignalStrength => Some("nominal"),
        }
    }
}

/// A plain fit (`fit.components`): one input's selected candidates fitted by a sum of
/// named components, without scan or limits.
#[derive(Clone, Debug)]
pub struct PlainFit {
    /// The fitted variable and range.
    pub observable: Observable,
    /// The input fitted (`data` when not given).
    pub input: Option<Name>,
    /// The components, in spec order.
    pub components: Vec<FitComponent>,
    /// Span of the `fit` mapping.
    pub span: Span,
}

/// One component of a fit: a plain fit's, or a background of a scan fit.
#[derive(Clone, Debug)]
pub struct FitComponent {
    /// Its name (`signal`, `continuum`, …).
    pub name: Name,
    /// Its shape.
    pub pdf: Pdf,
    /// Its yield.
    pub yield_: Yield,
}

/// A component's yield: events in the fit range (in a scan fit, per channel and window).
#[derive(Clone, Debug)]
pub enum Yield {
    /// Free from zero up, starting from the events in the fit range (the default).
    Free,
    /// The input's weighted selected candidates in the fit range times its `scale`,
    /// fixed or within a constraint.
    FromInput {
        /// The input (simulation).
        input: Name,
        /// Its relative uncertainty (a nuisance named `<component>.norm`).
        uncertainty: Option<Box<Nuisance>>,
        /// A free normalisation factor `<component>.norm` instead (`free: true`).
        free: bool,
    },
    /// A fixed number of events.
    Fixed(Spanned<f64>),
    /// Floating, optionally with a Gaussian constraint (mean, sigma).
    Floating {
        /// Start value.
        init: Spanned<f64>,
        /// Allowed range.
        range: Interval,
        /// Gaussian constraint.
        gaussian: Option<(Spanned<f64>, Spanned<f64>)>,
    },
}

/// A named source of systematic uncertainty on the signal efficiency.
#[derive(Clone, Debug)]
pub struct Systematic {
    /// Its name (the nuisance parameter's).
    pub name: Name,
    /// What it varies.
    pub kind: SystematicKind,
    /// The channels it acts in (empty: every channel).
    pub channels: Vec<Name>,
    /// Span of its entry.
    pub span: Span,
}

/// What a systematic varies.
#[derive(Clone, Debug)]
pub enum SystematicKind {
    /// The weight of each candidate of the signal sample, replaced by `up` and `down`.
    Weight {
        /// The weight at +1σ.
        up: Box<SpecExpr>,
        /// The weight at −1σ.
        down: Box<SpecExpr>,
    },
    /// Columns of the signal sample replaced by expressions (of them), up and down:
    /// (column as written, its replacement).
    Columns {
        /// The replacements at +1σ.
        up: Vec<(SpecExpr, SpecExpr)>,
        /// The replacements at −1σ.
        down: Vec<(SpecExpr, SpecExpr)>,
    },
    /// The efficiency's own uncertainty (the signal sample's size, or the given one).
    McStat,
}

impl SystematicKind {
    /// Whether it varies the efficiency measured on the signal sample (a weight or a
    /// column variation), giving an up and a down efficiency at every point.
    pub fn is_variation(&self) -> bool {
        matches!(
            self,
            SystematicKind::Weight { .. } | SystematicKind::Columns { .. }
        )
    }
}

impl Spec {
    /// Every table file the spec reads, as written (relative to the spec): generated
    /// events of signal files, efficiency tables, tables of reinterpretations and model
    /// planes; each once.
    pub fn table_files(&self) -> Vec<&str> {
        let generated = self.inputs.iter().filter_map(|i| match &i.source {
            Source::Files {
                generated:
                    Some(Generated {
                        events: GeneratedEvents::Table(file),
                        ..
                    }),
                ..
            } => Some(file),
            _ => None,
        });
        let efficiency = self.model.as_ref().and_then(|m| match m.efficiency() {
            Some(Efficiency::Table { path, .. }) => Some(path),
            _ => None,
        });
        let reinterpretation = self.limits.iter().flat_map(Limits::formula_tables);
        let mut files: Vec<&str> = generated
            .chain(efficiency)
            .chain(reinterpretation.map(|(_, file)| file))
            .map(|f| f.value.as_str())
            .collect();
        files.sort_unstable();
        files.dedup();
        files
    }

    /// The weight variations, as (systematic, up, down).
    pub fn weight_variations(&self) -> impl Iterator<Item = (&Systematic, &SpecExpr, &SpecExpr)> {
        self.systematics.iter().filter_map(|s| match &s.kind {
            SystematicKind::Weight { up, down } => Some((s, &**up, &**down)),
            _ => None,
        })
    }

    /// The column variations, as (systematic, up, down).
    #[allow(clippy::type_complexity)]
    pub fn column_variations(
        &self,
    ) -> impl Iterator<
        Item = (
            &Systematic,
            &[(SpecExpr, SpecExpr)],
            &[(SpecExpr, SpecExpr)],
        ),
    > {
        self.systematics.iter().filter_map(|s| match &s.kind {
            SystematicKind::Columns { up, down } => Some((s, &up[..], &down[..])),
            _ => None,
        })
    }

    /// Whether input `i` has expressions of its own, resolved against its own columns:
    /// its `cuts` or `weight`, or (the signal sample) the weight variations.
    pub fn has_own_expressions(&self, i: usize) -> bool {
        let input = &self.inputs[i];
        !input.cuts.is_empty()
            || input.weight.is_some()
            || (self.efficiency_input() == Some(i)
                && self.systematics.iter().any(|s| s.kind.is_variation()))
    }

    /// The input the signal efficiency is measured on (`efficiency: from(INPUT)`), which
    /// weight variations vary.
    pub fn efficiency_input(&self) -> Option<usize> {
        let Some(Efficiency::FromInput(name)) = self.model.as_ref()?.efficiency() else {
            return None;
        };
        self.inputs.iter().position(|i| i.name.value == name.value)
    }
}

/// The statistical model.
#[derive(Clone, Debug)]
pub enum Model {
    /// A likelihood fit of an observable.
    Fit(Fit),
    /// A cut-and-count in a window with sideband background.
    Counting(Counting),
}

impl Model {
    /// The limit methods a scan of this model computes (the rest are refused, `SL032`).
    pub fn scan_methods(&self) -> &'static [&'static str] {
        match self {
            Model::Fit(_) => &["cls-asymptotic", "cls-toys"],
            Model::Counting(_) => &[
                "cls-exact",
                "bayesian",
                "feldman-cousins",
                "cls-asymptotic",
                "cls-toys",
            ],
        }
    }

    /// The fitted or counted observable.
    pub fn observable(&self) -> &Observable {
        match self {
            Model::Fit(f) => &f.observable,
            Model::Counting(c) => &c.observable,
        }
    }

    /// The parameter of interest.
    pub fn poi(&self) -> &Poi {
        match self {
            Model::Fit(f) => &f.poi,
            Model::Counting(c) => &c.poi,
        }
    }

    /// What the POI is: as stated, else a branching fraction in fits and a cross section
    /// in counting scans (each normalised by 1 when its `n_bb` or `luminosity` is absent).
    pub fn poi_kind(&self) -> PoiKind {
        match self {
            Model::Fit(f) => f.poi_kind(),
            Model::Counting(c) => c.poi.kind_or(PoiKind::CrossSection),
        }
    }

    /// Where the efficiency is stated (the observable when it is not).
    pub fn efficiency_span(&self) -> Span {
        match self.efficiency() {
            Some(Efficiency::FromInput(n)) => n.span,
            Some(Efficiency::Given(e)) => e.span,
            Some(Efficiency::Table { path, .. }) => path.span,
            None => self.observable().var.span,
        }
    }

    /// Where the signal efficiency comes from, if given.
    pub fn efficiency(&self) -> Option<&Efficiency> {
        match self {
            Model::Fit(f) => f.efficiency.as_ref(),
            Model::Counting(c) => c.efficiency.as_ref(),
        }
    }
}

/// A width: absolute, or a multiple of the resolution σ.
#[derive(Clone, Debug)]
pub enum Width {
    /// In units of the resolution (`10 sigma`).
    Sigma(Spanned<f64>),
    /// In base units (`50 MeV`).
    Absolute(Spanned<f64>),
}

impl Width {
    /// The width where the resolution is `sigma`, in base units.
    pub fn at(&self, sigma: f64) -> f64 {
        match self {
            Width::Sigma(k) => k.value * sigma,
            Width::Absolute(w) => w.value,
        }
    }

    /// Where it was written.
    pub fn span(&self) -> crate::diag::Span {
        match self {
            Width::Sigma(w) | Width::Absolute(w) => w.span,
        }
    }
}

/// Where a signal efficiency comes from.
#[derive(Clone, Debug)]
pub enum Efficiency {
    /// Measured on the named input (`from(signal)`).
    FromInput(Name),
    /// A number, or an expression of the scan parameter.
    Given(SpecExpr),
    /// A table file (CSV or JSON: mass, optional ctau, channel, efficiency, uncertainty).
    Table {
        /// The file, relative to the spec.
        path: Name,
        /// Its pinned SHA-256.
        sha256: Option<Name>,
    },
}

/// The fitted or counted variable and its range.
#[derive(Clone, Debug)]
pub struct Observable {
    /// The variable.
    pub var: SpecExpr,
    /// Its range.
    pub range: Interval,
}

/// A PDF parameter.
#[derive(Clone, Debug)]
pub enum Param {
    /// Fixed, possibly a function of the hypothesis (`0.018 * m_a ** 0.7`).
    Fixed(SpecExpr),
    /// Floating in the fit.
    Floating {
        /// Start value.
        init: Spanned<f64>,
        /// Allowed range.
        range: Interval,
        /// One parameter for every channel (`shared: true`), not one per channel.
        shared: bool,
    },
}

/// A PDF by name with its parameters.
#[derive(Clone, Debug)]
pub struct Pdf {
    /// PDF name (`gaussian`, `double_crystal_ball`, …).
    pub pdf: Name,
    /// Parameters by name.
    pub params: Vec<(Name, Param)>,
    /// Span of the whole mapping.
    pub span: Span,
}

impl Pdf {
    /// Whether a parameter name is a polynomial coefficient (`c1`, `b0`).
    pub fn is_coefficient(name: &str) -> bool {
        name.len() > 1 && name[1..].bytes().all(|b| b.is_ascii_digit())
    }

    /// The order a polynomial writes: its `order` when a number, else its highest
    /// coefficient index (as a fit compiles it, where `order` may also be an expression).
    pub fn written_order(&self) -> u64 {
        let order = self
            .params
            .iter()
            .find_map(|(n, p)| match (n.value.as_str(), p) {
                ("order", Param::Fixed(e)) => match e.expr.kind {
                    crate::expr::ExprKind::Number(v, _) => Some(v.max(0.0) as u64),
                    _ => None,
                },
                _ => None,
            });
        order.unwrap_or_else(|| {
            self.params
                .iter()
                .filter(|(n, _)| Pdf::is_coefficient(&n.value))
                .filter_map(|(n, _)| n.value[1..].parse().ok())
                .max()
                .unwrap_or(0)
        })
    }

    /// The value of a parameter that is a bare name (`from: signal`), with its span.
    pub fn name_param(&self, param: &str) -> Option<Spanned<String>> {
        self.params.iter().find_map(|(n, p)| match p {
            Param::Fixed(e) if n.value == param => match &e.expr.kind {
                crate::expr::ExprKind::Name(v) => Some(Spanned::new(v.clone(), e.expr.span)),
                _ => None,
            },
            _ => None,
        })
    }
}

/// The parameter of interest.
#[derive(Clone, Debug)]
pub struct Poi {
    /// Its name (`br`).
    pub name: Name,
    /// What it is (`POI_KINDS`); None: the model's default (`Model::poi_kind`).
    pub kind: Option<Name>,
    /// For a signal strength, the signal events before efficiency at POI = 1: a number,
    /// or (the second) an expression of the scan parameter.
    pub nominal: Option<(Spanned<f64>, Option<SpecExpr>)>,
    /// Allowed range.
    pub range: Interval,
    /// One POI per channel instead of one shared by all channels.
    pub per_channel: Spanned<bool>,
}

impl Poi {
    /// Its kind as stated, else `default`.
    pub fn kind_or(&self, default: PoiKind) -> PoiKind {
        match self.kind.as_ref().map(|k| k.value.as_str()) {
            Some("branching_fraction") => PoiKind::BranchingFraction,
            Some("cross_section") => PoiKind::CrossSection,
            Some("yield") => PoiKind::Yield,
            Some("signal_strength") => PoiKind::SignalStrength,
            _ => default,
        }
    }
}

/// A constrained nuisance parameter.
#[derive(Clone, Debug)]
pub struct Nuisance {
    /// Name.
    pub name: Name,
    /// `gaussian` or `lognormal`.
    pub constraint: Name,
    /// Relative uncertainty (NaN when it depends on the hypothesis).
    pub relative: Spanned<f64>,
    /// The relative uncertainty as an expression of the scan parameter, when it is not a
    /// constant: evaluated at each hypothesis.
    pub relative_at: Option<SpecExpr>,
    /// For an asymmetric uncertainty (`relative: { up, down }`), the downward one, as
    /// `relative` and `relative_at` (which then hold the upward one).
    pub down: Option<(Spanned<f64>, Option<SpecExpr>)>,
    /// What it multiplies (`on`): the signal yield when absent, else a component's yield
    /// (`mumu`) or a fixed shape parameter (`signal.sigma`).
    pub on: Option<Name>,
    /// The channels it acts in (empty: every channel).
    pub channels: Vec<Name>,
}

/// What a nuisance multiplies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NuisanceTarget<'a> {
    /// The signal yield.
    SignalYield,
    /// The yield of the fit component of this name.
    Yield(&'a str),
    /// A shape parameter: (component or `signal`, parameter).
    Parameter(&'a str, &'a str),
}

impl Nuisance {
    /// What it multiplies.
    pub fn target(&self) -> NuisanceTarget<'_> {
        match self.on.as_ref().map(|o| o.value.as_str()) {
            None | Some("signal") => NuisanceTarget::SignalYield,
            Some(on) => match on.split_once('.') {
                Some((component, parameter)) => NuisanceTarget::Parameter(component, parameter),
                None => NuisanceTarget::Yield(on),
            },
        }
    }

    /// Whether it acts in the channel named `channel`.
    pub fn acts_in(&self, channel: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|c| c.value == channel)
    }
}

/// The relative uncertainties of a signal efficiency from `nuisances`: the Gaussian
/// ones added in quadrature (additive, as HistFactory's histosys), and the log-normal
/// ones as one log-normal whose ln κ is theirs added in quadrature (κ^θ multiply
/// exactly), each of relative width `width(n)` as it acts (its relative uncertainty at
/// the hypothesis times the fraction of the efficiency in the channels it acts in).
/// Returns (Gaussian, log-normal) relative widths.
pub fn efficiency_uncertainties(
    nuisances: &[Nuisance],
    width: impl Fn(&Nuisance) -> f64,
) -> (f64, f64) {
    let sum = |kind: &str, f: &dyn Fn(f64) -> f64| -> f64 {
        nuisances
            .iter()
            .filter(|n| n.constraint.value == kind)
            .map(|n| f(width(n)).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let gaussian = sum("gaussian", &|r| r);
    let lognormal = sum("lognormal", &|r| r.ln_1p()).exp_m1();
    (gaussian, lognormal)
}

/// `fit:`.
#[derive(Clone, Debug)]
pub struct Fit {
    /// Observable and range.
    pub observable: Observable,
    /// Sliding window around each hypothesis.
    pub window: Option<Width>,
    /// Signal PDF; its `sigma` is the resolution.
    pub signal: Pdf,
    /// The background components: `background:` is one named `background` with a free
    /// yield.
    pub backgrounds: Vec<FitComponent>,
    /// Signal efficiency.
    pub efficiency: Option<Efficiency>,
    /// Parameter of interest.
    pub poi: Poi,
    /// Constrained nuisances.
    pub nuisances: Vec<Nuisance>,
    /// How the background function is chosen and checked (`background_choice`).
    pub background_choice: Option<Box<BackgroundChoice>>,
}

/// `fit.background_choice`: the choice of a background component's function and its
/// checks, at each hypothesis.
#[derive(Clone, Debug)]
pub struct BackgroundChoice {
    /// The component (None: the fit's only one).
    pub component: Option<Name>,
    /// Alternative functions profiled with the component's own as a discrete nuisance.
    pub envelope: Vec<(Name, Pdf)>,
    /// −ln L added per floating shape parameter of a function of the envelope.
    pub penalty: Spanned<f64>,
    /// Order selection of a polynomial component.
    pub f_test: Option<FTest>,
    /// The spurious-signal test.
    pub spurious_signal: Option<SpuriousSignal>,
    /// Span of the mapping.
    pub span: Span,
}

/// Combine's default penalty per floating parameter in −ln L (`RooMultiPdf`'s cFactor).
pub const ENVELOPE_PENALTY: f64 = 0.5;

/// `f_test`: the order of a polynomial background chosen by likelihood-ratio tests.
#[derive(Clone, Debug)]
pub struct FTest {
    /// The highest order tried.
    pub max_order: Spanned<u64>,
    /// The next order is taken while its test's p-value is below this.
    pub p_value: Spanned<f64>,
    /// How unwritten coefficients float (None: as the highest written floating one).
    pub coefficient: Option<Param>,
    /// Span of the mapping.
    pub span: Span,
}

/// `spurious_signal`: the signal a function fits on a background-only sample.
#[derive(Clone, Debug)]
pub struct SpuriousSignal {
    /// The background-only sample.
    pub input: Name,
    /// The largest |signal| / its statistical uncertainty that passes.
    pub max: Spanned<f64>,
}

impl Fit {
    /// What the POI is: as stated, else a branching fraction.
    pub fn poi_kind(&self) -> PoiKind {
        self.poi.kind_or(PoiKind::BranchingFraction)
    }
}

/// `counting:`.
#[derive(Clone, Debug)]
pub struct Counting {
    /// Counted variable and range.
    pub observable: Observable,
    /// Resolution σ as a function of the hypothesis.
    pub resolution: SpecExpr,
    /// Signal window half-width.
    pub window: Width,
    /// Sidebands, in σ from the hypothesis.
    pub sidebands: Vec<Interval>,
    /// Signal efficiency.
    pub efficiency: Option<Efficiency>,
    /// Parameter of interest.
    pub poi: Poi,
    /// Constrained nuisances.
    pub nuisances: Vec<Nuisance>,
}

/// `scan:`.
#[derive(Clone, Debug)]
pub struct Scan {
    /// Hypothesis parameter name (`m_a`).
    pub parameter: Name,
    /// Scanned range.
    pub range: Interval,
    /// Step, possibly in terms of `sigma`.
    pub step: SpecExpr,
    /// Vetoes whose windows are skipped.
    pub exclude: Vec<Name>,
}

/// `limits:`.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Confidence level.
    pub cl: Spanned<f64>,
    /// Method name.
    pub method: Name,
    /// Whether expected bands are computed.
    pub expected: Spanned<bool>,
    /// Toys for toy-based methods.
    pub toys: Option<Spanned<u64>>,
    /// Pseudo-experiments of the whole scan for the global significance.
    pub global_toys: Option<Spanned<u64>>,
    /// Conversions of the POI limit into model parameters.
    pub reinterpret: Vec<Reinterpret>,
    /// Exclusion in a plane of the scan parameter and a model coupling that sets the
    /// signal's lifetime.
    pub model_plane: Vec<ModelPlane>,
}

impl Limits {
    /// The tables of every reinterpretation and model plane: (name in the formulas, file).
    pub fn formula_tables(&self) -> impl Iterator<Item = &(Name, Name)> {
        let planes = self.model_plane.iter().flat_map(|p| &p.tables);
        self.reinterpret
            .iter()
            .flat_map(|r| &r.tables)
            .chain(planes)
    }
}

/// `limits.model_plane.<coupling>`: a model whose coupling sets both the signal's
/// lifetime and (possibly) its predicted POI value; excluded where the prediction
/// exceeds the limit at the lifetime the coupling gives.
#[derive(Clone, Debug)]
pub struct ModelPlane {
    /// The coupling's name (the plane's vertical axis).
    pub coupling: Name,
    /// Its range, scanned in equal steps of its logarithm.
    pub range: Interval,
    /// Couplings in the range (default 200).
    pub points: Option<Spanned<u64>>,
    /// The signal's proper decay length at (hypothesis, coupling), in the units of the
    /// scan's lifetimes.
    pub ctau: SpecExpr,
    /// The POI value the model predicts at (hypothesis, coupling).
    pub prediction: SpecExpr,
    /// The grid's shortest lifetime is prompt for the detector: shorter lifetimes take
    /// its limit.
    pub shortest_is_prompt: Option<Spanned<bool>>,
    /// A channel's own prediction (channels with their own POI).
    pub channels: Vec<(Name, SpecExpr)>,
    /// Names usable in the formulas, each a table of `value` against `mass` (and
    /// `channel`), relative to the spec.
    pub tables: Vec<(Name, Name)>,
}

/// A reinterpretation formula.
#[derive(Clone, Debug)]
pub struct Reinterpret {
    /// Name of the derived limit (`g_aW`).
    pub name: Name,
    /// Formula in terms of the POI and the hypothesis.
    pub formula: SpecExpr,
    /// Unit label for reports.
    pub unit: Option<Name>,
    /// Names usable in the formulas, each a table of `value` against `mass` (and
    /// `channel`), relative to the spec.
    pub tables: Vec<(Name, Name)>,
    /// A channel's own formula (channels with their own POI).
    pub channels: Vec<(Name, SpecExpr)>,
}

/// `blinding:`.
#[derive(Clone, Debug)]
pub struct Blinding {
    /// True when the spec asks to look at data in the signal region.
    pub unblind: Spanned<bool>,
    /// `signal_region`: the candidates this condition holds for (or cannot be evaluated
    /// for) are the signal region, besides the windows around the scan's hypotheses.
    pub signal_region: Option<SpecExpr>,
    /// `window`: the half-width of the blinded window around each hypothesis of a fit
    /// scan (default [`DEFAULT_BLINDED_WINDOW`] σ); counting scans blind their
    /// `counting.window`.
    pub window: Option<Width>,
}

/// The blinded half-width around a fit scan's hypothesis when the spec names none, in
/// units of the resolution.
pub const DEFAULT_BLINDED_WINDOW: f64 = 3.0;
