//! A HEPData submission from a run's results: one table of upper limits against the
//! scanned mass per channel (and lifetime), with the expected ±1σ/±2σ bands as
//! asymmetric errors and the observed limit when unblinded, the reinterpreted limits
//! likewise, the excluded regions of model planes, the signal efficiencies, and the
//! cutflow of the data.
//!
//! HEPData reads YAML; every document here is written in YAML flow style, which is JSON
//! syntax except for numbers: YAML 1.1 readers (PyYAML, which HEPData uses) take `1e-5`
//! for a string, so floats are always written with a decimal point and a signed
//! exponent (`1.0e-5`). `scripts/check_hepdata.py` validates the output with
//! hepdata-validator (run by `.ci/run`).

use crate::analysis::{ScanPoint, efficiency};
use crate::report::results::{RunResults, write_atomically};
use serde_json::{Value, json};
use std::path::Path;

/// A table: its submission entry and its data document.
struct HepdataTable {
    name: String,
    description: String,
    /// HEPData's `observables` keyword: `LIMIT`, `EFF` for efficiencies, or `N` for
    /// event counts.
    observable: &'static str,
    data: Value,
}

/// Writes the submission (submission.yaml and one file per table) into `dir`; returns
/// how many tables.
pub fn write(results: &RunResults, dir: &Path) -> std::io::Result<usize> {
    let mut tables = limit_tables(results);
    tables.extend(model_plane_tables(results));
    tables.extend(efficiency_tables(results));
    tables.extend(cutflow_table(results));
    std::fs::create_dir_all(dir)?;
    let mut submission = vec![json!({
        "comment": format!(
            "Upper limits and cutflow of `{}`, exported by searchlight {} from a run with provenance {}.",
            or(&results.analysis, "analysis"),
            env!("CARGO_PKG_VERSION"),
            or(&results.provenance.canonical_sha256, "unknown")
        ),
    })];
    for (i, t) in tables.iter().enumerate() {
        let file = format!("table_{}.yaml", i + 1);
        write_atomically(&dir.join(&file), format!("{}\n", flow(&t.data)).as_bytes())?;
        submission.push(json!({
            "name": t.name,
            "description": t.description,
            "keywords": [{"name": "observables", "values": [t.observable]}],
            "data_file": file,
        }));
    }
    let text: Vec<String> = submission.iter().map(flow).collect();
    write_atomically(
        &dir.join("submission.yaml"),
        format!("{}\n", text.join("\n---\n")).as_bytes(),
    )?;
    Ok(tables.len())
}

/// `text`, or `missing` when it is empty (a field the results lack).
fn or<'a>(text: &'a str, missing: &'a str) -> &'a str {
    if text.is_empty() { missing } else { text }
}

/// A value in YAML flow style (see the module comment on numbers).
fn flow(v: &Value) -> String {
    match v {
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(x)) => yaml_float(x),
            _ => n.to_string(),
        },
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(map) => format!(
            "{{{}}}",
            map.iter()
                .map(|(k, v)| format!("{}: {}", Value::String(k.clone()), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

/// The shortest exact decimal form of `x`, with a decimal point in the mantissa and a
/// signed exponent, as YAML 1.1 requires of floats.
fn yaml_float(x: f64) -> String {
    let text = format!("{x:?}");
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return text;
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = if exponent.starts_with('-') {
        exponent.to_string()
    } else {
        format!("+{exponent}")
    };
    format!("{mantissa}e{exponent}")
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|x| x.is_finite())
}

/// One limits table per channel and lifetime (points that failed are left out and
/// counted in the description).
fn limit_tables(results: &RunResults) -> Vec<HepdataTable> {
    let poi = results.poi.as_deref().unwrap_or("poi");
    let cl = results.cl.unwrap_or(0.0);
    let method = results.method.as_deref().unwrap_or("");
    // Groups in the order the scan lists them.
    let mut groups: Vec<(String, Vec<&ScanPoint>)> = Vec::new();
    for p in &results.scan {
        let mut key = p.channel.as_deref().unwrap_or("combined").to_string();
        if let Some(ctau) = finite(p.ctau) {
            key.push_str(&format!(", ctau = {ctau} cm"));
        }
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, points)) => points.push(p),
            None => groups.push((key, vec![p])),
        }
    }
    let mut out = Vec::new();
    for (group, points) in &groups {
        let ok: Vec<&ScanPoint> = points
            .iter()
            .copied()
            .filter(|p| p.status == "ok" && p.expected.is_some())
            .collect();
        let failed = points.len() - ok.len();
        let note = if failed > 0 {
            format!(" {failed} scan points whose fit failed are not listed.")
        } else {
            String::new()
        };
        out.push(HepdataTable {
            observable: "LIMIT",
            name: format!("Upper limits on {poi}, {group}"),
            description: format!(
                "{:.0}% CL upper limits on {poi} ({method}) against the mass hypothesis, {group}: expected median with the ±1σ and ±2σ bands as errors, and the observed limit where unblinded.{note}",
                cl * 100.0
            ),
            data: limits_data(&ok, poi, cl, |p| p.expected, |p| p.observed),
        });
        let reinterpreted: Vec<&str> = ok
            .first()
            .map(|p| p.reinterpreted.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for name in reinterpreted {
            out.push(HepdataTable {
                observable: "LIMIT",
                name: format!("Upper limits on {name}, {group}"),
                description: format!(
                    "The limits on {poi} reinterpreted as {:.0}% CL upper limits on {name}, {group}.{note}",
                    cl * 100.0
                ),
                data: limits_data(
                    &ok,
                    name,
                    cl,
                    |p| p.reinterpreted.get(name).and_then(|r| r.expected),
                    |p| p.reinterpreted.get(name).and_then(|r| r.observed),
                ),
            });
        }
    }
    out
}

