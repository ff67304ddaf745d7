//! Data/MC correction tables, evaluated natively: correctionlib JSON (schema v2, as the
//! `correctionlib` package evaluates it, to the bit) and Belle II-style CSV tables. A
//! library: it knows nothing of specs; the planner binds a correction's numeric inputs
//! to expressions and fixes its string inputs.

mod belle2_csv;
mod correction;
mod correctionlib;
mod formula;
mod json;

pub use belle2_csv::VARIATIONS as TABLE_VARIATIONS;
pub use correction::{Correction, EvalError, Input, InputKind, Problem};
pub use formula::Formula;

use std::path::Path;

/// Why a correction file cannot be used.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// It cannot be read.
    Io(String),
    /// Its content is not a valid correction file.
    Format(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(m) | LoadError::Format(m) => f.write_str(m),
        }
    }
}

/// The corrections of a file: correctionlib JSON when its name ends in `.json` or
/// `.json.gz`, otherwise a Belle II CSV table (one correction named after the file).
pub fn load(path: &Path) -> Result<Vec<Correction>, LoadError> {
    let bytes = std::fs::read(path)
        .map_err(|e| LoadError::Io(format!("cannot read {}: {e}", path.display())))?;
    parse(path, &bytes).map_err(LoadError::Format)
}

/// The corrections of the contents `bytes` of file `path` (as [`load`]).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<Correction>, String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let format = |m: String| format!("{}: {m}", path.display());
    if name.ends_with(".json.gz") {
        let text = gunzip(bytes).map_err(format)?;
        parse_correctionlib(&text).map_err(format)
    } else if name.ends_with(".json") {
        parse_correctionlib(bytes).map_err(format)
    } else {
        let stem = name.split('.').next().unwrap_or("table");
        belle2_csv::read(stem, bytes)
            .map(|c| vec![c])
            .map_err(format)
    }
}

/// The corrections of a correctionlib document.
pub fn parse_correctionlib(text: &[u8]) -> Result<Vec<Correction>, String> {
    correctionlib::read(&json::parse(text)?)
}

/// The table of a Belle II CSV document, named `name`.
pub fn parse_table(name: &str, text: &[u8]) -> Result<Correction, String> {
    belle2_csv::read(name, text)
}

/// Decompresses a gzip file (its trailer gives the size).
fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let size = bytes
        .len()
        .checked_sub(4)
        .map(|at| u32::from_le_bytes(bytes[at..].try_into().expect("four bytes")) as usize)
        .ok_or("not a gzip file")?;
    let mut out = vec![0; size.max(1)];
    let mut d = libdeflater::Decompressor::new();
    let n = d
        .gzip_decompress(bytes, &mut out)
        .map_err(|e| format!("not a valid gzip file ({e:?})"))?;
    out.truncate(n);
    Ok(out)
}
