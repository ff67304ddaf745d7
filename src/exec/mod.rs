//! Physical execution of a [`Program`] over column chunks: rayon over chunks, each chunk
//! evaluated phase by phase in blocks of rows ([`eval`]), every candidate's progress
//! through the steps recorded as a depth (so that one pass gives every cutflow row),
//! mergeable accumulators merged in chunk order. It never sees YAML.

pub mod cutflow;
pub mod eval;
pub mod exact_sum;
pub mod histogram;

use crate::expr::{BinOp, CmpOp};
use crate::io::IoError;
use crate::io::source::{ENTRY_COLUMN, EVENT_KEY};
use crate::io::table::ColumnTable;
use crate::plan::dag::{self, DagNode, NodeId};
use crate::plan::logical::StepOp;
use crate::plan::program::{Action, Program, Storage};
use crate::simd::multiversioned;
use cutflow::{ChannelFlow, Cutflow, Row};
use eval::{Arg, BLOCK, ChunkValues};
use exact_sum::ExactSum;
use histogram::Histogram;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::Arc;

/// Chunks evaluated in parallel before their results are merged, in order.
const WINDOW: usize = 8;

/// Rows `rows` of a table: whole events, evaluated as one chunk. A large table (a
/// Parquet row group) is shared by several pieces instead of being copied into smaller
/// tables.
#[derive(Clone, Debug)]
pub struct Piece {
    /// The table.
    pub table: Arc<ColumnTable>,
    /// The rows of this piece.
    pub rows: Range<usize>,
}

impl Piece {
    /// All rows of `table` (which must hold whole events).
    pub fn whole(table: ColumnTable) -> Piece {
        let rows = 0..table.rows();
        Piece {
            table: Arc::new(table),
            rows,
        }
    }
}

/// Which candidates of a chunk survive, the channels they are in, and the program's
/// outputs; every vector is indexed from the chunk's first row.
pub struct Selected<'a> {
    /// The chunk: rows of a table.
    pub piece: &'a Piece,
    /// Surviving candidates (selection and vetoes).
    pub alive: Vec<bool>,
    /// Membership of each candidate in each channel (`members[c][i]`).
    pub members: Vec<Vec<bool>>,
    /// The candidates blinding hides (empty when the program hides none).
    pub hidden: Vec<bool>,
    /// The values of each of the program's outputs, defined where `alive` holds.
    pub outputs: Vec<Vec<f64>>,
    /// Each candidate's weight when the program computes it (an input's `weight`); else
    /// the table's `__weight__` column holds it.
    pub weights: Option<Vec<f64>>,
}

/// Runs the program over chunks given in order; each chunk holds whole events (see
/// [`EventChunks`]).
pub fn run(
    program: &Program,
    chunks: impl Iterator<Item = Result<Piece, IoError>>,
) -> Result<Cutflow, IoError> {
    run_with(program, chunks, |_| Ok(()))
}

/// Like [`run`], and hands every chunk's selection to `sink`, in chunk order.
pub fn run_with(
    program: &Program,
    chunks: impl Iterator<Item = Result<Piece, IoError>>,
    mut sink: impl FnMut(Selected) -> Result<(), IoError>,
) -> Result<Cutflow, IoError> {
    let mut total = Cutflow::default();
    let mut chunks = chunks.peekable();
    while chunks.peek().is_some() {
        let window: Vec<Piece> = chunks.by_ref().take(WINDOW).collect::<Result<_, _>>()?;
        let partials: Vec<ChunkResult> = window
            .par_iter()
            .map(|p| run_chunk(program, &p.table, p.rows.clone()))
            .collect();
        for (piece, (cutflow, alive, members, hidden, outputs, weights)) in
            window.iter().zip(partials)
        {
            total.merge(cutflow);
            sink(Selected {
                piece,
                alive,
                members,
                hidden,
                outputs,
                weights,
            })?;
        }
    }
    if total.channels.is_empty() {
        total = run_chunk(program, &ColumnTable::default(), 0..0).0;
    }
    Ok(total)
}

