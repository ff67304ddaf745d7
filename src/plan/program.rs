//! The program the evaluator runs: the optimised [`LogicalPlan`] and its schedule — where
//! each node's values live ([`Storage`]) and the phases of tasks over a chunk's blocks.
//! [`Program::compile`] lowers a [`Query`], runs the logical passes, lowers the plan to a
//! schedule and runs the physical passes ([`super::passes`]); each records what it
//! changed, which `searchlight plan` prints.

use super::dag::NodeId;
use super::logical::{LogicalPlan, StepOp};
use super::passes;
use super::query::Query;
use crate::expr::Expr;

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

/// What one optimizer pass did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct PassReport {
    /// The pass's name.
    pub pass: &'static str,
    /// What it changed.
    pub summary: String,
}

/// The compiled program: the optimised logical plan and its schedule.
#[derive(Clone, Debug)]
pub struct Program {
    /// The optimised logical plan.
    pub plan: LogicalPlan,
    /// Storage of every node.
    pub storage: Vec<Storage>,
    /// The execution schedule.
    pub phases: Vec<Phase>,
    /// The passes that ran, in order: the logical rewrites, the scheduling, the physical
    /// refinements.
    pub passes: Vec<PassReport>,
}

impl Program {
    /// Why a correction could not be evaluated on some candidate, if one failed (a value
    /// outside a binning with `flow: error`): the run's results are then refused.
    pub fn correction_failure(&self) -> Option<String> {
        self.plan.dag.nodes.iter().find_map(|n| match n {
            super::dag::DagNode::Correction(c, _) => c.failure(),
            _ => None,
        })
    }

    /// Compiles `query`, with `outputs` as extra values to compute for the surviving
    /// candidates.
    pub fn compile(query: &Query, outputs: &[&Expr]) -> Program {
        Program::compile_with(query, outputs, true)
    }

    /// [`Program::compile`], with the rewriting passes (folding, sharing, fusing cuts)
    /// only when `rewrite` is true: both compute identical results.
    pub fn compile_with(query: &Query, outputs: &[&Expr], rewrite: bool) -> Program {
        passes::optimize(LogicalPlan::lower(query, outputs), rewrite)
    }

    /// Checks the schedule against the plan: every node is stored as its kind allows and
    /// computed at most once, after its operands and before its readers; a block buffer
    /// is read only in its phase, before it is given back, and every one is given back;
    /// a fused node is read only by a cut, its operands ready; each action reads the
    /// node of its result; the steps run in order, each once; the outputs are kept.
    pub fn validate(&self) -> Result<(), String> {
        let plan = &self.plan;
        self.plan.validate()?;
        let nodes = &plan.dag.nodes;
        if self.storage.len() != nodes.len() {
            return Err(format!(
                "{} storage entries for {} nodes",
                self.storage.len(),
                nodes.len()
            ));
        }
        for (id, (node, storage)) in nodes.iter().zip(&self.storage).enumerate() {
            let fits = match node {
                super::dag::DagNode::Column(_) => *storage == Storage::Column,
                super::dag::DagNode::Constant(_) => *storage == Storage::Constant,
                _ => !matches!(storage, Storage::Column | Storage::Constant),
            };
            if !fits {
                return Err(format!(
                    "node %{id} ({}) stored as {storage:?}",
                    plan.dag.describe(id)
                ));
            }
        }
        let mut kept = vec![false; nodes.len()];
        let mut next_step = 0;
        for (k, phase) in self.phases.iter().enumerate() {
            let mut live = vec![false; nodes.len()];
            for task in &phase.tasks {
                for &id in &task.compute {
                    if kept[id] || live[id] {
                        return Err(format!("phase {k} computes %{id} a second time"));
                    }
                    if let Some(o) = nodes[id]
                        .operands()
                        .into_iter()
                        .find(|&o| !self.ready(o, &kept, &live, false))
                    {
                        return Err(format!("phase {k} computes %{id} before its operand %{o}"));
                    }
                    match self.storage[id] {
                        Storage::Block => live[id] = true,
                        Storage::Chunk => kept[id] = true,
                        other => {
                            return Err(format!("phase {k} computes %{id}, stored as {other:?}"));
                        }
                    }
                }
                let expected: Vec<NodeId> = match task.action {
                    Action::Member(c) => {
                        plan.channels.get(c).and_then(|c| c.1).into_iter().collect()
                    }
                    Action::Hide => plan.hidden.into_iter().collect(),
                    Action::Weigh => plan.weight.into_iter().collect(),
                    Action::Cut(s) => {
                        if s != next_step
                            || !matches!(plan.steps.get(s), Some(StepOp::Filter { .. }))
                        {
                            return Err(format!(
                                "phase {k} applies step {s} out of order (next: {next_step})"
                            ));
                        }
                        next_step += 1;
                        vec![plan.steps[s].node()]
                    }
                    Action::Fill(h) => plan
                        .histograms
                        .get(h)
                        .map(|h| h.value)
                        .into_iter()
                        .collect(),
                    Action::Keep => task.reads.clone(),
                };
                if task.reads != expected {
                    return Err(format!(
                        "phase {k}: {:?} reads {:?}, not {expected:?}",
                        task.action, task.reads
                    ));
                }
                let fused_ok = matches!(task.action, Action::Cut(_));
                if let Some(r) = task
                    .reads
                    .iter()
                    .find(|&&r| !self.ready(r, &kept, &live, fused_ok))
                {
                    return Err(format!(
                        "phase {k}: {:?} reads %{r} before it is computed",
                        task.action
                    ));
                }
                for &id in &task.release {
                    if self.storage[id] != Storage::Block || !live[id] {
                        return Err(format!(
                            "phase {k} gives back %{id}, not a live block buffer"
                        ));
                    }
                    live[id] = false;
                }
            }
            if let Some(id) = live.iter().position(|&l| l) {
                return Err(format!(
                    "phase {k} ends with the block buffer of %{id} not given back"
                ));
            }
            if let Some(b) = phase.then_best {
                let rank_kept = plan.steps.get(b).is_some_and(|s| {
                    matches!(s, StepOp::Best { .. }) && self.ready(s.node(), &kept, &live, false)
                });
                if b != next_step || !rank_kept {
                    return Err(format!(
                        "phase {k} ends with best-candidate step {b} out of order or unranked"
                    ));
                }
                next_step += 1;
            }
        }
        if next_step != plan.steps.len() {
            return Err(format!(
                "{} of {} steps are applied",
                next_step,
                plan.steps.len()
            ));
        }
        if let Some(o) = plan
            .outputs
            .iter()
            .find(|&&o| !self.ready(o, &kept, &[], false))
        {
            return Err(format!("output %{o} is not kept for the caller"));
        }
        Ok(())
    }

