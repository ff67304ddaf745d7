//! **prune-columns** — *what*: nodes no cut, veto, channel, histogram or requested output
//! reads are removed, and only the columns the remaining nodes read are read from the
//! files. *Why*: a variable defined but no longer used, or the operands of a folded
//! constant, would otherwise be read and computed for every candidate; reading a column
//! is often the largest cost of a run. *Example*: `variables: {pt2: px ** 2 + py ** 2}`
//! that no step uses leaves `px` and `py` unread.

use super::LogicalPass;
use crate::plan::dag::{Dag, NodeId};
use crate::plan::logical::LogicalPlan;

/// The pass.
pub struct PruneColumns;

impl LogicalPass for PruneColumns {
    const NAME: &'static str = "prune-columns";

    fn run(plan: &mut LogicalPlan) -> String {
        let branches = |p: &LogicalPlan| p.columns.len() - crate::plan::query::EVENT_COLUMNS.len();
        let live = plan.dag.reachable(plan.roots());
        let old = std::mem::take(&mut plan.dag);
        let mut dag = Dag::default();
        let mut map: Vec<NodeId> = vec![usize::MAX; old.nodes.len()];
        for (id, node) in old.nodes.iter().enumerate() {
            if live[id] {
                map[id] = dag.push(node.map_operands(|o| map[o]));
            }
        }
        let removed = old.nodes.len() - dag.nodes.len();
        plan.dag = dag;
        plan.remap_roots(&map);
        plan.columns = LogicalPlan::columns_of(&plan.dag);
        format!(
            "{removed} unused node(s) removed; {} column(s) read besides the bookkeeping ones",
            branches(plan)
        )
    }
}