fn limits_data(
    points: &[&ScanPoint],
    quantity: &str,
    cl: f64,
    expected: impl Fn(&ScanPoint) -> Option<[f64; 5]>,
    observed: impl Fn(&ScanPoint) -> Option<f64>,
) -> Value {
    let masses: Vec<Value> = points
        .iter()
        .map(|p| json!({"value": finite(Some(p.mass)).unwrap_or(0.0)}))
        .collect();
    let band: Vec<Value> = points
        .iter()
        .map(|p| {
            let e = expected(p).unwrap_or([0.0; 5]);
            // A band of zero width (a discrete expected count) is no error: HEPData
            // rejects all-zero uncertainties.
            let errors: Vec<Value> = [(1, 3, "expected 1 sigma"), (0, 4, "expected 2 sigma")]
                .into_iter()
                .filter(|&(lo, hi, _)| e[lo] != e[2] || e[hi] != e[2])
                .map(|(lo, hi, label)| {
                    json!({"asymerror": {"plus": e[hi] - e[2], "minus": e[lo] - e[2]}, "label": label})
                })
                .collect();
            if errors.is_empty() {
                json!({ "value": e[2] })
            } else {
                json!({ "value": e[2], "errors": errors })
            }
        })
        .collect();
    let qualifiers = json!([{"name": "CL", "value": format!("{cl}")}]);
    let mut dependent = vec![json!({
        "header": {"name": format!("expected upper limit on {quantity}")},
        "qualifiers": qualifiers,
        "values": band,
    })];
    if points.iter().all(|p| finite(observed(p)).is_some()) && !points.is_empty() {
        dependent.push(json!({
            "header": {"name": format!("observed upper limit on {quantity}")},
            "qualifiers": qualifiers,
            "values": points.iter().map(|p| json!({"value": finite(observed(p))})).collect::<Vec<_>>(),
        }));
    }
    json!({
        "independent_variables": [{"header": {"name": "mass hypothesis", "units": "GeV"}, "values": masses}],
        "dependent_variables": dependent,
    })
}

/// A hypothesis of a model plane: its mass, the expected excluded couplings' outer edges
/// and the observed ones.
type PlaneRow = (f64, (f64, f64), Option<(f64, f64)>);

/// One table per model plane and channel: at each hypothesis where the median expected
/// limit excludes a coupling, the lower and upper edges of the excluded couplings (the
/// outermost, where several intervals are excluded), expected and, unblinded, observed.
fn model_plane_tables(results: &RunResults) -> Vec<HepdataTable> {
    let cl = results.cl.unwrap_or(0.0);
    let mut out = Vec::new();
    for plane in &results.model_plane {
        for channel in &plane.channels {
            let group = channel.channel.as_deref().unwrap_or("combined");
            let outer = |i: &[[f64; 2]]| Some((i.first()?[0], i.last()?[1]));
            let rows: Vec<PlaneRow> = channel
                .masses
                .iter()
                .filter_map(|m| {
                    let expected = outer(&m.expected.as_ref()?[2])?;
                    Some((m.mass, expected, m.observed.as_deref().and_then(outer)))
                })
                .collect();
            if rows.is_empty() {
                continue;
            }
            let qualifiers = json!([{"name": "CL", "value": format!("{cl}")}]);
            let column = |name: String, value: &dyn Fn(&PlaneRow) -> f64| {
                json!({
                    "header": {"name": name},
                    "qualifiers": qualifiers,
                    "values": rows.iter().map(|r| json!({"value": value(r)})).collect::<Vec<_>>(),
                })
            };
            let coupling = &plane.coupling;
            let mut dependent = vec![
                column(
                    format!("expected lower edge of the excluded {coupling}"),
                    &|r| r.1.0,
                ),
                column(
                    format!("expected upper edge of the excluded {coupling}"),
                    &|r| r.1.1,
                ),
            ];
            if rows.iter().all(|r| r.2.is_some()) {
                let edge = |r: &PlaneRow| r.2.unwrap_or((0.0, 0.0));
                dependent.push(column(
                    format!("observed lower edge of the excluded {coupling}"),
                    &|r| edge(r).0,
                ));
                dependent.push(column(
                    format!("observed upper edge of the excluded {coupling}"),
                    &|r| edge(r).1,
                ));
            }
            out.push(HepdataTable {
                observable: "LIMIT",
                name: format!("Excluded {coupling} against the mass, {group}"),
                description: format!(
                    "{:.0}% CL exclusion in the plane of the mass hypothesis and {coupling}, {group}: at each mass where the median expected limit excludes couplings, the lower and upper edges of the excluded range (the outermost edges where several ranges are excluded; all intervals and the ±1σ/±2σ bands are in results.json).",
                    cl * 100.0
                ),
                data: json!({
                    "independent_variables": [{"header": {"name": "mass hypothesis", "units": "GeV"}, "values": rows.iter().map(|r| json!({"value": r.0})).collect::<Vec<_>>()}],
                    "dependent_variables": dependent,
                }),
            });
        }
    }
    out
}

