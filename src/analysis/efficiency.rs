//! Signal efficiencies per channel over the grid of generated points (masses, and
//! lifetimes): selected (weighted) candidates at a point over the events generated there —
//! for a signal toy in the channel's decay mode, for a sample from files as the spec says
//! — or efficiencies given by the spec; linear interpolation between grid masses.

use serde::{Deserialize, Serialize};

use super::collect::Candidates;
use crate::check::efficiency_source::{GeneratedPoint, GivenPoint, same_generated, same_point};
use crate::toy::{Params, truth};

/// The efficiency of one channel at one grid point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Point {
    /// Generated mass.
    pub mass: f64,
    /// Generated proper decay length, for grids over lifetimes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctau: Option<f64>,
    /// Selected (weighted) candidates (absent for given efficiencies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected: Option<f64>,
    /// Events generated at this point in the channel's decay mode (absent for given
    /// efficiencies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<f64>,
    /// selected / generated.
    #[serde(deserialize_with = "nan_from_null")]
    pub efficiency: f64,
    /// Binomial uncertainty from the size of the signal sample (with weights, its normal
    /// approximation √(((1−2ε)Σw² + ε²N)/N²)), or the given one.
    #[serde(deserialize_with = "nan_from_null")]
    pub uncertainty: f64,
    /// The efficiency under each weight or column variation (`systematics`), in spec
    /// order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variations: Vec<Varied>,
}

/// The efficiency at a point under one weight or column variation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Varied {
    /// The systematic.
    pub name: String,
    /// At +1σ.
    #[serde(deserialize_with = "nan_from_null")]
    pub up: f64,
    /// At −1σ.
    #[serde(deserialize_with = "nan_from_null")]
    pub down: f64,
}

/// Reads back a number that JSON holds as null because it was not finite.
fn nan_from_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// A channel's efficiencies over the grid.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EfficiencyTable {
    /// Channel name.
    pub channel: String,
    /// Grid points, by lifetime then mass.
    pub points: Vec<Point>,
}

/// Measures efficiencies from the selected candidates of signal toy `generator` (and
/// under each weight variation named in `variations`, whose varied weights the candidates
/// carry).
pub fn from_toy(
    candidates: &Candidates,
    channel_names: &[String],
    variations: &[String],
    generator: &str,
    params: &Params,
    events: u64,
) -> Result<Vec<EfficiencyTable>, String> {
    let masses = params
        .many("masses")?
        .ok_or_else(|| format!("the signal toy `{generator}` has no `masses` grid"))?;
    let truth = truth::signal_truth(generator)
        .ok_or_else(|| format!("`{generator}` is not a signal toy with a known truth"))?;
    let ctaus: Vec<Option<f64>> = match (truth.ctau_column, params.many("ctau")?) {
        (Some(_), Some(grid)) => grid.into_iter().map(Some).collect(),
        (Some(_), None) => vec![truth.default_ctau],
        (None, _) => vec![None],
    };
    let grid: Vec<(f64, Option<f64>)> = ctaus
        .iter()
        .flat_map(|&ctau| masses.iter().map(move |&m| (m, ctau)))
        .collect();
    // The decay modes selected in each channel.
    let modes: Vec<Vec<f64>> = candidates
        .channels
        .iter()
        .map(|c| {
            let mut modes: Vec<f64> = c.mode.iter().copied().filter(|m| m.is_finite()).collect();
            modes.sort_by(f64::total_cmp);
            modes.dedup();
            modes
        })
        .collect();
    // The toy's candidates off the grid (truth mass 0: not from the signal decay) count
    // at no point, as the generator's truth defines.
    measure(
        candidates,
        channel_names,
        variations,
        &grid,
        None,
        |c, mass, ctau| {
            modes[c]
                .iter()
                .filter_map(|&mode| truth::generated(generator, params, events, mass, ctau, mode))
                .sum()
        },
    )
}

/// Measures efficiencies from the selected candidates of a signal sample read from
/// files, generated at `points` (and under each weight variation, as [`from_toy`]).
pub fn from_files(
    candidates: &Candidates,
    channel_names: &[String],
    variations: &[String],
    points: &[GeneratedPoint],
    input: &str,
) -> Result<Vec<EfficiencyTable>, String> {
    let mut grid: Vec<(f64, Option<f64>)> = Vec::new();
    for p in points {
        if !grid
            .iter()
            .any(|&(m, t)| same_generated(m, t, p.mass, p.ctau))
        {
            grid.push((p.mass, p.ctau));
        }
    }
    grid.sort_by(|a, b| {
        a.1.unwrap_or(0.0)
            .total_cmp(&b.1.unwrap_or(0.0))
            .then(a.0.total_cmp(&b.0))
    });
    measure(
        candidates,
        channel_names,
        variations,
        &grid,
        Some(input),
        |c, mass, ctau| {
            points
                .iter()
                .filter(|p| same_generated(p.mass, p.ctau, mass, ctau))
                .filter(|p| {
                    p.channel
                        .as_ref()
                        .is_none_or(|name| *name == channel_names[c])
                })
                .map(|p| p.events)
                .sum()
        },
    )
}

