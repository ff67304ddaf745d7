//! Reading a file's bytes into a fresh vector without zeroing it first.
//!
//! `vec![0; n]` followed by `read_exact` writes every byte twice: once with zeros, then
//! with the file's bytes. For the column cache's entries (megabytes per column, read on
//! every warm rerun; f64 entries are now mapped instead) the zeroing was 14% of a
//! rerun's samples; Parquet column chunks are read this way too. std's way to read into
//! uninitialised memory (`Read::read_buf`) is not stable, so the bytes go from the
//! kernel straight into the vector's spare capacity through `pread` on a raw pointer:
//! no reference to uninitialised memory is ever made, and the length is set only once
//! every byte is written.

use std::fs::File;
use std::io::{Error, ErrorKind, Result};
use std::os::fd::AsRawFd;

/// `count` values of `T` read from `file` at byte `offset` (the position of the file is
/// not used nor moved). A file that ends before the last byte is `UnexpectedEof`, found
/// before anything is allocated: a length read from a corrupt file cannot ask for more
/// memory than the file holds.
pub fn read_values_at<T: bytemuck::Pod>(file: &File, offset: u64, count: usize) -> Result<Vec<T>> {
    let bytes = count
        .checked_mul(std::mem::size_of::<T>())
        .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "read length overflows"))?;
    let end = offset
        .checked_add(bytes as u64)
        .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "read offset overflows"))?;
    if end > file.metadata()?.len() {
        return Err(ErrorKind::UnexpectedEof.into());
    }
    let mut values: Vec<T> = Vec::with_capacity(count);
    let start = values.as_mut_ptr().cast::<u8>();
    let mut done = 0;
    while done < bytes {
        let at = offset
            .checked_add(done as u64)
            .and_then(|at| libc::off_t::try_from(at).ok())
            .ok_or_else(|| Error::new(ErrorKind::InvalidInput, "read offset overflows"))?;
        // SAFETY: `start + done .. start + bytes` lies within the vector's allocation
        // (capacity `count` values of `T`, `bytes` bytes); `pread` writes at most
        // `bytes - done` bytes there and reads nothing from it.
        let n = unsafe {
            libc::pread(
                file.as_raw_fd(),
                start.add(done).cast::<libc::c_void>(),
                bytes - done,
                at,
            )
        };
        match n {
            0 => return Err(ErrorKind::UnexpectedEof.into()),
            n if n > 0 => done += n as usize,
            _ => {
                let error = Error::last_os_error();
                if error.kind() != ErrorKind::Interrupted {
                    return Err(error);
                }
            }
        }
    }
    // SAFETY: all `bytes` bytes of the first `count` values were written by `pread`, and
    // any bytes are a valid `T` (`Pod`).
    unsafe { values.set_len(count) };
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file_with(bytes: &[u8]) -> (File, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!(
            "searchlight-fresh-read-{}-{}",
            std::process::id(),
            bytes.len()
        ));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(bytes)
            .unwrap();
        (File::open(&path).unwrap(), path)
    }

    #[test]
    fn values_come_back_from_any_offset_and_a_short_file_is_an_error() {
        let numbers: Vec<f64> = (0..1000).map(|i| i as f64 * 0.5 - 3.0).collect();
        let mut bytes = vec![7u8; 3];
        bytes.extend_from_slice(bytemuck::cast_slice(&numbers));
        let (file, path) = file_with(&bytes);
        assert_eq!(read_values_at::<f64>(&file, 3, 1000).unwrap(), numbers);
        assert_eq!(read_values_at::<u8>(&file, 0, 3).unwrap(), vec![7, 7, 7]);
        assert!(read_values_at::<f64>(&file, 0, 0).unwrap().is_empty());
        let short = read_values_at::<f64>(&file, 3, 1001).unwrap_err();
        assert_eq!(short.kind(), ErrorKind::UnexpectedEof);
        let overflow = read_values_at::<f64>(&file, 0, usize::MAX).unwrap_err();
        assert_eq!(overflow.kind(), ErrorKind::InvalidInput);
        // A count as a corrupt file could give: refused before allocating.
        let huge = read_values_at::<f64>(&file, 3, 1 << 59).unwrap_err();
        assert_eq!(huge.kind(), ErrorKind::UnexpectedEof);
        std::fs::remove_file(path).unwrap();
    }
}
