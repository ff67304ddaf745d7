//! The logical plan: the analysis as a [`Dag`] of per-candidate values and the results
//! that read it — channel memberships, the ordered selection steps (cuts, best-candidate
//! choices, vetoes), histograms, the weight, what blinding hides and the extra outputs a
//! caller asks for. [`LogicalPlan::lower`] builds it from a [`Query`]; the logical passes
//! of [`super::passes`] rewrite it (fold, share, prune) and [`super::program::Program`]
//! schedules it for the evaluator.

use super::dag::{Dag, DagNode, Lowering, NodeId};
use super::query::{EVENT_COLUMNS, HistogramPlan, Query, StepPlan};
use crate::expr::Expr;

/// A selection step over nodes.
#[derive(Clone, Debug)]
pub enum StepOp {
    /// Keep candidates whose condition is true.
    Filter {
        /// Cutflow label.
        label: String,
        /// The condition (vetoes: `value not in [low, high]`).
        cut: NodeId,
    },
    /// Keep the `n` best candidates of each event.
    Best {
        /// Cutflow label.
        label: String,
        /// Ranking.
        rank: NodeId,
        /// Keep the highest (else the lowest).
        highest: bool,
        /// How many per event.
        n: usize,
    },
}

impl StepOp {
    /// The cutflow label.
    pub fn label(&self) -> &str {
        match self {
            StepOp::Filter { label, .. } | StepOp::Best { label, .. } => label,
        }
    }

    /// The node the step reads.
    pub fn node(&self) -> NodeId {
        match self {
            StepOp::Filter { cut, .. } => *cut,
            StepOp::Best { rank, .. } => *rank,
        }
    }

    fn node_mut(&mut self) -> &mut NodeId {
        match self {
            StepOp::Filter { cut, .. } => cut,
            StepOp::Best { rank, .. } => rank,
        }
    }
}

/// A histogram over a node.
#[derive(Clone, Debug)]
pub struct HistogramOp {
    /// Binning and names.
    pub plan: HistogramPlan,
    /// The filled value.
    pub value: NodeId,
    /// For an N−1 histogram, the cut steps (bit k: step k) a candidate must pass: every
    /// cut and veto but those left out, no best-candidate step. `None`: the candidates
    /// that pass every step.
    pub needs: Option<u64>,
}

/// The analysis as a dataflow graph and the results that read it.
#[derive(Clone, Debug, Default)]
pub struct LogicalPlan {
    /// The values.
    pub dag: Dag,
    /// Branches to read: the bookkeeping columns, then every column a node reads (filled
    /// by `prune-columns`).
    pub columns: Vec<String>,
    /// Channels: name and membership condition (None: everything).
    pub channels: Vec<(String, Option<NodeId>)>,
    /// The condition of the candidates blinding hides ([`Query::hidden`]).
    pub hidden: Option<NodeId>,
    /// Each candidate's weight, when an expression gives it ([`Query::weight`]).
    pub weight: Option<NodeId>,
    /// Steps and then vetoes, in order.
    pub steps: Vec<StepOp>,
    /// Histograms.
    pub histograms: Vec<HistogramOp>,
    /// Values the caller asked for, defined on the surviving candidates.
    pub outputs: Vec<NodeId>,
}

