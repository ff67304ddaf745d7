//! Loading a spec for a command: the source map, the spec, and load diagnostics.

use crate::diag::{Diagnostic, SourceMap};
use crate::spec::{self, LoadError, LoadOptions, Spec};
use std::path::{Path, PathBuf};

/// A spec loaded for a command, or why it could not be.
pub enum Loaded {
    /// Loaded and structurally valid.
    Spec(Box<Spec>),
    /// Malformed: these diagnostics explain why.
    Invalid(Vec<Diagnostic>),
    /// Unreadable.
    Io(Diagnostic),
}

/// Loads `path` into `sources`.
pub fn load(path: &Path, sources: &mut SourceMap, options: &LoadOptions) -> Loaded {
    match spec::load_file(path, sources, options) {
        Ok(spec) => Loaded::Spec(Box::new(spec)),
        Err(LoadError::Invalid(diags)) => Loaded::Invalid(diags),
        Err(LoadError::Io(d)) => Loaded::Io(d),
    }
}

/// Directory relative paths in the spec are resolved against.
pub fn base_dir(path: &Path) -> PathBuf {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