/// A chunk's cutflow, surviving candidates, channel membership, hidden candidates and
/// outputs.
/// A chunk's cutflow, survivors, channel memberships, hidden flags, outputs and computed
/// weights.
type ChunkResult = (
    Cutflow,
    Vec<bool>,
    Vec<Vec<bool>>,
    Vec<bool>,
    Vec<Vec<f64>>,
    Option<Vec<f64>>,
);

/// How a chunk's rows group into events (rows of one event are contiguous, as basf2
/// writes them).
enum Events {
    /// Without event identity columns every row is its own event.
    PerRow,
    /// The first row of each event.
    Starts(Vec<usize>),
}

impl Events {
    /// The events of rows `rows` of `table` (starts counted from `rows.start`): runs of
    /// rows with the same (`__experiment__`, `__run__`, `__event__`), or else with the
    /// same ROOT entry (the rows of a jagged read, [`ENTRY_COLUMN`]).
    fn of(table: &ColumnTable, rows: Range<usize>) -> Events {
        let n = rows.len();
        let col = |name: &str| table.column(name).map(|c| c.range_to_f64(rows.clone()));
        let starts = |key: &dyn Fn(usize) -> (f64, f64, f64)| {
            Events::Starts((0..n).filter(|&i| i == 0 || key(i) != key(i - 1)).collect())
        };
        match EVENT_KEY.map(col) {
            [Some(e), Some(r), Some(v)] => starts(&|i| (e[i], r[i], v[i])),
            _ => match col(ENTRY_COLUMN) {
                Some(entry) => starts(&|i| (entry[i], 0.0, 0.0)),
                None => Events::PerRow,
            },
        }
    }

    /// The rows of each event of `n` rows (only for [`Events::Starts`]).
    fn ranges(starts: &[usize], n: usize) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        starts
            .iter()
            .enumerate()
            .map(move |(k, &start)| start..starts.get(k + 1).copied().unwrap_or(n))
    }
}

/// A candidate's step counter with its undefined flag ([`UNDEFINED`]): 64 bits wide, as
/// the f64 conditions that advance it are, so that a cut's loop needs no narrowing of
/// lanes; one word, so that a cut's loop reads and writes one array besides its
/// condition.
type Depth = u64;

/// The bit of a [`Depth`] set when the step that stopped the candidate could not be
/// evaluated (NaN). A flagged depth equals no step number, so the candidate is at no
/// step's depth any more, which is what stopping means.
const UNDEFINED: Depth = 1 << UNDEFINED_BIT;

/// The position of [`UNDEFINED`].
const UNDEFINED_BIT: u32 = 63;

/// The number of steps in `d`, without its undefined flag.
fn steps_passed(d: Depth) -> usize {
    (d & !UNDEFINED) as usize
}

/// How far each candidate of a chunk got: `depth[i]` is the number of steps it passed
/// (it survives all when `depth[i]` is the number of steps), flagged [`UNDEFINED`] when
/// the step that removed it could not be evaluated. A step's cutflow row counts the
/// candidates whose depth exceeds its index, so one pass over the candidates gives every
/// row.
struct Survival {
    depth: Vec<Depth>,
    /// Bit k set when the candidate passes cut step k, whatever it failed before; kept
    /// only for N−1 histograms (empty otherwise).
    passed: Vec<u64>,
}

impl Survival {
    /// Applies filter step `k`, whose condition for row `i` of the block `range` is
    /// `cut(i)` (1, 0 or NaN); returns how many candidates pass.
    #[inline(always)]
    fn apply_cut(&mut self, k: Depth, cut: impl Fn(usize) -> f64, range: Range<usize>) -> Depth {
        if !self.passed.is_empty() {
            for (i, p) in self.passed[range.clone()].iter_mut().enumerate() {
                *p |= u64::from(cut(i) == 1.0) << k;
            }
        }
        advance(k, cut, &mut self.depth[range])
    }

