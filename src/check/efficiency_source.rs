//! What a scan's signal efficiency is built from, as the spec and the files it names
//! decide: a signal toy, a signal sample read from files with the points it was generated
//! at, or efficiencies given (a number, an expression of the scan parameter, a table
//! file). `lint` (SL035) and `run` resolve it with the same function, so every refusal
//! that does not need the data is a lint finding.

use std::path::Path;

use super::grid;
use crate::diag::Span;
use crate::io::point_table::{self, PointRow};
use crate::io::root::RootReader;
use crate::spec::{
    DATA_INPUT, Efficiency, Generated, GeneratedAt, GeneratedEvents, Name, Source, Spec,
};

/// Where a scan's efficiencies come from.
#[derive(Clone, Debug, PartialEq)]
pub enum EfficiencySource {
    /// Measured on the signal toy input of this name.
    Toy(String),
    /// Measured on the signal sample read from files of this input, generated at `points`.
    Files {
        /// Input name.
        input: String,
        /// The generated points.
        points: Vec<GeneratedPoint>,
    },
    /// Given per point (and channel).
    Given(Vec<GivenPoint>),
}

/// Events generated at one point of a signal sample (for one channel, or for all).
#[derive(Clone, Debug, PartialEq)]
pub struct GeneratedPoint {
    /// Generated mass.
    pub mass: f64,
    /// Generated proper decay length.
    pub ctau: Option<f64>,
    /// The channel the count is for; None: every channel.
    pub channel: Option<String>,
    /// Events generated.
    pub events: f64,
}

/// A given efficiency at one point (for one channel, or for all).
#[derive(Clone, Debug, PartialEq)]
pub struct GivenPoint {
    /// Mass.
    pub mass: f64,
    /// Proper decay length.
    pub ctau: Option<f64>,
    /// The channel; None: every channel.
    pub channel: Option<String>,
    /// Efficiency.
    pub efficiency: f64,
    /// Its uncertainty (0 when not given).
    pub uncertainty: f64,
}

/// Why the efficiency cannot be built.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// Where.
    pub span: Span,
    /// What.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

fn refuse(span: Span, message: impl Into<String>) -> Refusal {
    Refusal {
        span,
        message: message.into(),
        help: None,
    }
}

impl Refusal {
    fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Relative distance under which two generated masses (or lifetimes) are the same point:
/// a value stored as `Float_t` differs from the spec's decimal by up to 6e-8.
pub const SAME_POINT: f64 = 1e-5;

/// Whether `a` and `b` name the same generated point.
pub fn same_point(a: f64, b: f64) -> bool {
    (a - b).abs() <= SAME_POINT * a.abs().max(b.abs()).max(1e-6)
}

/// Whether two lifetimes (None: no lifetime axis) are the same generated point's.
pub fn same_lifetime(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same_point(a, b),
        (a, b) => a == b,
    }
}

/// Whether (mass, lifetime) and (mass, lifetime) are the same generated point.
pub fn same_generated(m1: f64, t1: Option<f64>, m2: f64, t2: Option<f64>) -> bool {
    same_point(m1, m2) && same_lifetime(t1, t2)
}

/// The channel names of the spec (`all` without channels).
pub fn channel_names(spec: &Spec) -> Vec<String> {
    if spec.channels.is_empty() {
        vec!["all".into()]
    } else {
        spec.channels.iter().map(|c| c.name.value.clone()).collect()
    }
}

/// The names of the spec's control regions.
fn control_names(spec: &Spec) -> Vec<&str> {
    spec.channels
        .iter()
        .filter(|c| c.control)
        .map(|c| c.name.value.as_str())
        .collect()
}

