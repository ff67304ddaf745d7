//! The `searchlight` command.

fn main() -> std::process::ExitCode {
    searchlight::cli::main()
}
