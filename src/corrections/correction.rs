//! One correction: its inputs and the tree of content nodes that computes it, with
//! correctionlib's semantics (binnings, multi-binnings, categories, formulas, formula
//! references and transforms).

use super::formula::Compiled;
use std::collections::HashMap;
use std::sync::Arc;

/// The type of a correction input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A floating-point number.
    Real,
    /// An integer.
    Int,
    /// A string (a category key: a systematic variation, a working point).
    Str,
}

impl InputKind {
    /// The name correctionlib gives it.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Real => "real",
            InputKind::Int => "int",
            InputKind::Str => "string",
        }
    }
}

/// One input of a correction.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: InputKind,
}

/// A correction: a function of its inputs.
#[derive(Clone, Debug)]
pub struct Correction {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: i64,
    /// Its inputs, in order.
    pub inputs: Vec<Input>,
    /// The tree that computes it.
    pub(crate) data: Content,
}

/// What a bin index falls outside of.
#[derive(Clone, Debug)]
pub(crate) enum Flow {
    /// The nearest bin.
    Clamp,
    /// An evaluation error.
    Error,
    /// Periodic: the value folded into the range.
    Wrap,
    /// This content.
    Content(Box<Content>),
}

/// One axis of a binning.
#[derive(Clone, Debug)]
pub(crate) enum Axis {
    /// Strictly increasing edges; bins are [lo, hi).
    Edges(Vec<f64>),
    /// `n` equal bins from `low` to `high`.
    Uniform {
        /// Number of bins.
        n: usize,
        /// Lower edge.
        low: f64,
        /// Upper edge.
        high: f64,
    },
}

/// Where a value falls on an axis.
enum Bin {
    In(usize),
    Below,
    Above,
}

impl Axis {
    pub(crate) fn bins(&self) -> usize {
        match self {
            Axis::Edges(e) => e.len() - 1,
            Axis::Uniform { n, .. } => *n,
        }
    }

    fn range(&self) -> (f64, f64) {
        match self {
            Axis::Edges(e) => (e[0], e[e.len() - 1]),
            Axis::Uniform { low, high, .. } => (*low, *high),
        }
    }

    /// The bin of finite or infinite `x` (never NaN), as correctionlib finds it: the bin
    /// whose [lo, hi) holds it.
    fn find(&self, x: f64) -> Bin {
        match self {
            Axis::Edges(edges) => {
                let above = edges.partition_point(|&e| e <= x);
                if above == 0 {
                    Bin::Below
                } else if above == edges.len() {
                    Bin::Above
                } else {
                    Bin::In(above - 1)
                }
            }
            Axis::Uniform { n, low, high } => {
                if x < *low {
                    Bin::Below
                } else if x >= *high {
                    Bin::Above
                } else {
                    // correctionlib truncates n·(x − low)/(high − low); just below `high`
                    // that may round up to n (where it would read past the bins), the
                    // last bin here.
                    let norm = (x - low) / (high - low);
                    Bin::In(((*n as f64 * norm) as usize).min(n - 1))
                }
            }
        }
    }

    /// The bin of `x` under `flow`: `Ok(None)` means "use the flow content".
    fn locate(&self, x: f64, flow: &Flow, input: usize) -> Result<Option<usize>, EvalError> {
        let x = match flow {
            Flow::Wrap if x.is_finite() => {
                let (low, high) = self.range();
                let mut norm = (x - low) / (high - low);
                norm -= norm.floor();
                low + norm * (high - low)
            }
            _ => x,
        };
        Ok(match (self.find(x), flow) {
            (Bin::In(i), _) => Some(i),
            (Bin::Below, Flow::Clamp) => Some(0),
            (Bin::Above, Flow::Clamp) => Some(self.bins() - 1),
            (Bin::Below | Bin::Above, Flow::Content(_)) => None,
            (Bin::Below, Flow::Wrap) => Some(0),
            (Bin::Above, Flow::Wrap) => Some(self.bins() - 1),
            (_, Flow::Error) => {
                return Err(EvalError {
                    input,
                    value: x,
                    problem: Problem::OutOfRange,
                });
            }
        })
    }
}

