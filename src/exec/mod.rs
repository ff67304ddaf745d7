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

/// How a chunk's rows group into events (rows of one event are contiguous, as basf2
/// writes them).
enum Events {
    /// Without event identity columns every row is its own event.
    PerRow,
    /// The first row of each event.
    Starts(Vec<usize>),
}

impl Events {
    fn of(table: &Table) -> Events {
        let col = |name: &str| table.column(name).map(|c| c.to_f64_vec());
        let (Some(e), Some(r), Some(v)) = (col("__experiment__"), col("__run__"), col("__event__"))
        else {
            return Events::PerRow;
        };
        Events::Starts(
            (0..table.rows())
                .filter(|&i| i == 0 || (e[i], r[i], v[i]) != (e[i - 1], r[i - 1], v[i - 1]))
                .collect(),
        )
    }

    /// The first row of the last event of `n` rows (0 without rows).
    fn last_start(&self, n: usize) -> usize {
        match self {
            Events::PerRow => n.saturating_sub(1),
            Events::Starts(s) => s.last().copied().unwrap_or(0),
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

/// Number of rows where both masks hold (a loop the compiler vectorises).
fn both(a: &[bool], b: &[bool]) -> u64 {
    a.iter().zip(b).map(|(&x, &y)| u64::from(x & y)).sum()
}

/// Counts of one cutflow row over the candidates `alive ∧ member`; `weights` None means
/// every event weighs 1. An event counts once, with the weight of its first candidate.
fn count(
    label: &str,
    alive: &[bool],
    member: &[bool],
    events: &Events,
    weights: Option<&[f64]>,
    undefined: u64,
) -> Row {
    let mut row = Row {
        step: label.to_string(),
        undefined,
        ..Row::default()
    };
    match (events, weights) {
        (Events::PerRow, None) => {
            row.candidates = both(alive, member);
            row.events = row.candidates;
        }
        (Events::PerRow, Some(w)) => {
            for i in (0..alive.len()).filter(|&i| alive[i] & member[i]) {
                row.candidates += 1;
                row.events += 1;
                row.weighted.add(w[i]);
            }
        }
        (Events::Starts(starts), _) => {
            for rows in Events::ranges(starts, alive.len()) {
                let mut passing = rows.filter(|&i| alive[i] & member[i]);
                if let Some(first) = passing.next() {
                    row.candidates += 1 + passing.count() as u64;
                    row.events += 1;
                    if let Some(w) = weights {
                        row.weighted.add(w[first]);
                    }
                }
            }
        }
    }
    if weights.is_none() {
        row.weighted.add(row.events as f64);
    }
    row
}

fn run_chunk(query: &Query, table: &Table) -> ChunkResult {
    let n = table.rows();
    let mut frame = Frame::new(table, &query.bindings);
    let events = Events::of(table);
    let weights: Option<Vec<f64>> = table.column("__weight__").map(|c| c.to_f64_vec());
    let weights = weights.as_deref();
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
                &events,
                weights,
                *undefined,
            )],
            histograms: Vec::new(),
        })
        .collect();
    let mut alive = vec![true; n];
    let record = |label: &str, alive: &[bool], nan: &[bool], flows: &mut Vec<ChannelFlow>| {
        for (flow, (m, _)) in flows.iter_mut().zip(&members) {
            let undefined = both(nan, m);
            flow.rows
                .push(count(label, alive, m, &events, weights, undefined));
        }
    };
    for step in &query.steps {
        let mut nan = vec![false; n];
        let label = match step {
            StepPlan::Filter { label, cut } => {
                let v = frame.eval(cut);
                // Branch-free, so that it vectorises.
                for ((a, undefined), &x) in alive.iter_mut().zip(&mut nan).zip(v.iter()) {
                    *undefined = *a & x.is_nan();
                    *a &= x == 1.0;
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
                best_candidates(&mut alive, &rank, &events, *highest, *keep);
                label
            }
        };
        record(label, &alive, &nan, &mut flows);
    }
    for veto in &query.vetoes {
        let v = frame.eval(&veto.var);
        let mut nan = vec![false; n];
        for ((a, undefined), &x) in alive.iter_mut().zip(&mut nan).zip(v.iter()) {
            *undefined = *a & x.is_nan();
            *a &= !(x.is_nan() | (veto.low <= x && x <= veto.high));
        }
        record(&veto.label, &alive, &nan, &mut flows);
    }
    for h in &query.histograms {
        let v = frame.eval(&h.var);
        for (flow, (m, _)) in flows.iter_mut().zip(&members) {
            let mut histogram = Histogram::new(&h.name, &h.text, h.bins, h.low, h.high);
            for i in (0..n).filter(|&i| alive[i] && m[i]) {
                histogram.fill(v[i], weights.map_or(1.0, |w| w[i]));
            }
            flow.histograms.push(histogram);
        }
    }
    let members = members.into_iter().map(|(m, _)| m).collect();
    (Cutflow { channels: flows }, alive, members)
}

/// Keeps, in each event, the `keep` surviving candidates ranked best (NaN ranks last; ties
/// keep the earlier candidate).
fn best_candidates(alive: &mut [bool], rank: &[f64], events: &Events, highest: bool, keep: usize) {
    let starts = match events {
        // One candidate per event: it is the best.
        Events::PerRow if keep >= 1 => return,
        Events::PerRow => {
            alive.fill(false);
            return;
        }
        Events::Starts(starts) => starts,
    };
    for rows in Events::ranges(starts, alive.len()) {
        let mut idx: Vec<usize> = rows.filter(|&i| alive[i]).collect();
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
    pending: Option<Table>,
    ready: std::collections::VecDeque<Table>,
}

impl<I: Iterator<Item = Result<Table, IoError>>> EventChunks<I> {
    /// Wraps a sequence of tables.
    pub fn new(inner: I) -> Self {
        EventChunks {
            inner,
            pending: None,
            ready: Default::default(),
        }
    }

    /// Queues `table` (whole events, starting where `events` says) in pieces of at most
    /// [`MAX_CHUNK_ROWS`] rows, cut at event starts; each row is copied at most once.
    fn queue(&mut self, mut table: Table, events: Events) {
        let n = table.rows();
        if n <= MAX_CHUNK_ROWS {
            self.ready.push_back(table);
            return;
        }
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
        let mut pieces: Vec<Table> = cuts.iter().rev().map(|&c| table.split_off(c)).collect();
        pieces.push(table);
        self.ready.extend(pieces.into_iter().rev());
    }
}

impl<I: Iterator<Item = Result<Table, IoError>>> Iterator for EventChunks<I> {
    type Item = Result<Table, IoError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(table) = self.ready.pop_front() {
                return Some(Ok(table));
            }
            match self.inner.next() {
                None => {
                    let last = self.pending.take()?;
                    let events = Events::of(&last);
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
                    let mut events = Events::of(&table);
                    let last_start = events.last_start(table.rows());
                    if last_start == 0 {
                        // One event so far: wait for more rows.
                        self.pending = Some(table);
                        continue;
                    }
                    self.pending = Some(table.split_off(last_start));
                    if let Events::Starts(starts) = &mut events {
                        starts.pop(); // the last event's start: it went to `pending`
                    }
                    self.queue(table, events);
                }
            }
        }
    }
}
