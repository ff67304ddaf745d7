//! Reads correctionlib JSON (schema version 2) into [`Correction`]s, checking what the
//! reference implementation checks and what it leaves undefined (a parameter index past
//! the list, a key twice), so that a bad file is an error naming where it is bad.
//!
//! Node types: `binning` (edges or `{n, low, high}`), `multibinning`, `category`,
//! `formula` (parser `TFormula`), `formularef`, `transform`, and numbers. `hashprng`
//! (random numbers from a hash, whose distributions depend on the C++ standard
//! library) and compound corrections are refused.

use super::correction::{Axis, Content, Correction, Flow, Input, InputKind, Keys};
use super::formula::Formula;
use super::json::Json;
use std::collections::HashMap;
use std::sync::Arc;

/// The corrections of a correctionlib file.
pub fn read(json: &Json) -> Result<Vec<Correction>, String> {
    match json.get("schema_version") {
        Some(Json::Integer(2)) => {}
        Some(v) => {
            return Err(format!(
                "schema_version is {}, and only version 2 is read",
                show(v)
            ));
        }
        None => return Err("no schema_version: not a correctionlib file".into()),
    }
    if json
        .get("compound_corrections")
        .and_then(Json::array)
        .is_some_and(|c| !c.is_empty())
    {
        return Err("compound corrections are not supported".into());
    }
    let list = json
        .get("corrections")
        .and_then(Json::array)
        .ok_or("no `corrections` list")?;
    let mut corrections: Vec<Correction> = Vec::new();
    for (k, c) in list.iter().enumerate() {
        let correction = correction(c).map_err(|e| {
            let name = c.get("name").and_then(Json::str).unwrap_or("?");
            format!("corrections[{k}] (`{name}`): {e}")
        })?;
        if corrections.iter().any(|c| c.name == correction.name) {
            return Err(format!("two corrections are named `{}`", correction.name));
        }
        corrections.push(correction);
    }
    Ok(corrections)
}

fn show(v: &Json) -> String {
    match v {
        Json::Integer(i) => i.to_string(),
        Json::Float(x) => x.to_string(),
        Json::Str(s) => format!("\"{s}\""),
        other => other.kind().into(),
    }
}

fn required<'a>(json: &'a Json, key: &str) -> Result<&'a Json, String> {
    json.get(key).ok_or_else(|| format!("missing `{key}`"))
}

fn string<'a>(json: &'a Json, key: &str) -> Result<&'a str, String> {
    required(json, key)?
        .str()
        .ok_or_else(|| format!("`{key}` must be a string"))
}

fn array<'a>(json: &'a Json, key: &str) -> Result<&'a [Json], String> {
    required(json, key)?
        .array()
        .ok_or_else(|| format!("`{key}` must be a list"))
}

fn number(json: &Json, what: &str) -> Result<f64, String> {
    json.number()
        .ok_or_else(|| format!("{what} must be a number, not {}", json.kind()))
}

fn correction(json: &Json) -> Result<Correction, String> {
    let name = string(json, "name")?.to_string();
    let version = match required(json, "version")? {
        Json::Integer(v) => i64::try_from(*v).map_err(|_| "`version` is too large")?,
        other => {
            return Err(format!(
                "`version` must be an integer, not {}",
                other.kind()
            ));
        }
    };
    let mut inputs: Vec<Input> = Vec::new();
    for (k, i) in array(json, "inputs")?.iter().enumerate() {
        let name = string(i, "name").map_err(|e| format!("inputs[{k}]: {e}"))?;
        let kind = match string(i, "type").map_err(|e| format!("inputs[{k}]: {e}"))? {
            "real" => InputKind::Real,
            "int" => InputKind::Int,
            "string" => InputKind::Str,
            other => {
                return Err(format!("inputs[{k}]: type `{other}` (real, int or string)"));
            }
        };
        if inputs.iter().any(|i| i.name == name) {
            return Err(format!("two inputs are named `{name}`"));
        }
        inputs.push(Input {
            name: name.into(),
            kind,
        });
    }
    let output = required(json, "output")?;
    if string(output, "type").map_err(|e| format!("output: {e}"))? != "real" {
        return Err("the output must be of type real".into());
    }
    let generic = match json.get("generic_formulas") {
        None | Some(Json::Null) => Vec::new(),
        Some(list) => list
            .array()
            .ok_or("`generic_formulas` must be a list")?
            .iter()
            .enumerate()
            .map(|(k, f)| formula(f, &inputs).map_err(|e| format!("generic_formulas[{k}]: {e}")))
            .collect::<Result<_, _>>()?,
    };
    let ctx = Context {
        inputs: &inputs,
        generic,
    };
    let data = ctx
        .content(required(json, "data")?, 0)
        .map_err(|e| format!("data{e}"))?;
    Ok(Correction {
        name,
        version,
        inputs,
        data,
    })
}

