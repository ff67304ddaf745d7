//! Chunked, parallel, deterministic generation.

use super::rows::Rows;
use super::{Process, generator};
use crate::io::table::ColumnTable;
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;

/// Events per chunk; each chunk has its own random stream.
pub const CHUNK_EVENTS: u64 = 16_384;
/// Chunks generated in parallel before they are handed on, in order.
const WINDOW: u64 = 16;

/// Generator parameters by name (one value, or a grid).
#[derive(Clone, Debug, Default)]
pub struct Params(pub Vec<(String, Vec<f64>)>);

impl Params {
    /// A parameter that is one number.
    pub fn one(&self, name: &str) -> Result<Option<f64>, String> {
        match self.0.iter().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, v)) if v.len() == 1 => Ok(Some(v[0])),
            Some(_) => Err(format!("parameter `{name}` takes one number")),
        }
    }

    /// The injected signal `(mass, events)` of a data-like generator, if one is asked for.
    pub fn injection(&self) -> Result<Option<(f64, u64)>, String> {
        match (self.one("inject_mass")?, self.one("inject_yield")?) {
            (Some(m), Some(n)) if n >= 0.0 && n.fract() == 0.0 => Ok(Some((m, n as u64))),
            (Some(_), Some(n)) => Err(format!(
                "inject_yield must be a whole number of events, not {n}"
            )),
            (None, None) => Ok(None),
            _ => Err("inject_mass and inject_yield go together".into()),
        }
    }

    /// A parameter that is a non-empty list of numbers.
    pub fn many(&self, name: &str) -> Result<Option<Vec<f64>>, String> {
        match self.0.iter().find(|(n, _)| n == name) {
            None => Ok(None),
            Some((_, v)) if !v.is_empty() => Ok(Some(v.clone())),
            Some(_) => Err(format!("parameter `{name}` needs at least one value")),
        }
    }
}

/// SplitMix64: decorrelates seeds that differ in a few bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of one chunk: a function of (seed, generator, chunk) only.
fn chunk_rng(seed: u64, name: &str, chunk: u64) -> Pcg64Mcg {
    let name_hash = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let state = (u128::from(mix(seed ^ mix(name_hash))) << 64) | u128::from(mix(chunk ^ mix(seed)));
    Pcg64Mcg::new(state | 1)
}

fn process(
    name: &str,
    events: u64,
    params: &Params,
) -> Result<(Box<dyn Process>, &'static super::Generator), String> {
    let g = generator(name).ok_or_else(|| format!("unknown toy generator `{name}`"))?;
    for (p, _) in &params.0 {
        if !g.params.iter().any(|d| d.name == p) {
            return Err(format!("toy generator `{name}` has no parameter `{p}`"));
        }
    }
    let process: Box<dyn Process> = match name {
        "b_to_k_alp" => Box::new(super::b_to_k_alp::BToKAlp::new(false, params, events)?),
        "b_to_k_alp_signal" => Box::new(super::b_to_k_alp::BToKAlp::new(true, params, events)?),
        "idm_dark_higgs" => Box::new(super::idm_dark_higgs::IdmDarkHiggs::new(
            false, params, events,
        )?),
        "idm_dark_higgs_signal" => Box::new(super::idm_dark_higgs::IdmDarkHiggs::new(
            true, params, events,
        )?),
        "b_to_h_invisible" => Box::new(super::b_to_h_invisible::BToHInvisible::new(
            false, params, events,
        )?),
        "b_to_h_invisible_signal" => Box::new(super::b_to_h_invisible::BToHInvisible::new(
            true, params, events,
        )?),
        "ee_to_gamma_alp" => Box::new(super::ee_to_gamma_alp::EeToGammaAlp::new(
            false, params, events,
        )?),
        "ee_to_gamma_alp_signal" => Box::new(super::ee_to_gamma_alp::EeToGammaAlp::new(
            true, params, events,
        )?),
        "ee_to_mumu_zprime" => Box::new(super::ee_to_mumu_zprime::EeToMumuZprime::new(
            false, params, events,
        )?),
        "ee_to_mumu_zprime_signal" => Box::new(super::ee_to_mumu_zprime::EeToMumuZprime::new(
            true, params, events,
        )?),
        other => return Err(format!("toy generator `{other}` has no implementation")),
    };
    Ok((process, g))
}

/// A toy that cannot be generated as asked (`SL205`): an unknown generator, or
/// parameters it does not take.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ToyError(pub String);

impl ToyError {
    /// The diagnostic code, `SL205`.
    pub fn code(&self) -> &'static str {
        crate::diag::codes::TOY
    }
}

/// Generates `events` events, handing each chunk's rows to `sink` in chunk order.
pub fn generate<E>(
    name: &str,
    events: u64,
    seed: u64,
    params: &Params,
    mut sink: impl FnMut(ColumnTable) -> Result<(), E>,
) -> Result<Result<(), E>, ToyError> {
    let (process, g) = process(name, events, params).map_err(ToyError)?;
    let chunks = events.div_ceil(CHUNK_EVENTS);
    let mut start = 0;
    while start < chunks {
        let end = (start + WINDOW).min(chunks);
        let tables: Vec<ColumnTable> = (start..end)
            .into_par_iter()
            .map(|chunk| {
                let mut rng = chunk_rng(seed, name, chunk);
                let mut rows = Rows::new(g.columns);
                let first = chunk * CHUNK_EVENTS;
                for n in first..(first + CHUNK_EVENTS).min(events) {
                    rows.begin_event(n);
                    process.event(n, &mut rng, &mut rows);
                    rows.end_event();
                }
                rows.into_table()
            })
            .collect();
        for t in tables {
            if let Err(e) = sink(t) {
                return Ok(Err(e));
            }
        }
        start = end;
    }
    Ok(Ok(()))
}

/// Generates a whole sample in memory (small samples and tests).
pub fn generate_table(
    name: &str,
    events: u64,
    seed: u64,
    params: &Params,
) -> Result<ColumnTable, ToyError> {
    let mut table = ColumnTable::default();
    generate(name, events, seed, params, |t| {
        table.append(t);
        Ok::<(), ()>(())
    })?
    .expect("the in-memory sink never fails");
    if table.columns.is_empty() {
        let g = generator(name).expect("checked by generate");
        table = Rows::new(g.columns).into_table();
    }
    Ok(table)
}