    /// Applies filter step `k` whose condition is `x[i] op y`, the operator a constant of
    /// the loop.
    fn cut_by_number(
        &mut self,
        k: Depth,
        op: CmpOp,
        x: &[f64],
        y: f64,
        range: Range<usize>,
    ) -> Depth {
        eval::each!(op, CmpOp, [Lt, Le, Gt, Ge, Eq, Ne],
            OP => self.apply_cut(k, |i| dag::compare(OP, x[i], y), range))
    }

    /// Applies filter step `k` whose condition `nodes[id]` (a comparison, a window or a
    /// chained range: two comparisons joined by `and`, all stored
    /// [`Storage::Fused`](crate::plan::program::Storage::Fused)) is evaluated here, with
    /// the same scalar functions as [`eval::compute`]; one loop per operator and kind of
    /// operand, so that each vectorises.
    fn apply_fused_cut<'a>(
        &mut self,
        k: Depth,
        nodes: &[DagNode],
        id: NodeId,
        arg: impl Fn(NodeId) -> Arg<'a>,
        range: Range<usize>,
    ) -> Depth {
        let n = range.len();
        match nodes[id] {
            DagNode::Compare(op, a, b) => match (arg(a), arg(b)) {
                (Arg::Slice(x), Arg::Scalar(y)) => self.cut_by_number(k, op, &x[..n], y, range),
                // `c < x` is `x > c`, NaN included.
                (Arg::Scalar(y), Arg::Slice(x)) => {
                    self.cut_by_number(k, op.flipped(), &x[..n], y, range)
                }
                (Arg::Slice(x), Arg::Slice(y)) => {
                    let (x, y) = (&x[..n], &y[..n]);
                    eval::each!(op, CmpOp, [Lt, Le, Gt, Ge, Eq, Ne],
                        OP => self.apply_cut(k, |i| dag::compare(OP, x[i], y[i]), range))
                }
                (x, y) => self.apply_cut(k, |i| dag::compare(op, x.at(i), y.at(i)), range),
            },
            DagNode::Window {
                value,
                low,
                high,
                negated,
            } => match (arg(value), arg(low), arg(high)) {
                (Arg::Slice(v), Arg::Scalar(lo), Arg::Scalar(hi)) => {
                    let v = &v[..n];
                    self.apply_cut(k, |i| dag::window(v[i], lo, hi, negated), range)
                }
                (v, lo, hi) => self.apply_cut(
                    k,
                    |i| dag::window(v.at(i), lo.at(i), hi.at(i), negated),
                    range,
                ),
            },
            DagNode::Binary(BinOp::And, first, second) => {
                let (&DagNode::Compare(op1, a1, b1), &DagNode::Compare(op2, a2, b2)) =
                    (&nodes[first], &nodes[second])
                else {
                    unreachable!("fuse-cuts fuses `and` of two comparisons only")
                };
                let range_of = |x: f64, y: f64| dag::binary(BinOp::And, x, y);
                let ordering = |op| matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge);
                match (arg(a1), arg(b1), arg(a2), arg(b2)) {
                    // `lo < x <= hi` and the like: one value between two numbers, with
                    // each bound's operator a constant of its loop.
                    (Arg::Scalar(lo), Arg::Slice(x), _, Arg::Scalar(hi))
                        if b1 == a2 && ordering(op1) && ordering(op2) =>
                    {
                        let x = &x[..n];
                        eval::each!(op1, CmpOp, [Lt, Le, Gt, Ge], LOW => {
                            eval::each!(op2, CmpOp, [Lt, Le, Gt, Ge], HIGH => {
                                let between = |i: usize| {
                                    range_of(dag::compare(LOW, lo, x[i]), dag::compare(HIGH, x[i], hi))
                                };
                                self.apply_cut(k, between, range)
                            }, _ => unreachable!("an ordering"))
                        }, _ => unreachable!("an ordering"))
                    }
                    (a1, b1, a2, b2) => self.apply_cut(
                        k,
                        |i| {
                            range_of(
                                dag::compare(op1, a1.at(i), b1.at(i)),
                                dag::compare(op2, a2.at(i), b2.at(i)),
                            )
                        },
                        range,
                    ),
                }
            }
            _ => unreachable!("fuse-cuts fuses comparisons, windows and ranges only"),
        }
    }
}

