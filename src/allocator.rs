//! Allocator settings for columnar work. Every chunk allocates dozens of buffers of a
//! few MB (columns, derived values, masks) and frees them a moment later. glibc serves
//! such sizes with fresh `mmap`s or trims them back to the system on free, so each chunk
//! page-faults and zeroes its memory again: a third of the evaluator's time in
//! `benches/select/` (in-memory run 1.4× faster with these settings). Keeping freed
//! memory costs nothing extra at peak: peak use is what the chunks in flight hold.

/// Serve allocations below 64 MiB from the heap and keep up to 1 GiB of freed memory
/// for reuse. Call first in `main`, before any other thread exists.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets allocator parameters; called before threads start.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 1 << 30);
    }
}
