//! The optimizer passes, run in this order by [`optimize`]. Each is a named rule that
//! keeps every result identical to the unoptimized graph's, bit for bit: passes only
//! compute at plan time what the evaluator would compute with the same scalar function
//! ([`super::dag::Node::scalar`]), merge nodes that compute the same thing, drop what no
//! result reads, and decide where values are stored.

mod fold_constants;
mod fuse_elementwise;
mod prune_columns;
mod share_subexpressions;

use super::program::{PassReport, Program};

/// A named rewrite of a program.
pub trait Pass {
    /// The name `searchlight plan` prints.
    const NAME: &'static str;

    /// Rewrites `program`; returns what changed, in a few words.
    fn run(program: &mut Program) -> String;
}

fn apply<P: Pass>(program: &mut Program) {
    let summary = P::run(program);
    program.passes.push(PassReport {
        pass: P::NAME,
        summary,
    });
}

/// Runs every pass, in order.
pub fn optimize(program: &mut Program) {
    apply::<fold_constants::FoldConstants>(program);
    apply::<share_subexpressions::ShareSubexpressions>(program);
    apply::<prune_columns::PruneColumns>(program);
    apply::<fuse_elementwise::FuseElementwise>(program);
}
