//! A spec's PDF (`fit.signal`, `fit.background`) compiled at one hypothesis: the shape,
//! and each parameter either a number (fixed expressions evaluated at the hypothesis
//! mass and resolution) or a floating parameter with its start value and range.

use crate::check::grid::eval_at;
use crate::spec::{Param, Pdf, Spec};
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
    },
}

/// A PDF at one hypothesis.
#[derive(Clone, Debug)]
pub struct CompiledPdf {
    /// The shape.
    pub shape: Shape,
    /// Its parameters in the shape's order.
    pub params: Vec<Compiled>,
}

/// Defaults of optional parameters: no tail for a double-sided Crystal Ball side that is
/// not given, the square-root ARGUS power, zero for missing polynomial coefficients.
fn default_of(pdf: &str, param: &str) -> Option<f64> {
    match (pdf, param) {
        ("double_crystal_ball", "alpha_low" | "alpha_high") => Some(1e3),
        ("double_crystal_ball", "n_low" | "n_high") => Some(2.0),
        ("argus", "p") => Some(0.5),
        ("chebychev", _) => Some(0.0),
        ("bernstein", _) => Some(1.0),
        _ => None,
    }
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
    let order = |prefix: &str, first: usize| -> Result<usize, String> {
        if let Some(Param::Fixed(e)) = value_of("order") {
            let v = eval_at(spec, e, mass, Some(sigma)).map_err(|e| e.message)?;
            return Ok(v.max(0.0) as usize);
        }
        let numbered = pdf
            .params
            .iter()
            .filter_map(|(n, _)| n.value.strip_prefix(prefix)?.parse::<usize>().ok())
            .max();
        Ok(numbered.unwrap_or(first.saturating_sub(1)))
    };
    let shape = match name {
        "gaussian" => Shape::Gaussian,
        "crystal_ball" => Shape::CrystalBall,
        "double_crystal_ball" => Shape::DoubleCrystalBall,
        "exponential" => Shape::Exponential,
        "argus" => Shape::Argus,
        "breit_wigner" => Shape::BreitWigner,
        "voigtian" => Shape::Voigtian,
        "chebychev" => Shape::Chebychev {
            order: order("c", 1)?,
            domain,
        },
        "bernstein" => Shape::Bernstein {
            order: order("b", 0)?,
            domain,
        },
        other => return Err(format!("the `{other}` PDF is not available in fits yet")),
    };
    let params = shape
        .parameter_names()
        .iter()
        .map(|param| match value_of(param) {
            Some(Param::Fixed(e)) => eval_at(spec, e, mass, Some(sigma))
                .map(Compiled::Fixed)
                .map_err(|e| e.message),
            Some(Param::Floating { init, range }) => Ok(Compiled::Floating {
                name: param.clone(),
                init: init.value,
                low: range.low.value,
                high: range.high.value,
            }),
            None => default_of(name, param)
                .map(Compiled::Fixed)
                .ok_or_else(|| format!("the `{name}` PDF needs `{param}`")),
        })
        .collect::<Result<_, _>>()?;
    Ok(CompiledPdf { shape, params })
}
