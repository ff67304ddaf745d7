//! Tables of numbers per signal point — efficiency tables, generated-event counts — as
//! CSV (a header row naming the columns) or JSON (a list of objects with those keys). A
//! row has a `mass`, optionally a `ctau` and a `channel` (text), and the value columns
//! the caller names; other columns are refused, so a misspelt header is not ignored.

use super::IoError;
use crate::diag::codes;
use std::collections::BTreeMap;
use std::path::Path;

/// One row of a point table.
#[derive(Clone, Debug, PartialEq)]
pub struct PointRow {
    /// Mass of the point.
    pub mass: f64,
    /// Proper decay length of the point, when the table has a `ctau` column.
    pub ctau: Option<f64>,
    /// Channel, when the table has a `channel` column.
    pub channel: Option<String>,
    /// The values of the requested columns, in the order asked for (None: optional
    /// column absent).
    pub values: Vec<Option<f64>>,
}

/// Reads a point table: `required` and `optional` value columns besides `mass`, `ctau`
/// and `channel`. JSON when the file name ends in `.json`, CSV otherwise.
pub fn read(path: &Path, required: &[&str], optional: &[&str]) -> Result<Vec<PointRow>, IoError> {
    let shown = path.display();
    let bytes = std::fs::read(path)
        .map_err(|e| IoError::new(codes::IO, format!("cannot read {shown}: {e}")))?;
    let records = if path.extension().is_some_and(|e| e == "json") {
        json_records(&bytes)
    } else {
        csv_records(&bytes)
    }
    .map_err(|m| IoError::new(codes::NOT_DATA, format!("{shown}: {m}")))?;
    if records.is_empty() {
        return Err(IoError::new(
            codes::NOT_DATA,
            format!("{shown} has no rows"),
        ));
    }
    let known: Vec<&str> = ["mass", "ctau", "channel"]
        .into_iter()
        .chain(required.iter().copied())
        .chain(optional.iter().copied())
        .collect();
    records
        .into_iter()
        .map(|(row, fields)| {
            let at = |m: String| IoError::new(codes::NOT_DATA, format!("{shown}, {row}: {m}"));
            if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
                return Err(at(format!(
                    "unknown column `{unknown}` (columns: {})",
                    known.join(", ")
                )));
            }
            let number = |name: &str| -> Result<Option<f64>, IoError> {
                match fields.get(name) {
                    None => Ok(None),
                    Some(Field::Text(t)) if t.trim().is_empty() => Ok(None),
                    Some(Field::Number(v)) if v.is_finite() => Ok(Some(*v)),
                    Some(Field::Text(t)) => match t.trim().parse::<f64>() {
                        Ok(v) if v.is_finite() => Ok(Some(v)),
                        _ => Err(at(format!("`{name}` is `{t}`, not a finite number"))),
                    },
                    Some(Field::Number(v)) => Err(at(format!("`{name}` is {v}"))),
                }
            };
            let mass = number("mass")?.ok_or_else(|| at("no `mass`".into()))?;
            let values = required
                .iter()
                .map(|name| {
                    number(name)?
                        .map(Some)
                        .ok_or_else(|| at(format!("no `{name}`")))
                })
                .chain(optional.iter().map(|name| number(name)))
                .collect::<Result<Vec<_>, _>>()?;
            let channel = match fields.get("channel") {
                None => None,
                Some(Field::Text(t)) => Some(t.trim().to_string()),
                Some(Field::Number(v)) => Some(v.to_string()),
            };
            Ok(PointRow {
                mass,
                ctau: number("ctau")?,
                channel,
                values,
            })
        })
        .collect()
}

/// A cell: CSV cells are text, JSON values numbers or text.
enum Field {
    Number(f64),
    Text(String),
}

/// Rows as (position for messages, column → cell).
type Records = Vec<(String, BTreeMap<String, Field>)>;

fn csv_records(bytes: &[u8]) -> Result<Records, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_string)
        .collect();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| e.to_string())?;
        let line = record.position().map_or(i as u64 + 2, |p| p.line());
        let fields = header
            .iter()
            .zip(record.iter())
            .map(|(k, v)| (k.clone(), Field::Text(v.to_string())))
            .collect();
        out.push((format!("line {line}"), fields));
    }
    Ok(out)
}

fn json_records(bytes: &[u8]) -> Result<Records, String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let rows = value
        .as_array()
        .ok_or("expected a list of objects such as [{\"mass\": 0.5, ...}]")?;
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let object = row
                .as_object()
                .ok_or_else(|| format!("entry {} is not an object", i + 1))?;
            let fields = object
                .iter()
                .map(|(k, v)| {
                    let field = match v {
                        serde_json::Value::Number(n) => {
                            Field::Number(n.as_f64().unwrap_or(f64::NAN))
                        }
                        serde_json::Value::String(s) => Field::Text(s.clone()),
                        other => Field::Text(other.to_string()),
                    };
                    (k.clone(), field)
                })
                .collect();
            Ok((format!("entry {}", i + 1), fields))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("searchlight-point-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn reads_csv_and_json_alike_and_names_the_bad_row() {
        let csv = write(
            "eff.csv",
            "# efficiencies\nmass, channel, efficiency, uncertainty\n0.5, mumu, 0.25, 0.01\n1.0, mumu, 0.30,\n",
        );
        let json = write(
            "eff.json",
            r#"[{"mass": 0.5, "channel": "mumu", "efficiency": 0.25, "uncertainty": 0.01},
                {"mass": 1.0, "channel": "mumu", "efficiency": 0.30}]"#,
        );
        let a = read(&csv, &["efficiency"], &["uncertainty"]).unwrap();
        let b = read(&json, &["efficiency"], &["uncertainty"]).unwrap();
        assert_eq!(a, b);
        assert_eq!(b[1].values, vec![Some(0.30), None]);
        let missing = write(
            "missing.csv",
            "mass,efficiency
0.5,0.2
1.0,
",
        );
        let e = read(&missing, &["efficiency"], &[]).unwrap_err();
        assert!(
            e.message.contains("line 3: no `efficiency`"),
            "{}",
            e.message
        );
        assert_eq!(b[0].channel.as_deref(), Some("mumu"));
        let typo = write("typo.csv", "mass,eficiency\n0.5,0.2\n");
        let e = read(&typo, &["efficiency"], &[]).unwrap_err();
        assert!(
            e.message.contains("unknown column `eficiency`"),
            "{}",
            e.message
        );
        let nan = write("nan.csv", "mass,events\nnan,10\n");
        assert!(read(&nan, &["events"], &[]).is_err());
    }
}
