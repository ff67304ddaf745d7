//! The optimized dataflow program the evaluator runs: a [`Dag`] of per-candidate values
//! and, referring to its nodes, the channel memberships, the ordered selection steps
//! (cuts, best-candidate choices, vetoes), the histograms and the extra outputs a caller
//! asks for (a fit observable, a skim's derived columns). [`Program::compile`] lowers a
//! [`Query`] and runs the optimizer passes of [`super::passes`] in order; each records
//! what it changed, which `searchlight plan` prints.

use super::dag::{Dag, Lowering, Node, NodeId};
use super::passes;
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

/// Where a node's values live while a chunk is evaluated (decided by the fusion pass).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Read in place from the chunk's column.
    Column,
    /// A number, never stored.
    Constant,
    /// Computed block by block into a small buffer reused once its last user ran.
    Block,
    /// Computed once per chunk and kept: used by several phases, or an output.
    Chunk,
    /// Never stored: a cut's comparison evaluated inside the cut's update (fuse-cuts).
    Fused,
}

/// What a task of a phase does once its nodes are computed for a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Record channel `c`'s membership.
    Member(usize),
    /// Record which candidates blinding hides.
    Hide,
    /// Record each candidate's weight (an input's `weight` expression).
    Weigh,
    /// Apply filter step `k`.
    Cut(usize),
    /// Nothing: the nodes are kept for a later phase (a ranking) or the caller.
    Keep,
    /// Fill histogram `h` for every channel.
    Fill(usize),
}

/// Nodes to compute for a block, then what to do with them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    /// Nodes not computed earlier in the phase, in order.
    pub compute: Vec<NodeId>,
    /// The nodes the action reads.
    pub reads: Vec<NodeId>,
    /// Block buffers whose last user is in this task, given back after it.
    pub release: Vec<NodeId>,
    /// The action.
    pub action: Action,
}

/// One pass over a chunk's blocks, then optionally a best-candidate step, which needs the
/// whole chunk's ranking and so ends the phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase {
    /// Tasks, in order, for each block.
    pub tasks: Vec<Task>,
    /// The best-candidate step applied after every block.
    pub then_best: Option<usize>,
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

/// What one optimizer pass did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PassReport {
    /// The pass's name.
    pub pass: &'static str,
    /// What it changed.
    pub summary: String,
}

/// The compiled program.
#[derive(Clone, Debug)]
pub struct Program {
    /// The values.
    pub dag: Dag,
    /// Branches to read: the bookkeeping columns, then every column a node reads.
    pub columns: Vec<String>,
    /// Channels: name and membership condition (None: everything).
    pub channels: Vec<(String, Option<NodeId>)>,
    /// The condition of the candidates blinding hides ([`Query::hidden`](super::query::Query::hidden)).
    pub hidden: Option<NodeId>,
    /// Each candidate's weight, when an expression gives it ([`Query::weight`](super::query::Query::weight)).
    pub weight: Option<NodeId>,
    /// Steps and then vetoes, in order.
    pub steps: Vec<StepOp>,
    /// Histograms.
    pub histograms: Vec<HistogramOp>,
    /// Values the caller asked for, defined on the surviving candidates.
    pub outputs: Vec<NodeId>,
    /// Storage of every node.
    pub storage: Vec<Storage>,
    /// The execution schedule.
    pub phases: Vec<Phase>,
    /// The passes that ran, in order.
    pub passes: Vec<PassReport>,
}

impl Program {
    /// Why a correction could not be evaluated on some candidate, if one failed (a value
    /// outside a binning with `flow: error`): the run's results are then refused.
    pub fn correction_failure(&self) -> Option<String> {
        self.dag.nodes.iter().find_map(|n| match n {
            super::dag::Node::Correction(c, _) => c.failure(),
            _ => None,
        })
    }