impl EfficiencySource {
    /// The distinct lifetimes of the signal's grid, in order (empty without a lifetime
    /// axis): a toy's `ctau` parameter, the generated points of files, a table's rows.
    pub fn lifetimes(&self, spec: &Spec) -> Vec<f64> {
        let mut all: Vec<f64> = match self {
            EfficiencySource::Toy(name) => spec
                .inputs
                .iter()
                .filter(|i| &i.name.value == name)
                .flat_map(|i| match &i.source {
                    crate::spec::Source::Toy { params, .. } => params
                        .iter()
                        .filter(|(p, _)| p.value == "ctau")
                        .flat_map(|(_, v)| v.value.values())
                        .collect(),
                    crate::spec::Source::Files { .. } => Vec::new(),
                })
                .collect(),
            EfficiencySource::Files { points, .. } => {
                points.iter().filter_map(|p| p.ctau).collect()
            }
            EfficiencySource::Given(points) => points.iter().filter_map(|p| p.ctau).collect(),
        };
        all.sort_by(f64::total_cmp);
        all.dedup_by(|a, b| same_lifetime(Some(*a), Some(*b)));
        all
    }
}

/// The efficiency source of a scan; None when the spec has no model or no scan.
pub fn resolve(spec: &Spec, base: &Path) -> Result<Option<EfficiencySource>, Refusal> {
    let (Some(model), Some(_)) = (&spec.model, &spec.scan) else {
        return Ok(None);
    };
    let channels = channel_names(spec);
    let source = match model.efficiency() {
        None => {
            return Err(refuse(
                model.observable().var.span,
                "the scan needs an `efficiency`",
            )
            .help("`efficiency: from(signal)` (a signal sample), a number, an expression of the scan parameter, or `{ table: efficiencies.csv }`"));
        }
        Some(Efficiency::FromInput(name)) => {
            let input = spec
                .inputs
                .iter()
                .find(|i| i.name.value == name.value)
                .ok_or_else(|| refuse(name.span, format!("no input named `{}`", name.value)))?;
            match &input.source {
                Source::Toy { generator, .. } => {
                    if crate::toy::truth::signal_truth(&generator.value).is_none() {
                        return Err(refuse(
                            name.span,
                            format!(
                                "`{}` is not a signal toy: it has no generated masses",
                                generator.value
                            ),
                        ));
                    }
                    EfficiencySource::Toy(name.value.clone())
                }
                Source::Files {
                    generated: None, ..
                } => {
                    return Err(refuse(
                        name.span,
                        format!("input `{}` is read from files and does not say what it was generated at", name.value),
                    )
                    .help("add `generated: { mass: COLUMN, events: { MASS: N, ... } }` to the input, or give each `files` entry its `mass` and `events`"));
                }
                Source::Files {
                    generated: Some(generated),
                    files,
                    tree,
                    ..
                } => EfficiencySource::Files {
                    input: name.value.clone(),
                    points: generated_points(
                        generated,
                        files,
                        tree.as_ref(),
                        &channels,
                        &control_names(spec),
                        base,
                    )?,
                },
            }
        }
        Some(Efficiency::Given(e)) => {
            let hypotheses = match grid::grid(spec) {
                Ok(h) => h,
                // A constant needs no grid (whose error is SL026's).
                Err(_) if grid::eval_at(spec, e, f64::NAN, None).is_ok_and(f64::is_finite) => {
                    vec![spec.scan.as_ref().map_or(0.0, |s| s.range.low.value)]
                }
                Err(g) => return Err(refuse(g.span, g.message)),
            };
            let points = hypotheses
                .into_iter()
                .map(|m| {
                    let sigma = grid::sigma_at(spec, m).and_then(Result::ok);
                    let v =
                        grid::eval_at(spec, e, m, sigma).map_err(|g| refuse(g.span, g.message))?;
                    check_efficiency(v, e.span, &format!("at {} = {m:.5}", scan_parameter(spec)))?;
                    Ok(GivenPoint {
                        mass: m,
                        ctau: None,
                        channel: None,
                        efficiency: v,
                        uncertainty: 0.0,
                    })
                })
                .collect::<Result<Vec<_>, Refusal>>()?;
            EfficiencySource::Given(points)
        }
        Some(Efficiency::Table { path, sha256 }) => {
            let file = base.join(&path.value);
            if let Some(pinned) = sha256 {
                let actual = crate::io::digest::sha256_file(&file).map_err(|e| {
                    refuse(path.span, format!("cannot read {}: {e}", file.display()))
                })?;
                if !actual.eq_ignore_ascii_case(&pinned.value) {
                    return Err(refuse(
                        pinned.span,
                        format!(
                            "the efficiency table {} has changed: its SHA-256 is {actual}",
                            path.value
                        ),
                    )
                    .help("check the table, then pin the new hash"));
                }
            }
            let rows = point_table::read(&file, &["efficiency"], &["uncertainty"])
                .map_err(|e| refuse(path.span, e.message))?;
            check_channels(
                &rows,
                &channels,
                &control_names(spec),
                path.span,
                &path.value,
            )?;
            let points = rows
                .into_iter()
                .map(|r| {
                    let at = format!("in {} at mass {}", path.value, r.mass);
                    let efficiency = r.values[0].unwrap_or(f64::NAN);
                    check_efficiency(efficiency, path.span, &at)?;
                    let uncertainty = r.values[1].unwrap_or(0.0);
                    if uncertainty < 0.0 {
                        return Err(refuse(path.span, format!("a negative uncertainty {at}")));
                    }
                    Ok(GivenPoint {
                        mass: r.mass,
                        ctau: r.ctau,
                        channel: r.channel,
                        efficiency,
                        uncertainty,
                    })
                })
                .collect::<Result<Vec<_>, Refusal>>()?;
            let keys: Vec<_> = points
                .iter()
                .map(|p| (p.mass, p.ctau, p.channel.clone()))
                .collect();
            check_distinct(&keys, path.span, &path.value)?;
            EfficiencySource::Given(points)
        }
    };
    check_injection(spec, &source)?;
    Ok(Some(source))
}

