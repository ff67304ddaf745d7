//! Outputs written whole or not at all, and the temporary files of processes that died.
//! Every output is written to a temporary file named `…partial-<pid>…` and renamed into
//! place; a process killed with SIGKILL cannot remove its own, so whoever writes into the
//! same directory next removes those whose process no longer exists.

use std::path::Path;

/// The process id in a temporary file's name (`.results.json.partial-123`,
/// `toy.partial-123`, `.brazil.partial-123.png`), if it is one.
fn owner(name: &str) -> Option<i32> {
    let (_, rest) = name.rsplit_once("partial-")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let tail = &rest[digits.len()..];
    (!digits.is_empty() && (tail.is_empty() || tail.starts_with('.')))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Whether process `pid` exists (a process of another user counts as existing).
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks that the process can be signalled.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Removes the temporary files in `dir` left by processes that no longer exist; returns
/// how many. Errors (an unreadable directory, a file another process removed first) are
/// ignored: this is housekeeping.
pub fn remove_dead_partials(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let own = std::process::id() as i32;
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| {
            let name = e.file_name();
            owner(&name.to_string_lossy()).is_some_and(|pid| pid != own && pid > 0 && !alive(pid))
        })
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    if let Some(dir) = path.parent() {
        remove_dead_partials(dir);
    }
    let temp = path.with_file_name(format!(".{name}.partial-{}", std::process::id()));
    let _partial = crate::interrupt::track(&temp);
    let result = std::fs::write(&temp, bytes).and_then(|()| std::fs::rename(&temp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_owner_is_read_from_every_temporary_name() {
        assert_eq!(owner(".results.json.partial-123"), Some(123));
        assert_eq!(owner("toy.partial-7"), Some(7));
        assert_eq!(owner(".brazil_br.partial-99.png"), Some(99));
        assert_eq!(owner("shard-1-of-4.partial"), None);
        assert_eq!(owner("results.json"), None);
    }

    #[test]
    fn files_of_dead_processes_are_removed_and_others_kept() {
        let dir = std::env::temp_dir().join(format!("searchlight-stale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // A child that has exited (and been waited for) no longer exists.
        let dead = std::process::Command::new("true").spawn().unwrap();
        let dead_pid = dead.id();
        let mut dead = dead;
        dead.wait().unwrap();
        let own = std::process::id();
        for name in [
            format!("toy.partial-{dead_pid}"),
            format!("toy.partial-{own}"),
            "keep.parquet".into(),
        ] {
            std::fs::write(dir.join(name), b"x").unwrap();
        }
        assert_eq!(remove_dead_partials(&dir), 1);
        assert!(!dir.join(format!("toy.partial-{dead_pid}")).exists());
        assert!(dir.join(format!("toy.partial-{own}")).exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