multiversioned! {
    /// Moves the candidates at depth `k` whose cut `cut(i)` is true to depth `k + 1` and
    /// flags [`UNDEFINED`] those whose cut is undefined; returns how many passed.
    /// Branch-free, so that it vectorises; compiled for each vector instruction set, as
    /// the node loops are ([`crate::simd`] says why the loop, not its caller, is
    /// multiversioned).
    fn advance(k: Depth, cut: impl Fn(usize) -> f64, depth: &mut [Depth]) -> Depth {
        let mut passed = 0;
        for (i, d) in depth.iter_mut().enumerate() {
            let x = cut(i);
            let here = *d == k;
            let pass = here & (x == 1.0);
            *d = (*d + Depth::from(pass)) | (Depth::from(here & x.is_nan()) << UNDEFINED_BIT);
            passed += Depth::from(pass);
        }
        passed
    }
}

multiversioned! {
    /// Sets `keep[i]` for the candidates of a block that passed all `steps` and belong to
    /// the channel (`member`). Multiversioned as [`advance`] is.
    fn survivors(depth: &[Depth], member: &[bool], steps: Depth, keep: &mut Vec<bool>) {
        keep.clear();
        keep.resize(depth.len(), false);
        for ((k, &d), &m) in keep.iter_mut().zip(depth).zip(member) {
            *k = (d == steps) & m;
        }
    }
}