/// `inject` stands on the data input, read from files, and draws from the signal sample
/// the efficiency is measured on, at one of its generated points, no more events than
/// were generated there (for files; a toy's count per decay mode is checked at run time).
fn check_injection(spec: &Spec, source: &EfficiencySource) -> Result<(), Refusal> {
    for input in &spec.inputs {
        let Source::Files {
            inject: Some(inject),
            ..
        } = &input.source
        else {
            continue;
        };
        if input.name.value != DATA_INPUT {
            return Err(refuse(
                inject.span,
                format!(
                    "`inject` adds signal to the data; input `{}` is not `data`",
                    input.name.value
                ),
            ));
        }
        let from = inject.from.value.as_str();
        let (points, what): (Vec<GeneratedPoint>, &str) = match source {
            EfficiencySource::Files { input, points } if input == from => {
                (points.clone(), "its generated points")
            }
            EfficiencySource::Toy(input) if input == from => {
                let masses = spec
                    .inputs
                    .iter()
                    .find(|i| i.name.value == from)
                    .and_then(|i| match &i.source {
                        Source::Toy { params, .. } => {
                            params.iter().find(|(n, _)| n.value == "masses")
                        }
                        Source::Files { .. } => None,
                    })
                    .map_or_else(Vec::new, |(_, v)| v.value.values());
                let points = masses
                    .into_iter()
                    .map(|mass| GeneratedPoint {
                        mass,
                        ctau: inject.ctau.as_ref().map(|t| t.value),
                        channel: None,
                        // Counted per decay mode at run time.
                        events: f64::INFINITY,
                    })
                    .collect();
                (points, "the toy's `masses`")
            }
            _ => {
                return Err(refuse(
                    inject.from.span,
                    format!("`inject` draws from the signal sample the efficiency is measured on, not `{from}`"),
                )
                .help("`efficiency: from(INPUT)` and `inject: { from: INPUT, ... }` name the same sample"));
            }
        };
        let ctau = inject.ctau.as_ref().map(|t| t.value);
        let point = points
            .iter()
            .find(|p| same_generated(p.mass, p.ctau, inject.mass.value, ctau));
        let Some(generated) = point.map(|p| p.events) else {
            return Err(refuse(
                inject.mass.span,
                format!("mass {} is not among {what}", inject.mass.value),
            ));
        };
        if inject.events.value as f64 > generated {
            return Err(refuse(
                inject.events.span,
                format!(
                    "{} events cannot be drawn from the {generated} generated at mass {}",
                    inject.events.value, inject.mass.value
                ),
            ));
        }
    }
    Ok(())
}

