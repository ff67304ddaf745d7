//! Sharded runs (`run --shard I/N`) merged with `merge` give the single-process
//! results.json and cutflow.md byte for byte, for any shard count, thread count and
//! order of the partials; sets of partials that are not exactly one run's are refused.

use crate::common::{searchlight_in, small_counting_spec, text};
use searchlight::io::parquet::ParquetWriter;
use searchlight::io::table::{Column, ColumnData, ColumnTable};
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("searchlight-shard-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file of `events` events with 1–5 candidates each (one event of 45), irrational
/// weights, written in row groups of awkward sizes so that events straddle them.
fn write_candidates(path: &Path, first_event: u64, events: u64, seed: u64) {
    let mut state = seed;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut cols: [Vec<f64>; 6] = Default::default();
    for e in first_event..first_event + events {
        let n = if e == first_event + events / 2 {
            45
        } else {
            1 + (uniform() * 5.0) as usize
        };
        let weight = 0.1 + uniform() * 1.7;
        for _ in 0..n {
            let row = [1.0, 7.0, e as f64, weight, uniform() * 10.0, uniform()];
            for (c, v) in cols.iter_mut().zip(row) {
                c.push(v);
            }
        }
    }
    let names = [
        "__experiment__",
        "__run__",
        "__event__",
        "__weight__",
        "x",
        "rank",
    ];
    let table = ColumnTable {
        columns: names
            .iter()
            .zip(cols)
            .map(|(n, c)| Column {
                name: (*n).into(),
                data: ColumnData::F64(c),
            })
            .collect(),
    };
    let mut writer = None;
    let (mut start, mut k) = (0, 0);
    let sizes = [37, 50, 13, 20, 20, 64, 9];
    while start < table.rows() {
        let end = (start + sizes[k % sizes.len()]).min(table.rows());
        let group = ColumnTable {
            columns: table
                .columns
                .iter()
                .map(|c| Column {
                    name: c.name.clone(),
                    data: match &c.data {
                        ColumnData::F64(v) => ColumnData::F64(v[start..end].to_vec()),
                        _ => unreachable!(),
                    },
                })
                .collect(),
        };
        let w = writer.get_or_insert_with(|| ParquetWriter::create(path, &group).unwrap());
        w.write(&group).unwrap();
        start = end;
        k += 1;
    }
    writer.unwrap().finish().unwrap();
}

const WEIGHTED_SPEC: &str = "searchlight: 1
analysis: { name: sharded }
inputs:
  data: { files: [a.parquet, b.parquet] }
  other: { files: [c.parquet] }
selection:
  - cut: x > 0.5
  - best_candidate: { by: rank, keep: highest }
vetoes:
  middle: { var: x, window: [4.0, 4.5] }
channels:
  low: { cut: x < 5 }
  high: { cut: x >= 5 }
histograms:
  x: { var: x, bins: 20, range: [0, 10] }
";

fn weighted_analysis() -> PathBuf {
    let dir = scratch("weighted");
    write_candidates(&dir.join("a.parquet"), 0, 300, 1);
    write_candidates(&dir.join("b.parquet"), 300, 170, 2);
    write_candidates(&dir.join("c.parquet"), 0, 90, 3);
    std::fs::write(dir.join("spec.yaml"), WEIGHTED_SPEC).unwrap();
    dir
}

/// Runs `spec.yaml` in `n` shards (with `threads` threads) and merges them into `out`.
fn sharded(dir: &Path, n: usize, threads: &str, out: &str) {
    let parts = format!("{out}-parts");
    for i in 1..=n {
        let shard = format!("{i}/{n}");
        let o = searchlight_in(
            dir,
            &[
                "run",
                "spec.yaml",
                "--shard",
                &shard,
                "--threads",
                threads,
                "-o",
                &parts,
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        assert!(!dir.join(&parts).join("results.json").exists());
    }
    // Partials given in reverse order: the order on the command line does not matter.
    let mut args = vec!["merge".to_string(), "-o".into(), out.into()];
    args.extend(
        (1..=n)
            .rev()
            .map(|i| format!("{parts}/shard-{i}-of-{n}.partial")),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = searchlight_in(dir, &args);
    assert!(o.status.success(), "{}", text(&o));
}

fn same_outputs(dir: &Path, a: &str, b: &str) {
    for file in ["results.json", "cutflow.md"] {
        let x = std::fs::read_to_string(dir.join(a).join(file)).unwrap();
        let y = std::fs::read_to_string(dir.join(b).join(file)).unwrap();
        assert!(x == y, "{a}/{file} and {b}/{file} differ:\n{x}\n---\n{y}");
    }
}

#[test]
fn weighted_best_candidate_runs_merge_to_the_single_process_bytes() {
    let dir = weighted_analysis();
    let o = searchlight_in(&dir, &["run", "spec.yaml", "--threads", "1", "-o", "whole"]);
    assert!(o.status.success(), "{}", text(&o));
    // The fixture does what it is for: events straddle row groups and the weighted
    // counts are sums of many irrational weights.
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("whole/results.json")).unwrap())
            .unwrap();
    let low = &results["cutflows"]["data"]["low"];
    let n = |row: usize, key: &str| low[row][key].as_u64().unwrap();
    assert!(n(1, "candidates") > n(1, "events") + 200, "{low}");
    assert_eq!(n(2, "candidates"), n(2, "events"), "{low}");
    assert!(n(2, "events") > 100, "{low}");
    for (n, threads) in [(2, "2"), (3, "1"), (5, "2"), (7, "2"), (40, "1")] {
        let out = format!("merged-{n}");
        sharded(&dir, n, threads, &out);
        same_outputs(&dir, "whole", &out);
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_sharded_counting_search_gives_the_same_limits() {
    let dir = scratch("counting");
    std::os::unix::fs::symlink(
        std::fs::canonicalize("analyses").unwrap(),
        dir.join("analyses"),
    )
    .unwrap();
    std::fs::write(dir.join("spec.yaml"), small_counting_spec("cls-exact")).unwrap();
    let o = searchlight_in(&dir, &["run", "spec.yaml", "--unblind", "-o", "whole"]);
    assert!(o.status.success(), "{}", text(&o));
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let o = searchlight_in(
            &dir,
            &[
                "run",
                "spec.yaml",
                "--unblind",
                "--shard",
                &shard,
                "-o",
                "parts",
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = searchlight_in(
        &dir,
        &[
            "merge",
            "parts/shard-1-of-3.partial",
            "parts/shard-2-of-3.partial",
            "parts/shard-3-of-3.partial",
            "-o",
            "merged",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    same_outputs(&dir, "whole", "merged");
    let results = std::fs::read_to_string(dir.join("merged/results.json")).unwrap();
    assert!(
        results.contains("\"observed\""),
        "an unblinded scan with limits"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn partials_that_are_not_one_runs_shards_are_refused() {
    let dir = weighted_analysis();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let o = searchlight_in(&dir, &["run", "spec.yaml", "--shard", &shard, "-o", "p"]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = searchlight_in(&dir, &["run", "spec.yaml", "--shard", "1/2", "-o", "q"]);
    assert!(o.status.success(), "{}", text(&o));
    let bytes = std::fs::read(dir.join("p/shard-2-of-3.partial")).unwrap();
    let mut flipped = bytes.clone();
    flipped[bytes.len() / 2] ^= 1;
    std::fs::write(dir.join("flipped.partial"), flipped).unwrap();
    std::fs::write(dir.join("short.partial"), &bytes[..bytes.len() - 100]).unwrap();
    let (one, two, three) = (
        "p/shard-1-of-3.partial",
        "p/shard-2-of-3.partial",
        "p/shard-3-of-3.partial",
    );
    let cases: [(&[&str], &str); 7] = [
        (&[one, three], "missing shard 2 of 3"),
        (&[one, two, two, three], "are both shard 2/3"),
        (&[one, "flipped.partial", three], "checksum mismatch"),
        (&[one, "short.partial", three], "checksum mismatch"),
        (
            &[one, two, three, "q/shard-1-of-2.partial"],
            "shard counts differ",
        ),
        (&[one, "spec.yaml"], "not a searchlight partial result"),
        (&[one, "nothing.partial"], "cannot read nothing.partial"),
    ];
    for (partials, expected) in cases {
        let mut args = vec!["merge", "-o", "out"];
        args.extend_from_slice(partials);
        let o = searchlight_in(&dir, &args);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{partials:?}: {t}");
        assert!(
            t.contains("error[SL210]") && t.contains(expected),
            "{partials:?}: {t}"
        );
        assert!(!dir.join("out").exists(), "{partials:?} wrote output");
    }
    // The spec changed after the shards ran: its results would not be these.
    std::fs::write(
        dir.join("spec.yaml"),
        WEIGHTED_SPEC.replace("x > 0.5", "x > 0.6"),
    )
    .unwrap();
    let o = searchlight_in(&dir, &["merge", one, two, three, "-o", "out"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("has changed since the shards ran"), "{t}");
    assert!(!dir.join("out").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn submit_dry_run_prints_the_jobs_and_writes_nothing() {
    let dir = weighted_analysis();
    let o = searchlight_in(
        &dir,
        &[
            "submit",
            "slurm",
            "spec.yaml",
            "--shards",
            "4",
            "--time",
            "1:00:00",
            "--dry-run",
        ],
    );
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for expected in [
        "#SBATCH --array=1-4",
        "#SBATCH --time=1:00:00",
        "--shard \"${SLURM_ARRAY_TASK_ID}/4\" --threads 1 -o results/sharded/partials",
        "merge results/sharded/partials/shard-1-of-4.partial",
        "results/sharded/partials/shard-4-of-4.partial --threads 1 -o results/sharded",
        "--dependency=afterok:<shards job>",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in\n{t}");
    }
    let o = searchlight_in(
        &dir,
        &[
            "submit",
            "condor",
            "spec.yaml",
            "--shards",
            "3",
            "--dry-run",
            "-o",
            "my out",
        ],
    );
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for expected in [
        "shard = $(Process) + 1",
        "--shard $INT(shard)/3 --threads 1 -o 'my out/partials'",
        "queue 3",
        "PARENT shards CHILD merge",
        "condor_submit_dag searchlight.dag",
    ] {
        assert!(t.contains(expected), "missing {expected:?} in\n{t}");
    }
    assert!(!dir.join("results").exists() && !dir.join("my out").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn submit_chains_the_merge_after_the_array_job() {
    let dir = weighted_analysis();
    // A stand-in `sbatch` that records its arguments and answers like `--parsable`.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let sbatch = bin.join("sbatch");
    std::fs::write(
        &sbatch,
        format!(
            "#!/bin/sh\necho \"$@\" >> {}\nn=$(wc -l < {})\necho \"$((41 + n));cluster\"\n",
            dir.join("calls").display(),
            dir.join("calls").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let o = Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(["submit", "slurm", "spec.yaml", "--shards", "2", "-o", "out"])
        .current_dir(&dir)
        .env("PATH", path)
        .output()
        .unwrap();
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let calls = std::fs::read_to_string(dir.join("calls")).unwrap();
    assert_eq!(
        calls,
        "--parsable shards.sbatch\n--parsable --dependency=afterok:42 --kill-on-invalid-dep=yes merge.sbatch\n"
    );
    assert!(t.contains("Slurm job 42 and the merge as job 43"), "{t}");
    assert!(dir.join("out/slurm/shards.sbatch").is_file());
    assert!(dir.join("out/partials").is_dir());
    // Without sbatch: a clear error, exit 2.
    let o = Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args([
            "submit",
            "slurm",
            "spec.yaml",
            "--shards",
            "2",
            "-o",
            "out2",
        ])
        .current_dir(&dir)
        .env("PATH", "/nonexistent")
        .output()
        .unwrap();
    let t = text(&o);
    assert_eq!(o.status.code(), Some(2), "{t}");
    assert!(t.contains("cannot run sbatch"), "{t}");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A signal sample read from files, whose `files` entries state the generated masses:
/// each shard adds the entry's mass to the rows it owns, and the merged efficiencies and
/// limits are the single process's bytes.
#[test]
fn a_signal_sample_from_files_with_systematics_merges_to_the_single_process_bytes() {
    let dir = scratch("signal-files");
    let data = std::fs::canonicalize("analyses/data").unwrap();
    std::os::unix::fs::symlink(data, dir.join("data")).unwrap();
    // With a weight variation, whose varied weights the partials carry, and a column
    // variation, whose reruns of the selection they carry as inputs of their own.
    let spec = std::fs::read_to_string("analyses/dark_photon_files.yaml")
        .unwrap()
        .replace("range: [0.5, 6.0]", "range: [0.9, 1.2]")
        + "\nsystematics:\n  muon_id: { weight: { up: \"__weight__ * (1 + 0.2 * (1 - muid_min))\", down: \"__weight__ * (1 - 0.2 * (1 - muid_min))\" } }\n  signal_mc_stat: { efficiency: mc_stat }\n  muid_shift:\n    columns:\n      up: { M: M * 1.001, chiProb: chiProb * 0.5 }\n      down: { M: M * 0.999, chiProb: chiProb * 2 }\n";
    std::fs::write(dir.join("spec.yaml"), spec).unwrap();
    let o = searchlight_in(&dir, &["run", "spec.yaml", "-o", "whole"]);
    assert!(o.status.success(), "{}", text(&o));
    sharded(&dir, 3, "2", "merged");
    same_outputs(&dir, "whole", "merged");
    std::fs::remove_dir_all(dir).unwrap();
}
