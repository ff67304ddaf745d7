//! **share-common-subexpressions** — *what*: nodes that compute the same thing from the
//! same operands become one node. *Why*: the same column or expression is often written
//! in several cuts, vetoes and channel definitions (`daughter(1, M)` in a window and in
//! a histogram; `abs(deltaE)` in every channel); shared, it is computed once per
//! candidate. *Example*: channels `abs(K_PDG) == 321 and x < 1` and
//! `abs(K_PDG) == 310 and x < 1` share `abs(K_PDG)` and `x < 1`.

use super::LogicalPass;
use crate::plan::dag::{Dag, NodeId};
use crate::plan::logical::LogicalPlan;
use std::collections::HashMap;

/// The pass.
pub struct ShareSubexpressions;

impl LogicalPass for ShareSubexpressions {
    const NAME: &'static str = "share-common-subexpressions";

    fn run(plan: &mut LogicalPlan) -> String {
        let old = std::mem::take(&mut plan.dag);
        let mut dag = Dag::default();
        // Classifier and correction nodes hash and compare by the identity of their
        // binding, never its contents, so a correction's failure record (interior
        // mutability) cannot change a key.
        #[allow(clippy::mutable_key_type)]
        let mut seen = HashMap::new();
        let mut map: Vec<NodeId> = Vec::with_capacity(old.nodes.len());
        for node in &old.nodes {
            let node = node.map_operands(|o| map[o]);
            let id = *seen.entry(node.clone()).or_insert_with(|| dag.push(node));
            map.push(id);
        }
        let shared = old.nodes.len() - dag.nodes.len();
        plan.dag = dag;
        plan.remap_roots(&map);
        format!("{shared} node(s) merged into equal ones")
    }
}
