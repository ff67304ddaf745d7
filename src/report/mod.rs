//! Outputs of a run: results.json with provenance, the cutflow table and the scan's
//! figures. Every file is written atomically (temporary file + rename) and results.json
//! last, so a directory whose results.json exists is complete.

pub mod compare;
pub mod figures;
pub mod fit_text;
pub mod hepdata;
pub mod plots;
pub mod pyhf;
pub mod results;
