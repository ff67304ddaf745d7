//! The logical plan of an analysis. This first version describes the checked analysis as
//! text (`searchlight plan`): the columns it reads and how names resolved, its steps, and
//! the scan grid. The dataflow graph and its optimizer passes land with the evaluator
//! issue; this module never sees YAML or file formats.

pub mod graph;
pub mod query;
mod text;

pub use text::{columns_read, describe};
