//! A fit's components as likelihood terms, shared by plain fits and the scan's fits:
//! each component's shape (a `histogram` filled from its input's candidates of the
//! channel), its parameters, and its yield — free, fixed, floating with a constraint, or
//! an input's scaled, weighted candidates in the fit ranges (a simulated background at
//! its true normalisation, optionally within a constrained uncertainty).

use super::InputCandidates;
use super::pdf::CompiledPdf;
use crate::spec::{FitComponent, Spec, Yield};
use crate::stats::interpolation::Code4;
use crate::stats::likelihood::{Component, Constraint, Value, yield_nuisance};
use crate::stats::minuit::{Bounds, ParamSpec};
use crate::stats::shape::Shape;

/// The parameters of a likelihood being built, by name: binding a name again gives the
/// same parameter, so a normalisation is shared by the channels and a model rebuilt over
/// other ranges keeps its parameters (and their start values).
#[derive(Default)]
pub struct Parameters {
    /// The parameters in likelihood order.
    pub specs: Vec<ParamSpec>,
    /// Their constraint terms.
    pub constraints: Vec<Constraint>,
}

impl Parameters {
    /// The index of `spec.name`, adding it (with `constraint`, given its index) when new.
    pub fn bind(
        &mut self,
        spec: ParamSpec,
        constraint: impl FnOnce(usize) -> Option<Constraint>,
    ) -> usize {
        if let Some(i) = self.specs.iter().position(|p| p.name == spec.name) {
            return i;
        }
        let index = self.specs.len();
        self.specs.push(spec);
        self.constraints.extend(constraint(index));
        index
    }

    /// A multiplicative nuisance θ of relative width `relative` ([`yield_nuisance`]).
    pub fn nuisance(&mut self, name: &str, relative: f64, lognormal: bool) -> usize {
        let index = self.specs.len();
        let (spec, constraint) = yield_nuisance(name, index, relative, lognormal);
        self.bind(spec, |_| Some(constraint))
    }

    /// `pdf`'s parameters as likelihood values, its floating ones named by `label`.
    pub fn of_pdf(&mut self, pdf: &CompiledPdf, label: impl Fn(&str) -> String) -> Vec<Value> {
        pdf.bind(label, |spec| self.bind(spec, |_| None))
    }
}

/// A nuisance multiplying a component's yield (`parameter` None) or one of its shape
/// parameters, in one channel: by θ, or for an asymmetric width by HistFactory's code-4
/// interpolation in α (pyhf's `normsys`).
#[derive(Clone, Debug)]
pub struct Scaling {
    /// The component (`signal` for a scan's signal).
    pub component: String,
    /// The shape parameter, or None for the yield.
    pub parameter: Option<String>,
    /// θ's (or α's) index.
    pub theta: usize,
    /// For an asymmetric width: the factor as a function of α.
    pub interpolation: Option<Code4>,
}

impl Scaling {
    /// `value` × the factor.
    pub fn apply(&self, value: Value) -> Value {
        let theta = self.theta;
        match &self.interpolation {
            None => Value::Derived(std::sync::Arc::new(move |p: &[f64]| value.at(p) * p[theta])),
            Some(code4) => {
                let code4 = code4.clone();
                Value::Derived(std::sync::Arc::new(move |p: &[f64]| {
                    value.at(p) * code4.at(p[theta])
                }))
            }
        }
    }
}

/// `values` (the shape parameters of `pdf` of component `component`) with the scalings
/// of its parameters applied.
pub fn scale_parameters(
    mut values: Vec<Value>,
    pdf: &CompiledPdf,
    component: &str,
    scalings: &[Scaling],
) -> Result<Vec<Value>, String> {
    let names = pdf.shape.parameter_names();
    for s in scalings.iter().filter(|s| s.component == component) {
        let Some(parameter) = &s.parameter else {
            continue;
        };
        let k = names.iter().position(|n| n == parameter).ok_or_else(|| {
            format!("`{component}` has no parameter `{parameter}` for a nuisance to scale")
        })?;
        values[k] = s.apply(values[k].clone());
    }
    Ok(values)
}

/// Where one channel's components are built: the fit's inputs, the channel, the
/// hypothesis (NaN in plain fits) and the fit domain and ranges.
pub struct ChannelContext<'a> {
    /// The spec (input scales).
    pub spec: &'a Spec,
    /// Every input's selected candidates.
    pub inputs: &'a [InputCandidates],
    /// The channel's index and name.
    pub channel: (usize, &'a str),
    /// Hypothesis mass (NaN: none, a plain fit).
    pub mass: f64,
    /// The shapes' domain (the fit window's outer edges).
    pub domain: (f64, f64),
    /// The ranges the yields count events in (the domain minus vetoes, blinded windows).
    pub ranges: &'a [(f64, f64)],
    /// Suffix of the per-channel parameters' names (`[K+]` in scans, empty in plain fits).
    pub suffix: String,
    /// The nuisances that multiply yields and shape parameters in this channel.
    pub scalings: &'a [Scaling],
}

