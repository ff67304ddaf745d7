//! Input file lists: paths and globs relative to the spec, expanded in sorted order so a
//! run reads files in the same order everywhere.

use super::IoError;
use crate::diag::codes;
use std::path::{Path, PathBuf};

/// Expands each pattern (relative to `base`); a pattern that matches nothing is an error.
pub fn expand<'a>(
    base: &Path,
    patterns: impl Iterator<Item = &'a str>,
) -> Result<Vec<PathBuf>, IoError> {
    let mut out = Vec::new();
    for pattern in patterns {
        let text = base.join(pattern).to_string_lossy().to_string();
        let mut matched: Vec<PathBuf> = glob::glob(&text)
            .map_err(|e| IoError {
                code: codes::IO,
                message: format!("bad file pattern `{pattern}`: {e}"),
            })?
            .filter_map(Result::ok)
            .collect();
        if matched.is_empty() {
            return Err(IoError {
                code: codes::IO,
                message: format!("no input file matches `{pattern}` (looked for {text})"),
            });
        }
        matched.sort();
        out.extend(matched);
    }
    Ok(out)
}
