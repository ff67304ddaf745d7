//! PDFs, likelihoods, minimisation, limits and scans: a pure numerical library with no
//! knowledge of YAML, files or the CLI. The fitting engine lands with the statistics
//! issues; the catalogue of PDF signatures ([`pdfs`]) is here already so specs can be
//! checked against it.

pub mod counting;
pub mod pdfs;
