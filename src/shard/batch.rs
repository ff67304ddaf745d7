//! Batch-system job descriptions for a sharded run: a Slurm job array plus a merge job,
//! or an HTCondor submit file plus a merge and the DAGMan DAG that orders them. The
//! job files are pure text; `submit` runs the batch system's submit commands.
//!
//! Every job runs in the directory `submit` was called from (a shared filesystem is
//! assumed, as on Belle II and most HEP sites), runs the same searchlight binary, reads
//! the spec by the same relative path (so the merged provenance equals a local run's)
//! and writes its partial to `OUTDIR/partials/`; the merge job lists every shard's
//! partial, so a missing one fails it loudly instead of merging a part of the data.

use super::Shard;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What to run and with which resources.
#[derive(Clone, Debug)]
pub struct BatchJob {
    /// Analysis name (job names).
    pub name: String,
    /// The searchlight executable (absolute).
    pub searchlight: PathBuf,
    /// Working directory of every job (absolute).
    pub workdir: PathBuf,
    /// The spec, as given (relative to `workdir` or absolute).
    pub spec: String,
    /// Output directory, as given.
    pub output: String,
    /// Number of shards.
    pub shards: usize,
    /// CPUs (worker threads) per job.
    pub cpus: usize,
    /// Memory per job (`4G`).
    pub memory: String,
    /// Wall-time limit (`2:00:00`), or the site default.
    pub time: Option<String>,
    /// Slurm partition (Slurm only).
    pub partition: Option<String>,
    /// Account to charge (Slurm `--account`, HTCondor `accounting_group`).
    pub account: Option<String>,
    /// Pass `--unblind` to the shards.
    pub unblind: bool,
    /// `SEARCHLIGHT_CACHE` for the jobs (toy inputs are generated there once).
    pub cache: Option<String>,
}

/// A command-line word: text to quote, or an expression of the batch system to keep.
enum Word {
    Text(String),
    Raw(String),
}

impl Word {
    fn render(&self, quote: fn(&str) -> String) -> String {
        match self {
            Word::Text(t) => quote(t),
            Word::Raw(r) => r.clone(),
        }
    }
}

/// Whether a word needs no quoting, in a shell or in HTCondor's arguments.
fn plain(word: &str) -> bool {
    !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%,".contains(c))
}

/// Quotes a word for a POSIX shell.
fn sh(word: &str) -> String {
    if plain(word) {
        return word.to_owned();
    }
    format!("'{}'", word.replace('\'', "'\\''"))
}

/// Quotes an argument for HTCondor's `arguments = "…"` syntax.
fn condor(word: &str) -> String {
    if plain(word) {
        return word.to_owned();
    }
    format!("'{}'", word.replace('\'', "''").replace('"', "\"\""))
}

impl BatchJob {
    /// Refuses values that could break out of their line or word in a job file: control
    /// characters anywhere (a newline would start a new directive or command), and
    /// resource values that are not plain words. Paths are quoted where written.
    pub fn check(&self) -> Result<(), String> {
        let texts = [
            ("the analysis name", Some(self.name.clone())),
            ("the spec path", Some(self.spec.clone())),
            ("the output directory", Some(self.output.clone())),
            (
                "the executable path",
                Some(self.searchlight.display().to_string()),
            ),
            (
                "the working directory",
                Some(self.workdir.display().to_string()),
            ),
            ("SEARCHLIGHT_CACHE", self.cache.clone()),
        ];
        for (what, value) in &texts {
            if let Some(v) = value
                && v.chars().any(char::is_control)
            {
                return Err(format!("{what} holds a control character (a newline?)"));
            }
        }
        let words = [
            ("--mem", Some(&self.memory)),
            ("--time", self.time.as_ref()),
            ("--partition", self.partition.as_ref()),
            ("--account", self.account.as_ref()),
        ];
        for (what, value) in words {
            if let Some(v) = value
                && !plain(v)
            {
                return Err(format!(
                    "{what} must be letters, digits and `/._-+:=@%,` only"
                ));
            }
        }
        if !crate::spec::is_identifier(&self.name) {
            return Err("the analysis name is not an identifier".into());
        }
        Ok(())
    }