/// Tables of efficiencies given by the spec.
pub fn given(points: &[GivenPoint], channel_names: &[String]) -> Vec<EfficiencyTable> {
    channel_names
        .iter()
        .map(|name| {
            let mut points: Vec<Point> = points
                .iter()
                .filter(|p| p.channel.as_ref().is_none_or(|c| c == name))
                .map(|p| Point {
                    mass: p.mass,
                    ctau: p.ctau,
                    selected: None,
                    generated: None,
                    efficiency: p.efficiency,
                    uncertainty: p.uncertainty,
                    variations: Vec::new(),
                })
                .collect();
            points.sort_by(|a, b| {
                a.ctau
                    .unwrap_or(0.0)
                    .total_cmp(&b.ctau.unwrap_or(0.0))
                    .then(a.mass.total_cmp(&b.mass))
            });
            EfficiencyTable {
                channel: name.clone(),
                points,
            }
        })
        .collect()
}

/// Selected candidates of each channel at each point of `grid` (by lifetime, then mass)
/// over `generated(channel, mass, ctau)`, and with the varied weights of each of
/// `variations`; a candidate generated off the grid is an error naming `refuse_off_grid`
/// (the input), or counts nowhere when that is None.
fn measure(
    candidates: &Candidates,
    channel_names: &[String],
    variations: &[String],
    grid: &[(f64, Option<f64>)],
    refuse_off_grid: Option<&str>,
    generated: impl Fn(usize, f64, Option<f64>) -> f64,
) -> Result<Vec<EfficiencyTable>, String> {
    let lifetimes = grid.first().is_some_and(|g| g.1.is_some());
    // Grid indices by mass, for a binary search of each candidate's point.
    let mut by_mass: Vec<usize> = (0..grid.len()).collect();
    by_mass.sort_by(|&a, &b| grid[a].0.total_cmp(&grid[b].0));
    let point_of = |mass: f64, ctau: Option<f64>| -> Option<usize> {
        let first = by_mass.partition_point(|&k| grid[k].0 < mass && !same_point(grid[k].0, mass));
        by_mass[first..]
            .iter()
            .copied()
            .take_while(|&k| same_point(grid[k].0, mass))
            .find(|&k| same_generated(grid[k].0, grid[k].1, mass, ctau))
    };
    candidates
        .channels
        .iter()
        .zip(channel_names)
        .enumerate()
        .map(|(index, (c, name))| {
            let mut sum = vec![0.0; grid.len()];
            let mut sum_sq = vec![0.0; grid.len()];
            // Per variation, up then down.
            let mut varied = vec![vec![0.0; grid.len()]; 2 * variations.len()];
            for i in 0..c.x.len() {
                let ctau = lifetimes.then(|| c.ctau.get(i).copied().unwrap_or(f64::NAN));
                let Some(k) = point_of(c.mass[i], ctau) else {
                    let Some(input) = refuse_off_grid else {
                        continue;
                    };
                    let lifetime = ctau.map_or(String::new(), |t| format!(" and ctau {t}"));
                    return Err(format!(
                        "a selected candidate of `{input}` was generated at mass {}{lifetime}, which is not one of its generated points (give each `files` entry its `mass`, or keep only truth-matched candidates)",
                        c.mass[i]
                    ));
                };
                sum[k] += c.weight[i];
                sum_sq[k] += c.weight[i] * c.weight[i];
                for (v, column) in varied.iter_mut().zip(&c.variations) {
                    v[k] += column[i];
                }
            }
            if let Some((v, _)) = varied
                .iter()
                .enumerate()
                .find(|(_, v)| v.iter().any(|s| !s.is_finite()))
            {
                return Err(format!(
                    "systematic `{}`: a selected candidate of channel `{name}` has a varied weight that is not a finite number",
                    variations[v / 2]
                ));
            }
            let points = grid
                .iter()
                .enumerate()
                .map(|(k, &(mass, ctau))| {
                    // Adding +0.0 turns the −0.0 of an empty float sum into 0.
                    let selected = 0.0 + sum[k];
                    let generated = generated(index, mass, ctau);
                    let efficiency = if generated > 0.0 { selected / generated } else { 0.0 };
                    let variance = ((1.0 - 2.0 * efficiency) * sum_sq[k]
                        + efficiency * efficiency * generated)
                        / (generated * generated);
                    let ratio = |s: f64| if generated > 0.0 { (0.0 + s) / generated } else { 0.0 };
                    Point {
                        mass,
                        ctau,
                        selected: Some(selected),
                        generated: Some(generated),
                        efficiency,
                        uncertainty: if generated > 0.0 { variance.max(0.0).sqrt() } else { 0.0 },
                        variations: variations
                            .iter()
                            .enumerate()
                            .map(|(v, name)| Varied {
                                name: name.clone(),
                                up: ratio(varied[2 * v][k]),
                                down: ratio(varied[2 * v + 1][k]),
                            })
                            .collect(),
                    }
                })
                .collect();
            Ok(EfficiencyTable {
                channel: name.clone(),
                points,
            })
        })
        .collect()
}

