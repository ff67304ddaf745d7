//! Faults while writing results: a run killed with SIGKILL at any point leaves no
//! directory that `verify` accepts unless it is complete; a file-size limit, a full disk
//! and a read-only directory are clear errors with no results.json; SIGINT stops a run
//! with exit code 130, a message, and no results.

use crate::common;
use crate::common::text;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Scratch {
    dir: PathBuf,
    spec: PathBuf,
}

/// A scratch directory with the small counting spec, its toy already cached by one
/// complete run into `dir/out`.
fn scratch(name: &str) -> Scratch {
    let dir =
        std::env::temp_dir().join(format!("searchlight-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("dh.yaml");
    std::fs::write(&spec, common::small_counting_spec("cls-exact")).unwrap();
    let scratch = Scratch { dir, spec };
    let o = scratch.run("out").wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    scratch
}

impl Scratch {
    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_searchlight"));
        c.current_dir(&self.dir)
            .env("SEARCHLIGHT_CACHE", self.dir.join("cache"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    /// Starts `run SPEC --unblind -o OUT`.
    fn run(&self, out: &str) -> Child {
        self.command()
            .args(["run", self.spec.to_str().unwrap(), "--unblind", "-o", out])
            .spawn()
            .unwrap()
    }

    fn verify(&self, results: &Path) -> Output {
        self.command()
            .args(["verify", results.to_str().unwrap()])
            .output()
            .unwrap()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn a_run_killed_at_any_point_leaves_nothing_verify_accepts_as_complete() {
    let s = scratch("sigkill");
    let start = Instant::now();
    let o = s.run("out").wait_with_output().unwrap();
    assert!(o.status.success());
    let duration = start.elapsed().as_millis() as u64;
    // Kill points spread over the run's duration by a fixed pseudo-random sequence.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut interrupted = 0;
    for _ in 0..10 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let delay = (state >> 33) % duration.max(1);
        let mut child = s.run("out");
        std::thread::sleep(Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let results = s.dir.join("out/results.json");
        if results.exists() {
            // Either the run finished, or it was killed before it removed the previous
            // complete result: both are complete directories.
            let o = s.verify(&results);
            assert_eq!(o.status.code(), Some(0), "after {delay} ms: {}", text(&o));
        } else {
            interrupted += 1;
            let o = s.verify(&results);
            assert_eq!(o.status.code(), Some(2), "after {delay} ms: {}", text(&o));
        }
    }
    assert!(
        interrupted > 0,
        "no kill landed inside a run of {duration} ms"
    );
}

/// `run` with the process's file-size limit at `blocks` × 512 bytes; SIGXFSZ ignored, so
/// a write past it fails with EFBIG as on a full quota.
fn run_with_file_size_limit(s: &Scratch, blocks: u32, out: &str) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {blocks}; exec \"$0\" \"$@\""
        ))
        .arg(env!("CARGO_BIN_EXE_searchlight"))
        .args(["run", s.spec.to_str().unwrap(), "--unblind", "-o", out])
        .current_dir(&s.dir)
        .env("SEARCHLIGHT_CACHE", s.dir.join("cache"))
        .output()
        .unwrap()
}

fn assert_clear_write_error(o: &Output, out: &Path, reason: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", text(o));
    let message = text(o);
    assert!(
        message.contains("error[SL207]") && message.contains(reason),
        "{message}"
    );
    assert!(!out.join("results.json").exists());
}

#[test]
fn a_full_disk_or_read_only_directory_is_a_clear_error() {
    let s = scratch("disk");
    // A size limit: results.json (tens of kB) cannot be written.
    let o = run_with_file_size_limit(&s, 8, "limited");
    assert_clear_write_error(&o, &s.dir.join("limited"), "File too large");

    // A real small file system, full and then read-only (needs permission to mount).
    let mnt = s.dir.join("mnt");
    std::fs::create_dir_all(&mnt).unwrap();
    let mount = |options: &str| {
        Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs", mnt.to_str().unwrap()])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !mount("size=16k") {
        eprintln!(
            "not permitted to mount a tmpfs here: full-disk case covered by the size limit only"
        );
        return;
    }
    let o = s.run("mnt/out").wait_with_output().unwrap();
    let full = text(&o);
    let _ = Command::new("umount").arg(&mnt).status();
    assert_clear_write_error(&o, &mnt.join("out"), "No space left on device");
    assert!(
        full.contains("mnt/out"),
        "the message names the directory: {full}"
    );
    assert!(mount("ro,size=16k"));
    let o = s.run("mnt/out").wait_with_output().unwrap();
    let _ = Command::new("umount").arg(&mnt).status();
    assert_clear_write_error(&o, &mnt.join("out"), "Read-only file system");
}

#[test]
fn sigint_stops_a_run_cleanly() {
    let s = scratch("sigint");
    // A fresh toy cache: the interrupt lands while the toy is generated and written.
    std::fs::remove_dir_all(s.dir.join("cache")).unwrap();
    let child = s.run("out2");
    std::thread::sleep(Duration::from_millis(300));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", text(&o));
    assert!(text(&o).contains("interrupted"), "{}", text(&o));
    assert!(!s.dir.join("out2/results.json").exists());
    // No temporary file is left behind, in the output or in the toy cache.
    for dir in [s.dir.join("out2"), s.dir.join("cache/toy")] {
        for entry in std::fs::read_dir(&dir).into_iter().flatten() {
            let name = entry.unwrap().file_name();
            assert!(
                !name.to_string_lossy().contains("partial"),
                "{} left in {}",
                name.to_string_lossy(),
                dir.display()
            );
        }
    }
}