    fn partials_dir(&self) -> String {
        format!("{}/partials", self.output.trim_end_matches('/'))
    }

    /// The arguments of a shard; `shard` renders the `I/N` word, which only the running
    /// job knows.
    fn run_args(&self, shard: String) -> Vec<Word> {
        let mut args = vec![Word::Text("run".into()), Word::Text(self.spec.clone())];
        if self.unblind {
            args.push(Word::Text("--unblind".into()));
        }
        args.extend([Word::Text("--shard".into()), Word::Raw(shard)]);
        args.extend(
            [
                "--threads",
                &self.cpus.to_string(),
                "-o",
                &self.partials_dir(),
            ]
            .map(|w| Word::Text(w.to_owned())),
        );
        args
    }

    fn merge_args(&self) -> Vec<Word> {
        let mut args = vec!["merge".to_owned()];
        args.extend((1..=self.shards).map(|index| {
            let shard = Shard {
                index,
                count: self.shards,
            };
            format!(
                "{}/{}",
                self.partials_dir(),
                super::partial::file_name(shard)
            )
        }));
        args.extend([
            "--threads".into(),
            self.cpus.to_string(),
            "-o".into(),
            self.output.clone(),
        ]);
        args.into_iter().map(Word::Text).collect()
    }

    fn batch_dir(&self, system: &str) -> String {
        format!("{}/{system}", self.output.trim_end_matches('/'))
    }

    fn sbatch_header(&self, out: &mut String, job: &str, log: &str) {
        let mut directive = |d: String| writeln!(out, "#SBATCH {d}").expect("string");
        directive(format!("--job-name={job}"));
        directive(format!(
            "--chdir={}",
            sh(&self.workdir.display().to_string())
        ));
        directive(format!("--output={}", sh(log)));
        directive(format!("--cpus-per-task={}", self.cpus));
        directive(format!("--mem={}", self.memory));
        if let Some(t) = &self.time {
            directive(format!("--time={t}"));
        }
        if let Some(p) = &self.partition {
            directive(format!("--partition={p}"));
        }
        if let Some(a) = &self.account {
            directive(format!("--account={a}"));
        }
    }

    fn script_body(&self, out: &mut String, args: &[Word]) {
        out.push_str("set -euo pipefail\n");
        if let Some(cache) = &self.cache {
            writeln!(out, "export SEARCHLIGHT_CACHE={}", sh(cache)).expect("string");
        }
        let words: Vec<String> = std::iter::once(sh(&self.searchlight.display().to_string()))
            .chain(args.iter().map(|w| w.render(sh)))
            .collect();
        writeln!(out, "exec {}", words.join(" ")).expect("string");
    }

    /// The Slurm job-array script of the shards and the merge script (submit it with
    /// `--dependency=afterok:<array job>`): `(shards.sbatch, merge.sbatch)`.
    pub fn slurm(&self) -> (String, String) {
        let logs = format!("{}/logs", self.batch_dir("slurm"));
        let mut shards = String::from("#!/bin/bash\n");
        self.sbatch_header(
            &mut shards,
            &format!("searchlight-{}", self.name),
            &format!("{logs}/shard-%a.log"),
        );
        writeln!(shards, "#SBATCH --array=1-{}", self.shards).expect("string");
        let shard = format!("\"${{SLURM_ARRAY_TASK_ID}}/{}\"", self.shards);
        self.script_body(&mut shards, &self.run_args(shard));
        let mut merge = String::from("#!/bin/bash\n");
        self.sbatch_header(
            &mut merge,
            &format!("searchlight-{}-merge", self.name),
            &format!("{logs}/merge.log"),
        );
        self.script_body(&mut merge, &self.merge_args());
        (shards, merge)
    }

