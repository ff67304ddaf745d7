//! **fuse-cuts** — *what*: a cut whose condition is a comparison or a window (`x > c`,
//! `a < x < b`, `x not in [lo, hi]`) read by that cut alone is evaluated inside the cut's
//! update of each candidate's progress, instead of into a block buffer of 1 / 0 / NaN
//! that the update then reads back. *Why*: every cut of a typical selection is such a
//! comparison; fused, a cut is one pass over its operands rather than two passes and a
//! buffer. The comparison's scalar function is the same, so results do not change.
//! *Example*: `cut: x8 > -1` reads the column `x8` and moves the candidates that pass to
//! the next step in one loop.

use super::Pass;
use crate::plan::dag::Node;
use crate::plan::program::{Action, Program, Storage};

/// The pass.
pub struct FuseCuts;

impl Pass for FuseCuts {
    const NAME: &'static str = "fuse-cuts";

    fn run(program: &mut Program) -> String {
        let mut fused = 0;
        for task in program.phases.iter_mut().flat_map(|p| &mut p.tasks) {
            let Action::Cut(_) = task.action else {
                continue;
            };
            let cut = task.reads[0];
            let comparison = matches!(
                program.dag.nodes[cut],
                Node::Compare(..) | Node::Window { .. }
            );
            // Computed last in this task and given back after it: nothing else reads it.
            let only_here = task.compute.last() == Some(&cut) && task.release.contains(&cut);
            if comparison && only_here && program.storage[cut] == Storage::Block {
                task.compute.pop();
                task.release.retain(|&id| id != cut);
                program.storage[cut] = Storage::Fused;
                fused += 1;
            }
        }
        format!("{fused} cut(s) evaluated inside their update")
    }
}
