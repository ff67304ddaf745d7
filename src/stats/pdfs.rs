//! The PDFs a spec may name, with their parameters. The fit engine implements exactly these.

/// A PDF's name and parameters.
#[derive(Clone, Copy, Debug)]
pub struct PdfSignature {
    /// Name in specs.
    pub name: &'static str,
    /// Parameters that must be given.
    pub required: &'static [&'static str],
    /// Parameters that may be given.
    pub optional: &'static [&'static str],
    /// Parameter named after the pattern `prefix<N>` that may repeat (polynomial coefficients).
    pub numbered: Option<&'static str>,
    /// What it is.
    pub doc: &'static str,
}

const fn sig(
    name: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    numbered: Option<&'static str>,
    doc: &'static str,
) -> PdfSignature {
    PdfSignature {
        name,
        required,
        optional,
        numbered,
        doc,
    }
}

/// Every PDF.
pub const PDFS: &[PdfSignature] = &[
    sig(
        "gaussian",
        &["mean", "sigma"],
        &[],
        None,
        "normal distribution",
    ),
    sig(
        "crystal_ball",
        &["mean", "sigma", "alpha", "n"],
        &[],
        None,
        "Gaussian core with a power-law low tail",
    ),
    sig(
        "double_crystal_ball",
        &["mean", "sigma"],
        &["alpha_low", "n_low", "alpha_high", "n_high"],
        None,
        "Gaussian core with power-law tails on both sides",
    ),
    sig(
        "chebychev",
        &[],
        &["order"],
        Some("c"),
        "Chebychev polynomial of any order (coefficients c1, c2, …)",
    ),
    sig(
        "bernstein",
        &[],
        &["order"],
        Some("b"),
        "Bernstein polynomial (coefficients b0, b1, …)",
    ),
    sig("exponential", &["slope"], &[], None, "exp(slope · x)"),
    sig(
        "argus",
        &["m0", "c"],
        &["p"],
        None,
        "ARGUS threshold function, endpoint m0",
    ),
    sig(
        "breit_wigner",
        &["mass", "width"],
        &[],
        None,
        "relativistic Breit-Wigner",
    ),
    sig(
        "voigtian",
        &["mean", "width", "sigma"],
        &[],
        None,
        "Breit-Wigner convolved with a Gaussian",
    ),
    sig(
        "histogram",
        &["from"],
        &["bins", "interpolation", "sigma"],
        None,
        "template histogram of the fit observable from an input's selected candidates \
         (`sigma`: the resolution, for the fit window and the scan step)",
    ),
];

/// The PDF of that name.
pub fn pdf(name: &str) -> Option<&'static PdfSignature> {
    PDFS.iter().find(|p| p.name == name)
}

impl PdfSignature {
    /// True when `param` is a parameter of this PDF.
    pub fn accepts(&self, param: &str) -> bool {
        self.required.contains(&param)
            || self.optional.contains(&param)
            || self.numbered.is_some_and(|p| {
                param
                    .strip_prefix(p)
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            })
    }
}