fn run_chunk(program: &Program, table: &ColumnTable, rows: Range<usize>) -> ChunkResult {
    let n = rows.len();
    let steps = program.plan.steps.len() as Depth;
    let mut values = ChunkValues::new(program, table, rows.clone());
    let events = Events::of(table, rows.clone());
    // Each candidate's weight: an input's weight expression (computed in the first phase)
    // or the `__weight__` column.
    let mut weight_values: Option<Vec<f64>> = match program.plan.weight {
        Some(_) => Some(vec![f64::NAN; n]),
        None => table
            .column("__weight__")
            .map(|c| c.range_to_f64(rows.clone())),
    };
    let mut members: Vec<Vec<bool>> = program
        .plan
        .channels
        .iter()
        .map(|c| vec![c.1.is_none(); n])
        .collect();
    let mut member_undefined = vec![0u64; members.len()];
    let mut hidden = vec![false; if program.plan.hidden.is_some() { n } else { 0 }];
    let mut histograms: Vec<Vec<Histogram>> = members
        .iter()
        .map(|_| {
            program
                .plan
                .histograms
                .iter()
                .map(|h| {
                    Histogram::new(
                        &h.plan.name,
                        &h.plan.text,
                        h.plan.bins,
                        h.plan.low,
                        h.plan.high,
                    )
                })
                .collect()
        })
        .collect();
    // N−1 histograms need every cut on every candidate: no early stop, pass bits kept.
    let n_minus_1 = program.plan.histograms.iter().any(|h| h.needs.is_some());
    let mut progress = Survival {
        depth: vec![0; n],
        passed: if n_minus_1 { vec![0; n] } else { Vec::new() },
    };
    let mut reached: Depth = 0; // steps applied before the current phase
    let mut keep = Vec::with_capacity(BLOCK); // candidates a histogram counts, per block
    for phase in &program.phases {
        for start in (0..n).step_by(BLOCK) {
            let range = start..(start + BLOCK).min(n);
            values.release_all();
            let mut alive = if reached == 0 {
                range.len() as Depth
            } else {
                progress.depth[range.clone()]
                    .iter()
                    .map(|&d| Depth::from(d == reached))
                    .sum()
            };
            for task in &phase.tasks {
                let member = matches!(
                    task.action,
                    Action::Member(_) | Action::Hide | Action::Weigh
                );
                if alive == 0 && !member && !n_minus_1 {
                    break;
                }
                values.compute(program, &task.compute, range.clone());
                let read = || values.arg(program, task.reads[0], range.clone());
                match task.action {
                    Action::Weigh => {
                        let read = read();
                        if let Some(w) = weight_values.as_mut() {
                            for (i, slot) in w[range.clone()].iter_mut().enumerate() {
                                *slot = read.at(i);
                            }
                        }
                    }
                    Action::Hide => {
                        let read = read();
                        for (i, h) in hidden[range.clone()].iter_mut().enumerate() {
                            // Hidden unless the condition rules the candidate out.
                            *h = read.at(i) != 0.0;
                        }
                    }
                    Action::Member(c) => {
                        let read = read();
                        let shown = |i: usize| hidden.get(start + i).is_none_or(|h| !h);
                        for (i, m) in members[c][range.clone()].iter_mut().enumerate() {
                            let x = read.at(i);
                            *m = x == 1.0;
                            member_undefined[c] += u64::from(x.is_nan() && shown(i));
                        }
                    }
                    Action::Cut(k) => {
                        let id = task.reads[0];
                        alive = if program.storage[id] == Storage::Fused {
                            progress.apply_fused_cut(
                                k as Depth,
                                &program.plan.dag.nodes,
                                id,
                                |o| values.arg(program, o, range.clone()),
                                range.clone(),
                            )
                        } else {
                            match read() {
                                Arg::Slice(v) => {
                                    let v = &v[..range.len()];
                                    progress.apply_cut(k as Depth, |i| v[i], range.clone())
                                }
                                Arg::Scalar(x) => {
                                    progress.apply_cut(k as Depth, |_| x, range.clone())
                                }
                            }
                        }
                    }
                    Action::Keep => {}
                    Action::Fill(h) => {
                        let read = read();
                        let needs = program.plan.histograms[h].needs;
                        for (c, m) in members.iter().enumerate() {
                            let histogram = &mut histograms[c][h];
                            // The candidates of the channel that passed every step (or,
                            // N−1, every cut but those left out), in one vectorised loop.
                            let m = &m[range.clone()];
                            match needs {
                                None => {
                                    survivors(&progress.depth[range.clone()], m, steps, &mut keep)
                                }
                                Some(bits) => {
                                    keep.clear();
                                    keep.extend(
                                        progress.passed[range.clone()]
                                            .iter()
                                            .zip(m)
                                            .map(|(&p, &m)| (p & bits == bits) & m),
                                    )
                                }
                            }
                            if !hidden.is_empty() {
                                for (k, &h) in keep.iter_mut().zip(&hidden[range.clone()]) {
                                    *k &= !h;
                                }
                            }
                            match (weight_values.as_deref(), read) {
                                (None, Arg::Slice(values)) => histogram.count(values, &keep),
                                (w, _) => (0..keep.len()).filter(|&i| keep[i]).for_each(|i| {
                                    histogram.fill(read.at(i), w.map_or(1.0, |w| w[start + i]))
                                }),
                            }
                        }
                    }
                }
                values.release(&task.release);
            }
        }
        if let Some(k) = phase.then_best {
            let StepOp::Best {
                rank,
                highest,
                n: keep,
                ..
            } = &program.plan.steps[k]
            else {
                unreachable!("phases end at best-candidate steps")
            };
            let rank = values.whole(program, *rank);
            best_candidates(
                &mut progress.depth,
                k as Depth,
                rank,
                &events,
                *highest,
                *keep,
            );
            reached = k as Depth + 1;
        }
    }
    let weights = weight_values.as_deref();
    // The cutflow counts the candidates blinding shows.
    let shown: Vec<Vec<bool>> = if hidden.is_empty() {
        Vec::new()
    } else {
        members
            .iter()
            .map(|m| m.iter().zip(&hidden).map(|(&m, &h)| m & !h).collect())
            .collect()
    };
    let flows = members
        .iter()
        .enumerate()
        .map(|(c, m)| shown.get(c).unwrap_or(m))
        .zip(member_undefined)
        .zip(histograms)
        .zip(&program.plan.channels)
        .map(|(((m, undefined), histograms), (name, _))| ChannelFlow {
            name: name.clone(),
            rows: count(program, &progress, m, undefined, &events, weights),
            histograms: histograms
                .into_iter()
                .map(|h| {
                    if weights.is_none() {
                        h.with_unit_weights()
                    } else {
                        h
                    }
                })
                .collect(),
        })
        .collect();
    let alive = progress.depth.iter().map(|&d| d == steps).collect();
    // Two outputs may be one node (an alias that is just a classifier's name).
    let mut outputs: Vec<Vec<f64>> = Vec::with_capacity(program.plan.outputs.len());
    for (i, &o) in program.plan.outputs.iter().enumerate() {
        let value = match program.plan.outputs[..i].iter().position(|&p| p == o) {
            Some(earlier) => outputs[earlier].clone(),
            None => values.take_chunk(program, o),
        };
        outputs.push(value);
    }
    let computed = program.plan.weight.and(weight_values);
    (
        Cutflow { channels: flows },
        alive,
        members,
        hidden,
        outputs,
        computed,
    )
}

