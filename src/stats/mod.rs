//! PDFs, likelihoods, minimisation, limits and scans: a pure numerical library with no
//! knowledge of YAML, files or the CLI. Lands with the statistics issues.
