//! ## What it does
//! Opens every file of every file input as `run` will: the paths and globs must match
//! files, each must be a readable ROOT TTree or RNTuple or a Parquet file (not a text
//! file), every column the analysis reads must be in every file of every input (not only
//! `data`), as must the columns of an input's own `cuts` and a signal sample's
//! generated-mass and lifetime columns (`generated`),
//! and the files of one input must agree on column types.
//!
//! ## Why is this bad?
//! `run` would read and select the other inputs first and then stop at the file that
//! cannot be read; a spec whose files cannot serve it is an error before any data is read.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   data: { files: ["data/*.root"], tree: variables }
//!   signal: { files: ["mc/signal_without_muonID.root"], tree: variables }
//! selection:
//!   - cut: muonID > 0.9
//! ```
//!
//! ## Use instead
//! Files that hold every branch the analysis uses, in the tree named.

use super::Rule;
use crate::check::{LintContext, Scope};
use crate::diag::{Diagnostic, Severity};
use crate::spec::{GeneratedAt, Source};

pub const RULE: Rule = Rule {
    code: "SL036",
    name: "input-files",
    severity: Severity::Error,
    summary: "a file input whose files run cannot read or that lack columns it uses",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let needed = ctx.data_columns();
    let used = ctx.used_columns();
    for (index, input) in ctx.spec.inputs.iter().enumerate() {
        let Source::Files {
            files,
            tree,
            generated,
            ..
        } = &input.source
        else {
            continue;
        };
        // The input's own cuts' columns, and a signal sample's generated-mass (and
        // lifetime) columns, are read too.
        let mut needed = needed.clone();
        let mut used = used.clone();
        for c in ctx.columns_of(Scope::Input(index)) {
            if !needed.contains(&c) {
                needed.push(c.clone());
                used.push(c);
            }
        }
        if let Some(g) = generated {
            for at in std::iter::once(&g.mass).chain(&g.ctau) {
                if let GeneratedAt::Column(c) = at
                    && !needed.contains(&c.value)
                {
                    needed.push(c.value.clone());
                    used.push(c.value.clone());
                }
            }
        }
        let span = files.first().map_or(input.name.span, |f| f.span);
        let paths =
            match crate::io::files::expand(&ctx.base_dir, files.iter().map(|f| f.value.as_str())) {
                Ok(paths) => paths,
                Err(e) => {
                    out.push(
                        RULE.diag(format!("input `{}`: {}", input.name.value, e.message))
                            .at_labelled(span, "no such file"),
                    );
                    continue;
                }
            };
        let tree = tree.as_ref().map(|t| t.value.as_str());
        let opened =
            crate::io::source::open_files(&input.name.value, &paths, tree, &needed, &|c| {
                used.iter().any(|u| u == c)
            });
        if let Err(e) = opened {
            out.push(
                RULE.diag(format!("input `{}`: {}", input.name.value, e.message))
                    .at_labelled(span, "cannot serve the analysis")
                    .with_help(format!("run would refuse it ({})", e.code)),
            );
        }
    }
}
