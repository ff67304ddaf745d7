//! PDFs, likelihoods, minimisation, limits and scans: a pure numerical library with no
//! knowledge of YAML, files or the CLI.

pub mod asymptotic;
pub mod counting;
pub mod envelope;
pub mod feldman_cousins;
pub mod gof;
pub mod histfactory;
pub mod impacts;
pub mod interpolation;
pub mod kernels;
pub mod likelihood;
pub mod linalg;
pub mod minuit;
pub mod pdfs;
pub mod poisson;
pub mod quadrature;
pub mod shape;
pub mod significance;
pub mod special;
pub mod toys;
pub mod vecmath;