    fn condor_submit(&self, args: &[Word], log: &str, queue: &str) -> String {
        let mut out = String::new();
        let mut line = |k: &str, v: String| writeln!(out, "{k} = {v}").expect("string");
        line("universe", "vanilla".into());
        line("executable", self.searchlight.display().to_string());
        line("initialdir", self.workdir.display().to_string());
        if queue != "1" {
            line("shard", "$(Process) + 1".into());
        }
        let words: Vec<String> = args.iter().map(|a| a.render(condor)).collect();
        line("arguments", format!("\"{}\"", words.join(" ")));
        line("request_cpus", self.cpus.to_string());
        line("request_memory", self.memory.clone());
        if let Some(t) = &self.time {
            line("+MaxRuntime", wall_seconds(t).to_string());
        }
        if let Some(a) = &self.account {
            line("accounting_group", a.clone());
        }
        if let Some(cache) = &self.cache {
            line(
                "environment",
                format!("\"SEARCHLIGHT_CACHE={}\"", condor(cache)),
            );
        }
        line("should_transfer_files", "NO".into());
        line("output", format!("{log}.out"));
        line("error", format!("{log}.err"));
        line("log", format!("{}/jobs.log", self.batch_dir("condor")));
        writeln!(out, "queue {queue}").expect("string");
        out
    }

    /// HTCondor: `(shards.sub, merge.sub, searchlight.dag)`; submit the DAG with
    /// `condor_submit_dag`.
    pub fn condor(&self) -> (String, String, String) {
        let logs = format!("{}/logs", self.batch_dir("condor"));
        let shards = self.condor_submit(
            &self.run_args(format!("$INT(shard)/{}", self.shards)),
            &format!("{logs}/shard-$INT(shard)"),
            &self.shards.to_string(),
        );
        let merge = self.condor_submit(&self.merge_args(), &format!("{logs}/merge"), "1");
        let dag = "JOB shards shards.sub\nJOB merge merge.sub\nPARENT shards CHILD merge\n".into();
        (shards, merge, dag)
    }
}

/// Seconds of a Slurm-style time limit (`minutes`, `h:mm:ss`, `d-hh:mm:ss`, `mm:ss`).
fn wall_seconds(t: &str) -> u64 {
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (d.parse().unwrap_or(0), r),
        None => (0u64, t),
    };
    let parts: Vec<u64> = rest.split(':').map(|p| p.parse().unwrap_or(0)).collect();
    let (h, m, s) = match parts.as_slice() {
        [m] if days == 0 => (0, *m, 0),
        [h] => (*h, 0, 0),
        [m, s] if days == 0 => (0, *m, *s),
        [h, m] => (*h, *m, 0),
        [h, m, s, ..] => (*h, *m, *s),
        [] => (0, 0, 0),
    };
    ((days * 24 + h) * 60 + m) * 60 + s
}

/// The batch systems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum System {
    /// A Slurm job array (`sbatch --array`) and a merge job (`--dependency=afterok`).
    Slurm,
    /// An HTCondor cluster of shard jobs and a merge job, ordered by a DAGMan DAG.
    Condor,
}

impl System {
    /// The folder of the output directory that holds its job files and logs.
    pub fn folder(self) -> &'static str {
        match self {
            System::Slurm => "slurm",
            System::Condor => "condor",
        }
    }
}

/// A run's jobs for one batch system: the files to write into the job folder, and the
/// commands (run in that folder) that submit them.
pub struct Jobs {
    /// File name and text of each job file.
    pub files: Vec<(&'static str, String)>,
    /// The submit commands, as a user would type them (`<shards job>` stands for the
    /// array job's id).
    pub commands: Vec<Vec<String>>,
}

impl BatchJob {
    /// The job files and submit commands for `system`.
    pub fn jobs(&self, system: System) -> Jobs {
        match system {
            System::Slurm => {
                let (shards, merge) = self.slurm();
                Jobs {
                    files: vec![("shards.sbatch", shards), ("merge.sbatch", merge)],
                    commands: vec![
                        words(&["sbatch", "--parsable", "shards.sbatch"]),
                        words(&[
                            "sbatch",
                            "--parsable",
                            "--dependency=afterok:<shards job>",
                            "--kill-on-invalid-dep=yes",
                            "merge.sbatch",
                        ]),
                    ],
                }
            }
            System::Condor => {
                let (shards, merge, dag) = self.condor();
                Jobs {
                    files: vec![
                        ("shards.sub", shards),
                        ("merge.sub", merge),
                        ("searchlight.dag", dag),
                    ],
                    commands: vec![words(&["condor_submit_dag", "searchlight.dag"])],
                }
            }
        }
    }
}

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| (*s).to_owned()).collect()
}

