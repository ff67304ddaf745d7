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
    /// A point inside the PDF's domain for an observable over [0, 10] (order 2 for a
    /// polynomial): the tests fit, integrate and differentiate every PDF there.
    pub example: &'static [(&'static str, f64)],
    /// The shape; None for `histogram`, filled from an input.
    pub shape: Option<BuildShape>,
    /// What it is.
    pub doc: &'static str,
}

/// Declares each PDF's file and lists its signature in [`PDFS`].
macro_rules! registry {
    ($($pdf:ident),* $(,)?) => {
        $(pub mod $pdf;)*

        /// Every PDF. Adding one is one file in `stats/pdfs/` (its [`Density`]
        /// implementation and its `SIGNATURE`) and its name here; the tests below fit,
        /// integrate and differentiate every entry, and `tests/it/docs.rs` checks that
        /// docs/spec.md names it.
        ///
        /// [`Density`]: crate::stats::shape::Density
        pub const PDFS: &[PdfSignature] = &[$($pdf::SIGNATURE),*];
    };
}

registry!(
    gaussian,
    crystal_ball,
    double_crystal_ball,
    chebychev,
    bernstein,
    exponential,
    argus,
    breit_wigner,
    voigtian,
    histogram,
);

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
    use crate::stats::shape::{Shape, five_point};

    const DOMAIN: (f64, f64) = (0.0, 10.0);

    /// Each PDF's shape at order 2 over [`DOMAIN`] and its example point, in the order
    /// of its parameters.
    fn examples() -> Vec<(&'static str, Shape, Vec<String>, Vec<f64>)> {
        PDFS.iter()
            .filter_map(|signature| {
                let shape = (signature.shape?)(2, DOMAIN);
                let names = shape.parameter_names();
                let point = names
                    .iter()
                    .map(|n| {
                        let found = signature.example.iter().find(|(p, _)| p == n);
                        found
                            .unwrap_or_else(|| panic!("{}: no example `{n}`", signature.name))
                            .1
                    })
                    .collect();
                Some((signature.name, shape, names, point))
            })
            .collect()
    }

    #[test]
    fn every_pdf_names_its_parameters_and_its_integral_is_its_density_integrated() {
        for signature in PDFS.iter().filter(|s| s.shape.is_some()) {
            let (_, shape, names, p) = examples()
                .into_iter()
                .find(|e| e.0 == signature.name)
                .expect("built");
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

    /// Each PDF's derivatives in every parameter, per event and of its integral, against
    /// a five-point stencil at its example point.
    #[test]
    fn every_pdf_is_differentiated() {
        let (lo, hi) = (2.0, 8.5);
        let xs: Vec<f64> = (0..23)
            .map(|k| lo + (hi - lo) * (k as f64 + 0.37) / 23.0)
            .collect();
        for (name, shape, _, p) in examples() {
            let wanted: Vec<usize> = (0..p.len()).collect();
            let mut values = vec![0.0; xs.len()];
            let mut gradients = vec![0.0; xs.len() * p.len()];
            shape.density_gradients(&xs, &p, &wanted, &mut values, &mut gradients);
            for j in wanted {
                let h = 1e-5 * p[j].abs().max(0.1);
                let stencil = |f: &dyn Fn(&[f64]) -> f64| five_point(&p, j, h, f);
                for (i, &x) in xs.iter().enumerate() {
                    let numeric = stencil(&|q| shape.density(x, q));
                    let analytic = gradients[j * xs.len() + i];
                    assert!(
                        (analytic - numeric).abs() <= 1e-6 * numeric.abs().max(values[i]),
                        "{name} p[{j}] at {x}: {analytic} vs {numeric}"
                    );
                }
                let numeric = stencil(&|q| shape.integral(lo, hi, q));
                let analytic = shape.integral_derivative(lo, hi, &p, j);
                assert!(
                    (analytic - numeric).abs() <= 1e-6 * numeric.abs().max(1.0),
                    "{name} ∫ p[{j}]: {analytic} vs {numeric}"
                );
            }
        }
    }

    /// A binned fit of each PDF to its own expectation (Asimov data), its first shape
    /// parameter and the yield started away from the truth, finds the truth.
    #[test]
    fn every_pdf_is_fitted() {
        for (name, shape, names, truth) in examples() {
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
                        name: name.into(),
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
            assert!(result.status.is_valid(), "{name}: {result:?}");
            assert!(
                (result.values[0] - 1000.0).abs() < 1e-3
                    && (result.values[1] - first).abs() < 1e-4 * first.abs().max(1.0),
                "{name}: fitted {:?}, truth 1000 and {first}",
                result.values
            );
        }
    }
}