/// The cutflow rows of one channel: `input`, then one per step. An event counts at a row
/// when one of its candidates got that far, with the weight of the first such candidate
/// (weights None: every event weighs 1).
fn count(
    program: &Program,
    progress: &Survival,
    member: &[bool],
    member_undefined: u64,
    events: &Events,
    weights: Option<&[f64]>,
) -> Vec<Row> {
    let levels = program.plan.steps.len() + 1;
    let mut rows: Vec<Row> = std::iter::once("input")
        .chain(program.plan.steps.iter().map(StepOp::label))
        .map(|step| Row {
            step: step.to_string(),
            ..Row::default()
        })
        .collect();
    rows[0].undefined = member_undefined;
    // Candidates and undefined cuts by the depth they reached; weights too for one-row
    // events.
    let (reached, undefined) = tally_depths(&progress.depth, member, levels);
    for (row, n) in rows[1..].iter_mut().zip(undefined) {
        row.undefined += n;
    }
    let mut weighted: Vec<ExactSum> = vec![ExactSum::new(); levels];
    if let (Events::PerRow, Some(w)) = (events, weights) {
        for (i, &d) in progress
            .depth
            .iter()
            .enumerate()
            .filter(|&(i, _)| member[i])
        {
            weighted[steps_passed(d)].add(w[i]);
        }
    }
    let mut candidates = 0;
    for level in (0..levels).rev() {
        candidates += reached[level];
        rows[level].candidates = candidates;
    }
    match events {
        Events::PerRow => {
            let mut sum = ExactSum::new();
            for level in (0..levels).rev() {
                rows[level].events = rows[level].candidates;
                sum.merge(&weighted[level]);
                if weights.is_some() {
                    rows[level].weighted = sum.clone();
                }
            }
        }
        Events::Starts(starts) => {
            for range in Events::ranges(starts, member.len()) {
                let mut covered = 0;
                for i in range.filter(|&i| member[i]) {
                    let d = steps_passed(progress.depth[i]);
                    for row in rows.iter_mut().take(d + 1).skip(covered) {
                        row.events += 1;
                        if let Some(w) = weights {
                            row.weighted.add(w[i]);
                        }
                    }
                    covered = covered.max(d + 1);
                }
            }
        }
    }
    if weights.is_none() {
        for row in &mut rows {
            row.weighted.add(row.events as f64);
        }
    }
    rows
}

