//! Evaluates expressions over a chunk of columns, element by element.
//!
//! Conditions use three-valued logic so that NaN never passes a cut silently: a comparison
//! with NaN is *undefined* (stored as NaN), `not` of undefined stays undefined, `and` is
//! false if either side is false and otherwise undefined if either is, `or` is true if
//! either side is true and otherwise undefined if either is. A cut keeps a candidate only
//! when it is true (1.0); the cutflow counts the undefined ones.

use crate::expr::{BinOp, Expr, ExprKind, UnaryOp, apply_function, function};
use crate::io::table::Table;
use crate::mva::forest::Forest;
use std::collections::HashMap;

/// What a name in a data expression stands for, resolved before execution.
#[derive(Clone, Debug)]
pub enum Binding {
    /// A column of the input table (branch name).
    Column(String),
    /// A constant.
    Constant(f64),
    /// An alias: evaluate this expression.
    Alias(Box<Expr>),
    /// A classifier's output: evaluate the features, then the forest.
    Mva(std::sync::Arc<MvaBinding>),
}

/// A loaded classifier and the expressions of its features, in the model's order.
#[derive(Debug)]
pub struct MvaBinding {
    /// The trees.
    pub forest: Forest,
    /// Feature expressions.
    pub features: Vec<Expr>,
    /// Output the raw margin instead of the probability.
    pub margin: bool,
}

/// Name resolution for execution: names and basf2 calls (canonical text) → bindings.
pub type Bindings = HashMap<String, Binding>;

/// A chunk being evaluated, with a cache of evaluated aliases.
pub struct Frame<'a> {
    table: &'a Table,
    bindings: &'a Bindings,
    cache: HashMap<String, std::rc::Rc<Vec<f64>>>,
}

const TRUE: f64 = 1.0;
const FALSE: f64 = 0.0;

fn truth(b: bool) -> f64 {
    if b { TRUE } else { FALSE }
}

impl<'a> Frame<'a> {
    /// A frame over `table`.
    pub fn new(table: &'a Table, bindings: &'a Bindings) -> Self {
        Frame {
            table,
            bindings,
            cache: HashMap::new(),
        }
    }

    /// Rows in the chunk.
    pub fn rows(&self) -> usize {
        self.table.rows()
    }

    fn named(&mut self, key: &str) -> std::rc::Rc<Vec<f64>> {
        if let Some(v) = self.cache.get(key) {
            return v.clone();
        }
        let values = match self.bindings.get(key) {
            Some(Binding::Column(branch)) => {
                let col = self
                    .table
                    .column(branch)
                    .expect("planner checked every column is read");
                (0..col.len()).map(|i| col.get_f64(i)).collect()
            }
            Some(Binding::Constant(c)) => vec![*c; self.rows()],
            Some(Binding::Alias(e)) => {
                let e = e.clone();
                self.eval(&e)
            }
            Some(Binding::Mva(m)) => {
                let m = m.clone();
                let features: Vec<Vec<f64>> = m.features.iter().map(|f| self.eval(f)).collect();
                let columns: Vec<&[f64]> = features.iter().map(Vec::as_slice).collect();
                m.forest.predict(&columns, 0, m.margin)
            }
            None => unreachable!("planner resolved `{key}`"),
        };
        let rc = std::rc::Rc::new(values);
        self.cache.insert(key.to_string(), rc.clone());
        rc
    }