/// Adds to each point of `tables` the efficiencies under each column variation
/// (`columns`: name, the tables measured up, down), placing every variation in the order
/// of the spec's `systematics`.
pub fn add_column_variations(
    tables: &mut [EfficiencyTable],
    spec: &crate::spec::Spec,
    columns: &[(String, Vec<EfficiencyTable>, Vec<EfficiencyTable>)],
) {
    if columns.is_empty() {
        return;
    }
    for (c, table) in tables.iter_mut().enumerate() {
        for (k, point) in table.points.iter_mut().enumerate() {
            let mut weights = std::mem::take(&mut point.variations).into_iter();
            point.variations = spec
                .systematics
                .iter()
                .filter_map(|s| match &s.kind {
                    crate::spec::SystematicKind::Weight { .. } => weights.next(),
                    crate::spec::SystematicKind::Columns { .. } => {
                        let (name, up, down) = columns.iter().find(|v| v.0 == s.name.value)?;
                        Some(Varied {
                            name: name.clone(),
                            up: up[c].points[k].efficiency,
                            down: down[c].points[k].efficiency,
                        })
                    }
                    crate::spec::SystematicKind::McStat => None,
                })
                .collect();
        }
    }
}

impl EfficiencyTable {
    /// The efficiency at mass `m` (and lifetime `ctau`): linear between grid masses,
    /// the nearest grid value beyond them.
    pub fn at(&self, m: f64, ctau: Option<f64>) -> f64 {
        self.interpolate(m, ctau, |p| p.efficiency)
    }

    /// The efficiency's uncertainty at `m`, interpolated as [`EfficiencyTable::at`].
    pub fn uncertainty_at(&self, m: f64, ctau: Option<f64>) -> f64 {
        self.interpolate(m, ctau, |p| p.uncertainty)
    }

    /// The efficiency under weight variation `k` at `m` (up, down), interpolated as
    /// [`EfficiencyTable::at`].
    pub fn varied_at(&self, m: f64, ctau: Option<f64>, k: usize) -> (f64, f64) {
        let of = |up: bool| {
            self.interpolate(m, ctau, |p| {
                p.variations
                    .get(k)
                    .map_or(p.efficiency, |v| if up { v.up } else { v.down })
            })
        };
        (of(true), of(false))
    }

    /// `value` of the points at lifetime `ctau`, linear in mass between them and the
    /// nearest beyond them; 0 without points.
    fn interpolate(&self, m: f64, ctau: Option<f64>, value: impl Fn(&Point) -> f64) -> f64 {
        let points: Vec<&Point> = self.points.iter().filter(|p| p.ctau == ctau).collect();
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return 0.0;
        };
        if m <= first.mass {
            return value(first);
        }
        if m >= last.mass {
            return value(last);
        }
        let k = points
            .windows(2)
            .position(|w| w[0].mass <= m && m <= w[1].mass)
            .unwrap_or(0);
        let (a, b) = (points[k], points[k + 1]);
        let f = (m - a.mass) / (b.mass - a.mass);
        (1.0 - f) * value(a) + f * value(b)
    }

    /// The points at lifetime `ctau`, as a table in mass only (a fit scan's at that
    /// lifetime).
    pub fn at_lifetime(&self, ctau: Option<f64>) -> EfficiencyTable {
        EfficiencyTable {
            channel: self.channel.clone(),
            points: self
                .points
                .iter()
                .filter(|p| p.ctau == ctau)
                .map(|p| Point {
                    ctau: None,
                    ..p.clone()
                })
                .collect(),
        }
    }

    /// The tables `tables` at lifetime `ctau` ([`EfficiencyTable::at_lifetime`]).
    pub fn all_at_lifetime(tables: &[EfficiencyTable], ctau: Option<f64>) -> Vec<EfficiencyTable> {
        tables.iter().map(|t| t.at_lifetime(ctau)).collect()
    }

    /// The lifetimes of a scan's tables: those of the first (`[None]` without a lifetime
    /// grid or without tables).
    pub fn grid_lifetimes(tables: &[EfficiencyTable]) -> Vec<Option<f64>> {
        tables
            .first()
            .map_or_else(|| vec![None], EfficiencyTable::lifetimes)
    }

    /// The lifetimes on the grid (`[None]` without a lifetime grid).
    pub fn lifetimes(&self) -> Vec<Option<f64>> {
        let mut out: Vec<Option<f64>> = Vec::new();
        for p in &self.points {
            if !out.contains(&p.ctau) {
                out.push(p.ctau);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_linearly_and_holds_the_ends() {
        let point = |mass, efficiency| Point {
            mass,
            ctau: None,
            selected: None,
            generated: None,
            efficiency,
            uncertainty: 0.0,
            variations: Vec::new(),
        };
        let table = EfficiencyTable {
            channel: "c".into(),
            points: vec![point(1.0, 0.2), point(2.0, 0.4)],
        };
        assert!((table.at(1.5, None) - 0.3).abs() < 1e-12);
        assert_eq!(table.at(0.5, None), 0.2);
        assert_eq!(table.at(3.0, None), 0.4);
        assert_eq!(table.at(1.5, Some(1.0)), 0.0);
    }
}
