//! The toy Monte Carlo of the reference searches: the embedded default dataset.
//!
//! Each generator declares its output schema (columns, their types, units and physical
//! ranges) and parameters, so that specs using toy inputs are fully checked, and produces
//! exactly those columns. Events are generated in chunks with one random stream per chunk,
//! derived from (seed, generator, chunk index): the output is identical for any number of
//! threads.

mod b_to_h_invisible;
mod b_to_k_alp;
pub mod cache;
mod detector;
mod ee_to_gamma_alp;
mod ee_to_mumu_zprime;
mod generate;
mod idm_dark_higgs;
pub mod kinematics;
mod rows;
mod schemas;
pub mod truth;

pub use generate::{CHUNK_EVENTS, Params, ToyError, generate, generate_table};

use crate::expr::{Dim, mangle};
use crate::io::ColumnType;
pub use schemas::GENERATORS;

/// One column a generator writes.
#[derive(Clone, Copy, Debug)]
pub struct ColumnDecl {
    /// The basf2 variable as an analyst writes it (`daughter(1, M)`); the branch name is
    /// its mangled form.
    pub var: &'static str,
    /// Storage type.
    pub ty: ColumnType,
    /// Physical dimension.
    pub dim: Dim,
    /// Range every value lies in, where the physics bounds it.
    pub range: Option<(f64, f64)>,
    /// What it is.
    pub doc: &'static str,
}

impl ColumnDecl {
    /// The ntuple branch name.
    pub fn branch(&self) -> String {
        mangle(self.var)
    }
}

/// A generator parameter that a spec's `inputs:` entry may set.
#[derive(Clone, Copy, Debug)]
pub struct ParamDecl {
    /// Key in the spec.
    pub name: &'static str,
    /// True when the value is a list of numbers (a grid), false for one number.
    pub list: bool,
    /// What it does.
    pub doc: &'static str,
}

/// A toy generator: name, schema, parameters.
#[derive(Clone, Copy, Debug)]
pub struct Generator {
    /// Name used in `inputs: { toy: NAME }`.
    pub name: &'static str,
    /// What it simulates.
    pub doc: &'static str,
    /// Experiment whose beams it simulates.
    pub experiment: &'static str,
    /// Columns it writes.
    pub columns: &'static [ColumnDecl],
    /// Parameters a spec may set.
    pub params: &'static [ParamDecl],
}

/// The generator of that name.
pub fn generator(name: &str) -> Option<&'static Generator> {
    GENERATORS.iter().find(|g| g.name == name)
}

/// A generator's physics: fills the candidates of one event.
trait Process: Sync {
    /// Generates event `n` (0-based over the sample) with the event's random stream.
    fn event(&self, n: u64, rng: &mut rand_pcg::Pcg64Mcg, rows: &mut rows::Rows);
}

/// Which events of a one-mode toy are signal, and at which mass: every event of the
/// signal sample (walking the mass grid), or the data-like sample's injected events.
struct SignalGrid {
    signal_only: bool,
    masses: Vec<f64>,
    inject: Option<(f64, u64)>,
    events: u64,
}

impl SignalGrid {
    /// From the generator's parameters (`masses`, else `default_masses`; an injection).
    fn new(
        signal_only: bool,
        params: &Params,
        events: u64,
        default_masses: &[f64],
    ) -> Result<Self, String> {
        Ok(SignalGrid {
            signal_only,
            masses: params
                .many("masses")?
                .unwrap_or_else(|| default_masses.to_vec()),
            inject: params.injection()?,
            events,
        })
    }

    /// The signal mass of event `n`, or None for a background event.
    fn mass_of(&self, n: u64) -> Option<f64> {
        if self.signal_only {
            return Some(self.masses[(n % self.masses.len() as u64) as usize]);
        }
        self.inject
            .filter(|&(_, count)| is_injected(n, count, self.events))
            .map(|(m, _)| m)
    }
}

/// True when event `n` of `events` carries one of `count` injected signal events, spread
/// evenly so that exactly `count` events are chosen.
fn is_injected(n: u64, count: u64, events: u64) -> bool {
    let count = u128::from(count.min(events));
    let (n, events) = (u128::from(n), u128::from(events));
    (n + 1) * count / events > n * count / events
}