impl LogicalPlan {
    /// Lowers `query`, with `outputs` as extra values to compute for the surviving
    /// candidates.
    pub fn lower(query: &Query, outputs: &[&Expr]) -> LogicalPlan {
        let mut lowering = Lowering::new(&query.bindings);
        let channels = query
            .channels
            .iter()
            .map(|c| (c.name.clone(), c.cut.as_ref().map(|e| lowering.lower(e))))
            .collect();
        let hidden = query.hidden.as_ref().map(|e| lowering.lower(e));
        let weight = query.weight.as_ref().map(|e| lowering.lower(e));
        let mut steps: Vec<StepOp> = query
            .steps
            .iter()
            .map(|s| match s {
                StepPlan::Filter { label, cut } => StepOp::Filter {
                    label: label.clone(),
                    cut: lowering.lower(cut),
                },
                StepPlan::Best {
                    label,
                    by,
                    highest,
                    n,
                } => StepOp::Best {
                    label: label.clone(),
                    rank: lowering.lower(by),
                    highest: *highest,
                    n: *n,
                },
            })
            .collect();
        for v in &query.vetoes {
            let value = lowering.lower(&v.var);
            let low = lowering.dag.push(DagNode::Constant(v.low));
            let high = lowering.dag.push(DagNode::Constant(v.high));
            let cut = lowering.dag.push(DagNode::Window {
                value,
                low,
                high,
                negated: true,
            });
            steps.push(StepOp::Filter {
                label: v.label.clone(),
                cut,
            });
        }
        let histograms = query
            .histograms
            .iter()
            .map(|h| HistogramOp {
                plan: h.clone(),
                value: lowering.lower(&h.var),
                needs: (!h.without.is_empty()).then(|| {
                    steps
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| {
                            matches!(s, StepOp::Filter { label, .. } if !h.without.contains(label))
                        })
                        .fold(0u64, |bits, (k, _)| bits | 1 << k)
                }),
            })
            .collect();
        let outputs = outputs.iter().map(|e| lowering.lower(e)).collect();
        LogicalPlan {
            dag: lowering.dag,
            columns: Vec::new(),
            channels,
            hidden,
            weight,
            steps,
            histograms,
            outputs,
        }
    }

    /// Every node the plan's results read directly.
    pub fn roots(&self) -> Vec<NodeId> {
        let mut roots: Vec<NodeId> = self.channels.iter().filter_map(|c| c.1).collect();
        roots.extend(self.hidden);
        roots.extend(self.weight);
        roots.extend(self.steps.iter().map(StepOp::node));
        roots.extend(self.histograms.iter().map(|h| h.value));
        roots.extend(&self.outputs);
        roots
    }

    /// Renumbers every root by `map` (after a pass rebuilt the graph).
    pub fn remap_roots(&mut self, map: &[NodeId]) {
        for c in &mut self.channels {
            if let Some(id) = &mut c.1 {
                *id = map[*id];
            }
        }
        if let Some(id) = &mut self.hidden {
            *id = map[*id];
        }
        if let Some(id) = &mut self.weight {
            *id = map[*id];
        }
        for s in &mut self.steps {
            let id = s.node_mut();
            *id = map[*id];
        }
        for h in &mut self.histograms {
            h.value = map[h.value];
        }
        for o in &mut self.outputs {
            *o = map[*o];
        }
    }

    /// The bookkeeping columns and the columns the graph reads, in order.
    pub fn columns_of(dag: &Dag) -> Vec<String> {
        let mut columns: Vec<String> = EVENT_COLUMNS.iter().map(|c| c.to_string()).collect();
        for node in &dag.nodes {
            if let DagNode::Column(b) = node
                && !columns.contains(b)
            {
                columns.push(b.clone());
            }
        }
        columns
    }

    /// True when a node reads column `branch` (a bookkeeping column the analysis uses is
    /// required like any other).
    pub fn reads(&self, branch: &str) -> bool {
        self.dag
            .nodes
            .iter()
            .any(|n| matches!(n, DagNode::Column(b) if b == branch))
    }

    /// Checks the graph's invariants: every operand precedes its node, every result reads
    /// a node of the graph, and once the columns are listed, every column read is listed.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.dag.nodes.len();
        for (id, node) in self.dag.nodes.iter().enumerate() {
            if let Some(o) = node.operands().into_iter().find(|&o| o >= id) {
                return Err(format!("node %{id} reads %{o}, which does not precede it"));
            }
            if let DagNode::Column(branch) = node
                && !self.columns.is_empty()
                && !self.columns.contains(branch)
            {
                return Err(format!(
                    "node %{id} reads column `{branch}`, which is not read"
                ));
            }
        }
        if let Some(r) = self.roots().into_iter().find(|&r| r >= n) {
            return Err(format!("a result reads %{r}, beyond the {n} nodes"));
        }
        Ok(())
    }
}
