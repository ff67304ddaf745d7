//! results.json with provenance, cutflow tables, plots, HEPData and pyhf exports, `verify`.
//! Lands with the evaluator and reproducibility issues.
