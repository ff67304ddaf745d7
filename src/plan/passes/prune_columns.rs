//! **prune-columns** — *what*: nodes no cut, veto, channel, histogram or requested output
//! reads are removed, and only the columns the remaining nodes read are read from the
//! files. *Why*: a variable defined but no longer used, or the operands of a folded
//! constant, would otherwise be read and computed for every candidate; reading a column
//! is often the largest cost of a run. *Example*: `variables: {pt2: px ** 2 + py ** 2}`
//! that no step uses leaves `px` and `py` unread.

use super::Pass;
use crate::plan::dag::{Dag, NodeId};
use crate::plan::program::Program;

/// The pass.
pub struct PruneColumns;

impl Pass for PruneColumns {
    const NAME: &'static str = "prune-columns";

    fn run(program: &mut Program) -> String {
        let branches = |p: &Program| p.columns.len() - crate::plan::query::EVENT_COLUMNS.len();
        let live = program.dag.reachable(program.roots());
        let old = std::mem::take(&mut program.dag);
        let mut dag = Dag::default();
        let mut map: Vec<NodeId> = vec![usize::MAX; old.nodes.len()];
        for (id, node) in old.nodes.iter().enumerate() {
            if live[id] {
                map[id] = dag.push(node.map_operands(|o| map[o]));
            }
        }
        let removed = old.nodes.len() - dag.nodes.len();
        program.dag = dag;
        program.remap_roots(&map);
        program.columns = Program::columns_of(&program.dag);
        format!(
            "{removed} unused node(s) removed; {} column(s) read besides the bookkeeping ones",
            branches(program)
        )
    }
}