/// `x` rounded to `digits` significant digits (weighted sums carry rounding noise in
/// their last digits, which a table should not print).
fn significant(x: f64, digits: usize) -> f64 {
    format!("{x:.*e}", digits.saturating_sub(1))
        .parse()
        .unwrap_or(x)
}

/// The signal efficiency per channel at its generated points, with its statistical
/// uncertainty and the change under each systematic weight variation as errors (measured
/// efficiencies only; given ones are the spec's).
fn efficiency_tables(results: &RunResults) -> Vec<HepdataTable> {
    let mut out = Vec::new();
    for table in &results.efficiency {
        let points: Vec<&efficiency::Point> = table
            .points
            .iter()
            .filter(|p| finite(p.generated).is_some())
            .collect();
        if points.is_empty() {
            continue;
        }
        let channel = &table.channel;
        let lifetimes = points.iter().any(|p| finite(p.ctau).is_some());
        let values: Vec<Value> = points
            .iter()
            .map(|p| {
                let e = finite(Some(p.efficiency)).unwrap_or(0.0);
                let mut errors: Vec<Value> = finite(Some(p.uncertainty))
                    .filter(|u| *u > 0.0)
                    .map(|u| json!({"symerror": significant(u, 4), "label": "stat (signal sample size)"}))
                    .into_iter()
                    .collect();
                for v in &p.variations {
                    let (up, down) = (
                        finite(Some(v.up)).unwrap_or(e) - e,
                        finite(Some(v.down)).unwrap_or(e) - e,
                    );
                    if up != 0.0 || down != 0.0 {
                        errors.push(json!({
                            "asymerror": {"plus": significant(up, 4), "minus": significant(down, 4)},
                            "label": format!("sys {}", v.name),
                        }));
                    }
                }
                match errors.is_empty() {
                    true => json!({"value": significant(e, 6)}),
                    false => json!({"value": significant(e, 6), "errors": errors}),
                }
            })
            .collect();
        let mut independent = vec![json!({
            "header": {"name": "generated mass", "units": "GeV"},
            "values": points.iter().map(|p| json!({"value": finite(Some(p.mass)).unwrap_or(0.0)})).collect::<Vec<_>>(),
        })];
        if lifetimes {
            independent.push(json!({
                "header": {"name": "generated c tau", "units": "cm"},
                "values": points.iter().map(|p| json!({"value": finite(p.ctau).unwrap_or(0.0)})).collect::<Vec<_>>(),
            }));
        }
        out.push(HepdataTable {
            observable: "EFF",
            name: format!("Signal efficiency, {channel}"),
            description: format!(
                "Signal efficiency in channel {channel} at each generated point (selected over generated), with its statistical uncertainty and the change under each systematic weight variation."
            ),
            data: json!({
                "independent_variables": independent,
                "dependent_variables": [{"header": {"name": "signal efficiency"}, "values": values}],
            }),
        });
    }
    out
}

/// The cutflow of the data, per channel.
fn cutflow_table(results: &RunResults) -> Option<HepdataTable> {
    let channels = results.cutflow.as_ref()?;
    let (_, first) = channels.iter().next()?;
    let steps: Vec<Value> = first.iter().map(|r| json!({"value": r.step})).collect();
    let dependent: Vec<Value> = channels
        .iter()
        .filter(|(_, rows)| rows.len() == steps.len())
        .map(|(channel, rows)| {
            json!({
                "header": {"name": "events"},
                "qualifiers": [{"name": "channel", "value": channel}],
                "values": rows.iter()
                    .map(|r| json!({"value": r.weighted.map(|w| significant(w, 6))}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    Some(HepdataTable {
        observable: "N",
        name: "Cutflow".into(),
        description: "Events of the data sample after each selection step and veto, per channel."
            .into(),
        data: json!({
            "independent_variables": [{"header": {"name": "selection step"}, "values": steps}],
            "dependent_variables": dependent,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::yaml_float;

    #[test]
    fn floats_read_as_floats_in_yaml_1_1() {
        assert_eq!(yaml_float(1e-5), "1.0e-5");
        assert_eq!(yaml_float(3.6e-8), "3.6e-8");
        assert_eq!(yaml_float(1e21), "1.0e+21");
        assert_eq!(yaml_float(0.25), "0.25");
        assert_eq!(yaml_float(5.0), "5.0");
    }
}
