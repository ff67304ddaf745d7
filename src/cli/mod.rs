//! The command line: one file per subcommand; parsing, output and exit codes only.
//!
//! Exit codes (docs/cli.md): 0 success, 1 the analysis or lint found errors, 2 usage, I/O or
//! input-format failure.

mod diff;
mod export;
mod fit;
mod fmt;
mod generate;
mod limit;
mod limit_workspace;
mod lint;
mod lsp;
mod merge;
mod plan;
mod prepare;
mod run;
mod schema;
mod skim;
mod submit;
mod verify;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Declarative dark-sector searches: one YAML file from ntuples to upper limits.
#[derive(Parser, Debug)]
#[command(name = "searchlight", version, about, long_about = None, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run an analysis: read its inputs once, apply the selection, write results.json and cutflow.md.
    Run(run::Args),
    /// Check analysis specs: syntax, names, types, units and every lint rule.
    Lint(lint::Args),
    /// Show the checked analysis: inputs, columns read, steps, model and scan grid.
    Plan(plan::Args),
    /// Print the JSON Schema of the spec format (for editor completion and validation).
    Schema(schema::Args),
    /// Fit the data at one hypothesis and print the parameters with errors.
    Fit(fit::Args),
    /// Upper limits: `limit counting` for a Poisson count, `limit workspace` for a pyhf workspace.
    Limit(limit::Args),
    /// Write the selected candidates of an input, with derived columns, to Parquet.
    Skim(skim::Args),
    /// Generate a toy Monte Carlo sample of a reference search into a Parquet file.
    Generate(generate::Args),
    /// Rerun an analysis from the provenance in its results.json and compare the results.
    Verify(verify::Args),
    /// What changed between two versions of a spec (paths or `REV:path`), in its own terms.
    Diff(diff::Args),
    /// Write every expression of specs in canonical form (`--check`: only report).
    Fmt(fmt::Args),
    /// Merge the partial results of a sharded run (`run --shard I/N`) and write its results.
    Merge(merge::Args),
    /// Submit a sharded run to a batch system: `slurm` (job array + merge) or `condor` (DAGMan).
    Submit(submit::Args),
    /// Serve the language server protocol on stdin/stdout, for editors (diagnostics, hover, completion).
    Lsp(lsp::Args),
    /// Export a run's results: `hepdata` (a HEPData submission) or `pyhf` (counting windows as workspaces).
    Export(export::Args),
}

/// How `.root` output is compressed (`skim`, `generate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum RootCompression {
    /// zlib level 1: read by every ROOT.
    Zlib,
    /// zstd level 5: ROOT 6.14 and later.
    Zstd,
}

impl From<RootCompression> for crate::io::root::Compression {
    fn from(c: RootCompression) -> Self {
        match c {
            RootCompression::Zlib => crate::io::root::Compression::Zlib,
            RootCompression::Zstd => crate::io::root::Compression::Zstd,
        }
    }
}

/// Exit status of a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Everything fine.
    Ok = 0,
    /// The analysis has errors.
    Findings = 1,
    /// Usage, I/O or input-format failure.
    Failure = 2,
}

/// Prints an error that has no place in a spec (a command-line argument, a file named
/// on the command line) as a coded diagnostic; returns the failure status.
pub(crate) fn fail(code: &'static str, message: impl Into<String>) -> Status {
    failed(crate::diag::Diagnostic::error(code, message))
}

/// Prints a diagnostic that has no place in a spec; returns the failure status.
pub(crate) fn failed(diagnostic: crate::diag::Diagnostic) -> Status {
    prepare::report(&[diagnostic], &crate::diag::SourceMap::new());
    Status::Failure
}

/// Runs the command line and returns the exit code.
pub fn main() -> ExitCode {
    crate::io::guard::install_quiet_hook();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` print to stdout; a rejected argument is a usage error
        // with its code, as every other error.
        Err(e) if e.use_stderr() => {
            let text = e.render().to_string();
            let coded = format!("error[{}]:", crate::diag::codes::USAGE);
            eprint!("{}", text.replacen("error:", &coded, 1));
            return ExitCode::from(Status::Failure as u8);
        }
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(Status::Ok as u8);
        }
    };
    // A misspelt cap would silently run the default loops; say so before any work.
    if let Err(name) = crate::simd::level_from_env() {
        let status = fail(
            crate::diag::codes::INVALID_VALUE,
            format!(
                "SEARCHLIGHT_SIMD is `{name}`: expected `baseline`, `avx2` or `avx512` (or unset)"
            ),
        );
        return ExitCode::from(status as u8);
    }
    let status = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Lint(args) => lint::run(&args),
        Command::Plan(args) => plan::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Generate(args) => generate::run(&args),
        Command::Skim(args) => skim::run(&args),
        Command::Limit(args) => limit::run(&args),
        Command::Fit(args) => fit::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Merge(args) => merge::run(&args),
        Command::Submit(args) => submit::run(&args),
    };
    ExitCode::from(status as u8)
}