/// How many members of a channel stopped at each depth (`levels` of them), and how many
/// of those stopped on an undefined condition. Without branches, into eight interleaved
/// tallies (candidate `i` adds to table `i % 8`): most candidates reach the same depth,
/// and increments of one counter would each wait for the previous one.
fn tally_depths(depth: &[Depth], member: &[bool], levels: usize) -> (Vec<u64>, Vec<u64>) {
    const TABLES: usize = 8;
    let mut reached = vec![0u64; TABLES * levels];
    let mut stopped_undefined = vec![0u64; TABLES * levels];
    for (i, (&d, &m)) in depth.iter().zip(member).enumerate() {
        let slot = (i % TABLES) * levels + steps_passed(d);
        reached[slot] += u64::from(m);
        stopped_undefined[slot] += (d >> UNDEFINED_BIT) & u64::from(m);
    }
    let total = |tallies: &[u64]| -> Vec<u64> {
        (0..levels)
            .map(|l| (0..TABLES).map(|t| tallies[t * levels + l]).sum())
            .collect()
    };
    (total(&reached), total(&stopped_undefined))
}

/// Keeps, in each event, the `keep` candidates at step `k` ranked best (NaN ranks last;
/// ties keep the earlier candidate): they pass to depth `k + 1`.
fn best_candidates(
    depth: &mut [Depth],
    k: Depth,
    rank: Arg,
    events: &Events,
    highest: bool,
    keep: usize,
) {
    let starts = match events {
        // One candidate per event: it is the best.
        Events::PerRow => {
            if keep >= 1 {
                depth.iter_mut().filter(|d| **d == k).for_each(|d| *d += 1);
            }
            return;
        }
        Events::Starts(starts) => starts,
    };
    for rows in Events::ranges(starts, depth.len()) {
        let mut idx: Vec<usize> = rows.filter(|&i| depth[i] == k).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = if highest {
                (-rank.at(a), -rank.at(b))
            } else {
                (rank.at(a), rank.at(b))
            };
            x.is_nan()
                .cmp(&y.is_nan())
                .then(x.total_cmp(&y))
                .then(a.cmp(&b))
        });
        for &i in idx.iter().take(keep) {
            depth[i] += 1;
        }
    }
}

/// Rows of the chunks the evaluator works on: larger tables (a Parquet row group is often
/// a million rows) are cut at event boundaries, so that the working memory of the
/// chunks in flight stays small (a chunk's columns and derived values, ~20 MB here)
/// whatever the files' layout.
const MAX_CHUNK_ROWS: usize = 1 << 17;

/// Turns a sequence of tables into chunks that hold whole events, of at most
/// [`MAX_CHUNK_ROWS`] rows unless one event is larger: the rows of the last event of each
/// table are carried into the next one.
pub struct EventChunks<I> {
    inner: I,
    pending: Option<ColumnTable>,
    ready: std::collections::VecDeque<Piece>,
}

impl<I: Iterator<Item = Result<ColumnTable, IoError>>> EventChunks<I> {
    /// Wraps a sequence of tables.
    pub fn new(inner: I) -> Self {
        EventChunks {
            inner,
            pending: None,
            ready: Default::default(),
        }
    }

    /// Queues `table` (whole events, starting where `events` says) in pieces of at most
    /// [`MAX_CHUNK_ROWS`] rows, cut at event starts; the pieces share the table.
    fn queue(&mut self, table: ColumnTable, events: Events) {
        let n = table.rows();
        let table = Arc::new(table);
        let mut cuts: Vec<usize> = (1..n.div_ceil(MAX_CHUNK_ROWS))
            .map(|k| {
                let at = k * MAX_CHUNK_ROWS;
                match &events {
                    Events::PerRow => at,
                    Events::Starts(s) => {
                        s.get(s.partition_point(|&x| x < at)).copied().unwrap_or(n)
                    }
                }
            })
            .filter(|&c| 0 < c && c < n)
            .collect();
        cuts.dedup();
        let bounds = std::iter::once(0).chain(cuts).chain(std::iter::once(n));
        let starts: Vec<usize> = bounds.collect();
        self.ready.extend(starts.windows(2).map(|w| Piece {
            table: table.clone(),
            rows: w[0]..w[1],
        }));
    }
}

