//! The logical plan of an analysis: [`query`] binds the checked spec's names and orders its
//! steps; [`dag`] lowers it into a dataflow graph of per-candidate values; [`passes`]
//! optimize it into the [`program::Program`] the evaluator runs. `searchlight plan` shows
//! the analysis as text, JSON or DOT, and the optimized program. This module never sees
//! YAML or file formats.

pub mod binding;
pub mod dag;
pub mod graph;
pub mod logical;
pub mod passes;
pub mod program;
pub mod query;
mod text;

pub use text::{columns_read, describe};