fn scan_parameter(spec: &Spec) -> &str {
    spec.scan
        .as_ref()
        .map_or("m", |s| s.parameter.value.as_str())
}

fn check_efficiency(v: f64, span: Span, at: &str) -> Result<(), Refusal> {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(refuse(
            span,
            format!("the efficiency is {v:.4} {at}; it must be in [0, 1]"),
        ))
    }
}

/// A table with a `channel` column names every signal channel of the spec (`controls`
/// are its control regions) and no other channel.
fn check_channels(
    rows: &[PointRow],
    channels: &[String],
    controls: &[&str],
    span: Span,
    file: &str,
) -> Result<(), Refusal> {
    let named: Vec<&str> = rows.iter().filter_map(|r| r.channel.as_deref()).collect();
    if named.is_empty() {
        return Ok(());
    }
    if named.len() < rows.len() {
        return Err(refuse(
            span,
            format!("{file}: some rows name a channel and some do not"),
        ));
    }
    if let Some(unknown) = named.iter().find(|n| !channels.iter().any(|c| c == *n)) {
        return Err(refuse(
            span,
            format!("{file} names channel `{unknown}`, which the spec does not define"),
        )
        .help(format!("channels: {}", channels.join(", "))));
    }
    // Control regions (`control: true`) have no signal: no rows needed.
    let signal = |c: &&String| !controls.contains(&c.as_str());
    if let Some(missing) = channels
        .iter()
        .filter(signal)
        .find(|c| !named.contains(&c.as_str()))
    {
        return Err(refuse(
            span,
            format!("{file} has no rows for channel `{missing}`"),
        ));
    }
    Ok(())
}

fn check_distinct(
    keys: &[(f64, Option<f64>, Option<String>)],
    span: Span,
    what: &str,
) -> Result<(), Refusal> {
    for (i, a) in keys.iter().enumerate() {
        let twin = keys[..i]
            .iter()
            .find(|b| same_generated(a.0, a.1, b.0, b.1) && a.2 == b.2);
        if twin.is_some() {
            return Err(refuse(span, format!("{what} lists mass {} twice", a.0)));
        }
    }
    Ok(())
}

