//! Opening the files a user names: regular files only, and read whole only up to a
//! limit. A named pipe would block forever (opening it for reading waits for a writer),
//! a device such as `/dev/zero` never ends, and a huge file read whole exhausts memory;
//! each is an error instead.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Most bytes a file read whole may have (specs, models, workspaces, results, partials).
pub const MAX_WHOLE_FILE: u64 = 1 << 30;

/// Opens `path` for reading if it is a regular file. The open does not block on a named
/// pipe (`O_NONBLOCK`, which regular files ignore); the type is checked on the open file,
/// so it cannot change in between.
pub fn open(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a directory, pipe or device)",
        ));
    }
    Ok(file)
}

/// Reads a regular file whole, refusing one larger than `limit` bytes.
pub fn read(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    let file = open(path)?;
    let size = file.metadata()?.len();
    if size > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{size} bytes, more than the {limit} read whole"),
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // A file that grows while read stops at the limit too.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("more than the {limit} bytes read whole"),
        ));
    }
    Ok(bytes)
}

/// Reads a regular UTF-8 text file whole, up to `limit` bytes.
pub fn read_to_string(path: &Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read(path, limit)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_devices_directories_and_large_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("searchlight-regular-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fifo = dir.join("fifo");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        assert!(open(&fifo).is_err(), "a named pipe");
        assert!(read(Path::new("/dev/zero"), 1 << 20).is_err(), "a device");
        assert!(open(&dir).is_err(), "a directory");
        let big = dir.join("big");
        std::fs::write(&big, vec![b'x'; 100]).unwrap();
        assert!(read(&big, 99).is_err());
        assert_eq!(read(&big, 100).unwrap().len(), 100);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
