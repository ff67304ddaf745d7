//! Belle II-style correction tables as CSV: one row per bin of one to three variables,
//! with the data/MC ratio and its statistical and systematic uncertainties up and down,
//! read into a [`Correction`] whose last input, `variation`, picks the value:
//!
//! ```text
//! p_min,p_max,cosTheta_min,cosTheta_max,value,stat_up,stat_down,sys_up,sys_down
//! 0.5,1.5,-0.5,0.5,0.97,0.01,0.01,0.02,0.02
//! ```
//!
//! Bin columns come in pairs `<var>_min`, `<var>_max`; the value column is `value` (or
//! `data_MC_ratio`), the uncertainties `stat_up`, `stat_down`, `sys_up`, `sys_down` (or
//! `data_MC_uncertainty_stat_up`, `…_stat_dn`, `…_sys_up`, `…_sys_dn`), as positive
//! magnitudes. The rows must tile a grid (every combination of the variables' bins once);
//! a value outside it is an error (`flow: error`). `variation` is one of `nominal`,
//! `stat_up`, `stat_down`, `sys_up`, `sys_down`, `up` and `down` (the two added in
//! quadrature).

use super::correction::{Axis, Content, Correction, Flow, Input, InputKind, Keys};
use std::collections::HashMap;

/// The variations a table offers, in order.
pub const VARIATIONS: &[&str] = &[
    "nominal",
    "stat_up",
    "stat_down",
    "sys_up",
    "sys_down",
    "up",
    "down",
];

const COLUMNS: &[(&str, &[&str])] = &[
    ("value", &["value", "data_MC_ratio"]),
    ("stat_up", &["stat_up", "data_MC_uncertainty_stat_up"]),
    ("stat_down", &["stat_down", "data_MC_uncertainty_stat_dn"]),
    ("sys_up", &["sys_up", "data_MC_uncertainty_sys_up"]),
    ("sys_down", &["sys_down", "data_MC_uncertainty_sys_dn"]),
];

