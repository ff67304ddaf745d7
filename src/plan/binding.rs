//! How the names of data expressions bind for execution: columns (possibly converted to
//! base units), constants, aliases and classifiers, resolved by the planner from a
//! lint-clean spec.

use crate::expr::Expr;
use crate::mva::forest::Forest;
use std::collections::HashMap;

/// What a name in a data expression stands for, resolved before execution.
#[derive(Clone, Debug)]
pub enum Binding {
    /// A column of the input table (branch name).
    Column(String),
    /// A column stored in another unit than the base one: its values times the factor.
    ScaledColumn(String, f64),
    /// A constant.
    Constant(f64),
    /// An alias: evaluate this expression.
    Alias(Box<Expr>),
    /// A classifier's output: evaluate the features, then the forest.
    Mva(std::sync::Arc<MvaBinding>),
}

/// A loaded classifier and the expressions of its features, in the model's order.
#[derive(Debug)]
pub struct MvaBinding {
    /// The trees.
    pub forest: Forest,
    /// Feature expressions.
    pub features: Vec<Expr>,
    /// Output the raw margin instead of the probability.
    pub margin: bool,
}

/// Name resolution for execution: names and basf2 calls (canonical text) → bindings.
pub type Bindings = HashMap<String, Binding>;