impl<I: Iterator<Item = Result<ColumnTable, IoError>>> Iterator for EventChunks<I> {
    type Item = Result<Piece, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(piece) = self.ready.pop_front() {
                return Some(Ok(piece));
            }
            match self.inner.next() {
                None => {
                    let last = self.pending.take()?;
                    let events = Events::of(&last, 0..last.rows());
                    self.queue(last, events);
                }
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(next)) => {
                    let mut table = match self.pending.take() {
                        Some(mut p) => {
                            p.append(next);
                            p
                        }
                        None => next,
                    };
                    let events = Events::of(&table, 0..table.rows());
                    let Events::Starts(mut starts) = events else {
                        // Every row is an event: none continues into the next table.
                        self.queue(table, Events::PerRow);
                        continue;
                    };
                    let numbered = EVENT_KEY.iter().all(|c| table.column(c).is_some());
                    if !numbered {
                        // Events are ROOT entries, which a reader never splits.
                        self.queue(table, Events::Starts(starts));
                        continue;
                    }
                    // The last event may continue in the next table: it waits.
                    let last_start = starts.pop().unwrap_or(0);
                    if last_start == 0 {
                        // One event so far: wait for more rows.
                        self.pending = Some(table);
                        continue;
                    }
                    self.pending = Some(table.split_off(last_start));
                    self.queue(table, Events::Starts(starts));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::table::{Column, ColumnData};

    /// A table of `events` events of 1–3 rows (event numbers from `first`), with the row's
    /// global index as `x`.
    fn table(first: u32, events: u32, offset: usize) -> ColumnTable {
        let (mut event, mut x) = (Vec::new(), Vec::new());
        for e in first..first + events {
            for _ in 0..1 + e % 3 {
                event.push(e);
                x.push((offset + x.len()) as f64);
            }
        }
        let column = |name: &str, data| Column {
            name: name.into(),
            data,
        };
        let n = event.len();
        ColumnTable {
            columns: vec![
                column("__experiment__", ColumnData::I32(vec![0; n])),
                column("__run__", ColumnData::I32(vec![1; n])),
                column("__event__", ColumnData::U32(event)),
                column("x", ColumnData::F64(x)),
            ],
        }
    }

    #[test]
    fn event_chunks_share_large_tables_and_keep_events_whole() {
        // Two tables of ~400 000 rows; an event continues from the first into the second.
        let first = table(0, 200_000, 0);
        let n1 = first.rows();
        let mut second = table(199_999, 200_000, n1);
        let n2 = second.rows();
        // The second table starts with the first one's last event.
        if let ColumnData::U32(e) = &mut second.columns[2].data {
            let last = 199_999;
            let rows = 1 + last % 3;
            e.iter_mut().take(rows as usize).for_each(|v| *v = last);
        }
        let pieces: Vec<Piece> = EventChunks::new(vec![Ok(first), Ok(second)].into_iter())
            .map(Result::unwrap)
            .collect();
        let mut seen = Vec::new();
        let mut events_seen = std::collections::HashSet::new();
        for p in &pieces {
            assert!(p.rows.len() <= MAX_CHUNK_ROWS + 3, "{:?}", p.rows);
            let x = p.table.column("x").unwrap().range_to_f64(p.rows.clone());
            seen.extend(x);
            let events = p
                .table
                .column("__event__")
                .unwrap()
                .range_to_f64(p.rows.clone());
            let mut here: Vec<u64> = events.iter().map(|&e| e as u64).collect();
            here.dedup();
            for e in here {
                assert!(events_seen.insert(e), "event {e} split between chunks");
            }
        }
        let expected: Vec<f64> = (0..n1 + n2).map(|i| i as f64).collect();
        assert_eq!(seen, expected, "every row once, in order");
        // The pieces of one large table share it rather than copying it.
        let shared = pieces
            .windows(2)
            .filter(|w| Arc::ptr_eq(&w[0].table, &w[1].table))
            .count();
        assert!(shared >= 4, "{shared} pieces share their table");
    }
}
