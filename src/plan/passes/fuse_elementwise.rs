//! **fuse-elementwise** — *what*: schedules the graph as phases, each one pass over a
//! chunk's blocks of rows in which every operator of every cut, channel, histogram and
//! output runs on the block before the next block is touched; decides which values are
//! kept for the whole chunk (those a later phase or the caller reads) and which live in
//! a block-sized buffer given back after its last use. *Why*: evaluated operator by
//! operator over a whole chunk, each intermediate result is a chunk-sized array written
//! to and read back from memory; fused, the intermediates stay in the CPU cache and the
//! run is bound by reading the columns. A best-candidate step needs the ranking of all
//! of an event's candidates, so it ends a phase. *Example*: `d1: sqrt(x2 ** 2 + x3 ** 2)`
//! with the cut `d1 < 2.5` computes `x2 * x2`, `x3 * x3`, their sum, the root and the
//! comparison on 1024 rows at a time, in buffers that are reused by the next cut.

use crate::plan::dag::{DagNode, NodeId};
use crate::plan::logical::{LogicalPlan, StepOp};
use crate::plan::program::{Action, Phase, Program, Storage, Task};

/// The lowering's name in `searchlight plan`.
pub const NAME: &str = "fuse-elementwise";

/// A phase's tasks before scheduling: the action and the nodes it reads.
type Plan = Vec<(Vec<(Action, Vec<NodeId>)>, Option<usize>)>;

/// The phases' actions in order, with their root nodes.
fn actions(program: &LogicalPlan) -> Plan {
    let mut phases = Vec::new();
    // Weights, and what blinding hides, first: the channels' undefined memberships count
    // only the candidates it shows.
    let mut tasks: Vec<(Action, Vec<NodeId>)> = program
        .weight
        .map(|n| (Action::Weigh, vec![n]))
        .into_iter()
        .chain(program.hidden.map(|n| (Action::Hide, vec![n])))
        .chain(
            program
                .channels
                .iter()
                .enumerate()
                .filter_map(|(c, (_, cut))| cut.map(|n| (Action::Member(c), vec![n]))),
        )
        .collect();
    for (k, step) in program.steps.iter().enumerate() {
        match step {
            StepOp::Filter { cut, .. } => tasks.push((Action::Cut(k), vec![*cut])),
            StepOp::Best { rank, .. } => {
                tasks.push((Action::Keep, vec![*rank]));
                phases.push((std::mem::take(&mut tasks), Some(k)));
            }
        }
    }
    for (h, hist) in program.histograms.iter().enumerate() {
        tasks.push((Action::Fill(h), vec![hist.value]));
    }
    if !program.outputs.is_empty() {
        tasks.push((Action::Keep, program.outputs.clone()));
    }
    phases.push((tasks, None));
    phases
}

/// The schedule of `plan`, and what it decided in a few words.
pub fn schedule(plan: LogicalPlan) -> (Program, String) {
    {
        let program = &plan;
        let dag = &program.dag;
        let mut storage: Vec<Storage> = dag
            .nodes
            .iter()
            .map(|node| match node {
                DagNode::Column(_) => Storage::Column,
                DagNode::Constant(_) => Storage::Constant,
                _ => Storage::Block,
            })
            .collect();
        // The phase that computes each node.
        let mut computed_in: Vec<Option<usize>> = vec![None; dag.nodes.len()];
        let mut phases = Vec::new();
        for (p, (tasks, then_best)) in actions(program).into_iter().enumerate() {
            let mut scheduled = Vec::new();
            for (action, roots) in tasks {
                let mut need = vec![false; dag.nodes.len()];
                roots.iter().for_each(|&r| need[r] = true);
                let mut compute = Vec::new();
                for id in (0..need.len()).rev() {
                    if !need[id] {
                        continue;
                    }
                    match (storage[id], computed_in[id]) {
                        (Storage::Column | Storage::Constant, _) => {}
                        (_, Some(q)) if q == p => {}
                        // Computed by an earlier phase: keep it for the chunk.
                        (_, Some(_)) => storage[id] = Storage::Chunk,
                        (_, None) => {
                            computed_in[id] = Some(p);
                            compute.push(id);
                            dag.nodes[id]
                                .operands()
                                .into_iter()
                                .for_each(|o| need[o] = true);
                        }
                    }
                }
                compute.reverse();
                if action == Action::Keep {
                    // Rankings and outputs are read after the phase.
                    for &r in &roots {
                        if storage[r] == Storage::Block {
                            storage[r] = Storage::Chunk;
                        }
                    }
                }
                scheduled.push(Task {
                    compute,
                    reads: roots,
                    release: Vec::new(),
                    action,
                });
            }
            phases.push(Phase {
                tasks: scheduled,
                then_best,
            });
        }
        for phase in &mut phases {
            release_after_last_use(program, &storage, &mut phase.tasks);
        }
        let count = |s: Storage| storage.iter().filter(|&&x| x == s).count();
        let summary = format!(
            "{} phase(s); {} value(s) in block buffers, {} kept per chunk",
            phases.len(),
            count(Storage::Block),
            count(Storage::Chunk)
        );
        let program = Program {
            plan,
            storage,
            phases,
            passes: Vec::new(),
        };
        (program, summary)
    }
}

/// Fills each task's `release`: the block buffers whose last reader is that task.
fn release_after_last_use(program: &LogicalPlan, storage: &[Storage], tasks: &mut [Task]) {
    let mut last = vec![None; storage.len()];
    for (t, task) in tasks.iter().enumerate() {
        for &id in task.compute.iter().chain(&task.reads) {
            last[id] = Some(t);
        }
        for &id in &task.compute {
            for o in program.dag.nodes[id].operands() {
                last[o] = Some(t);
            }
        }
    }
    for (id, t) in last.into_iter().enumerate() {
        if let Some(t) = t
            && storage[id] == Storage::Block
        {
            tasks[t].release.push(id);
        }
    }
}
