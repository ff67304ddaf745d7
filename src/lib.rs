//! searchlight: a dark-sector search written as one declarative file, compiled like a
//! program: `spec` → `check` → `plan` → `exec` → `stats` → `report`.
//!
//! See `docs/architecture.md` for the bird's-eye view and the invariants.

// Diagnostics travel on the error path only, never in a hot loop; boxing them would add
// noise at every `?` for no measurable gain.
#![allow(clippy::result_large_err)]

// Positional reads, signals, `O_NONBLOCK` opens and the C library's special functions:
// searchlight runs where HEP computing runs, on Unix (Linux, macOS).
#[cfg(not(unix))]
compile_error!("searchlight builds on Unix (Linux, macOS) only");

pub mod allocator;
pub mod analysis;
pub mod check;
pub mod cli;
pub mod corrections;
pub mod diag;
pub mod exec;
pub mod expr;
pub mod interrupt;
pub mod io;
pub mod lsp;
pub mod mva;
pub mod physics;
pub mod pipeline;
pub mod plan;
pub mod report;
pub mod shard;
pub mod simd;
pub mod spec;
pub mod stats;
pub mod toy;

#[cfg(test)]
mod layering;
