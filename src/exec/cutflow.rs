//! Cutflow accumulators: per channel and row, candidates, events, weighted events and
//! candidates whose cut was undefined (NaN); and the channel's histograms. Partials merge
//! by exact addition, so results depend neither on the thread count nor on how the input
//! was split into chunks or shards.

use super::exact_sum::ExactSum;

/// One cutflow row.
#[derive(Clone, Debug, PartialEq, Default, serde::Serialize)]
pub struct Row {
    /// Step label (the cut text when the step has no name).
    pub step: String,
    /// Events with at least one surviving candidate.
    pub events: u64,
    /// Sum of the weights of those events.
    pub weighted: ExactSum,
    /// Surviving candidates.
    pub candidates: u64,
    /// Candidates removed because the cut could not be evaluated (NaN input).
    pub undefined: u64,
}

/// The cutflow of one channel.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ChannelFlow {
    /// Channel name.
    pub name: String,
    /// Rows: `input`, then each step and veto.
    pub rows: Vec<Row>,
    /// Histograms of the candidates that survive every step and veto.
    pub histograms: Vec<super::histogram::Histogram>,
}

/// The cutflow of all channels.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Cutflow {
    /// One entry per channel, in spec order.
    pub channels: Vec<ChannelFlow>,
}

impl Cutflow {
    /// Adds a later chunk's counts.
    pub fn merge(&mut self, other: Cutflow) {
        if self.channels.is_empty() {
            *self = other;
            return;
        }
        for (a, b) in self.channels.iter_mut().zip(other.channels) {
            for (x, y) in a.rows.iter_mut().zip(b.rows) {
                x.events += y.events;
                x.weighted.merge(&y.weighted);
                x.candidates += y.candidates;
                x.undefined += y.undefined;
            }
            for (x, y) in a.histograms.iter_mut().zip(&b.histograms) {
                x.merge(y);
            }
        }
    }
}
