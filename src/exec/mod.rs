//! Physical execution of a plan over column chunks: rayon over chunks, selection masks,
//! mergeable accumulators merged in chunk order. It never sees YAML.

pub mod cutflow;
pub mod eval;
pub mod exact_sum;
pub mod histogram;

use crate::io::IoError;
use crate::io::table::Table;
use crate::plan::query::{Query, StepPlan};
use cutflow::{ChannelFlow, Cutflow, Row};
use eval::Frame;
use histogram::Histogram;
use rayon::prelude::*;

/// Chunks evaluated in parallel before their results are merged, in order.
const WINDOW: usize = 8;

/// Which candidates of a chunk survive, and the channels they are in.
pub struct Selected<'a> {
    /// The chunk.
    pub table: &'a Table,
    /// Surviving candidates (selection and vetoes).
    pub alive: Vec<bool>,
    /// Membership of each candidate in each channel (`members[c][i]`).
    pub members: Vec<Vec<bool>>,
}

/// Runs the query over chunks given in order; each chunk holds whole events (see
/// [`EventChunks`]).
pub fn run(
    query: &Query,
    chunks: impl Iterator<Item = Result<Table, IoError>>,
) -> Result<Cutflow, IoError> {
    run_with(query, chunks, |_| Ok(()))
}

/// Like [`run`], and hands every chunk's selection to `sink`, in chunk order.
pub fn run_with(
    query: &Query,
    chunks: impl Iterator<Item = Result<Table, IoError>>,
    mut sink: impl FnMut(Selected) -> Result<(), IoError>,
) -> Result<Cutflow, IoError> {
    let mut total = Cutflow::default();
    let mut chunks = chunks.peekable();
    while chunks.peek().is_some() {
        let window: Vec<Table> = chunks.by_ref().take(WINDOW).collect::<Result<_, _>>()?;
        let partials: Vec<ChunkResult> = window.par_iter().map(|t| run_chunk(query, t)).collect();
        for (table, (cutflow, alive, members)) in window.iter().zip(partials) {
            total.merge(cutflow);
            sink(Selected {
                table,
                alive,
                members,
            })?;
        }
    }
    if total.channels.is_empty() {
        total = run_chunk(query, &Table::default()).0;
    }
    Ok(total)
}

/// A chunk's cutflow, surviving candidates and channel membership.
type ChunkResult = (Cutflow, Vec<bool>, Vec<Vec<bool>>);

/// Start index of each event (rows of one event are contiguous, as basf2 writes them);
/// without event identity columns every row is its own event.
fn event_starts(table: &Table) -> Vec<usize> {
    let col = |name: &str| table.column(name).map(|c| c.to_f64_vec());
    let (Some(e), Some(r), Some(v)) = (col("__experiment__"), col("__run__"), col("__event__"))
    else {
        return (0..table.rows()).collect();
    };
    (0..table.rows())
        .filter(|&i| i == 0 || (e[i], r[i], v[i]) != (e[i - 1], r[i - 1], v[i - 1]))
        .collect()
}

/// Counts of one cutflow row over the candidates `alive ∧ member`.
fn count(
    label: &str,
    alive: &[bool],
    member: &[bool],
    starts: &[usize],
    weights: &[f64],
    undefined: u64,
) -> Row {
    let n = alive.len();
    let mut row = Row {
        step: label.to_string(),
        undefined,
        ..Row::default()
    };
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(n);
        let mut first = None;
        for i in start..end {
            if alive[i] && member[i] {
                row.candidates += 1;
                first.get_or_insert(i);
            }
        }
        if let Some(i) = first {
            row.events += 1;
            row.weighted.add(weights[i]);
        }
    }
    row
}

