//! `searchlight submit {slurm,condor}`: write the batch jobs of a sharded run (the shards
//! and a merge that waits for all of them) and submit them; `--dry-run` only prints them.

use super::prepare::prepare;
use super::{Status, fail};
use crate::diag::codes;
use crate::shard::batch::{self, BatchJob};
use std::path::{Path, PathBuf};

/// The batch systems.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    /// A Slurm job array (`sbatch --array`) and a merge job (`--dependency=afterok`).
    Slurm,
    /// An HTCondor cluster of shard jobs and a merge job, ordered by a DAGMan DAG.
    Condor,
}

/// Arguments of `submit`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The batch system.
    system: System,
    /// The analysis spec (checked before anything is submitted).
    spec: PathBuf,
    /// Number of shards (jobs reading the inputs).
    #[arg(long)]
    shards: usize,
    /// Output directory of the merged result (default: results/<analysis name>/); the
    /// partials go to OUTDIR/partials/, job scripts and logs to OUTDIR/<system>/.
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// CPUs (worker threads) per job.
    #[arg(long, default_value_t = 1)]
    cpus: usize,
    /// Memory per job (Slurm `--mem`, HTCondor `request_memory`).
    #[arg(long, default_value = "2G")]
    mem: String,
    /// Wall-time limit per job (`h:mm:ss`; Slurm `--time`, HTCondor `+MaxRuntime`).
    #[arg(long)]
    time: Option<String>,
    /// Slurm partition.
    #[arg(long)]
    partition: Option<String>,
    /// Account to charge (Slurm `--account`, HTCondor `accounting_group`).
    #[arg(long)]
    account: Option<String>,
    /// Pass `--unblind` to the shards (the spec must unblind too).
    #[arg(long)]
    unblind: bool,
    /// Print the job files and the submit commands; write and submit nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Writes and submits (or prints) the jobs; 2 when submission fails.
pub fn run(args: &Args) -> Status {
    if args.shards == 0 || args.cpus == 0 {
        return fail(codes::USAGE, "--shards and --cpus must be at least 1");
    }
    let prepared = match prepare(&args.spec, args.unblind) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let name = prepared.spec.analysis.name.value.clone();
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&name));
    let (searchlight, workdir) = match (std::env::current_exe(), std::env::current_dir()) {
        (Ok(exe), Ok(dir)) => (exe, dir),
        (Err(e), _) | (_, Err(e)) => {
            return fail(
                codes::IO,
                format!("cannot find this executable or the working directory: {e}"),
            );
        }
    };
    let job = BatchJob {
        name,
        searchlight,
        workdir,
        spec: args.spec.display().to_string(),
        output: output.display().to_string(),
        shards: args.shards,
        cpus: args.cpus,
        memory: args.mem.clone(),
        time: args.time.clone(),
        partition: args.partition.clone(),
        account: args.account.clone(),
        unblind: args.unblind,
        cache: std::env::var("SEARCHLIGHT_CACHE").ok(),
    };
    if let Err(e) = job.check() {
        return fail(codes::INVALID_VALUE, e);
    }
    let system = match args.system {
        System::Slurm => batch::System::Slurm,
        System::Condor => batch::System::Condor,
    };
    let dir = output.join(system.folder());
    let jobs = job.jobs(system);
    if args.dry_run {
        for (file, text) in &jobs.files {
            println!("# {}\n{text}", dir.join(file).display());
        }
        println!("# submitted from {} with:", dir.display());
        for c in &jobs.commands {
            println!("{}", c.join(" "));
        }
        return Status::Ok;
    }
    let written = std::fs::create_dir_all(dir.join("logs"))
        .and_then(|()| std::fs::create_dir_all(output.join("partials")))
        .and_then(|()| {
            jobs.files
                .iter()
                .try_for_each(|(file, text)| std::fs::write(dir.join(file), text))
        });
    if let Err(e) = written {
        return fail(
            codes::OUTPUT,
            format!("cannot write the jobs to {}: {e}", dir.display()),
        );
    }
    match batch::submit(system, &dir, &jobs) {
        Ok(what) => {
            println!("{what}");
            println!(
                "partials: {}, logs: {}, result: {}",
                output.join("partials").display(),
                dir.join("logs").display(),
                output.join("results.json").display()
            );
            Status::Ok
        }
        Err(e) => fail(codes::IO, e),
    }
}
