//! SHA-256 of input files for provenance, streamed (memory stays bounded whatever the
//! file's size), and remembered across runs.
//!
//! Hashing a large input costs as much as a fast selection over it, on every rerun. As git
//! does for its index, a file whose identity and change times are unchanged since it was
//! hashed is not hashed again: the cache entry records device, inode, size, modification
//! and status-change times (ns). The status-change time moves on any write and cannot be
//! set back by user tools, so an edited file is always rehashed. A file changed less than
//! [`RACY_NANOSECONDS`] before it was hashed is not cached (it could change again within the
//! clock's granularity). `verify` does not use the cache: it always hashes.

use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files changed this recently (ns) are hashed but not cached.
pub(super) const RACY_NANOSECONDS: i128 = 1_000_000_000;

/// SHA-256 of a file's bytes, hex, streamed in 1 MiB blocks.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = super::regular::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buffer[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// What identifies a file's content without reading it.
pub(super) fn stat_key(path: &Path) -> std::io::Result<(String, i128)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path)?;
    let ns = |s: i64, n: i64| s as i128 * 1_000_000_000 + n as i128;
    let changed = ns(m.mtime(), m.mtime_nsec()).max(ns(m.ctime(), m.ctime_nsec()));
    Ok((
        format!(
            "{} {} {} {}.{} {}.{}",
            m.dev(),
            m.ino(),
            m.size(),
            m.mtime(),
            m.mtime_nsec(),
            m.ctime(),
            m.ctime_nsec()
        ),
        changed,
    ))
}

/// SHA-256 of a file, from `cache_dir` when the file is unchanged since it was hashed
/// there; otherwise hashed, and remembered when that is safe. Cache failures only cost
/// the rehash.
pub fn sha256_file_cached(path: &Path, cache_dir: &Path) -> std::io::Result<String> {
    let Ok((key, changed)) = stat_key(path) else {
        return sha256_file(path);
    };
    let absolute = std::fs::canonicalize(path)?;
    let entry: PathBuf = cache_dir.join(format!(
        "{:x}",
        Sha256::digest(absolute.as_os_str().as_encoded_bytes())
    ));
    if let Ok(text) = std::fs::read_to_string(&entry)
        && let Some((stored_key, hash)) = text.trim_end().rsplit_once(' ')
        && stored_key == key
        && hash.len() == 64
    {
        return Ok(hash.to_owned());
    }
    let hash = sha256_file(path)?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128);
    // Unchanged while it was read (else it is hashed again next time anyway).
    let still = stat_key(path).ok().is_some_and(|(k, _)| k == key);
    if still && now - changed >= RACY_NANOSECONDS {
        let _ = std::fs::create_dir_all(cache_dir);
        super::stale::remove_dead_partials(cache_dir);
        let temp = entry.with_extension(format!("partial-{}", std::process::id()));
        // A failed write (a full disk) leaves no empty temporary file behind.
        if std::fs::write(&temp, format!("{key} {hash}\n")).is_err()
            || std::fs::rename(&temp, &entry).is_err()
        {
            let _ = std::fs::remove_file(&temp);
        }
    }
    Ok(hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_file_is_hashed_again() {
        let dir = std::env::temp_dir().join(format!("searchlight-digest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("data.bin");
        // Writes `content` with a modification time an hour ago (as inputs are old).
        let write_old = |content: &[u8]| {
            std::fs::write(&file, content).unwrap();
            let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
            let f = std::fs::File::options().write(true).open(&file).unwrap();
            f.set_modified(old).unwrap();
        };
        write_old(b"abc");
        let cache = dir.join("cache");
        // Just changed (its status-change time is now): hashed, not remembered.
        sha256_file_cached(&file, &cache).unwrap();
        assert!(!cache.exists());
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assert_eq!(sha256_file_cached(&file, &cache).unwrap(), abc);
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1, "remembered");
        assert_eq!(sha256_file_cached(&file, &cache).unwrap(), abc);
        // Same size, modification time set back: the status-change time still moved.
        write_old(b"abd");
        assert_eq!(
            sha256_file_cached(&file, &cache).unwrap(),
            sha256_file(&file).unwrap()
        );
        assert_ne!(sha256_file(&file).unwrap(), abc);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
