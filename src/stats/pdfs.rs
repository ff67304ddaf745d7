//! The PDFs a spec may name: their parameters, defaults and the shape each builds — the
//! one catalogue the checker, the fits and the docs read.

use super::shape::Shape;

/// Builds a PDF's shape from the polynomial order (the largest coefficient index given)
/// and the domain polynomials are mapped over.
pub type BuildShape = fn(usize, (f64, f64)) -> Shape;

/// A PDF's name, parameters, and the shape it builds.
#[derive(Clone, Copy, Debug)]
pub struct PdfSignature {
    /// Name in specs.
    pub name: &'static str,
    /// Parameters that must be given.
    pub required: &'static [&'static str],
    /// Parameters that may be given.
    pub optional: &'static [&'static str],
    /// Parameter named after the pattern `prefix<N>` that may repeat (polynomial
    /// coefficients), and the value of a coefficient not given.
    pub numbered: Option<(&'static str, f64)>,
    /// The value of each optional shape parameter not given.
    pub defaults: &'static [(&'static str, f64)],
    /// The shape; None for `histogram`, filled from an input.
    pub shape: Option<BuildShape>,
    /// What it is.
    pub doc: &'static str,
}

/// Every PDF: adding one is its shape in `stats::shape` and one entry here (the tests
/// below fit and integrate every entry, `tests/it/docs.rs` checks docs/spec.md names it).
pub const PDFS: &[PdfSignature] = &[
    PdfSignature {
        name: "gaussian",
        required: &["mean", "sigma"],
        optional: &[],
        numbered: None,
        defaults: &[],
        shape: Some(|_, _| Shape::Gaussian),
        doc: "normal distribution",
    },
    PdfSignature {
        name: "crystal_ball",
        required: &["mean", "sigma", "alpha", "n"],
        optional: &[],
        numbered: None,
        defaults: &[],
        shape: Some(|_, _| Shape::CrystalBall),
        doc: "Gaussian core with a power-law low tail",
    },
    PdfSignature {
        name: "double_crystal_ball",
        required: &["mean", "sigma"],
        optional: &["alpha_low", "n_low", "alpha_high", "n_high"],
        numbered: None,
        // A side not given has no tail.
        defaults: &[
            ("alpha_low", 1e3),
            ("n_low", 2.0),
            ("alpha_high", 1e3),
            ("n_high", 2.0),
        ],
        shape: Some(|_, _| Shape::DoubleCrystalBall),
        doc: "Gaussian core with power-law tails on both sides",
    },
    PdfSignature {
        name: "chebychev",
        required: &[],
        optional: &["order"],
        numbered: Some(("c", 0.0)),
        defaults: &[],
        shape: Some(|order, domain| Shape::Chebychev { order, domain }),
        doc: "Chebychev polynomial of any order (coefficients c1, c2, …)",
    },
    PdfSignature {
        name: "bernstein",
        required: &[],
        optional: &["order"],
        numbered: Some(("b", 1.0)),
        defaults: &[],
        shape: Some(|order, domain| Shape::Bernstein { order, domain }),
        doc: "Bernstein polynomial (coefficients b0, b1, …)",
    },
    PdfSignature {
        name: "exponential",
        required: &["slope"],
        optional: &[],
        numbered: None,
        defaults: &[],
        shape: Some(|_, _| Shape::Exponential),
        doc: "exp(slope · x)",
    },
    PdfSignature {
        name: "argus",
        required: &["m0", "c"],
        optional: &["p"],
        numbered: None,
        // The square-root ARGUS power.
        defaults: &[("p", 0.5)],
        shape: Some(|_, _| Shape::Argus),
        doc: "ARGUS threshold function, endpoint m0",
    },
    PdfSignature {
        name: "breit_wigner",
        required: &["mass", "width"],
        optional: &[],
        numbered: None,
        defaults: &[],
        shape: Some(|_, _| Shape::BreitWigner),
        doc: "relativistic Breit-Wigner",
    },
    PdfSignature {
        name: "voigtian",
        required: &["mean", "width", "sigma"],
        optional: &[],
        numbered: None,
        defaults: &[],
        shape: Some(|_, _| Shape::Voigtian),
        doc: "Breit-Wigner convolved with a Gaussian",
    },
    PdfSignature {
        name: "histogram",
        required: &["from"],
        optional: &["bins", "interpolation", "sigma"],
        numbered: None,
        defaults: &[],
        shape: None,
        doc: "template histogram of the fit observable from an input's selected candidates \
              (`sigma`: the resolution, for the fit window and the scan step)",
    },
];

/// The PDF of that name.
pub fn pdf(name: &str) -> Option<&'static PdfSignature> {
    PDFS.iter().find(|p| p.name == name)
}

