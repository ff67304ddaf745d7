//! The candidate table the statistics stage needs: for every selected candidate of an
//! input, per channel, the fit or counted observable, its weight, and for signal toys the
//! generated mass, lifetime and decay mode. Filled chunk by chunk, in chunk order, from
//! the evaluator's selections.

use crate::exec::Selected;
use crate::io::IoError;
use crate::toy::truth::SignalTruth;

/// Selected candidates of one channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChannelCandidates {
    /// Observable values.
    pub x: Vec<f64>,
    /// Weights (`__weight__`, or 1).
    pub weight: Vec<f64>,
    /// Generated mass (signal toys; empty otherwise).
    pub mass: Vec<f64>,
    /// Generated proper decay length (signal toys over lifetimes; empty otherwise).
    pub ctau: Vec<f64>,
    /// `decayMode` (signal toys; empty otherwise).
    pub mode: Vec<f64>,
}

/// Selected candidates of one input, per channel in spec order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Candidates {
    /// One entry per channel.
    pub channels: Vec<ChannelCandidates>,
}

/// Extra columns a signal toy's efficiency needs beyond what the analysis reads.
pub fn truth_columns(truth: &SignalTruth) -> Vec<String> {
    let mut columns = vec![truth.mass_column.to_owned(), "decayMode".to_owned()];
    columns.extend(truth.ctau_column.map(str::to_owned));
    columns
}

/// Fills [`Candidates`] from the evaluator's selections, whose first output is the
/// observable.
pub struct Collector {
    truth: Option<SignalTruth>,
    /// What has been collected.
    pub candidates: Candidates,
}

impl Collector {
    /// A collector over `channels` channels, with truth columns when `truth` is given.
    pub fn new(channels: usize, truth: Option<SignalTruth>) -> Self {
        Collector {
            truth,
            candidates: Candidates {
                channels: vec![ChannelCandidates::default(); channels.max(1)],
            },
        }
    }

    /// Takes one chunk's selection.
    pub fn take(&mut self, selected: Selected) -> Result<(), IoError> {
        let table = &selected.piece.table;
        let rows = selected.piece.rows.clone();
        let x = &selected.outputs[0];
        let column = |name: &str| -> Vec<f64> {
            table
                .column(name)
                .map(|c| c.range_to_f64(rows.clone()))
                .unwrap_or_else(|| vec![f64::NAN; rows.len()])
        };
        let weight = table
            .column("__weight__")
            .map(|c| c.range_to_f64(rows.clone()));
        let truth = self.truth.map(|t| {
            (
                column(t.mass_column),
                t.ctau_column.map(column),
                column("decayMode"),
            )
        });
        for (c, out) in self.candidates.channels.iter_mut().enumerate() {
            for i in 0..rows.len() {
                let member = selected.members.get(c).is_none_or(|m| m[i]);
                if !(selected.alive[i] && member) {
                    continue;
                }
                out.x.push(x[i]);
                out.weight.push(weight.as_ref().map_or(1.0, |w| w[i]));
                if let Some((mass, ctau, mode)) = &truth {
                    out.mass.push(mass[i]);
                    out.ctau.extend(ctau.as_ref().map(|t| t[i]));
                    out.mode.push(mode[i]);
                }
            }
        }
        Ok(())
    }
}