/// Submits jobs written to `dir` (`Jobs::files`); says what was submitted.
pub fn submit(system: System, dir: &Path, jobs: &Jobs) -> Result<String, String> {
    match system {
        System::Slurm => submit_slurm(dir),
        System::Condor => run_in(dir, &jobs.commands[0]).map(|out| out.trim().to_owned()),
    }
}

/// Runs a submit command in `dir`; its standard output.
fn run_in(dir: &Path, command: &[String]) -> Result<String, String> {
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
    let shards = id(run_in(
        dir,
        &words(&["sbatch", "--parsable", "shards.sbatch"]),
    )?);
    let merge = id(run_in(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slurm_time_limits_in_seconds() {
        assert_eq!(wall_seconds("90"), 5400);
        assert_eq!(wall_seconds("2:00:00"), 7200);
        assert_eq!(wall_seconds("1-00:30:00"), 88200);
        assert_eq!(wall_seconds("5:30"), 330);
    }

    fn job(name: &str, output: &str) -> BatchJob {
        BatchJob {
            name: name.into(),
            searchlight: "/opt/search light/bin/searchlight".into(),
            workdir: "/home/a b/ana".into(),
            spec: "specs/it's here.yaml".into(),
            output: output.into(),
            shards: 4,
            cpus: 2,
            memory: "4G".into(),
            time: Some("2:00:00".into()),
            partition: None,
            account: None,
            unblind: false,
            cache: Some("/tmp/c $(touch pwned)".into()),
        }
    }

    /// Names that would inject commands into a job script are refused, and every path is
    /// quoted so that bash parses each generated script as one command per line.
    #[test]
    fn hostile_values_are_refused_or_quoted() {
        assert!(job("inj\ntouch pwned\n#", "out").check().is_err());
        assert!(job("../../x", "out").check().is_err());
        assert!(job("ok", "out\nrm -rf ~").check().is_err());
        let mut bad_memory = job("ok", "out");
        bad_memory.memory = "4G --wrap=id".into();
        assert!(bad_memory.check().is_err());
        let hostile = job("ok", "results/$(touch pwned) `id`;x");
        assert!(hostile.check().is_ok());
        let (shards, merge) = hostile.slurm();
        for script in [shards, merge] {
            assert!(!script.contains("\n\n"), "{script}");
            let dir =
                std::env::temp_dir().join(format!("searchlight-batch-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let file = dir.join("job.sh");
            std::fs::write(&file, &script).unwrap();
            // `bash -n` parses without running: a syntax error means broken quoting.
            let parsed = std::process::Command::new("bash")
                .arg("-n")
                .arg(&file)
                .status();
            if let Ok(status) = parsed {
                assert!(status.success(), "{script}");
            }
            // The only command is the `exec` line; every directive is one line.
            let commands: Vec<&str> = script
                .lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .collect();
            assert!(commands.len() <= 3, "{script}");
            assert!(
                script.contains("'results/$(touch pwned) `id`;x/partials'")
                    || script.contains("merge"),
                "{script}"
            );
            std::fs::remove_dir_all(&dir).ok();
        }
        let (shards, merge, _) = hostile.condor();
        for submit in [shards, merge] {
            assert!(
                submit
                    .lines()
                    .all(|l| l.contains(" = ") || l.starts_with("queue")),
                "{submit}"
            );
        }
    }

    #[test]
    fn words_are_quoted_for_shells_and_condor() {
        assert_eq!(sh("analyses/x.yaml"), "analyses/x.yaml");
        assert_eq!(sh("my dir/it's"), "'my dir/it'\\''s'");
        assert_eq!(condor("it's \"x\""), "'it''s \"\"x\"\"'");
    }
}
