//! `searchlight submit {slurm,condor}`: write the batch jobs of a sharded run (the shards
//! and a merge that waits for all of them) and submit them; `--dry-run` only prints them.

use super::Status;
use super::prepare::prepare;
use crate::shard::batch::BatchJob;
use std::path::{Path, PathBuf};
use std::process::Command;

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
        eprintln!("error: --shards and --cpus must be at least 1");
        return Status::Failure;
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
            eprintln!("error: cannot find this executable or the working directory: {e}");
            return Status::Failure;
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
        eprintln!("error[{}]: {e}", crate::diag::codes::INVALID_VALUE);
        return Status::Failure;
    }
    let dir = output.join(match args.system {
        System::Slurm => "slurm",
        System::Condor => "condor",
    });
    let (files, commands): (Vec<(&str, String)>, Vec<Vec<String>>) = match args.system {
        System::Slurm => {
            let (shards, merge) = job.slurm();
            (
                vec![("shards.sbatch", shards), ("merge.sbatch", merge)],
                vec![
                    words(&["sbatch", "--parsable", "shards.sbatch"]),
                    words(&[
                        "sbatch",
                        "--parsable",
                        "--dependency=afterok:<shards job>",
                        "--kill-on-invalid-dep=yes",
                        "merge.sbatch",
                    ]),
                ],
            )
        }
        System::Condor => {
            let (shards, merge, dag) = job.condor();
            (
                vec![
                    ("shards.sub", shards),
                    ("merge.sub", merge),
                    ("searchlight.dag", dag),
                ],
                vec![words(&["condor_submit_dag", "searchlight.dag"])],
            )
        }
    };
    if args.dry_run {
        for (file, text) in &files {
            println!("# {}\n{text}", dir.join(file).display());
        }
        println!("# submitted from {} with:", dir.display());
        for c in &commands {
            println!("{}", c.join(" "));
        }
        return Status::Ok;
    }
    let written = std::fs::create_dir_all(dir.join("logs"))
        .and_then(|()| std::fs::create_dir_all(output.join("partials")))
        .and_then(|()| {
            files
                .iter()
                .try_for_each(|(file, text)| std::fs::write(dir.join(file), text))
        });
    if let Err(e) = written {
        eprintln!(
            "error[{}]: cannot write the jobs to {}: {e}",
            crate::diag::codes::OUTPUT,
            dir.display()
        );
        return Status::Failure;
    }
    let outcome = match args.system {
        System::Slurm => submit_slurm(&dir),
        System::Condor => submit(&dir, &commands[0]).map(|out| out.trim().to_owned()),
    };
    match outcome {
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
        Err(e) => {
            eprintln!("error: {e}");
            Status::Failure
        }
    }
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| (*s).to_owned()).collect()
}

/// Runs a submit command in `dir`; its standard output.
fn submit(dir: &Path, command: &[String]) -> Result<String, String> {
    let output = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(dir)
        .output()
        .map_err(|e| {
            format!(
                "cannot run {}: {e} (is this a submit host? `--dry-run` prints the jobs)",
                command[0]
            )
        })?;
    if !output.status.success() {
        return Err(format!(
            "{} failed: {}",
            command.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn submit_slurm(dir: &Path) -> Result<String, String> {
    // `--parsable` prints `id` or `id;cluster`.
    let id = |out: String| out.trim().split(';').next().unwrap_or_default().to_owned();
    let shards = id(submit(
        dir,
        &words(&["sbatch", "--parsable", "shards.sbatch"]),
    )?);
    let merge = id(submit(
        dir,
        &words(&[
            "sbatch",
            "--parsable",
            &format!("--dependency=afterok:{shards}"),
            "--kill-on-invalid-dep=yes",
            "merge.sbatch",
        ]),
    )?);
    Ok(format!(
        "submitted the shards as Slurm job {shards} and the merge as job {merge} (after all shards succeed)"
    ))
}
