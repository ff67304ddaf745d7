//! Signal efficiencies per channel over the signal toy's grid of masses (and lifetimes):
//! selected candidates at a grid point over the events generated there in the channel's
//! decay mode, and their linear interpolation between grid masses.

use serde::Serialize;

use super::collect::Candidates;
use crate::toy::{Params, truth};

/// The efficiency of one channel at one grid point.
#[derive(Clone, Debug, Serialize)]
pub struct Point {
    /// Generated mass.
    pub mass: f64,
    /// Generated proper decay length, for grids over lifetimes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ctau: Option<f64>,
    /// Selected (weighted) candidates.
    pub selected: f64,
    /// Events generated at this point in the channel's decay mode.
    pub generated: f64,
    /// selected / generated.
    pub efficiency: f64,
    /// Binomial uncertainty from the size of the signal sample.
    pub uncertainty: f64,
}

/// A channel's efficiencies over the grid.
#[derive(Clone, Debug, Serialize)]
pub struct Table {
    /// Channel name.
    pub channel: String,
    /// Grid points, by lifetime then mass.
    pub points: Vec<Point>,
}

/// Measures efficiencies from the selected candidates of signal toy `generator`.
pub fn measure(
    candidates: &Candidates,
    channel_names: &[String],
    generator: &str,
    params: &Params,
    events: u64,
) -> Result<Vec<Table>, String> {
    let masses = params
        .many("masses")?
        .ok_or_else(|| format!("the signal toy `{generator}` has no `masses` grid"))?;
    let truth = truth::signal_truth(generator)
        .ok_or_else(|| format!("`{generator}` is not a signal toy with a known truth"))?;
    let ctaus: Vec<Option<f64>> = match truth.ctau_column {
        Some(_) => params
            .many("ctau")?
            .unwrap_or_else(|| vec![1.0])
            .into_iter()
            .map(Some)
            .collect(),
        None => vec![None],
    };
    let tables = candidates
        .channels
        .iter()
        .zip(channel_names)
        .map(|(c, name)| {
            let mut modes: Vec<f64> = c.mode.iter().copied().filter(|m| m.is_finite()).collect();
            modes.sort_by(f64::total_cmp);
            modes.dedup();
            let mut points = Vec::new();
            for ctau in &ctaus {
                for &mass in &masses {
                    // Adding +0.0 turns the −0.0 of an empty float sum into 0.
                    let selected = 0.0
                        + (0..c.x.len())
                            .filter(|&i| c.mass[i] == mass && ctau.is_none_or(|t| c.ctau[i] == t))
                            .map(|i| c.weight[i])
                            .sum::<f64>();
                    let generated: f64 = modes
                        .iter()
                        .filter_map(|&mode| {
                            truth::generated(generator, params, events, mass, *ctau, mode)
                        })
                        .sum();
                    let efficiency = if generated > 0.0 {
                        selected / generated
                    } else {
                        0.0
                    };
                    let uncertainty = if generated > 0.0 {
                        (efficiency * (1.0 - efficiency).max(0.0) / generated).sqrt()
                    } else {
                        0.0
                    };
                    points.push(Point {
                        mass,
                        ctau: *ctau,
                        selected,
                        generated,
                        efficiency,
                        uncertainty,
                    });
                }
            }
            Table {
                channel: name.clone(),
                points,
            }
        })
        .collect();
    Ok(tables)
}

impl Table {
    /// The efficiency at mass `m` (and lifetime `ctau`): linear between grid masses,
    /// the nearest grid value beyond them.
    pub fn at(&self, m: f64, ctau: Option<f64>) -> f64 {
        let points: Vec<&Point> = self.points.iter().filter(|p| p.ctau == ctau).collect();
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return 0.0;
        };
        if m <= first.mass {
            return first.efficiency;
        }
        if m >= last.mass {
            return last.efficiency;
        }
        let k = points
            .windows(2)
            .position(|w| w[0].mass <= m && m <= w[1].mass)
            .unwrap_or(0);
        let (a, b) = (points[k], points[k + 1]);
        let f = (m - a.mass) / (b.mass - a.mass);
        (1.0 - f) * a.efficiency + f * b.efficiency
    }

    /// The table of a signal generated at one lifetime, as a table in mass only (for
    /// scans without a lifetime axis); an error for several lifetimes.
    pub fn at_one_lifetime(&mut self) -> Result<(), String> {
        let lifetimes = self.lifetimes();
        if lifetimes.len() > 1 {
            return Err(format!(
                "fit scans are in mass only, but the signal is generated at {} lifetimes: give the signal toy one `ctau`",
                lifetimes.len()
            ));
        }
        self.points.iter_mut().for_each(|p| p.ctau = None);
        Ok(())
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
            selected: 0.0,
            generated: 1.0,
            efficiency,
            uncertainty: 0.0,
        };
        let table = Table {
            channel: "c".into(),
            points: vec![point(1.0, 0.2), point(2.0, 0.4)],
        };
        assert!((table.at(1.5, None) - 0.3).abs() < 1e-12);
        assert_eq!(table.at(0.5, None), 0.2);
        assert_eq!(table.at(3.0, None), 0.4);
        assert_eq!(table.at(1.5, Some(1.0)), 0.0);
    }
}
