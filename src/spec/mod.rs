//! The analysis spec: YAML with source spans → a typed [`Spec`] tree.
//!
//! `yaml` builds a spanned node tree with hard limits; `keys` describes the format as data
//! (used for checking, the JSON Schema and the docs); `convert` reads typed values with
//! coded diagnostics; `load` resolves includes and builds the tree. This stage never sees
//! data.

pub mod canonical;
mod convert;
pub mod diff;
pub mod format;
pub mod keys;
mod load;
pub mod model;
pub mod schema;
pub mod yaml;

pub use convert::{IDENTIFIER, is_identifier};
pub use load::{
    LoadError, LoadOptions, MAX_INCLUDES, MAX_N_MINUS_1_STEPS, MAX_SPEC_BYTES, VERSION, load_file,
    load_str,
};
pub use model::*;
