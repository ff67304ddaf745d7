//! `searchlight lint`.

use super::Status;
use crate::check::{LintContext, LintOptions, lint, rules, sort};
use crate::diag::{Diagnostic, Severity, SourceMap, render};
use crate::pipeline::load::{Loaded, base_dir, load};
use crate::spec::LoadOptions;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Output formats of `lint`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Source snippets with labelled spans.
    Human,
    /// A JSON list of findings (docs/cli.md).
    Json,
    /// SARIF 2.1.0, for code-scanning annotations.
    Sarif,
    /// Markdown (with `--list-rules`: the lint-rules reference).
    Markdown,
}

/// Arguments of `lint`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Analysis specs to check.
    #[arg(required_unless_present_any = ["explain", "list_rules"])]
    specs: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Skip a rule, by code or name (repeatable).
    #[arg(long, value_name = "RULE")]
    ignore: Vec<String>,
    /// Print the documentation of a rule and exit.
    #[arg(long, value_name = "RULE")]
    explain: Option<String>,
    /// List every rule and exit (`--format markdown` writes docs/lint-rules.md).
    #[arg(long)]
    list_rules: bool,
    /// Also list each column the spec reads and the ntuple branch it resolved to.
    #[arg(long)]
    show_columns: bool,
    /// Let `include:` reach files outside the analysis repository.
    #[arg(long)]
    allow_outside_includes: bool,
}

/// Lints the specs, prints the findings, and returns 1 when any is an error.
pub fn run(args: &Args) -> Status {
    if let Some(code) = &args.explain {
        return explain(code);
    }
    if args.list_rules {
        return list_rules(args.format);
    }
    let options = LintOptions {
        ignore: args.ignore.clone(),
    };
    let load_options = LoadOptions {
        allow_outside_includes: args.allow_outside_includes,
    };
    let mut sources = SourceMap::new();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let mut status = Status::Ok;
    for path in &args.specs {
        match load(path, &mut sources, &load_options) {
            Loaded::Spec(spec) => {
                let base = base_dir(path);
                if args.show_columns {
                    let ctx = LintContext::new(&spec, &sources, base.clone());
                    for c in crate::plan::columns_read(&ctx) {
                        eprintln!(
                            "{}: `{}` reads branch `{}`",
                            path.display(),
                            c.written,
                            c.branch
                        );
                    }
                }
                diags.extend(lint(&spec, &sources, base, &options));
            }
            Loaded::Invalid(mut found) => {
                sort(&mut found);
                diags.extend(found);
            }
            Loaded::Io(d) => {
                diags.push(d);
                status = Status::Failure;
            }
        }
    }
    let count = |severity| diags.iter().filter(|d| d.severity == severity).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    match args.format {
        Format::Json => println!("{}", render::json(&diags, &sources)),
        Format::Sarif => println!("{}", rules::sarif(&diags, &sources)),
        Format::Human | Format::Markdown => {
            print!(
                "{}",
                render::human(&diags, &sources, std::io::stdout().is_terminal())
            );
            let files = args.specs.len();
            println!(
                "{files} spec{} checked: {errors} error{}, {warnings} warning{}",
                plural(files),
                plural(errors),
                plural(warnings)
            );
        }
    }
    if status == Status::Ok && errors > 0 {
        Status::Findings
    } else {
        status
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn explain(code: &str) -> Status {
    match rules::explain(code) {
        Some(text) => {
            println!("{text}");
            Status::Ok
        }
        None => super::fail(
            crate::diag::codes::USAGE,
            format!(
                "no code `{code}`; `searchlight lint --list-rules` lists the lint rules, docs/reliability.md the others"
            ),
        ),
    }
}

fn list_rules(format: Format) -> Status {
    match format {
        Format::Markdown => print!("{}", rules::markdown()),
        Format::Json | Format::Sarif => println!("{}", rules::listing_json()),
        Format::Human => print!("{}", rules::listing_text()),
    }
    Status::Ok
}