/// The keys of a category node.
#[derive(Clone, Debug)]
pub(crate) enum Keys {
    /// String keys → index into the contents.
    Str(HashMap<String, usize>),
    /// Integer keys → index into the contents.
    Int(HashMap<i64, usize>),
}

/// A node of a correction's tree.
#[derive(Clone, Debug)]
pub(crate) enum Content {
    /// A number.
    Value(f64),
    /// Bins in one input.
    Binning {
        input: usize,
        axis: Axis,
        content: Vec<Content>,
        flow: Flow,
    },
    /// Bins in several inputs; the content is C-ordered (the last input fastest).
    MultiBinning {
        inputs: Vec<usize>,
        axes: Vec<Axis>,
        strides: Vec<usize>,
        content: Vec<Content>,
        flow: Flow,
    },
    /// A choice by the value of a string or integer input.
    Category {
        input: usize,
        keys: Keys,
        content: Vec<Content>,
        default: Option<Box<Content>>,
    },
    /// A formula whose variables are input indices, with its parameters.
    Formula {
        formula: Arc<Compiled>,
        parameters: Vec<f64>,
    },
    /// `content` evaluated with `input` replaced by the value of `rule` (rounded when
    /// the input is an integer).
    Transform {
        input: usize,
        integer: bool,
        rule: Box<Content>,
        content: Box<Content>,
    },
}

/// Why an evaluation failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Problem {
    /// Outside every bin of a binning with `flow: error`.
    OutOfRange,
    /// A key no category has, and no default.
    MissingKey,
    /// An integer input whose value is not an integer.
    NotInteger,
}

/// A failed evaluation: which input (index), with which value, and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalError {
    /// Index of the input.
    pub input: usize,
    /// Its value.
    pub value: f64,
    /// What went wrong.
    pub problem: Problem,
}

impl Correction {
    /// Describes an evaluation error in words.
    pub fn describe(&self, e: &EvalError) -> String {
        let input = &self.inputs[e.input].name;
        match e.problem {
            Problem::OutOfRange => format!(
                "its input `{input}` = {} lies outside its bins, which it refuses (flow: error; bins include their lower edge, not their upper one)",
                e.value
            ),
            Problem::MissingKey => format!(
                "its input `{input}` = {} is none of its keys and it has no default",
                e.value
            ),
            Problem::NotInteger => {
                format!("its integer input `{input}` has the value {}", e.value)
            }
        }
    }

