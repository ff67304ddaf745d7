//! Collects generated candidates into columns, filling the basf2 bookkeeping columns
//! (`__event__`, `__candidate__`, `__ncandidates__`, …).

use super::ColumnDecl;
use crate::io::table::{Column, ColumnData, ColumnTable};

/// Rows of one chunk of events.
pub struct Rows {
    decls: &'static [ColumnDecl],
    columns: Vec<ColumnData>,
    event: Vec<Vec<f64>>,
    event_number: u64,
}

/// Positions of the bookkeeping columns, which every schema starts with.
const EXPERIMENT: usize = 0;
const RUN: usize = 1;
const EVENT: usize = 2;
const CANDIDATE: usize = 3;
const NCANDIDATES: usize = 4;
const WEIGHT: usize = 5;
/// Position of `isSignal`.
pub const IS_SIGNAL: usize = 6;

/// Events per run in the toy's bookkeeping.
const EVENTS_PER_RUN: u64 = 100_000;

impl Rows {
    /// Empty rows for a schema.
    pub fn new(decls: &'static [ColumnDecl]) -> Self {
        debug_assert_eq!(decls[EVENT].var, "__event__");
        debug_assert_eq!(decls[IS_SIGNAL].var, "isSignal");
        Rows {
            decls,
            columns: decls.iter().map(|d| ColumnData::empty(d.ty)).collect(),
            event: Vec::new(),
            event_number: 0,
        }
    }

    /// Position of a column, by its basf2 name.
    pub fn index(&self, var: &str) -> usize {
        self.decls
            .iter()
            .position(|d| d.var == var)
            .unwrap_or_else(|| panic!("toy schema has no column `{var}`"))
    }

    /// Starts event number `n` (0-based over the whole sample).
    pub fn begin_event(&mut self, n: u64) {
        self.event.clear();
        self.event_number = n;
    }

    /// A candidate row with every column 0, to be filled and [`push`](Self::push)ed.
    pub fn blank(&self) -> Vec<f64> {
        vec![0.0; self.decls.len()]
    }

    /// Adds a candidate to the current event.
    pub fn push(&mut self, row: Vec<f64>) {
        debug_assert_eq!(row.len(), self.decls.len());
        self.event.push(row);
    }

    /// Writes the current event's candidates.
    pub fn end_event(&mut self) {
        let n = self.event.len();
        for (i, mut row) in self.event.drain(..).enumerate() {
            row[EXPERIMENT] = 0.0;
            row[RUN] = (self.event_number / EVENTS_PER_RUN) as f64;
            row[EVENT] = (self.event_number + 1) as f64;
            row[CANDIDATE] = i as f64;
            row[NCANDIDATES] = n as f64;
            row[WEIGHT] = 1.0;
            for (col, v) in self.columns.iter_mut().zip(row) {
                col.push_f64(v);
            }
        }
    }

    /// The collected columns.
    pub fn into_table(self) -> ColumnTable {
        ColumnTable {
            columns: self
                .decls
                .iter()
                .zip(self.columns)
                .map(|(d, data)| Column {
                    name: d.branch(),
                    data,
                })
                .collect(),
        }
    }
}
