//! The toy Monte Carlo of the three reference searches: the embedded default dataset.
//!
//! This module declares each generator's output schema (columns, their types, units and
//! physical ranges) and parameters, so that specs using toy inputs are fully checked.
//! The generators themselves land with the data issue and must produce exactly these
//! columns.

mod schemas;

use crate::expr::{Dim, mangle};
use crate::io::ColumnType;
pub use schemas::GENERATORS;

/// One column a generator writes.
#[derive(Clone, Copy, Debug)]
pub struct ColumnDecl {
    /// The basf2 variable as an analyst writes it (`daughter(1, M)`); the branch name is
    /// its mangled form.
    pub var: &'static str,
    /// Storage type.
    pub ty: ColumnType,
    /// Physical dimension.
    pub dim: Dim,
    /// Range every value lies in, where the physics bounds it.
    pub range: Option<(f64, f64)>,
    /// What it is.
    pub doc: &'static str,
}

impl ColumnDecl {
    /// The ntuple branch name.
    pub fn branch(&self) -> String {
        mangle(self.var)
    }
}

/// A generator parameter that a spec's `inputs:` entry may set.
#[derive(Clone, Copy, Debug)]
pub struct ParamDecl {
    /// Key in the spec.
    pub name: &'static str,
    /// True when the value is a list of numbers (a grid), false for one number.
    pub list: bool,
    /// What it does.
    pub doc: &'static str,
}

/// A toy generator: name, schema, parameters.
#[derive(Clone, Copy, Debug)]
pub struct Generator {
    /// Name used in `inputs: { toy: NAME }`.
    pub name: &'static str,
    /// What it simulates.
    pub doc: &'static str,
    /// Experiment whose beams it simulates.
    pub experiment: &'static str,
    /// Columns it writes.
    pub columns: &'static [ColumnDecl],
    /// Parameters a spec may set.
    pub params: &'static [ParamDecl],
}

/// The generator of that name.
pub fn generator(name: &str) -> Option<&'static Generator> {
    GENERATORS.iter().find(|g| g.name == name)
}