    /// Compiles `query`, with `outputs` as extra values to compute for the surviving
    /// candidates.
    pub fn compile(query: &Query, outputs: &[&Expr]) -> Program {
        Program::compile_with(query, outputs, true)
    }

    /// [`Program::compile`], with the rewriting passes (folding, sharing) only when
    /// `rewrite` is true: both compute identical results.
    pub fn compile_with(query: &Query, outputs: &[&Expr], rewrite: bool) -> Program {
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
            let low = lowering.dag.push(Node::Constant(v.low));
            let high = lowering.dag.push(Node::Constant(v.high));
            let cut = lowering.dag.push(Node::Window {
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
        let mut program = Program {
            dag: lowering.dag,
            columns: Vec::new(),
            channels,
            hidden,
            weight,
            steps,
            histograms,
            outputs,
            storage: Vec::new(),
            phases: Vec::new(),
            passes: Vec::new(),
        };
        passes::optimize(&mut program, rewrite);
        program
    }

    /// Every node the program's results read directly.
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
            if let Node::Column(b) = node
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
            .any(|n| matches!(n, Node::Column(b) if b == branch))
    }

    /// The program as JSON: passes, nodes (operation and storage) and phases.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let action = |a: &Action| match *a {
            Action::Member(c) => json!({"channel": self.channels[c].0}),
            Action::Hide => json!("hide"),
            Action::Weigh => json!("weigh"),
            Action::Cut(s) => json!({"cut": self.steps[s].label()}),
            Action::Keep => json!("keep"),
            Action::Fill(h) => json!({
                "fill": self.histograms[h].plan.name,
                "without": self.histograms[h].plan.without,
            }),
        };
        json!({
            "passes": self.passes,
            "columns": self.columns,
            "nodes": (0..self.dag.nodes.len()).map(|id| json!({
                "id": id,
                "op": self.dag.describe(id),
                "storage": format!("{:?}", self.storage[id]).to_lowercase(),
            })).collect::<Vec<_>>(),
            "phases": self.phases.iter().map(|p| json!({
                "tasks": p.tasks.iter().map(|t| json!({
                    "compute": t.compute, "action": action(&t.action),
                })).collect::<Vec<_>>(),
                "then_best": p.then_best.map(|b| self.steps[b].label()),
            })).collect::<Vec<_>>(),
        })
    }

    /// The program as text: the passes, the nodes with their storage, the phases.
    pub fn text(&self) -> String {
        let mut out = String::from("optimizer passes:\n");
        for p in &self.passes {
            out += &format!("  {:<28} {}\n", p.pass, p.summary);
        }
        out += "nodes:\n";
        for id in 0..self.dag.nodes.len() {
            out += &format!(
                "  %{id:<4} {:<9} {}\n",
                format!("{:?}", self.storage[id]).to_lowercase(),
                self.dag.describe(id)
            );
        }
        out += "phases (each a pass over a chunk's blocks):\n";
        for (k, phase) in self.phases.iter().enumerate() {
            out += &format!("  phase {k}\n");
            for t in &phase.tasks {
                let what = match t.action {
                    Action::Member(c) => format!("channel {}", self.channels[c].0),
                    Action::Hide => "hide (blinded signal region)".to_string(),
                    Action::Weigh => "weigh".to_string(),
                    Action::Cut(s) => format!("cut `{}`", self.steps[s].label()),
                    Action::Keep => "keep".to_string(),
                    Action::Fill(h) => {
                        let plan = &self.histograms[h].plan;
                        if plan.without.is_empty() {
                            format!("fill {}", plan.name)
                        } else {
                            format!("fill {} without {}", plan.name, plan.without.join(", "))
                        }
                    }
                };
                let nodes: Vec<String> = t.compute.iter().map(|i| format!("%{i}")).collect();
                out += &format!("    compute [{}] -> {what}\n", nodes.join(" "));
            }
            if let Some(b) = phase.then_best {
                out += &format!("    then best candidate `{}`\n", self.steps[b].label());
            }
        }
        out
    }
}
