//! Signal injection into the data for closure tests (`inputs.data.inject`): N generated
//! events of the signal sample at one point, drawn without replacement from the events
//! generated there (deterministically from the seed), enter the data as the selection
//! kept them — the drawn events that left a selected candidate add it, with its weight.

use rand::SeedableRng;
use rand_pcg::Pcg64Mcg;
use serde::Serialize;

use super::collect::Candidates;
use super::efficiency::EfficiencyTable;
use crate::check::efficiency_source::same_generated;

/// What an injection added to the data (in results.json).
#[derive(Clone, Debug, Serialize)]
pub struct Injected {
    /// The signal input.
    pub from: String,
    /// The generated mass.
    pub mass: f64,
    /// The generated lifetime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctau: Option<f64>,
    /// Generated events drawn.
    pub events: u64,
    /// The seed of the draw.
    pub seed: u64,
    /// Selected candidates added, per channel.
    pub selected: Vec<u64>,
    /// Fit scans: the median local significance of the injected events at their mass
    /// (Asimov, against the data without them; one POI for all channels).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_significance: Option<f64>,
}

/// The data with `events` generated events of `signal` at (`mass`, `ctau`) added. The
/// events generated at the point come from `efficiency` (its `generated` per channel);
/// `joint`: the channels share one count (a sample whose generated events are not split
/// by channel), so one draw serves all of them; else each channel draws from its own.
#[allow(clippy::too_many_arguments)]
pub fn inject(
    data: &Candidates,
    signal: &Candidates,
    efficiency: &[EfficiencyTable],
    joint: bool,
    mass: f64,
    ctau: Option<f64>,
    events: u64,
    seed: u64,
) -> Result<(Candidates, Vec<u64>), String> {
    let at_point = |m: f64, t: Option<f64>| same_generated(m, t, mass, ctau);
    let generated: Vec<f64> = efficiency
        .iter()
        .map(|table| {
            table
                .points
                .iter()
                .find(|p| at_point(p.mass, p.ctau))
                .and_then(|p| p.generated)
                .ok_or_else(|| {
                    format!(
                        "channel `{}` has no generated events at mass {mass}",
                        table.channel
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    // The selected candidates of each channel generated at the point, in order.
    let chosen: Vec<Vec<usize>> = signal
        .channels
        .iter()
        .map(|c| {
            (0..c.x.len())
                .filter(|&i| at_point(c.mass[i], c.ctau.get(i).copied()))
                .collect()
        })
        .collect();
    let draw = |pool: usize, total: f64, stream: u64| -> Result<Vec<bool>, String> {
        let total = total.round() as usize;
        let n = usize::try_from(events).unwrap_or(usize::MAX);
        if n > total {
            return Err(format!(
                "{events} events cannot be drawn from the {total} generated at mass {mass}"
            ));
        }
        if pool > total {
            return Err(format!(
                "{pool} selected candidates come from {total} generated events at mass {mass}: keep one candidate per event (best_candidate) to inject"
            ));
        }
        let mut rng = Pcg64Mcg::seed_from_u64(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let mut drawn = vec![false; pool];
        for k in rand::seq::index::sample(&mut rng, total, n) {
            if let Some(d) = drawn.get_mut(k) {
                *d = true;
            }
        }
        Ok(drawn)
    };
    let keep: Vec<Vec<bool>> = if joint {
        let pool: usize = chosen.iter().map(Vec::len).sum();
        let drawn = draw(pool, generated.first().copied().unwrap_or(0.0), 0)?;
        let mut start = 0;
        chosen
            .iter()
            .map(|c| {
                let part = drawn[start..start + c.len()].to_vec();
                start += c.len();
                part
            })
            .collect()
    } else {
        chosen
            .iter()
            .zip(&generated)
            .enumerate()
            .map(|(k, (c, &g))| draw(c.len(), g, k as u64 + 1))
            .collect::<Result<_, _>>()?
    };
    let mut out = data.clone();
    let mut selected = Vec::new();
    for ((target, source), (indices, keep)) in out
        .channels
        .iter_mut()
        .zip(&signal.channels)
        .zip(chosen.iter().zip(&keep))
    {
        let mut added = 0;
        for (&i, _) in indices.iter().zip(keep).filter(|(_, k)| **k) {
            target.x.push(source.x[i]);
            target.weight.push(source.weight[i]);
            added += 1;
        }
        selected.push(added);
    }
    Ok((out, selected))
}
