//! `searchlight plan`.

use super::Status;
use crate::check::{LintContext, LintOptions, lint};
use crate::diag::{Severity, SourceMap, render};
use crate::pipeline::load::{Loaded, base_dir, load};
use crate::plan::program::Program;
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
    // The program `run` executes: the model's observable is its output.
    let query = match crate::plan::query::build(&ctx) {
        Ok(q) => q,
        Err(d) => {
            eprint!("{}", render::human(&[d], &sources, color));
            return Status::Findings;
        }
    };
    let observable = spec.model.as_ref().map(|m| &m.observable().var.expr);
    let program = Program::compile(&query, &Vec::from_iter(observable));
    match args.format {
        Format::Text => print!(
            "{}\nprogram\n{}",
            crate::plan::describe(&ctx),
            program.text()
        ),
        Format::Json => {
            let mut graph = crate::plan::graph::json(&ctx);
            graph["program"] = program.json();
            println!(
                "{}",
                serde_json::to_string_pretty(&graph).expect("plan serialises")
            )
        }
        Format::Dot => print!("{}", crate::plan::graph::dot(&ctx, &program)),
    }
    Status::Ok
}