impl PdfSignature {
    /// The value of shape parameter `param` when the spec does not give it.
    pub fn default_of(&self, param: &str) -> Option<f64> {
        if let Some(&(_, v)) = self.defaults.iter().find(|(p, _)| *p == param) {
            return Some(v);
        }
        self.numbered
            .filter(|(prefix, _)| param.starts_with(prefix) && self.accepts(param))
            .map(|(_, v)| v)
    }

    /// True when `param` is a parameter of this PDF.
    pub fn accepts(&self, param: &str) -> bool {
        self.required.contains(&param)
            || self.optional.contains(&param)
            || self.numbered.is_some_and(|(p, _)| {
                param
                    .strip_prefix(p)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::PDFS;
    use crate::stats::likelihood::{Channel, Component, Data, Likelihood, Value};
    use crate::stats::minuit::{Bounds, ParamSpec, Settings, minimize};
    use crate::stats::quadrature::integrate;

    const DOMAIN: (f64, f64) = (0.0, 10.0);

    /// A parameter point inside each PDF's domain: a PDF added without one fails here.
    fn value(param: &str) -> f64 {
        match param {
            "mean" | "mass" => 5.0,
            "sigma" => 0.6,
            "alpha" | "alpha_low" => 1.2,
            "n" | "n_low" => 3.0,
            "alpha_high" => 1.8,
            "n_high" => 5.0,
            "slope" => -0.3,
            "m0" => 9.0,
            "c" => -4.0,
            "p" => 0.5,
            "width" => 0.5,
            "c1" => 0.3,
            "c2" => 0.1,
            "b0" => 1.0,
            "b1" => 2.0,
            "b2" => 0.5,
            other => panic!("no test value for parameter `{other}`: add one"),
        }
    }

    #[test]
    fn every_pdf_names_its_parameters_and_its_integral_is_its_density_integrated() {
        for signature in PDFS {
            let Some(build) = signature.shape else {
                continue;
            };
            let shape = build(2, DOMAIN);
            let names = shape.parameter_names();
            for name in &names {
                assert!(
                    signature.required.contains(&name.as_str())
                        || signature.default_of(name).is_some(),
                    "{}: `{name}` is neither required nor defaulted",
                    signature.name
                );
            }
            for required in signature.required {
                assert!(
                    names.iter().any(|n| n == required),
                    "{}: `{required}` is required but not a shape parameter",
                    signature.name
                );
            }
            let p: Vec<f64> = names.iter().map(|n| value(n)).collect();
            for (lo, hi) in [DOMAIN, (2.0, 7.0), (5.5, 9.5)] {
                let exact = shape.integral(lo, hi, &p);
                let brute = integrate(|x| shape.density(x, &p), lo, hi, 4000);
                assert!(
                    exact > 0.0 && (exact - brute).abs() <= 1e-7 * brute,
                    "{} over [{lo}, {hi}]: {exact} vs {brute}",
                    signature.name
                );
            }
        }
    }

    /// A binned fit of each PDF to its own expectation (Asimov data), its first shape
    /// parameter and the yield started away from the truth, finds the truth.
    #[test]
    fn every_pdf_is_fitted() {
        for signature in PDFS {
            let Some(build) = signature.shape else {
                continue;
            };
            let shape = build(2, DOMAIN);
            let names = shape.parameter_names();
            let truth: Vec<f64> = names.iter().map(|n| value(n)).collect();
            let bins: Vec<(f64, f64)> = (0..50)
                .map(|i| (0.2 * i as f64, 0.2 * (i + 1) as f64))
                .collect();
            let total = shape.integral(DOMAIN.0, DOMAIN.1, &truth);
            let counts = bins
                .iter()
                .map(|&(lo, hi)| 1000.0 * shape.integral(lo, hi, &truth) / total)
                .collect();
            let params = std::iter::once(Value::Free(1))
                .chain(truth[1..].iter().map(|&v| Value::Fixed(v)))
                .collect();
            let likelihood = Likelihood::new(
                vec![Channel {
                    name: "c".into(),
                    ranges: vec![DOMAIN],
                    components: vec![Component {
                        name: signature.name.into(),
                        shape: shape.clone(),
                        params,
                        yield_: Value::Free(0),
                    }],
                    data: Data::Binned { bins, counts },
                }],
                Vec::new(),
            );
            let first = truth[0];
            let start = first + 0.05 * first.abs().max(0.2);
            let specs = [
                ParamSpec::new("yield", 900.0, 30.0, Bounds::new(Some(0.0), None)),
                ParamSpec::new(
                    &names[0],
                    start,
                    0.02 * first.abs().max(0.2),
                    Bounds::new(None, None),
                ),
            ];
            let result = minimize(&likelihood, &specs, Settings::default());
            assert!(result.status.is_valid(), "{}: {result:?}", signature.name);
            assert!(
                (result.values[0] - 1000.0).abs() < 1e-3
                    && (result.values[1] - first).abs() < 1e-4 * first.abs().max(1.0),
                "{}: fitted {:?}, truth 1000 and {first}",
                signature.name,
                result.values
            );
        }
    }
}