    /// Whether node `id`'s values can be read: a column or number, a value kept for the
    /// chunk or a live block buffer, or (`fused`: by a cut) a fused node whose operands
    /// are ready.
    fn ready(&self, id: NodeId, kept: &[bool], live: &[bool], fused: bool) -> bool {
        match self.storage[id] {
            Storage::Column | Storage::Constant => true,
            Storage::Chunk => kept[id],
            Storage::Block => live.get(id).copied().unwrap_or(false),
            Storage::Fused => {
                fused
                    && self.plan.dag.nodes[id]
                        .operands()
                        .into_iter()
                        .all(|o| self.ready(o, kept, live, true))
            }
        }
    }

    /// True when a node reads column `branch` (a bookkeeping column the analysis uses is
    /// required like any other).
    pub fn reads(&self, branch: &str) -> bool {
        self.plan.reads(branch)
    }

    /// The program as JSON: passes, nodes (operation and storage) and phases.
    pub fn json(&self) -> serde_json::Value {
        use serde_json::json;
        let action = |a: &Action| match *a {
            Action::Member(c) => json!({"channel": self.plan.channels[c].0}),
            Action::Hide => json!("hide"),
            Action::Weigh => json!("weigh"),
            Action::Cut(s) => json!({"cut": self.plan.steps[s].label()}),
            Action::Keep => json!("keep"),
            Action::Fill(h) => json!({
                "fill": self.plan.histograms[h].plan.name,
                "without": self.plan.histograms[h].plan.without,
            }),
        };
        json!({
            "passes": self.passes,
            "columns": self.plan.columns,
            "nodes": (0..self.plan.dag.nodes.len()).map(|id| json!({
                "id": id,
                "op": self.plan.dag.describe(id),
                "storage": format!("{:?}", self.storage[id]).to_lowercase(),
            })).collect::<Vec<_>>(),
            "phases": self.phases.iter().map(|p| json!({
                "tasks": p.tasks.iter().map(|t| json!({
                    "compute": t.compute, "action": action(&t.action),
                })).collect::<Vec<_>>(),
                "then_best": p.then_best.map(|b| self.plan.steps[b].label()),
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
        for id in 0..self.plan.dag.nodes.len() {
            out += &format!(
                "  %{id:<4} {:<9} {}\n",
                format!("{:?}", self.storage[id]).to_lowercase(),
                self.plan.dag.describe(id)
            );
        }
        out += "phases (each a pass over a chunk's blocks):\n";
        for (k, phase) in self.phases.iter().enumerate() {
            out += &format!("  phase {k}\n");
            for t in &phase.tasks {
                let what = match t.action {
                    Action::Member(c) => format!("channel {}", self.plan.channels[c].0),
                    Action::Hide => "hide (blinded signal region)".to_string(),
                    Action::Weigh => "weigh".to_string(),
                    Action::Cut(s) => format!("cut `{}`", self.plan.steps[s].label()),
                    Action::Keep => "keep".to_string(),
                    Action::Fill(h) => {
                        let plan = &self.plan.histograms[h].plan;
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
                out += &format!("    then best candidate `{}`\n", self.plan.steps[b].label());
            }
        }
        out
    }
}
