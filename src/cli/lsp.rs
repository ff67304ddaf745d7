//! `searchlight lsp`: the language server for specs on stdin/stdout (`crate::lsp`), for
//! editors (docs/editors.md).

use super::{Status, fail};
use crate::diag::codes;

/// Arguments of `lsp` (none: the editor starts it and talks on stdin/stdout).
#[derive(clap::Args, Debug)]
pub struct Args {}

/// Serves one editor until it shuts the server down.
pub fn run(_: &Args) -> Status {
    match crate::lsp::serve_stdio() {
        Ok(()) => Status::Ok,
        Err(e) => fail(codes::IO, e.to_string()),
    }
}