/// Reads a table named `name`.
pub fn read(name: &str, bytes: &[u8]) -> Result<Correction, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("bad header: {e}"))?
        .iter()
        .map(str::to_string)
        .collect();
    let position = |aliases: &[&str]| header.iter().position(|h| aliases.contains(&h.as_str()));
    let mut value_columns = Vec::new();
    for (what, aliases) in COLUMNS {
        value_columns.push(
            position(aliases)
                .ok_or_else(|| format!("no `{what}` column (header: {})", header.join(",")))?,
        );
    }
    let mut variables: Vec<(String, usize, usize)> = Vec::new();
    for (k, h) in header.iter().enumerate() {
        if value_columns.contains(&k) {
            continue;
        }
        if let Some(var) = h.strip_suffix("_min") {
            let max = position(&[&format!("{var}_max")])
                .ok_or_else(|| format!("column `{h}` has no `{var}_max`"))?;
            variables.push((var.to_string(), k, max));
        } else if !h.ends_with("_max") {
            return Err(format!(
                "unknown column `{h}` (bins as <var>_min,<var>_max; value, stat_up, stat_down, sys_up, sys_down)"
            ));
        } else if position(&[&format!("{}_min", h.trim_end_matches("_max"))]).is_none() {
            return Err(format!("column `{h}` has no matching `_min`"));
        }
    }
    if variables.is_empty() || variables.len() > 3 {
        return Err(format!(
            "{} binned variables; a table has one to three",
            variables.len()
        ));
    }
    // Per row: its line, each variable's (min, max), and the value with its four
    // uncertainties.
    type Row = (usize, Vec<(f64, f64)>, [f64; 5]);
    let mut rows: Vec<Row> = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let line = r + 2;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let field = |k: usize| -> Result<f64, String> {
            let text = record.get(k).unwrap_or("");
            let x: f64 = text.parse().map_err(|_| {
                format!(
                    "line {line}, column `{}`: `{text}` is not a number",
                    header[k]
                )
            })?;
            if x.is_nan() {
                return Err(format!("line {line}, column `{}` is NaN", header[k]));
            }
            Ok(x)
        };
        let bins = variables
            .iter()
            .map(|(var, lo, hi)| {
                let (lo, hi) = (field(*lo)?, field(*hi)?);
                if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
                    return Err(format!(
                        "line {line}: `{var}` bin from {lo} to {hi} is empty"
                    ));
                }
                Ok((lo, hi))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut values = [0.0; 5];
        for (v, &k) in values.iter_mut().zip(&value_columns) {
            *v = field(k)?;
        }
        if let Some(k) = values[1..].iter().position(|&u| u < 0.0) {
            return Err(format!(
                "line {line}: uncertainty `{}` is negative (give magnitudes)",
                COLUMNS[k + 1].0
            ));
        }
        // A correction factor is not negative, nor at −1σ.
        let lowest = values[0] - values[2].hypot(values[4]);
        if lowest < 0.0 {
            return Err(format!(
                "line {line}: the value {} minus its downward uncertainties is {lowest}, and a correction factor cannot be negative",
                values[0]
            ));
        }
        rows.push((line, bins, values));
    }
    if rows.is_empty() {
        return Err("the table has no rows".into());
    }
    // Each variable's edges, from its bins.
    let mut axes = Vec::new();
    for (v, (var, ..)) in variables.iter().enumerate() {
        let mut bins: Vec<(f64, f64)> = rows.iter().map(|(_, b, _)| b[v]).collect();
        bins.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        bins.dedup();
        let mut edges = vec![bins[0].0];
        for w in bins.windows(2) {
            if w[0].1 != w[1].0 {
                return Err(format!(
                    "`{var}` bins [{}, {}) and [{}, {}) overlap or leave a gap: the rows must tile a grid",
                    w[0].0, w[0].1, w[1].0, w[1].1
                ));
            }
        }
        edges.extend(bins.iter().map(|b| b.1));
        axes.push(edges);
    }
    let strides: Vec<usize> = (0..axes.len())
        .map(|k| axes[k + 1..].iter().map(|e| e.len() - 1).product())
        .collect();
    // Every cell once: no more cells than rows (checked before allocating the grid).
    let total = axes
        .iter()
        .try_fold(1usize, |t, e| t.checked_mul(e.len() - 1))
        .filter(|&t| t <= rows.len())
        .ok_or("the rows do not cover every combination of the bins (a grid with holes)")?;
    let mut grid: Vec<Option<(usize, [f64; 5])>> = vec![None; total];
    for (line, bins, values) in &rows {
        let index: usize = bins
            .iter()
            .zip(&axes)
            .zip(&strides)
            .map(|((b, edges), s)| edges.partition_point(|&e| e < b.0) * s)
            .sum();
        if let Some((first, _)) = grid[index].replace((*line, *values)) {
            let at: Vec<String> = variables
                .iter()
                .zip(bins)
                .map(|((var, ..), (lo, hi))| format!("{var} in [{lo}, {hi})"))
                .collect();
            return Err(format!(
                "lines {first} and {line} are both the bin {}",
                at.join(", ")
            ));
        }
    }
    let cells: Vec<[f64; 5]> = grid
        .into_iter()
        .map(|cell| cell.map(|(_, values)| values))
        .collect::<Option<_>>()
        .ok_or("the rows do not cover every combination of the bins (a grid with holes)")?;
    let pick: [fn(&[f64; 5]) -> f64; 7] = [
        |c| c[0],
        |c| c[0] + c[1],
        |c| c[0] - c[2],
        |c| c[0] + c[3],
        |c| c[0] - c[4],
        |c| c[0] + c[1].hypot(c[3]),
        |c| c[0] - c[2].hypot(c[4]),
    ];
    let n = variables.len();
    let binned = |f: fn(&[f64; 5]) -> f64| Content::MultiBinning {
        inputs: (0..n).collect(),
        axes: axes.iter().map(|e| Axis::Edges(e.clone())).collect(),
        strides: strides.clone(),
        content: cells.iter().map(|c| Content::Value(f(c))).collect(),
        flow: Flow::Error,
    };
    let mut inputs: Vec<Input> = variables
        .iter()
        .map(|(var, ..)| Input {
            name: var.clone(),
            kind: InputKind::Real,
        })
        .collect();
    inputs.push(Input {
        name: "variation".into(),
        kind: InputKind::Str,
    });
    Ok(Correction {
        name: name.to_string(),
        version: 1,
        inputs,
        data: Content::Category {
            input: n,
            keys: Keys::Str(
                VARIATIONS
                    .iter()
                    .enumerate()
                    .map(|(k, v)| (v.to_string(), k))
                    .collect::<HashMap<_, _>>(),
            ),
            content: pick.iter().map(|&f| binned(f)).collect(),
            default: None,
        },
    })
}