/// A formula node (without its parameters): the expression with its variables renamed
/// to input indices.
fn formula(json: &Json, inputs: &[Input]) -> Result<Formula, String> {
    let parser = string(json, "parser")?;
    if parser != "TFormula" {
        return Err(format!(
            "formula parser `{parser}` (only TFormula is supported)"
        ));
    }
    let expression = string(json, "expression")?;
    let parsed = Formula::parse(expression).map_err(|e| format!("formula `{expression}`: {e}"))?;
    let variables: Vec<usize> = array(json, "variables")?
        .iter()
        .map(|v| {
            let name = v.str().ok_or("`variables` must list input names")?;
            let i = input_index(inputs, name)?;
            if inputs[i].kind != InputKind::Real {
                return Err(format!(
                    "formula variable `{name}` is of type {}; formulas take real inputs",
                    inputs[i].kind.name()
                ));
            }
            Ok(i)
        })
        .collect::<Result<_, String>>()?;
    if let Some(k) = parsed.max_variable()
        && k >= variables.len()
    {
        return Err(format!(
            "formula `{expression}` uses variable {} but `variables` lists only {}",
            ["x", "y", "z", "t"]
                .get(k)
                .map_or(format!("x[{k}]"), |v| v.to_string()),
            variables.len()
        ));
    }
    Ok(parsed.with_variables(&variables))
}

fn input_index(inputs: &[Input], name: &str) -> Result<usize, String> {
    inputs
        .iter()
        .position(|i| i.name == name)
        .ok_or_else(|| format!("`{name}` is not an input of the correction"))
}

struct Context<'a> {
    inputs: &'a [Input],
    generic: Vec<Formula>,
}

/// Deeper nesting than this is refused.
const MAX_DEPTH: usize = 64;

