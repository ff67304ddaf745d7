//! Outputs of a run: results.json with provenance, and the cutflow table. Every file is
//! written atomically (temporary file + rename) and results.json last, so a directory
//! whose results.json exists is complete.

pub mod results;