impl ChannelContext<'_> {
    /// The shape of `pdf` in this channel: a `histogram` filled from its input's
    /// candidates of the channel (moved to the hypothesis for a signal sample), any other
    /// PDF as compiled.
    pub fn shape(&self, pdf: &CompiledPdf) -> Result<Shape, String> {
        let Some(source) = &pdf.histogram else {
            return Ok(pdf.shape.clone());
        };
        let input = self.input(&source.input)?;
        let template = super::template::fill(
            source,
            &input.candidates.channels[self.channel.0],
            self.mass,
            self.domain,
        )
        .map_err(|e| format!("channel `{}`: {e}", self.channel.1))?;
        Ok(Shape::new(template))
    }

    /// The expected events of `input` in the ranges: its weighted selected candidates of
    /// the channel there, times its `scale`.
    pub fn normalisation(&self, input: &str) -> Result<f64, String> {
        let candidates = &self.input(input)?.candidates.channels[self.channel.0];
        let scale = self.spec.scale_of(input);
        let sum: f64 = candidates
            .x
            .iter()
            .zip(&candidates.weight)
            .filter(|&(x, _)| self.ranges.iter().any(|&(lo, hi)| lo <= *x && *x <= hi))
            .map(|(_, w)| w)
            .sum();
        Ok(scale * sum)
    }

    fn input(&self, name: &str) -> Result<&InputCandidates, String> {
        self.inputs
            .iter()
            .find(|i| i.name == name)
            .ok_or_else(|| format!("no input named `{name}`"))
    }

    /// The likelihood components of `components` (compiled as `compiled`) in this
    /// channel, whose data hold `events` (summed weights) in the ranges. Parameters are
    /// named `component.parameter` and `component.yield` with the channel's suffix; a
    /// normalisation's nuisance `component.norm` is shared by the channels.
    pub fn components(
        &self,
        components: &[FitComponent],
        compiled: &[CompiledPdf],
        events: f64,
        params: &mut Parameters,
    ) -> Result<Vec<Component>, String> {
        // Free yields start from the events the fixed ones leave, shared equally.
        let mut known = 0.0;
        let mut free = 0usize;
        for c in components {
            match &c.yield_ {
                Yield::Free => free += 1,
                Yield::Fixed(n) => known += n.value,
                Yield::FromInput { input, .. } => known += self.normalisation(&input.value)?,
                Yield::Floating { .. } => {}
            }
        }
        let start = ((events - known) / free.max(1) as f64).max(1.0);
        let mut built = Vec::new();
        for (c, pdf) in components.iter().zip(compiled) {
            let name = &c.name.value;
            let suffix = &self.suffix;
            let values = scale_parameters(
                params.of_pdf(pdf, |param| format!("{name}.{param}{suffix}")),
                pdf,
                name,
                self.scalings,
            )?;
            let label = format!("{name}.yield{suffix}");
            let yield_ = match &c.yield_ {
                Yield::Free => Value::Free(params.bind(
                    ParamSpec::new(&label, start, start.sqrt() + 1.0, Bounds::Lower(0.0)),
                    |_| None,
                )),
                Yield::Fixed(n) => Value::Fixed(n.value),
                Yield::Floating {
                    init,
                    range,
                    gaussian,
                } => {
                    let (low, high) = (range.low.value, range.high.value);
                    let step = (init.value.abs().sqrt() + 1.0).min(0.1 * (high - low));
                    Value::Free(params.bind(
                        ParamSpec::new(&label, init.value, step, Bounds::Both(low, high)),
                        |param| {
                            gaussian.as_ref().map(|(mean, sigma)| Constraint::Gaussian {
                                param,
                                mean: mean.value,
                                sigma: sigma.value,
                            })
                        },
                    ))
                }
                Yield::FromInput {
                    input,
                    uncertainty,
                    free,
                } => {
                    let expected = self.normalisation(&input.value)?;
                    if !(expected.is_finite() && expected >= 0.0) {
                        return Err(format!(
                            "component `{name}`: `{}` gives {expected} events in the fit range of channel `{}`",
                            input.value, self.channel.1
                        ));
                    }
                    let theta = match uncertainty {
                        Some(u) => Some(params.nuisance(
                            &u.name.value,
                            u.relative.value,
                            u.constraint.value == "lognormal",
                        )),
                        // One free factor for all channels, by its name.
                        None if *free => Some(params.bind(
                            ParamSpec::new(
                                &format!("{name}.norm"),
                                1.0,
                                0.1,
                                Bounds::Both(0.0, 100.0),
                            ),
                            |_| None,
                        )),
                        None => None,
                    };
                    // A sample with nothing in the ranges adds nothing here.
                    if expected == 0.0 {
                        continue;
                    }
                    match theta {
                        None => Value::Fixed(expected),
                        Some(theta) => Value::Derived(std::sync::Arc::new(move |p: &[f64]| {
                            expected * p[theta]
                        })),
                    }
                }
            };
            let yield_ = self
                .scalings
                .iter()
                .filter(|s| s.component == *name && s.parameter.is_none())
                .fold(yield_, |y, s| s.apply(y));
            built.push(Component {
                name: name.clone(),
                shape: self.shape(pdf)?,
                params: values,
                yield_,
            });
        }
        Ok(built)
    }
}
