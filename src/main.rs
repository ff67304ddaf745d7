//! The `searchlight` command.

fn main() -> std::process::ExitCode {
    // Behave like other command-line tools when the reader of our output goes away
    // (`searchlight plan … | head`): end quietly instead of panicking on a broken pipe.
    // SAFETY: restoring the default SIGPIPE disposition before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    searchlight::allocator::tune();
    searchlight::interrupt::install();
    searchlight::cli::main()
}
