//! `searchlight plan`.

use super::Status;
use super::load::{Loaded, base_dir, load};
use crate::check::{LintContext, LintOptions, lint};
use crate::diag::{Severity, SourceMap, render};
use crate::spec::LoadOptions;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Output formats of `plan`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// Human-readable text.
    Text,
    /// The dataflow graph as JSON.
    Json,
    /// The dataflow graph in Graphviz DOT (`| dot -Tsvg`).
    Dot,
}

/// Arguments of `plan`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis spec.
    spec: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Prints the plan of a spec that lints without errors.
pub fn run(args: &Args) -> Status {
    let mut sources = SourceMap::new();
    let color = std::io::stderr().is_terminal();
    let spec = match load(&args.spec, &mut sources, &LoadOptions::default()) {
        Loaded::Spec(spec) => spec,
        Loaded::Invalid(diags) => {
            eprint!("{}", render::human(&diags, &sources, color));
            return Status::Findings;
        }
        Loaded::Io(d) => {
            eprint!("{}", render::human(&[d], &sources, color));
            return Status::Failure;
        }
    };
    let base = base_dir(&args.spec);
    let errors: Vec<_> = lint(&spec, &sources, base.clone(), &LintOptions::default())
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        eprint!("{}", render::human(&errors, &sources, color));
        return Status::Findings;
    }
    let ctx = LintContext::new(&spec, &sources, base);
    match args.format {
        Format::Text => print!("{}", crate::plan::describe(&ctx)),
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&crate::plan::graph::json(&ctx)).expect("plan serialises")
        ),
        Format::Dot => print!("{}", crate::plan::graph::dot(&ctx)),
    }
    Status::Ok
}