impl Context<'_> {
    /// The content node `json`; errors start with the path below the caller's.
    fn content(&self, json: &Json, depth: usize) -> Result<Content, String> {
        if depth > MAX_DEPTH {
            return Err(": nested too deeply".into());
        }
        if let Some(x) = json.number() {
            if x.is_nan() {
                return Err(
                    ": a NaN value (a correction must be defined wherever it is binned)".into(),
                );
            }
            return Ok(Content::Value(x));
        }
        let kind = json.get("nodetype").and_then(Json::str).ok_or_else(|| {
            format!(
                ": {} is no content node (a number or an object with a nodetype)",
                json.kind()
            )
        })?;
        let at = |e: String| format!(": {e}");
        match kind {
            "binning" => self.binning(json, depth),
            "multibinning" => self.multibinning(json, depth),
            "category" => self.category(json, depth),
            "formula" => {
                let f = formula(json, self.inputs).map_err(at)?;
                let parameters = self.parameters(json, "parameters", false).map_err(at)?;
                self.checked_formula(f, parameters).map_err(at)
            }
            "formularef" => {
                let index = match required(json, "index").map_err(at)? {
                    Json::Integer(i) => usize::try_from(*i).ok(),
                    _ => None,
                };
                let f = index
                    .and_then(|i| self.generic.get(i))
                    .ok_or_else(|| at(format!("`index` names none of the {} generic formulas", self.generic.len())))?;
                let parameters = self.parameters(json, "parameters", true).map_err(at)?;
                self.checked_formula(f.clone(), parameters).map_err(at)
            }
            "transform" => {
                let input = input_index(self.inputs, string(json, "input").map_err(at)?).map_err(at)?;
                if self.inputs[input].kind == InputKind::Str {
                    return Err(at("a transform cannot replace a string input".into()));
                }
                Ok(Content::Transform {
                    input,
                    integer: self.inputs[input].kind == InputKind::Int,
                    rule: Box::new(
                        self.content(required(json, "rule").map_err(at)?, depth + 1)
                            .map_err(|e| format!(".rule{e}"))?,
                    ),
                    content: Box::new(
                        self.content(required(json, "content").map_err(at)?, depth + 1)
                            .map_err(|e| format!(".content{e}"))?,
                    ),
                })
            }
            "hashprng" => Err(at(
                "hashprng nodes are not supported (their random numbers depend on the C++ standard library)".into(),
            )),
            other => Err(at(format!("unknown nodetype `{other}`"))),
        }
    }

    fn parameters(&self, json: &Json, key: &str, required_list: bool) -> Result<Vec<f64>, String> {
        match json.get(key) {
            None if !required_list => Ok(Vec::new()),
            _ => array(json, key)?
                .iter()
                .map(|p| number(p, "a parameter"))
                .collect(),
        }
    }

    fn checked_formula(&self, f: Formula, parameters: Vec<f64>) -> Result<Content, String> {
        if let Some(k) = f.max_parameter()
            && k >= parameters.len()
        {
            return Err(format!(
                "the formula uses parameter [{k}] but {} are given",
                parameters.len()
            ));
        }
        Ok(Content::Formula {
            formula: Arc::new(f.compile()),
            parameters,
        })
    }

    fn numeric_input(&self, name: &str) -> Result<usize, String> {
        let i = input_index(self.inputs, name)?;
        if self.inputs[i].kind == InputKind::Str {
            return Err(format!("binning input `{name}` is a string"));
        }
        Ok(i)
    }

    fn axis(&self, json: &Json) -> Result<Axis, String> {
        match json {
            Json::Array(edges) => {
                let edges: Vec<f64> = edges
                    .iter()
                    .map(|e| match e {
                        Json::Str(s) if s == "inf" || s == "+inf" => Ok(f64::INFINITY),
                        Json::Str(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
                        other => number(other, "an edge"),
                    })
                    .collect::<Result<_, _>>()?;
                if edges.len() < 2 {
                    return Err("a binning needs two edges at least".into());
                }
                if let Some(w) = edges
                    .windows(2)
                    .find(|w| w[0].partial_cmp(&w[1]) != Some(std::cmp::Ordering::Less))
                {
                    return Err(format!(
                        "edges are not strictly increasing ({} then {})",
                        w[0], w[1]
                    ));
                }
                Ok(Axis::Edges(edges))
            }
            Json::Object(_) => {
                let n = match required(json, "n")? {
                    Json::Integer(n) if *n > 0 => {
                        usize::try_from(*n).map_err(|_| "`n` is too large")?
                    }
                    _ => return Err("`n` must be a positive integer".into()),
                };
                let low = number(required(json, "low")?, "`low`")?;
                let high = number(required(json, "high")?, "`high`")?;
                if !low.is_finite() || !high.is_finite() || low >= high {
                    return Err(format!(
                        "uniform binning from {low} to {high}: need finite low < high"
                    ));
                }
                Ok(Axis::Uniform { n, low, high })
            }
            other => Err(format!(
                "`edges` must be a list or {{n, low, high}}, not {}",
                other.kind()
            )),
        }
    }

    fn flow(&self, json: &Json, depth: usize) -> Result<Flow, String> {
        Ok(match json.get("flow") {
            None => Flow::Error,
            Some(Json::Str(s)) if s == "error" => Flow::Error,
            Some(Json::Str(s)) if s == "clamp" => Flow::Clamp,
            Some(Json::Str(s)) if s == "wrap" => Flow::Wrap,
            Some(Json::Str(s)) => {
                return Err(format!(
                    ": flow `{s}` (clamp, error, wrap or a content node)"
                ));
            }
            Some(node) => Flow::Content(Box::new(
                self.content(node, depth + 1)
                    .map_err(|e| format!(".flow{e}"))?,
            )),
        })
    }

    fn contents(&self, json: &Json, expected: usize, depth: usize) -> Result<Vec<Content>, String> {
        let items = array(json, "content").map_err(|e| format!(": {e}"))?;
        if items.len() != expected {
            return Err(format!(": {} contents for {expected} bins", items.len()));
        }
        items
            .iter()
            .enumerate()
            .map(|(k, c)| {
                self.content(c, depth + 1)
                    .map_err(|e| format!(".content[{k}]{e}"))
            })
            .collect()
    }

    fn binning(&self, json: &Json, depth: usize) -> Result<Content, String> {
        let at = |e: String| format!(": {e}");
        let input = self
            .numeric_input(string(json, "input").map_err(at)?)
            .map_err(at)?;
        let axis = self
            .axis(required(json, "edges").map_err(at)?)
            .map_err(at)?;
        let content = self.contents(json, axis.bins(), depth)?;
        let flow = self.flow(json, depth)?;
        Ok(Content::Binning {
            input,
            axis,
            content,
            flow,
        })
    }

    fn multibinning(&self, json: &Json, depth: usize) -> Result<Content, String> {
        let at = |e: String| format!(": {e}");
        let inputs: Vec<usize> = array(json, "inputs")
            .map_err(at)?
            .iter()
            .map(|i| self.numeric_input(i.str().ok_or("`inputs` must list input names")?))
            .collect::<Result<_, _>>()
            .map_err(at)?;
        let axes: Vec<Axis> = array(json, "edges")
            .map_err(at)?
            .iter()
            .enumerate()
            .map(|(k, e)| self.axis(e).map_err(|e| format!("edges[{k}]: {e}")))
            .collect::<Result<_, _>>()
            .map_err(at)?;
        if inputs.is_empty() || inputs.len() != axes.len() {
            return Err(at(format!(
                "{} inputs and {} edge lists",
                inputs.len(),
                axes.len()
            )));
        }
        let mut strides = vec![1; axes.len()];
        let mut total: usize = 1;
        for k in (0..axes.len()).rev() {
            strides[k] = total;
            total = total
                .checked_mul(axes[k].bins())
                .filter(|&t| t <= 1 << 28)
                .ok_or_else(|| at("too many bins".into()))?;
        }
        let content = self.contents(json, total, depth)?;
        let flow = self.flow(json, depth)?;
        Ok(Content::MultiBinning {
            inputs,
            axes,
            strides,
            content,
            flow,
        })
    }

    fn category(&self, json: &Json, depth: usize) -> Result<Content, String> {
        let at = |e: String| format!(": {e}");
        let input = input_index(self.inputs, string(json, "input").map_err(at)?).map_err(at)?;
        let items = array(json, "content").map_err(at)?;
        let mut str_keys = HashMap::new();
        let mut int_keys = HashMap::new();
        let mut content = Vec::with_capacity(items.len());
        for (k, item) in items.iter().enumerate() {
            let key = required(item, "key").map_err(|e| format!(".content[{k}]: {e}"))?;
            let fresh = match (key, self.inputs[input].kind) {
                (Json::Str(s), InputKind::Str) => str_keys.insert(s.clone(), k).is_none(),
                (Json::Integer(i), InputKind::Int) => {
                    let i =
                        i64::try_from(*i).map_err(|_| format!(".content[{k}]: key too large"))?;
                    int_keys.insert(i, k).is_none()
                }
                (key, kind) => {
                    return Err(format!(
                        ".content[{k}]: key {} for an input of type {}",
                        show(key),
                        kind.name()
                    ));
                }
            };
            if !fresh {
                return Err(format!(".content[{k}]: key {} appears twice", show(key)));
            }
            let value = required(item, "value").map_err(|e| format!(".content[{k}]: {e}"))?;
            content.push(
                self.content(value, depth + 1)
                    .map_err(|e| format!(".content[{k}].value{e}"))?,
            );
        }
        let default = match json.get("default") {
            None | Some(Json::Null) => None,
            Some(d) => Some(Box::new(
                self.content(d, depth + 1)
                    .map_err(|e| format!(".default{e}"))?,
            )),
        };
        let keys = match self.inputs[input].kind {
            InputKind::Str => Keys::Str(str_keys),
            InputKind::Int => Keys::Int(int_keys),
            InputKind::Real => {
                return Err(at(format!(
                    "category input `{}` is real; categories take string or int inputs",
                    self.inputs[input].name
                )));
            }
        };
        Ok(Content::Category {
            input,
            keys,
            content,
            default,
        })
    }
}
