//! A spec's PDF (`fit.signal`, `fit.background`) compiled at one hypothesis: the shape,
//! and each parameter either a number (fixed expressions evaluated at the hypothesis
//! mass and resolution) or a floating parameter with its start value and range.

use crate::check::grid::eval_at;
use crate::spec::{Param, Pdf, Spec};
use crate::stats::likelihood::Value;
use crate::stats::minuit::{Bounds, ParamSpec};
use crate::stats::pdfs;
use crate::stats::shape::Shape;

/// One compiled parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Compiled {
    /// A number.
    Fixed(f64),
    /// Floating in the fit.
    Floating {
        /// Spec name (`c1`).
        name: String,
        /// Start value.
        init: f64,
        /// Range.
        low: f64,
        /// Range.
        high: f64,
        /// One for every channel (named without the channel).
        shared: bool,
    },
}

/// A PDF at one hypothesis.
#[derive(Clone, Debug)]
pub struct CompiledPdf {
    /// The shape (for a `histogram`, filled per channel from `histogram`).
    pub shape: Shape,
    /// Its parameters in the shape's order.
    pub params: Vec<Compiled>,
    /// Where a `histogram` PDF takes its template from.
    pub histogram: Option<HistogramSource>,
}

impl CompiledPdf {
    /// Its parameters as likelihood values, the floating ones given to `add` under the
    /// name `label` gives each (`background.c1[K+]`, `signal.mean`; a shared one without
    /// its channel, `background.c1`), which returns their index.
    pub fn bind(
        &self,
        label: impl Fn(&str) -> String,
        mut add: impl FnMut(ParamSpec) -> usize,
    ) -> Vec<Value> {
        self.params
            .iter()
            .map(|p| match p {
                Compiled::Fixed(v) => Value::Fixed(*v),
                Compiled::Floating {
                    name,
                    init,
                    low,
                    high,
                    shared,
                } => {
                    let mut full = label(name);
                    if *shared && let Some(at) = full.find('[') {
                        full.truncate(at);
                    }
                    Value::Free(add(ParamSpec::new(
                        &full,
                        *init,
                        0.05 * (high - low),
                        Bounds::Both(*low, *high),
                    )))
                }
            })
            .collect()
    }
}

/// A `histogram` PDF's sample: an input, a number of bins over the fit window, and
/// whether to interpolate linearly between bin centres.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSource {
    /// The input whose selected candidates fill it.
    pub input: String,
    /// Bins over the fit window.
    pub bins: usize,
    /// Linear interpolation between bin centres (`interpolation: linear`).
    pub linear: bool,
}

/// Bins of a `histogram` PDF when `bins` is not given.
const DEFAULT_TEMPLATE_BINS: usize = 40;

/// The `histogram` PDF's source from its parameters.
fn histogram_source(
    spec: &Spec,
    pdf: &Pdf,
    mass: f64,
    sigma: f64,
) -> Result<HistogramSource, String> {
    let name_of = |param: &str| pdf.name_param(param).map(|n| n.value);
    let input = name_of("from").ok_or("the `histogram` PDF needs `from: <input>`")?;
    let linear = match name_of("interpolation").as_deref() {
        None | Some("none" | "step") => false,
        Some("linear") => true,
        Some(other) => {
            return Err(format!(
                "`interpolation: {other}` is not known; use `linear` or `none`"
            ));
        }
    };
    let bins = match pdf.params.iter().find(|(n, _)| n.value == "bins") {
        Some((_, Param::Fixed(e))) => {
            let v = eval_at(spec, e, mass, Some(sigma)).map_err(|e| e.message)?;
            if !((1.0..=10_000.0).contains(&v) && v.fract() == 0.0) {
                return Err(format!(
                    "`bins` must be a whole number from 1 to 10000, not {v}"
                ));
            }
            v as usize
        }
        Some(_) => return Err("`bins` cannot float".into()),
        None => DEFAULT_TEMPLATE_BINS,
    };
    Ok(HistogramSource {
        input,
        bins,
        linear,
    })
}

/// Compiles `pdf` at hypothesis `mass` with resolution `sigma`; polynomials are mapped
/// over `domain` (the fit window).
pub fn compile(
    spec: &Spec,
    pdf: &Pdf,
    mass: f64,
    sigma: f64,
    domain: (f64, f64),
) -> Result<CompiledPdf, String> {
    let name = pdf.pdf.value.as_str();
    let value_of = |param: &str| -> Option<&Param> {
        pdf.params
            .iter()
            .find(|(n, _)| n.value == param)
            .map(|(_, p)| p)
    };
    let signature =
        pdfs::pdf(name).ok_or_else(|| format!("the `{name}` PDF is not available in fits yet"))?;
    let Some(build) = signature.shape else {
        let source = histogram_source(spec, pdf, mass, sigma)?;
        let placeholder = crate::stats::pdfs::histogram::Template {
            low: domain.0,
            high: domain.1,
            contents: Vec::new(),
            linear: source.linear,
            variances: None,
        };
        return Ok(CompiledPdf {
            shape: Shape::new(placeholder),
            params: Vec::new(),
            histogram: Some(source),
        });
    };
    // A polynomial's order: given, or the largest coefficient index written.
    let order = match (value_of("order"), signature.numbered) {
        (Some(Param::Fixed(e)), _) => {
            let v = eval_at(spec, e, mass, Some(sigma)).map_err(|e| e.message)?;
            v.max(0.0) as usize
        }
        (_, Some((prefix, _))) => pdf
            .params
            .iter()
            .filter_map(|(n, _)| n.value.strip_prefix(prefix)?.parse::<usize>().ok())
            .max()
            .unwrap_or(0),
        _ => 0,
    };
    let shape = build(order, domain);
    let params = shape
        .parameter_names()
        .iter()
        .map(|param| match value_of(param) {
            Some(Param::Fixed(e)) => eval_at(spec, e, mass, Some(sigma))
                .map(Compiled::Fixed)
                .map_err(|e| e.message),
            Some(Param::Floating {
                init,
                range,
                shared,
            }) => Ok(Compiled::Floating {
                name: param.clone(),
                init: init.value,
                low: range.low.value,
                high: range.high.value,
                shared: *shared,
            }),
            None => signature
                .default_of(param)
                .map(Compiled::Fixed)
                .ok_or_else(|| format!("the `{name}` PDF needs `{param}`")),
        })
        .collect::<Result<_, _>>()?;
    Ok(CompiledPdf {
        shape,
        params,
        histogram: None,
    })
}
