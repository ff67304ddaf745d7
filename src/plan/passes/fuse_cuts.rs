//! **fuse-cuts** — *what*: a cut whose condition is a comparison, a window or a chained
//! range (`x > c`, `x not in [lo, hi]`, `a < x <= b`, the last two comparisons joined by
//! `and`) read by that cut alone is evaluated inside the cut's update of each
//! candidate's progress, instead of into block buffers of 1 / 0 / NaN that the update
//! then reads back. *Why*: every cut of a typical selection is such a condition; fused, a
//! cut is one pass over its operands rather than two to four passes and their buffers.
//! The scalar functions are the same, so results do not change. *Example*: `cut: x8 >
//! -1` reads the column `x8` and moves the candidates that pass to the next step in one
//! loop; `cut: -1.5 < x9 < 1.5` does the same with both bounds.

use super::PhysicalPass;
use crate::expr::BinOp;
use crate::plan::dag::DagNode;
use crate::plan::program::{Action, Program, Storage};

/// The pass.
pub struct FuseCuts;

impl PhysicalPass for FuseCuts {
    const NAME: &'static str = "fuse-cuts";

    fn run(program: &mut Program) -> String {
        let mut fused = 0;
        for task in program.phases.iter_mut().flat_map(|p| &mut p.tasks) {
            let Action::Cut(_) = task.action else {
                continue;
            };
            let cut = task.reads[0];
            // The condition's nodes, which must be the last computed in this task (the
            // condition itself last) and given back after it: nothing else reads them.
            let nodes = match program.plan.dag.nodes[cut] {
                DagNode::Compare(..) | DagNode::Window { .. } => vec![cut],
                // Two comparisons, neither an operand of the other.
                DagNode::Binary(BinOp::And, a, b)
                    if [(a, b), (b, a)].iter().all(|&(c, other)| {
                        matches!(program.plan.dag.nodes[c], DagNode::Compare(_, x, y) if x != other && y != other)
                    }) && a != b =>
                {
                    vec![a, b, cut]
                }
                _ => continue,
            };
            let count = nodes.len();
            let computed_last = task.compute.len() >= count
                && task.compute[task.compute.len() - 1] == cut
                && nodes
                    .iter()
                    .all(|id| task.compute[task.compute.len() - count..].contains(id));
            let only_here = nodes
                .iter()
                .all(|id| task.release.contains(id) && program.storage[*id] == Storage::Block);
            if computed_last && only_here {
                task.compute.truncate(task.compute.len() - count);
                task.release.retain(|id| !nodes.contains(id));
                for id in nodes {
                    program.storage[id] = Storage::Fused;
                }
                fused += 1;
            }
        }
        format!("{fused} cut(s) evaluated inside their update")
    }
}
