//! Checking a loaded spec: name resolution, types, units, and every lint rule.
//!
//! [`LintContext`] resolves names once (columns from the input's declared schema, aliases,
//! MVA outputs, constants, scan parameters); the rules in [`rules`] each look for one kind
//! of problem. This stage knows nothing of how an analysis is executed.

pub mod basf2;
pub mod corrections;
pub mod efficiency_source;
pub mod grid;
pub mod intervals;
pub mod rules;
pub mod sites;
pub mod symbols;
pub mod types;

use crate::diag::{Diagnostic, SourceMap};
use crate::spec::Spec;
use std::path::PathBuf;
pub use symbols::{LintContext, Scope, Symbol};

/// Options that change what the linter reports.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// Rule codes or names to skip.
    pub ignore: Vec<String>,
}

/// Runs every lint rule on a loaded spec; findings sorted by file and position.
pub fn lint(
    spec: &Spec,
    sources: &SourceMap,
    base_dir: PathBuf,
    options: &LintOptions,
) -> Vec<Diagnostic> {
    let ctx = LintContext::new(spec, sources, base_dir);
    let mut out = Vec::new();
    for rule in rules::ALL {
        if options
            .ignore
            .iter()
            .any(|i| i == rule.code || i == rule.name)
        {
            continue;
        }
        let start = out.len();
        (rule.check)(&ctx, &mut out);
        for d in &mut out[start..] {
            d.code = rule.code;
        }
    }
    sort(&mut out);
    out
}

/// Orders diagnostics by file, position, then code, so output is stable.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.span.map(|s| (s.file, s.start, s.end)), d.code));
}
