//! **fold-constants** — *what*: a node whose operands are all numbers becomes a number.
//! *Why*: `2 * 0.1 GeV` or `sqrt(ECMS) / 2` written in a cut would otherwise be
//! recomputed for every candidate. *Example*:
//! `abs(x - 5.279 - 0.5 * 0.01) < 3 * 0.003` keeps one subtraction and one comparison
//! per candidate. Results are identical: the folded value is what [`DagNode::scalar`]
//! computes for every candidate.

use super::LogicalPass;
use crate::plan::dag::DagNode;
use crate::plan::logical::LogicalPlan;

/// The pass.
pub struct FoldConstants;

impl LogicalPass for FoldConstants {
    const NAME: &'static str = "fold-constants";

    fn run(plan: &mut LogicalPlan) -> String {
        let mut folded = 0;
        for id in 0..plan.dag.nodes.len() {
            let node = &plan.dag.nodes[id];
            let args: Option<Vec<f64>> = node
                .operands()
                .iter()
                .map(|&o| plan.dag.nodes[o].constant())
                .collect();
            let value = match (node, args) {
                (DagNode::Constant(_), _) => None,
                (_, Some(args)) => node.scalar(&args),
                _ => None,
            };
            if let Some(v) = value {
                plan.dag.nodes[id] = DagNode::Constant(v);
                folded += 1;
            }
        }
        format!("{folded} node(s) computed at plan time")
    }
}
