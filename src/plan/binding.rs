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
    /// A data/MC correction: evaluate its input expressions, then the correction.
    Correction(std::sync::Arc<CorrectionBinding>),
}

/// A correction (string inputs fixed) and the expressions of its numeric inputs.
#[derive(Debug)]
pub struct CorrectionBinding {
    /// The spec entry's name (`NAME` or `NAME(VALUE)` as written).
    pub name: String,
    /// The correction.
    pub correction: crate::corrections::Correction,
    /// The expressions of its numeric inputs.
    pub inputs: Vec<Expr>,
    /// The correction input each expression feeds.
    pub slots: Vec<usize>,
    /// The first failed evaluation (the least by input and value, so that the report is
    /// the same for any thread count); the run refuses its result.
    failure: std::sync::Mutex<Option<crate::corrections::EvalError>>,
}

impl CorrectionBinding {
    /// A binding that has not failed.
    pub fn new(
        name: String,
        correction: crate::corrections::Correction,
        inputs: Vec<Expr>,
        slots: Vec<usize>,
    ) -> Self {
        CorrectionBinding {
            name,
            correction,
            inputs,
            slots,
            failure: std::sync::Mutex::new(None),
        }
    }

    /// Evaluates one candidate from the values of its input expressions (`x`: scratch of
    /// the correction's input count); a failure gives NaN and is recorded.
    pub fn evaluate(&self, values: impl Iterator<Item = f64>, x: &mut [f64]) -> f64 {
        for (&slot, v) in self.slots.iter().zip(values) {
            x[slot] = v;
        }
        match self.correction.evaluate(x) {
            Ok(v) => v,
            Err(e) => {
                let mut failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
                let earlier = failure
                    .as_ref()
                    .is_some_and(|f| (f.input, f.value.to_bits()) <= (e.input, e.value.to_bits()));
                if !earlier {
                    *failure = Some(e);
                }
                f64::NAN
            }
        }
    }

    /// What went wrong, if an evaluation failed.
    pub fn failure(&self) -> Option<String> {
        let failure = self.failure.lock().unwrap_or_else(|p| p.into_inner());
        failure.as_ref().map(|e| {
            format!(
                "correction `{}`: {}",
                self.name,
                self.correction.describe(e)
            )
        })
    }
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