fn run_chunk(query: &Query, table: &Table) -> ChunkResult {
    let n = table.rows();
    let mut frame = Frame::new(table, &query.bindings);
    let starts = event_starts(table);
    let weights: Vec<f64> = table
        .column("__weight__")
        .map_or(vec![1.0; n], |c| c.to_f64_vec());
    // Channel membership, and how many candidates' membership was undefined.
    let members: Vec<(Vec<bool>, u64)> = query
        .channels
        .iter()
        .map(|c| match &c.cut {
            None => (vec![true; n], 0),
            Some(cut) => {
                let v = frame.eval(cut);
                (
                    v.iter().map(|&x| x == 1.0).collect(),
                    v.iter().filter(|x| x.is_nan()).count() as u64,
                )
            }
        })
        .collect();
    let mut flows: Vec<ChannelFlow> = query
        .channels
        .iter()
        .zip(&members)
        .map(|(c, (m, undefined))| ChannelFlow {
            name: c.name.clone(),
            rows: vec![count(
                "input",
                &vec![true; n],
                m,
                &starts,
                &weights,
                *undefined,
            )],
            histograms: Vec::new(),
        })
        .collect();
    let mut alive = vec![true; n];
    let record = |label: &str, alive: &[bool], nan: &[bool], flows: &mut Vec<ChannelFlow>| {
        for (flow, (m, _)) in flows.iter_mut().zip(&members) {
            let undefined = (0..n).filter(|&i| nan[i] && m[i]).count() as u64;
            flow.rows
                .push(count(label, alive, m, &starts, &weights, undefined));
        }
    };
    for step in &query.steps {
        let mut nan = vec![false; n];
        let label = match step {
            StepPlan::Filter { label, cut } => {
                let v = frame.eval(cut);
                for i in 0..n {
                    if alive[i] {
                        nan[i] = v[i].is_nan();
                        alive[i] = v[i] == 1.0;
                    }
                }
                label
            }
            StepPlan::Best {
                label,
                by,
                highest,
                n: keep,
            } => {
                let rank = frame.eval(by);
                best_candidates(&mut alive, &rank, &starts, *highest, *keep);
                label
            }
        };
        record(label, &alive, &nan, &mut flows);
    }
    for veto in &query.vetoes {
        let v = frame.eval(&veto.var);
        let mut nan = vec![false; n];
        for i in 0..n {
            if alive[i] && (v[i].is_nan() || (veto.low <= v[i] && v[i] <= veto.high)) {
                nan[i] = v[i].is_nan();
                alive[i] = false;
            }
        }
        record(&veto.label, &alive, &nan, &mut flows);
    }
    for h in &query.histograms {
        let v = frame.eval(&h.var);
        for (flow, (m, _)) in flows.iter_mut().zip(&members) {
            let mut histogram = Histogram::new(&h.name, &h.text, h.bins, h.low, h.high);
            for i in (0..n).filter(|&i| alive[i] && m[i]) {
                histogram.fill(v[i], weights[i]);
            }
            flow.histograms.push(histogram);
        }
    }
    let members = members.into_iter().map(|(m, _)| m).collect();
    (Cutflow { channels: flows }, alive, members)
}

/// Keeps, in each event, the `keep` surviving candidates ranked best (NaN ranks last; ties
/// keep the earlier candidate).
fn best_candidates(alive: &mut [bool], rank: &[f64], starts: &[usize], highest: bool, keep: usize) {
    let n = alive.len();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(n);
        let mut idx: Vec<usize> = (start..end).filter(|&i| alive[i]).collect();
        idx.sort_by(|&a, &b| {
            let (x, y) = if highest {
                (-rank[a], -rank[b])
            } else {
                (rank[a], rank[b])
            };
            x.is_nan()
                .cmp(&y.is_nan())
                .then(x.total_cmp(&y))
                .then(a.cmp(&b))
        });
        for &i in idx.iter().skip(keep) {
            alive[i] = false;
        }
    }
}

/// Turns a sequence of tables into chunks that hold whole events: the rows of the last
/// event of each table are carried into the next one.
pub struct EventChunks<I> {
    inner: I,
    pending: Option<Table>,
}

impl<I: Iterator<Item = Result<Table, IoError>>> EventChunks<I> {
    /// Wraps a sequence of tables.
    pub fn new(inner: I) -> Self {
        EventChunks {
            inner,
            pending: None,
        }
    }
}

impl<I: Iterator<Item = Result<Table, IoError>>> Iterator for EventChunks<I> {
    type Item = Result<Table, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.inner.next() {
                None => return self.pending.take().map(Ok),
                Some(Err(e)) => return Some(Err(e)),
                Some(Ok(next)) => {
                    let mut table = match self.pending.take() {
                        Some(mut p) => {
                            p.append(next);
                            p
                        }
                        None => next,
                    };
                    let last_start = event_starts(&table).last().copied().unwrap_or(0);
                    if last_start == 0 {
                        // One event so far: wait for more rows.
                        self.pending = Some(table);
                        continue;
                    }
                    self.pending = Some(table.split_off(last_start));
                    return Some(Ok(table));
                }
            }
        }
    }
}