    /// The same correction with string input `input` fixed to `key`: the categories on it
    /// resolved now, so that evaluating needs numbers only. Err: no such key and no default.
    pub fn fix(&self, input: usize, key: &str) -> Result<Correction, String> {
        fn walk(c: &Content, input: usize, key: &str) -> Result<Content, String> {
            let walk_box = |b: &Content| walk(b, input, key).map(Box::new);
            let walk_all = |v: &[Content]| -> Result<Vec<Content>, String> {
                v.iter().map(|c| walk(c, input, key)).collect()
            };
            Ok(match c {
                Content::Value(_) | Content::Formula { .. } => c.clone(),
                Content::Category {
                    input: i,
                    keys: Keys::Str(keys),
                    content,
                    default,
                } if *i == input => match (keys.get(key), default) {
                    (Some(&k), _) => walk(&content[k], input, key)?,
                    (None, Some(d)) => walk(d, input, key)?,
                    (None, None) => {
                        let mut known: Vec<&String> = keys.keys().collect();
                        known.sort();
                        return Err(format!(
                            "has no key `{key}` (keys: {})",
                            known
                                .iter()
                                .map(|k| k.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                },
                Content::Category {
                    input: i,
                    keys,
                    content,
                    default,
                } => Content::Category {
                    input: *i,
                    keys: keys.clone(),
                    content: walk_all(content)?,
                    default: default.as_deref().map(walk_box).transpose()?,
                },
                Content::Binning {
                    input: i,
                    axis,
                    content,
                    flow,
                } => Content::Binning {
                    input: *i,
                    axis: axis.clone(),
                    content: walk_all(content)?,
                    flow: fix_flow(flow, input, key)?,
                },
                Content::MultiBinning {
                    inputs,
                    axes,
                    strides,
                    content,
                    flow,
                } => Content::MultiBinning {
                    inputs: inputs.clone(),
                    axes: axes.clone(),
                    strides: strides.clone(),
                    content: walk_all(content)?,
                    flow: fix_flow(flow, input, key)?,
                },
                Content::Transform {
                    input: i,
                    integer,
                    rule,
                    content,
                } => Content::Transform {
                    input: *i,
                    integer: *integer,
                    rule: walk_box(rule)?,
                    content: walk_box(content)?,
                },
            })
        }
        fn fix_flow(flow: &Flow, input: usize, key: &str) -> Result<Flow, String> {
            Ok(match flow {
                Flow::Content(c) => Flow::Content(Box::new(walk(c, input, key)?)),
                other => other.clone(),
            })
        }
        Ok(Correction {
            data: walk(&self.data, input, key)?,
            ..self.clone()
        })
    }

    /// The value for numeric inputs `x` (one entry per input; string inputs' entries are
    /// ignored and must have been fixed with [`Correction::fix`]). A NaN numeric input
    /// gives NaN — never a bin's value (correctionlib would send it to a flow bin).
    pub fn evaluate(&self, x: &[f64]) -> Result<f64, EvalError> {
        debug_assert_eq!(x.len(), self.inputs.len());
        if self
            .inputs
            .iter()
            .zip(x)
            .any(|(i, v)| i.kind != InputKind::Str && v.is_nan())
        {
            return Ok(f64::NAN);
        }
        for (i, (input, &v)) in self.inputs.iter().zip(x).enumerate() {
            if input.kind == InputKind::Int && v.fract() != 0.0 {
                return Err(EvalError {
                    input: i,
                    value: v,
                    problem: Problem::NotInteger,
                });
            }
        }
        eval(&self.data, x)
    }
}

fn eval(c: &Content, x: &[f64]) -> Result<f64, EvalError> {
    match c {
        Content::Value(v) => Ok(*v),
        Content::Binning {
            input,
            axis,
            content,
            flow,
        } => match axis.locate(x[*input], flow, *input)? {
            Some(i) => eval(&content[i], x),
            None => flow_content(flow, x),
        },
        Content::MultiBinning {
            inputs,
            axes,
            strides,
            content,
            flow,
        } => {
            let mut index = 0;
            for ((&input, axis), stride) in inputs.iter().zip(axes).zip(strides) {
                match axis.locate(x[input], flow, input)? {
                    Some(i) => index += i * stride,
                    None => return flow_content(flow, x),
                }
            }
            eval(&content[index], x)
        }
        Content::Category {
            input,
            keys,
            content,
            default,
        } => {
            let v = x[*input];
            let found = match keys {
                Keys::Int(keys) => keys.get(&(v as i64)).copied(),
                Keys::Str(_) => None,
            };
            match (found, default) {
                (Some(k), _) => eval(&content[k], x),
                (None, Some(d)) => eval(d, x),
                (None, None) => Err(EvalError {
                    input: *input,
                    value: v,
                    problem: Problem::MissingKey,
                }),
            }
        }
        Content::Formula {
            formula,
            parameters,
        } => Ok(formula.evaluate(x, parameters)),
        Content::Transform {
            input,
            integer,
            rule,
            content,
        } => {
            let new = eval(rule, x)?;
            let mut changed = x.to_vec();
            // An integer input takes the rounded value (halves away from zero).
            changed[*input] = if *integer { new.round() } else { new };
            eval(content, &changed)
        }
    }
}

fn flow_content(flow: &Flow, x: &[f64]) -> Result<f64, EvalError> {
    match flow {
        Flow::Content(c) => eval(c, x),
        _ => unreachable!("only a content flow leaves the bins"),
    }
}