/// The points a signal sample from files was generated at, with their event counts
/// (`files`: its entries, `tree`: the tree its candidates are in).
fn generated_points(
    generated: &Generated,
    files: &[Name],
    tree: Option<&Name>,
    channels: &[String],
    controls: &[&str],
    base: &Path,
) -> Result<Vec<GeneratedPoint>, Refusal> {
    let span = generated.span;
    let per_entry = |at: &Option<GeneratedAt>| match at {
        Some(GeneratedAt::PerEntry(v)) => Some(v.iter().map(|x| x.value).collect::<Vec<f64>>()),
        _ => None,
    };
    let entry_mass = per_entry(&Some(generated.mass.clone()));
    let entry_ctau = per_entry(&generated.ctau);
    let has_ctau = generated.ctau.is_some();
    let point =
        |mass: f64, ctau: Option<f64>, channel: Option<String>, events: f64| GeneratedPoint {
            mass,
            ctau,
            channel,
            events,
        };
    let mut points: Vec<GeneratedPoint> = Vec::new();
    // Adds `events` to the point (mass, ctau), creating it.
    let add =
        |points: &mut Vec<GeneratedPoint>, mass: f64, ctau: Option<f64>, events: f64| match points
            .iter_mut()
            .find(|p| same_generated(p.mass, p.ctau, mass, ctau))
        {
            Some(p) => p.events += events,
            None => points.push(point(mass, ctau, None, events)),
        };
    match (&generated.events, &entry_mass) {
        (GeneratedEvents::PerEntry(events), Some(masses)) => {
            for (k, (mass, n)) in masses.iter().zip(events).enumerate() {
                let ctau = entry_ctau.as_ref().map(|c| c[k]);
                add(&mut points, *mass, ctau, n.value);
            }
        }
        (GeneratedEvents::PerEntry(events), None) => {
            return Err(refuse(
                events.first().map_or(span, |e| e.span),
                "events are given per `files` entry, but the mass comes from a column: an entry's files may hold several masses",
            )
            .help("list the events per mass in `generated.events`"));
        }
        (GeneratedEvents::PerPoint(n), Some(masses)) => {
            for (k, mass) in masses.iter().enumerate() {
                let ctau = entry_ctau.as_ref().map(|c| c[k]);
                if !points
                    .iter()
                    .any(|p| same_generated(p.mass, p.ctau, *mass, ctau))
                {
                    add(&mut points, *mass, ctau, n.value);
                }
            }
        }
        (GeneratedEvents::PerPoint(n), None) => {
            return Err(refuse(
                n.span,
                "with the mass in a column, `generated.events` must list the masses",
            )
            .help("e.g. `events: { 0.5: 100000, 1.0: 100000 }` or a CSV table with columns mass,events"));
        }
        (GeneratedEvents::ByMass(listed), _) => {
            if has_ctau {
                return Err(refuse(
                    span,
                    "a lifetime grid needs the events per mass and ctau",
                )
                .help("give `events` a CSV table with columns mass,ctau,events, or each `files` entry its `events`"));
            }
            let keys: Vec<_> = listed.iter().map(|(m, _)| (m.value, None, None)).collect();
            check_distinct(&keys, span, "`generated.events`")?;
            for (mass, n) in listed {
                add(&mut points, mass.value, None, n.value);
            }
            if let Some(masses) = &entry_mass
                && let Some(m) = masses
                    .iter()
                    .find(|m| !points.iter().any(|p| same_point(p.mass, **m)))
            {
                return Err(refuse(
                    span,
                    format!(
                        "a `files` entry is generated at mass {m}, which `generated.events` does not list"
                    ),
                ));
            }
        }
        (GeneratedEvents::InTree(counted), Some(masses)) => {
            if tree.is_some_and(|t| t.value == counted.value) {
                return Err(refuse(
                    counted.span,
                    format!("`{}` is the tree of the candidates, which holds only the events reconstructed", counted.value),
                )
                .help("name a tree with one entry per generated event"));
            }
            for (k, (mass, entry)) in masses.iter().zip(files).enumerate() {
                let paths = crate::io::files::expand(base, std::iter::once(entry.value.as_str()))
                    .map_err(|e| refuse(entry.span, e.message))?;
                let mut events = 0u64;
                for path in paths {
                    events += RootReader::entries(&path, Some(&counted.value)).map_err(|e| {
                        refuse(counted.span, format!("{}: {}", path.display(), e.message))
                    })?;
                }
                let ctau = entry_ctau.as_ref().map(|c| c[k]);
                add(&mut points, *mass, ctau, events as f64);
            }
        }
        (GeneratedEvents::InTree(counted), None) => {
            return Err(refuse(
                counted.span,
                "events counted in a tree need the mass of each `files` entry: with the mass in a column, an entry's files may hold several masses",
            )
            .help("give each `files` entry its `mass`, or list the events per mass in `generated.events`"));
        }
        (GeneratedEvents::Table(file), _) => {
            let rows = point_table::read(&base.join(&file.value), &["events"], &[])
                .map_err(|e| refuse(file.span, e.message))?;
            if rows.iter().any(|r| r.ctau.is_some() != has_ctau) {
                return Err(refuse(
                    file.span,
                    if has_ctau {
                        format!(
                            "{} needs a `ctau` in every row: the input has a lifetime",
                            file.value
                        )
                    } else {
                        format!(
                            "{} has a `ctau` column, but the input does not say each row's lifetime (`generated.ctau`)",
                            file.value
                        )
                    },
                ));
            }
            check_channels(&rows, channels, controls, file.span, &file.value)?;
            let keys: Vec<_> = rows
                .iter()
                .map(|r| (r.mass, r.ctau, r.channel.clone()))
                .collect();
            check_distinct(&keys, file.span, &file.value)?;
            points = rows
                .into_iter()
                .map(|r| point(r.mass, r.ctau, r.channel, r.values[0].unwrap_or(0.0)))
                .collect();
        }
    }
    if let Some(p) = points.iter().find(|p| p.events.is_nan() || p.events <= 0.0) {
        return Err(refuse(
            span,
            format!("no events are generated at mass {}", p.mass),
        ));
    }
    Ok(points)
}
