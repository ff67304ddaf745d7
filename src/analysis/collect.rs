//! The candidate table the statistics stage needs: for every selected candidate of an
//! input, per channel, the fit or counted observable, its weight, and for signal samples
//! the generated mass, lifetime and (toys) decay mode. Filled chunk by chunk, in chunk
//! order, from the evaluator's selections.

use crate::exec::Selected;
use crate::io::IoError;
use crate::spec::{Generated, GeneratedAt};
use crate::toy::truth::SignalTruth;

/// Column the pipeline adds to each table of a signal sample whose `files` entries state
/// the generated mass.
pub const ENTRY_MASS: &str = "__generated_mass__";
/// Likewise for the generated proper decay length.
pub const ENTRY_CTAU: &str = "__generated_ctau__";

/// Selected candidates of one channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChannelCandidates {
    /// Observable values.
    pub x: Vec<f64>,
    /// Weights (the input's `weight`, else `__weight__`, else 1).
    pub weight: Vec<f64>,
    /// Generated mass (signal samples; empty otherwise).
    pub mass: Vec<f64>,
    /// Generated proper decay length (signal samples over lifetimes; empty otherwise).
    pub ctau: Vec<f64>,
    /// `decayMode` (signal toys; empty otherwise).
    pub mode: Vec<f64>,
    /// The signal sample's varied weights: up and down of each weight variation in spec
    /// order (empty otherwise).
    pub variations: Vec<Vec<f64>>,
}

/// Selected candidates of one input, per channel in spec order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Candidates {
    /// One entry per channel.
    pub channels: Vec<ChannelCandidates>,
}

/// The columns that say what a signal candidate was generated at, with the factors that
/// take them to base units.
#[derive(Clone, Debug, PartialEq)]
pub struct TruthColumns {
    /// Generated mass.
    pub mass: (String, f64),
    /// Generated proper decay length.
    pub ctau: Option<(String, f64)>,
    /// Decay mode (toys).
    pub mode: Option<String>,
}

impl TruthColumns {
    /// A signal toy's truth columns.
    pub fn of_toy(truth: &SignalTruth) -> Self {
        TruthColumns {
            mass: (truth.mass_column.to_owned(), 1.0),
            ctau: truth.ctau_column.map(|c| (c.to_owned(), 1.0)),
            mode: Some("decayMode".to_owned()),
        }
    }

    /// A signal sample's from files: its columns (converted by `units`, a factor to base
    /// units by branch name), or the columns the pipeline adds per `files` entry.
    pub fn of_files(generated: &Generated, unit: impl Fn(&str) -> f64) -> Self {
        let column = |at: &GeneratedAt, added: &str| match at {
            GeneratedAt::Column(c) => (c.value.clone(), unit(&c.value)),
            GeneratedAt::PerEntry(_) => (added.to_owned(), 1.0),
        };
        TruthColumns {
            mass: column(&generated.mass, ENTRY_MASS),
            ctau: generated.ctau.as_ref().map(|c| column(c, ENTRY_CTAU)),
            mode: None,
        }
    }

    /// The columns to read from the files besides the analysis' (not those added per
    /// entry).
    pub fn to_read(&self) -> Vec<String> {
        [Some(&self.mass), self.ctau.as_ref()]
            .into_iter()
            .flatten()
            .map(|(c, _)| c.clone())
            .chain(self.mode.clone())
            .filter(|c| c != ENTRY_MASS && c != ENTRY_CTAU)
            .collect()
    }
}

/// Fills [`Candidates`] from the evaluator's selections, whose first output is the
/// observable and the others the varied weights.
pub struct Collector {
    truth: Option<TruthColumns>,
    /// What has been collected.
    pub candidates: Candidates,
}

impl Collector {
    /// A collector over `channels` channels, with truth columns when `truth` is given.
    pub fn new(channels: usize, truth: Option<TruthColumns>) -> Self {
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
        let weight = selected.weights.or_else(|| {
            table
                .column("__weight__")
                .map(|c| c.range_to_f64(rows.clone()))
        });
        let scaled = |(name, factor): &(String, f64)| {
            let mut values = column(name);
            if *factor != 1.0 {
                values.iter_mut().for_each(|v| *v *= factor);
            }
            values
        };
        let truth = self.truth.as_ref().map(|t| {
            (
                scaled(&t.mass),
                t.ctau.as_ref().map(scaled),
                t.mode.as_deref().map(column),
            )
        });
        let varied = &selected.outputs[1..];
        for (c, out) in self.candidates.channels.iter_mut().enumerate() {
            out.variations.resize(varied.len(), Vec::new());
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
                    out.mode.extend(mode.as_ref().map(|m| m[i]));
                }
                for (column, values) in out.variations.iter_mut().zip(varied) {
                    column.push(values[i]);
                }
            }
        }
        Ok(())
    }
}