    /// Values of `e` for every row (conditions as 1.0 / 0.0 / NaN).
    pub fn eval(&mut self, e: &Expr) -> Vec<f64> {
        let n = self.rows();
        match &e.kind {
            ExprKind::Number(v, unit) => vec![v * unit.map_or(1.0, |u| u.to_base()); n],
            ExprKind::Name(name) => self.named(name).as_ref().clone(),
            ExprKind::Call(name, _) if function(name).is_none() => {
                self.named(&crate::expr::print(e)).as_ref().clone()
            }
            ExprKind::Raw(_) => vec![f64::NAN; n],
            ExprKind::Call(name, args) => {
                let values: Vec<Vec<f64>> = args.iter().map(|a| self.eval(a)).collect();
                let mut out = Vec::with_capacity(n);
                let mut scratch = vec![0.0; values.len()];
                for i in 0..n {
                    for (s, v) in scratch.iter_mut().zip(&values) {
                        *s = v[i];
                    }
                    out.push(match name.as_str() {
                        "isnan" => truth(scratch[0].is_nan()),
                        "ifelse" if scratch[0].is_nan() => f64::NAN,
                        _ => apply_function(name, &scratch),
                    });
                }
                out
            }
            ExprKind::Unary(UnaryOp::Neg, x) => self.eval(x).into_iter().map(|v| -v).collect(),
            ExprKind::Unary(UnaryOp::Not, x) => self
                .eval(x)
                .into_iter()
                .map(|v| if v.is_nan() { v } else { truth(v == FALSE) })
                .collect(),
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.eval(a), self.eval(b));
                a.into_iter()
                    .zip(b)
                    .map(|(x, y)| binary(*op, x, y))
                    .collect()
            }
            ExprKind::Compare(first, rest) => {
                let mut left = self.eval(first);
                let mut out = vec![TRUE; n];
                for (op, x) in rest {
                    let right = self.eval(x);
                    for i in 0..n {
                        let r = if left[i].is_nan() || right[i].is_nan() {
                            f64::NAN
                        } else {
                            truth(op.apply(left[i], right[i]))
                        };
                        out[i] = and(out[i], r);
                    }
                    left = right;
                }
                out
            }
            ExprKind::Window {
                value,
                low,
                high,
                negated,
            } => {
                let (v, lo, hi) = (self.eval(value), self.eval(low), self.eval(high));
                (0..n)
                    .map(|i| {
                        if v[i].is_nan() || lo[i].is_nan() || hi[i].is_nan() {
                            f64::NAN
                        } else {
                            truth((lo[i] <= v[i] && v[i] <= hi[i]) != *negated)
                        }
                    })
                    .collect()
            }
        }
    }
}

fn and(x: f64, y: f64) -> f64 {
    if x == FALSE || y == FALSE {
        FALSE
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        TRUE
    }
}

fn binary(op: BinOp, x: f64, y: f64) -> f64 {
    match op {
        BinOp::And => and(x, y),
        BinOp::Or => {
            if x == TRUE || y == TRUE {
                TRUE
            } else if x.is_nan() || y.is_nan() {
                f64::NAN
            } else {
                FALSE
            }
        }
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Pow => x.powf(y),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_text;
    use crate::io::table::{Column, ColumnData};

    #[test]
    fn nan_never_passes_a_cut() {
        let table = Table {
            columns: vec![Column {
                name: "x".into(),
                data: ColumnData::F64(vec![1.0, f64::NAN, 7.0]),
            }],
        };
        let bindings: Bindings = [("x".to_string(), Binding::Column("x".into()))].into();
        let mut frame = Frame::new(&table, &bindings);
        let eval = |f: &mut Frame, s: &str| f.eval(&parse_text(s).unwrap());
        assert_eq!(eval(&mut frame, "x < 5")[0], 1.0);
        assert!(eval(&mut frame, "x < 5")[1].is_nan());
        assert!(
            eval(&mut frame, "not x < 5")[1].is_nan(),
            "negation does not make NaN pass"
        );
        let both = eval(&mut frame, "x < 5 and x > 6");
        assert!(both[0] == 0.0 && both[1].is_nan() && both[2] == 0.0);
        assert_eq!(eval(&mut frame, "x > 6 or isnan(x)"), vec![0.0, 1.0, 1.0]);
        assert_eq!(eval(&mut frame, "x not in [0, 2]")[2], 1.0);
        assert_eq!(eval(&mut frame, "2 * x + 1 MeV")[0], 2.001);
    }
}
