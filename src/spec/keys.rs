//! The spec format, as data: every key, its kind, whether it is required and what it means.
//!
//! The loader checks mappings against these tables (unknown keys, did-you-mean, required
//! keys); `searchlight schema` turns them into JSON Schema; [`reference_markdown`] is the
//! key table of `docs/spec.md` (a test fails when the file is stale). One table, three uses.

/// The kind of value a key takes.
#[derive(Debug)]
pub enum Kind {
    /// Any string.
    Str,
    /// A whole number ≥ 0 (YAML may write `2e6`).
    Count,
    /// A constant number, optionally with a unit: `5.27`, `"20 MeV"`, `"0.5 * 0.692"`.
    Quantity,
    /// `true` or `false`.
    Bool,
    /// An expression of the language (a cut or a derived value).
    Expr,
    /// A quantity or a multiple of the resolution: `"10 sigma"`, `"50 MeV"`.
    Width,
    /// One of a fixed set of words.
    Enum(&'static [&'static str]),
    /// `[low, high]`, two quantities.
    Interval,
    /// A list of values of one kind.
    List(&'static Kind),
    /// A mapping with fixed keys.
    Object(&'static [Key]),
    /// A mapping from user-chosen names to values of one kind.
    Dict(&'static Kind),
    /// A mapping with some fixed keys and any number of user-chosen extra keys.
    Open(&'static [Key], &'static Kind),
    /// Any one of several kinds.
    OneOf(&'static [Kind]),
}

/// One key of a mapping.
#[derive(Debug)]
pub struct Key {
    /// The key.
    pub name: &'static str,
    /// Its value.
    pub kind: Kind,
    /// Must it be present?
    pub required: bool,
    /// One-line meaning, used in the JSON Schema and docs.
    pub doc: &'static str,
}

const fn req(name: &'static str, kind: Kind, doc: &'static str) -> Key {
    Key {
        name,
        kind,
        required: true,
        doc,
    }
}

const fn opt(name: &'static str, kind: Kind, doc: &'static str) -> Key {
    Key {
        name,
        kind,
        required: false,
        doc,
    }
}

/// Limit-setting methods.
pub const METHODS: &[&str] = &[
    "bayesian",
    "cls-asymptotic",
    "cls-toys",
    "cls-exact",
    "feldman-cousins",
];
/// MVA model formats.
pub const MVA_FORMATS: &[&str] = &["xgboost", "lightgbm", "tmva"];
/// Experiments.
pub const EXPERIMENTS: &[&str] = &["belle", "belle2"];

const REFERENCE: &[Key] = &[
    opt("arxiv", Kind::Str, "arXiv identifier"),
    opt("doi", Kind::Str, "DOI"),
    opt("url", Kind::Str, "web address"),
    opt(
        "inspired_by",
        Kind::Str,
        "the publication this toy analysis imitates",
    ),
];

const ANALYSIS: &[Key] = &[
    req(
        "name",
        Kind::Str,
        "short identifier; default output directory is results/<name>/",
    ),
    opt("title", Kind::Str, "human-readable title"),
    opt("description", Kind::Str, "free text"),
    opt(
        "reference",
        Kind::Object(REFERENCE),
        "publication references",
    ),
    opt(
        "experiment",
        Kind::Enum(EXPERIMENTS),
        "beams and E*_beam: belle (KEKB) or belle2 (SuperKEKB)",
    ),
    opt(
        "luminosity",
        Kind::Str,
        "integrated luminosity, e.g. `711 /fb`",
    ),
    opt("n_bb", Kind::Quantity, "number of BB pairs"),
];

const NUMBER_OR_GRID: Kind = Kind::OneOf(&[Kind::Quantity, Kind::List(&Kind::Quantity)]);

const INPUT: Kind = Kind::Open(
    &[
        opt(
            "toy",
            Kind::Str,
            "toy generator name (see `searchlight schema`'s description)",
        ),
        opt("events", Kind::Count, "events to generate (toy)"),
        opt("seed", Kind::Count, "random seed (toy)"),
        opt(
            "files",
            Kind::List(&Kind::OneOf(&[Kind::Str, FILE_ENTRY])),
            "ROOT or Parquet files or globs, relative to the spec; an entry `{ path, mass, ctau, events }` also says what a signal sample's files were generated at",
        ),
        opt("tree", Kind::Str, "TTree name in ROOT files"),
        opt(
            "units",
            Kind::Dict(&Kind::Str),
            "unit each listed column is stored in (`GeV`, `MeV`, `cm`, `ps`, `1`…): checked like a toy column's, values converted to GeV, cm, ns",
        ),
        opt(
            "cuts",
            Kind::List(&Kind::Expr),
            "conditions applied to this input only, before the selection (e.g. truth matching `isSignal == 1` on simulation)",
        ),
        opt(
            "weight",
            Kind::Expr,
            "each candidate's weight in this input (default `__weight__`, or 1), e.g. `__weight__ * pid_correction`",
        ),
        opt(
            "scale",
            Kind::Quantity,
            "normalisation of this input's weighted counts (cross section × luminosity / generated events for simulation); cutflows report them scaled",
        ),
        opt(
            "inject",
            INJECT,
            "closure tests: events of a signal sample at one mass added to this (file) data input",
        ),
        opt(
            "generated",
            GENERATED,
            "signal sample from files: the mass (and ctau) each row was generated at and the events generated at each point",
        ),
    ],
    &NUMBER_OR_GRID,
);

/// An entry of a file input's `files` with what its files were generated at.
pub const FILE_ENTRY: Kind = Kind::Object(&[
    req("path", Kind::Str, "file or glob, relative to the spec"),
    opt(
        "mass",
        Kind::Quantity,
        "mass the entry's events were generated at",
    ),
    opt(
        "ctau",
        Kind::Quantity,
        "proper decay length the entry's events were generated at",
    ),
    opt(
        "events",
        Kind::Count,
        "events generated for the entry's files",
    ),
]);

/// `inject:` of a file data input.
pub const INJECT: Kind = Kind::Object(&[
    req(
        "from",
        Kind::Str,
        "the signal sample (toy or files) the events come from",
    ),
    req(
        "mass",
        Kind::Quantity,
        "its generated mass the events are drawn at",
    ),
    opt(
        "ctau",
        Kind::Quantity,
        "its generated lifetime, for lifetime grids",
    ),
    req(
        "events",
        Kind::Count,
        "generated events drawn (each kept as the selection keeps it)",
    ),
    req("seed", Kind::Count, "random seed of the draw"),
]);

/// `generated:` of a signal sample read from files.
pub const GENERATED: Kind = Kind::Object(&[
    opt(
        "mass",
        Kind::Str,
        "column holding each row's generated mass, or one number for every row",
    ),
    opt(
        "ctau",
        Kind::Str,
        "column holding each row's generated proper decay length, or one number",
    ),
    opt(
        "events",
        Kind::OneOf(&[
            Kind::Count,
            Kind::Dict(&Kind::Count),
            Kind::Str,
            GENERATED_EVENTS_TREE,
        ]),
        "events generated at each point: a number (every point), mass -> number, a CSV/JSON table (mass, ctau, channel, events), or `{ tree: NAME }`",
    ),
]);

/// `generated.events: { tree: NAME }`: counted in the files.
pub const GENERATED_EVENTS_TREE: Kind = Kind::Object(&[req(
    "tree",
    Kind::Str,
    "a tree of each `files` entry's ROOT files with one entry per generated event; its entries are the events generated at the entry's mass",
)]);

const MVA: Kind = Kind::Object(&[
    req("model", Kind::Str, "model file, relative to the spec"),
    req("format", Kind::Enum(MVA_FORMATS), "model format"),
    opt(
        "sha256",
        Kind::Str,
        "pinned SHA-256 of the model file; a changed file is an error",
    ),
    req(
        "features",
        Kind::List(&Kind::Expr),
        "feature expressions in the model's order",
    ),
    opt(
        "output",
        Kind::Enum(&["probability", "margin"]),
        "probability (default) or raw margin",
    ),
]);

const CORRECTION: Kind = Kind::Object(&[
    req(
        "file",
        Kind::Str,
        "correctionlib JSON (.json, .json.gz) or Belle II CSV table, relative to the spec",
    ),
    opt(
        "sha256",
        Kind::Str,
        "pinned SHA-256 of the file; a changed file is an error",
    ),
    opt(
        "correction",
        Kind::Str,
        "the correction's name in a correctionlib file (default: the entry's name)",
    ),
    req(
        "inputs",
        Kind::List(&Kind::Expr),
        "expressions of the correction's numeric inputs, in its order",
    ),
    opt(
        "keys",
        Kind::Dict(&Kind::Str),
        "the value of each string input (a table's `variation` defaults to nominal)",
    ),
    opt(
        "vary",
        Kind::Str,
        "the string input `NAME(VALUE)` replaces (default: the only one)",
    ),
]);

const BEST_CANDIDATE: Kind = Kind::Object(&[
    req("by", Kind::Expr, "ranking expression"),
    opt(
        "keep",
        Kind::Enum(&["lowest", "highest"]),
        "which end of the ranking to keep (default lowest)",
    ),
    opt("n", Kind::Count, "candidates to keep per event (default 1)"),
]);

const STEP: Kind = Kind::Object(&[
    opt("name", Kind::Str, "cutflow label (default: the cut text)"),
    opt(
        "cut",
        Kind::Expr,
        "boolean expression a candidate must pass",
    ),
    opt(
        "best_candidate",
        BEST_CANDIDATE,
        "keep the best candidates per event",
    ),
]);

const HISTOGRAM: Kind = Kind::Object(&[
    req("var", Kind::Expr, "histogrammed variable"),
    req(
        "bins",
        Kind::Count,
        "number of equal-width bins (1 to 100 000)",
    ),
    req(
        "range",
        Kind::Interval,
        "[low, high); values outside count as underflow or overflow",
    ),
    opt(
        "without",
        Kind::List(&Kind::Str),
        "names of cut steps and vetoes not applied (N−1 distributions; best-candidate steps are not applied either)",
    ),
    opt(
        "inputs",
        Kind::List(&Kind::Str),
        "the inputs filled (default: every input)",
    ),
]);

const VETO: Kind = Kind::Object(&[
    req("var", Kind::Expr, "vetoed variable"),
    req(
        "window",
        Kind::Interval,
        "closed window [low, high] removed",
    ),
]);

const CHANNEL: Kind = Kind::Object(&[
    req(
        "cut",
        Kind::Expr,
        "membership cut; channels should be disjoint",
    ),
    opt(
        "bf_daughter",
        Kind::Quantity,
        "product of daughter branching fractions",
    ),
    opt(
        "external_efficiency",
        Kind::Quantity,
        "efficiency factor the signal sample does not simulate (e.g. the tag side's), multiplied into the signal yield",
    ),
    opt(
        "endpoint",
        Kind::Quantity,
        "kinematic endpoint of the scanned mass, e.g. `m_Bp - m_Kp`",
    ),
    opt(
        "n_bb",
        Kind::Quantity,
        "this channel's number of parent B mesons or BB pairs (a data-taking period, B⁺ vs B⁰), instead of `analysis.n_bb`",
    ),
    opt(
        "luminosity",
        Kind::Str,
        "this channel's integrated luminosity (a data-taking period, an experiment), instead of `analysis.luminosity`",
    ),
    opt(
        "control",
        Kind::Bool,
        "a control region: fitted together with the signal channels, without signal; parameters marked `shared: true` are one for all channels",
    ),
    opt(
        "nominal",
        Kind::Expr,
        "for `poi.kind: signal_strength`: this channel's signal events before efficiency at POI = 1 (its own model prediction, a number or an expression of the scan parameter), instead of `poi.nominal`",
    ),
]);

const OBSERVABLE: Kind = Kind::Object(&[
    req("var", Kind::Expr, "the variable"),
    req("range", Kind::Interval, "its range"),
]);

const FLOATING: Kind = Kind::Object(&[
    req("init", Kind::Quantity, "start value"),
    req("range", Kind::Interval, "allowed range"),
    opt(
        "shared",
        Kind::Bool,
        "one parameter for every channel instead of one per channel (e.g. a background shape fixed by a control region)",
    ),
]);

const PDF: Kind = Kind::Open(
    &[req("pdf", Kind::Str, "PDF name")],
    &Kind::OneOf(&[Kind::Expr, FLOATING]),
);

const POI: Kind = Kind::Object(&[
    req("name", Kind::Str, "name of the parameter of interest"),
    req("range", Kind::Interval, "its allowed range"),
    opt(
        "kind",
        Kind::Enum(crate::spec::model::POI_KINDS),
        "what the POI is: `branching_fraction` (signal = POI × N_BB × …), `cross_section` (POI × luminosity in fb⁻¹ × …), `yield` (POI × efficiency) or `signal_strength` (POI × `nominal` × …); default: branching_fraction in fits, cross_section in counting scans",
    ),
    opt(
        "nominal",
        Kind::Expr,
        "for `kind: signal_strength`: the signal events before efficiency at POI = 1 (the model's prediction), a number or an expression of the scan parameter",
    ),
    opt(
        "per_channel",
        Kind::Bool,
        "one POI per channel (separate limits) instead of one shared by all (default false)",
    ),
]);

/// An asymmetric relative uncertainty.
pub const ASYMMETRIC: Kind = Kind::Object(&[
    req(
        "up",
        Kind::Expr,
        "relative change at +1 sigma (a number or an expression of the scan parameter)",
    ),
    req(
        "down",
        Kind::Expr,
        "relative change at -1 sigma, as a positive fraction below 1",
    ),
]);

const NUISANCE: Kind = Kind::Object(&[
    opt(
        "constraint",
        Kind::Enum(&["gaussian", "lognormal"]),
        "constraint term (default gaussian)",
    ),
    req(
        "relative",
        Kind::OneOf(&[Kind::Expr, ASYMMETRIC]),
        "relative uncertainty: a number, or an expression of the scan parameter (its width at each hypothesis); `{ up, down }` for an asymmetric one",
    ),
    opt(
        "on",
        Kind::Str,
        "what it multiplies: the signal yield (default), a component's yield (`mumu`), or a fixed shape parameter (`signal.sigma`, `signal.mean`); fits only",
    ),
    opt(
        "channels",
        Kind::List(&Kind::Str),
        "the channels it acts in (default: every channel)",
    ),
]);

/// `efficiency: { table: … }`.
pub const EFFICIENCY_TABLE: Kind = Kind::Object(&[
    req(
        "table",
        Kind::Str,
        "CSV or JSON file of mass, ctau (optional), channel, efficiency, uncertainty; relative to the spec",
    ),
    opt(
        "sha256",
        Kind::Str,
        "pinned SHA-256 of the table; a changed file is an error",
    ),
]);
const EFFICIENCY_KEY: Key = opt(
    "efficiency",
    Kind::OneOf(&[Kind::Str, EFFICIENCY_TABLE]),
    "`from(INPUT)`, a number or expression of the scan parameter, or `{ table: FILE }`",
);
const POI_KEY: Key = req("poi", POI, "parameter of interest");
const NUISANCES_KEY: Key = opt(
    "nuisances",
    Kind::Dict(&NUISANCE),
    "constrained nuisance parameters",
);

/// A yield of a plain fit's component: a number, or floating with an optional Gaussian
/// constraint.
pub const YIELD: Kind = Kind::OneOf(&[
    Kind::Quantity,
    Kind::Object(&[
        req("init", Kind::Quantity, "start value"),
        req("range", Kind::Interval, "allowed range"),
        opt(
            "gaussian",
            Kind::List(&Kind::Quantity),
            "Gaussian constraint [mean, sigma] (e.g. a peaking background from simulation)",
        ),
    ]),
    YIELD_FROM_INPUT,
]);

/// `yield: { from: INPUT }`: a simulated sample's normalisation.
pub const YIELD_FROM_INPUT: Kind = Kind::Object(&[
    req(
        "from",
        Kind::Str,
        "the input whose selected candidates in the fit range, weighted and scaled, give the yield",
    ),
    opt(
        "constraint",
        Kind::Enum(&["gaussian", "lognormal"]),
        "constraint of the normalisation (default gaussian)",
    ),
    opt(
        "relative",
        Kind::Quantity,
        "relative uncertainty of the normalisation (without it the yield is fixed)",
    ),
    opt(
        "free",
        Kind::Bool,
        "a free normalisation factor `<component>.norm`, one for all channels, fixed by the data (a control region): HistFactory's normfactor, Combine's rateParam",
    ),
]);

/// A component of a fit: a PDF with its parameters and its yield.
pub const COMPONENT: Kind = Kind::Open(
    &[
        req("pdf", Kind::Str, "PDF name"),
        opt(
            "yield",
            YIELD,
            "events of this component in the fit range: a number, floating, or from an input (default: free)",
        ),
    ],
    &Kind::OneOf(&[Kind::Expr, FLOATING]),
);

const SPURIOUS_SIGNAL: Kind = Kind::Object(&[
    req(
        "input",
        Kind::Str,
        "a background-only sample (simulation, weighted to the data by its `scale`) fitted with signal + background at each hypothesis",
    ),
    opt(
        "max",
        Kind::Quantity,
        "the largest |fitted signal| / its statistical uncertainty a function passes with (default 0.2)",
    ),
]);

const F_TEST: Kind = Kind::Object(&[
    req(
        "max_order",
        Kind::Count,
        "the highest polynomial order tried (from the order the component writes)",
    ),
    opt(
        "p_value",
        Kind::Quantity,
        "the next order is taken while the likelihood-ratio test's p-value for it is below this (default 0.05)",
    ),
    opt(
        "coefficient",
        FLOATING,
        "how coefficients the component does not write float (default: as its highest written floating coefficient)",
    ),
]);

const BACKGROUND_CHOICE: Kind = Kind::Object(&[
    opt(
        "component",
        Kind::Str,
        "the background component whose function is chosen and tested (default: the only one)",
    ),
    opt(
        "envelope",
        Kind::Dict(&PDF),
        "alternative functions for the component, profiled with it as a discrete nuisance (Combine's discrete profiling)",
    ),
    opt(
        "penalty",
        Kind::Quantity,
        "added to a function's −ln L per floating shape parameter in the envelope (default 0.5, Combine's)",
    ),
    opt(
        "f_test",
        F_TEST,
        "choose a `chebychev` or `bernstein` component's order at each hypothesis by likelihood-ratio tests",
    ),
    opt(
        "spurious_signal",
        SPURIOUS_SIGNAL,
        "fit signal + background to a background-only sample at each hypothesis, per function",
    ),
]);

const FIT: Kind = Kind::Object(&[
    req("observable", OBSERVABLE, "fitted variable and range"),
    opt(
        "window",
        Kind::Width,
        "sliding fit window half-width around each hypothesis",
    ),
    opt(
        "signal",
        PDF,
        "scan fits: signal PDF; its `sigma` is the resolution",
    ),
    opt(
        "background",
        PDF,
        "scan fits: background PDF (one component with a free yield per channel)",
    ),
    EFFICIENCY_KEY,
    opt("poi", POI, "scan fits: parameter of interest"),
    NUISANCES_KEY,
    opt(
        "components",
        Kind::Dict(&COMPONENT),
        "named components, each a PDF with its yield: a plain fit's (no scan), or a scan fit's backgrounds (instead of `background`)",
    ),
    opt(
        "input",
        Kind::Str,
        "plain fit: the input whose selected candidates are fitted (default `data`)",
    ),
    opt(
        "background_choice",
        BACKGROUND_CHOICE,
        "scan fits: the background function's choice and checks — an envelope of alternatives, F-test order selection, the spurious-signal test",
    ),
]);

const COUNTING: Kind = Kind::Object(&[
    req("observable", OBSERVABLE, "counted variable and range"),
    req(
        "resolution",
        Kind::Expr,
        "resolution sigma as a function of the hypothesis",
    ),
    req("window", Kind::Width, "signal window half-width"),
    opt(
        "sidebands",
        Kind::List(&Kind::Interval),
        "sidebands in sigma from the hypothesis",
    ),
    EFFICIENCY_KEY,
    POI_KEY,
    NUISANCES_KEY,
]);

const SCAN: Kind = Kind::Object(&[
    req(
        "parameter",
        Kind::Str,
        "name of the hypothesis parameter, usable in expressions",
    ),
    req("range", Kind::Interval, "scanned range"),
    req(
        "step",
        Kind::Expr,
        "step; may use `sigma`, the resolution at the hypothesis",
    ),
    opt(
        "exclude",
        Kind::List(&Kind::Str),
        "vetoes whose windows are not scanned",
    ),
]);

const REINTERPRET: Kind = Kind::Object(&[
    req(
        "formula",
        Kind::Expr,
        "the model parameter in terms of the POI and the hypothesis",
    ),
    opt("unit", Kind::Str, "unit label for reports"),
    opt(
        "tables",
        Kind::Dict(&Kind::Str),
        "names usable in the formulas, each a CSV or JSON table of `value` against `mass` (and `channel`): a cross section or form factor per hypothesis, linearly interpolated",
    ),
    opt(
        "channels",
        Kind::Dict(&Kind::Expr),
        "the formula for the limits of one channel (a POI per channel), instead of `formula`",
    ),
]);

const MODEL_PLANE: Kind = Kind::Object(&[
    req(
        "range",
        Kind::Interval,
        "the coupling's range, scanned in equal steps of its logarithm",
    ),
    opt(
        "points",
        Kind::Count,
        "couplings in the range (default 200, at most 10 000)",
    ),
    req(
        "ctau",
        Kind::Expr,
        "the signal's proper decay length at the hypothesis and coupling, in the units of the scan's lifetimes",
    ),
    req(
        "prediction",
        Kind::Expr,
        "the POI value the model predicts at the hypothesis and coupling",
    ),
    opt(
        "shortest_is_prompt",
        Kind::Bool,
        "the scan's shortest lifetime is prompt for the detector: shorter lifetimes take its limit (default false: not excluded)",
    ),
    opt(
        "channels",
        Kind::Dict(&Kind::Expr),
        "the prediction for one channel (a POI per channel), instead of `prediction`",
    ),
    opt(
        "tables",
        Kind::Dict(&Kind::Str),
        "names usable in the formulas, each a CSV or JSON table of `value` against `mass` (and `channel`), linearly interpolated",
    ),
]);

const LIMITS: Kind = Kind::Object(&[
    req("cl", Kind::Quantity, "confidence level, in (0, 1)"),
    req("method", Kind::Enum(METHODS), "limit-setting method"),
    opt(
        "expected",
        Kind::Bool,
        "compute the expected ±1σ/±2σ bands (default true)",
    ),
    opt(
        "toys",
        Kind::Count,
        "pseudo-experiments for toy-based methods",
    ),
    opt(
        "global_toys",
        Kind::Count,
        "background-only pseudo-experiments of the whole scan for the global significance (default: Gross–Vitells upcrossings)",
    ),
    opt(
        "reinterpret",
        Kind::Dict(&REINTERPRET),
        "limits on model parameters derived from the POI limit",
    ),
    opt(
        "model_plane",
        Kind::Dict(&MODEL_PLANE),
        "exclusion in the plane of the scan parameter and a coupling that sets the signal's lifetime (a scan over lifetimes)",
    ),
]);

const BLINDING: Kind = Kind::Object(&[
    opt(
        "unblind",
        Kind::Bool,
        "look at data in the signal region (also needs `run --unblind`)",
    ),
    opt(
        "signal_region",
        Kind::Expr,
        "condition of the data candidates hidden while blinded, besides the windows around the hypotheses",
    ),
    opt(
        "window",
        Kind::Width,
        "fit scans: half-width of the blinded window around each hypothesis (default 3 sigma)",
    ),
]);

/// The top-level keys of a spec file.
pub const ROOT: &[Key] = &[
    req(
        "searchlight",
        Kind::Count,
        "schema version; this release reads 1",
    ),
    opt(
        "include",
        Kind::List(&Kind::Str),
        "fragments merged into this spec, relative paths",
    ),
    req("analysis", Kind::Object(ANALYSIS), "metadata"),
    req(
        "inputs",
        Kind::Dict(&INPUT),
        "named samples: `data` is the observed dataset",
    ),
    opt(
        "variables",
        Kind::Dict(&Kind::Expr),
        "aliases: name -> expression",
    ),
    opt(
        "mva",
        Kind::Dict(&MVA),
        "classifiers, usable by name in expressions",
    ),
    opt(
        "corrections",
        Kind::Dict(&CORRECTION),
        "data/MC corrections (correctionlib, Belle II tables), usable by name in expressions",
    ),
    opt(
        "selection",
        Kind::List(&STEP),
        "ordered steps; each is one cutflow row",
    ),
    opt(
        "vetoes",
        Kind::Dict(&VETO),
        "windows removed from the data and from the scan",
    ),
    opt(
        "histograms",
        Kind::Dict(&HISTOGRAM),
        "distributions of the selected candidates, per input and channel",
    ),
    opt(
        "channels",
        Kind::Dict(&CHANNEL),
        "disjoint categories fitted or counted together",
    ),
    opt("fit", FIT, "likelihood fit model"),
    opt("counting", COUNTING, "cut-and-count model"),
    opt("scan", SCAN, "scan over hypotheses"),
    opt("limits", LIMITS, "upper limits"),
    opt("blinding", BLINDING, "blinding policy"),
    opt(
        "systematics",
        Kind::Dict(&SYSTEMATIC),
        "named sources of systematic uncertainty on the signal efficiency, each a nuisance of the scan",
    ),
];

/// A source of systematic uncertainty.
const SYSTEMATIC: Kind = Kind::Object(&[
    opt(
        "weight",
        Kind::Object(&[
            req("up", Kind::Expr, "the signal sample's weight at +1 sigma"),
            req("down", Kind::Expr, "the signal sample's weight at -1 sigma"),
        ]),
        "a weight variation: the weight of each signal candidate at +-1 sigma (replacing its weight)",
    ),
    opt(
        "columns",
        Kind::Object(&[
            req(
                "up",
                Kind::Dict(&Kind::Expr),
                "column -> its value at +1 sigma (an expression, may use the column)",
            ),
            req(
                "down",
                Kind::Dict(&Kind::Expr),
                "column -> its value at -1 sigma",
            ),
        ]),
        "a column variation: columns of the signal sample replaced at +-1 sigma (energy scale, smearing), the whole selection rerun",
    ),
    opt(
        "efficiency",
        Kind::Enum(&["mc_stat"]),
        "`mc_stat`: the efficiency's own statistical uncertainty, a nuisance per channel",
    ),
    opt(
        "channels",
        Kind::List(&Kind::Str),
        "the channels it acts in (default: every channel)",
    ),
]);

/// The table of an `Object` or `Open` kind.
pub fn fields(kind: &Kind) -> &'static [Key] {
    match kind {
        Kind::Object(k) | Kind::Open(k, _) => k,
        _ => &[],
    }
}

/// Finds a key in a table.
pub fn find(table: &'static [Key], name: &str) -> Option<&'static Key> {
    table.iter().find(|k| k.name == name)
}

/// A short description of a kind, for the docs.
pub fn describe(kind: &Kind) -> String {
    match kind {
        Kind::Str => "text".into(),
        Kind::Count => "whole number".into(),
        Kind::Quantity => "number (unit allowed)".into(),
        Kind::Bool => "true / false".into(),
        Kind::Expr => "expression".into(),
        Kind::Width => "`N sigma` or width".into(),
        Kind::Enum(words) => words
            .iter()
            .map(|w| format!("`{w}`"))
            .collect::<Vec<_>>()
            .join(" \\| "),
        Kind::Interval => "[low, high]".into(),
        Kind::List(inner) => format!("list of {}", describe(inner)),
        Kind::Object(_) => "mapping".into(),
        Kind::Open(..) => "mapping (+ named extras)".into(),
        Kind::Dict(inner) => format!("names → {}", describe(inner)),
        Kind::OneOf(kinds) => kinds.iter().map(describe).collect::<Vec<_>>().join(" or "),
    }
}

/// The key reference table of `docs/spec.md`: every key path, its kind, and its meaning.
pub fn reference_markdown() -> String {
    fn walk(prefix: &str, keys: &[Key], extra: Option<&Kind>, out: &mut String) {
        for k in keys {
            let path = if prefix.is_empty() {
                k.name.to_string()
            } else {
                format!("{prefix}.{}", k.name)
            };
            let req = if k.required { "yes" } else { "" };
            out.push_str(&format!(
                "| `{path}` | {} | {req} | {} |\n",
                describe(&k.kind),
                k.doc
            ));
            nested(&path, &k.kind, out);
        }
        if let Some(extra) = extra {
            out.push_str(&format!(
                "| `{prefix}.<parameter>` | {} | | named parameters |\n",
                describe(extra)
            ));
            nested(&format!("{prefix}.<parameter>"), extra, out);
        }
    }
    fn nested(path: &str, kind: &Kind, out: &mut String) {
        match kind {
            Kind::Object(keys) => walk(path, keys, None, out),
            Kind::Open(keys, extra) => walk(path, keys, Some(extra), out),
            Kind::Dict(inner) => match inner {
                Kind::Object(keys) => walk(&format!("{path}.<name>"), keys, None, out),
                Kind::Open(keys, extra) => walk(&format!("{path}.<name>"), keys, Some(extra), out),
                _ => {}
            },
            Kind::List(inner) => nested(&format!("{path}[]"), inner, out),
            Kind::OneOf(kinds) => kinds.iter().for_each(|k| nested(path, k, out)),
            _ => {}
        }
    }
    let mut out = String::from("| key | value | required | meaning |\n|---|---|---|---|\n");
    walk("", ROOT, None, &mut out);
    out
}

/// The kind of the value under `key` in a mapping of kind `kind`, where the format says.
pub fn child_kind<'k>(kind: Option<&'k Kind>, key: &str) -> Option<&'k Kind> {
    let find = |keys: &'k [Key]| keys.iter().find(|x| x.name == key).map(|x| &x.kind);
    match kind? {
        Kind::Object(keys) | Kind::List(Kind::Object(keys)) => find(keys),
        Kind::Dict(inner) => Some(*inner),
        Kind::Open(keys, extra) => Some(find(keys).unwrap_or(*extra)),
        Kind::OneOf(kinds) => kinds.iter().find_map(|k| match k {
            Kind::Object(keys) | Kind::Open(keys, _) => find(keys),
            _ => None,
        }),
        _ => None,
    }
}

/// The kind of the items of a sequence of kind `kind`.
pub fn item_kind(kind: Option<&Kind>) -> Option<&Kind> {
    match kind {
        Some(Kind::List(inner)) => Some(*inner),
        Some(Kind::Interval) => Some(&Kind::Quantity),
        other => other,
    }
}

/// True for the kinds whose scalars are expressions of the language.
pub fn is_expression(kind: Option<&Kind>) -> bool {
    matches!(kind, Some(Kind::Expr | Kind::Quantity | Kind::Width))
}

/// The kind of a top-level section.
pub fn section_kind(name: &str) -> Option<&'static Kind> {
    ROOT.iter().find(|k| k.name == name).map(|k| &k.kind)
}
