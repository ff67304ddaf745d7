//! Evaluates expressions over a chunk of columns, element by element.
//!
//! Conditions use three-valued logic so that NaN never passes a cut silently: a comparison
//! with NaN is *undefined* (stored as NaN), `not` of undefined stays undefined, `and` is
//! false if either side is false and otherwise undefined if either is, `or` is true if
//! either side is true and otherwise undefined if either is. A cut keeps a candidate only
//! when it is true (1.0); the cutflow counts the undefined ones.

use crate::expr::{BinOp, Expr, ExprKind, UnaryOp, apply_function, function};
use crate::io::table::{ColumnData, Table};
use crate::mva::forest::Forest;
use std::collections::HashMap;
use std::rc::Rc;

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
    cache: HashMap<String, Values<'a>>,
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

    fn named(&mut self, key: &str) -> Values<'a> {
        if let Some(v) = self.cache.get(key) {
            return v.clone();
        }
        let values = match self.bindings.get(key) {
            // The table without columns is the empty one a run with no rows evaluates.
            Some(Binding::Column(branch)) => match self.table.column(branch) {
                // f64 columns are read in place; others are converted once per chunk.
                Some(ColumnData::F64(v)) => Values::Column(v),
                Some(column) => Values::computed(column.to_f64_vec()),
                None if self.table.columns.is_empty() => Values::Column(&[]),
                None => panic!("the planner checked that column `{branch}` is read"),
            },
            Some(Binding::Constant(c)) => Values::computed(vec![*c; self.rows()]),
            Some(Binding::Alias(e)) => {
                let e = e.clone();
                self.eval(&e)
            }
            Some(Binding::Mva(m)) => {
                let m = m.clone();
                let features: Vec<Values> = m.features.iter().map(|f| self.eval(f)).collect();
                let columns: Vec<&[f64]> = features.iter().map(|f| &**f).collect();
                Values::computed(m.forest.predict(&columns, 0, m.margin))
            }
            None => unreachable!("planner resolved `{key}`"),
        };
        self.cache.insert(key.to_string(), values.clone());
        values
    }

    /// Values of `e` for every row (conditions as 1.0 / 0.0 / NaN).
    ///
    /// Names (columns, aliases, classifier outputs) are evaluated once per chunk and
    /// shared. The operators of an expression are fused: the whole tree is evaluated on
    /// blocks of [`BLOCK`] rows whose intermediate values stay in the CPU cache, instead
    /// of one chunk-sized temporary per operator. Every value is computed by the same
    /// scalar operation either way, so results are identical.
    pub fn eval(&mut self, e: &Expr) -> Values<'a> {
        if let Some(key) = self.name_key(e) {
            return self.named(&key);
        }
        // Every name of the tree resolved once, by node: blocks read slices of them.
        let mut names = Names::new();
        self.materialize_names(e, &mut names);
        let n = self.rows();
        let mut out = vec![0.0; n];
        let mut scratch = Vec::new();
        for start in (0..n).step_by(BLOCK) {
            let end = (start + BLOCK).min(n);
            eval_block(e, &names, start, &mut out[start..end], &mut scratch);
        }
        Values::computed(out)
    }

    /// The cache key of a name or of a basf2 call the planner resolved.
    fn name_key(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Name(name) => Some(name.clone()),
            ExprKind::Call(name, _) if function(name).is_none() => Some(crate::expr::print(e)),
            _ => None,
        }
    }

    /// Evaluates (and caches) every name `e` uses, and records its values by node.
    fn materialize_names(&mut self, e: &Expr, names: &mut Names<'a>) {
        if let Some(key) = self.name_key(e) {
            let values = self.named(&key);
            names.insert(std::ptr::from_ref(e), values);
            return;
        }
        match &e.kind {
            ExprKind::Call(_, args) => args.iter().for_each(|a| self.materialize_names(a, names)),
            ExprKind::Unary(_, x) => self.materialize_names(x, names),
            ExprKind::Binary(_, a, b) => {
                self.materialize_names(a, names);
                self.materialize_names(b, names);
            }
            ExprKind::Compare(first, rest) => {
                self.materialize_names(first, names);
                rest.iter()
                    .for_each(|(_, x)| self.materialize_names(x, names));
            }
            ExprKind::Window {
                value, low, high, ..
            } => {
                for x in [value, low, high] {
                    self.materialize_names(x, names);
                }
            }
            ExprKind::Number(..) | ExprKind::Raw(_) | ExprKind::Name(_) => {}
        }
    }
}

/// The values of the name nodes of one expression tree, by node address.
type Names<'a> = HashMap<*const Expr, Values<'a>>;

/// An operand of a block: a slice of a name's values, read in place, or a block buffer
/// computed into (given back to the scratch pool after use).
enum Operand<'n> {
    Borrowed(&'n [f64]),
    Owned(Vec<f64>),
}

impl std::ops::Deref for Operand<'_> {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match self {
            Operand::Borrowed(v) => v,
            Operand::Owned(v) => v,
        }
    }
}

impl Operand<'_> {
    fn recycle(self, scratch: &mut Vec<Vec<f64>>) {
        if let Operand::Owned(v) = self {
            scratch.push(v);
        }
    }
}

/// The values of `x` for rows `start..start + len`.
fn operand<'n>(
    x: &Expr,
    names: &'n Names,
    start: usize,
    len: usize,
    scratch: &mut Vec<Vec<f64>>,
) -> Operand<'n> {
    if let Some(values) = names.get(&std::ptr::from_ref(x)) {
        return Operand::Borrowed(&values[start..start + len]);
    }
    let mut buffer = scratch.pop().unwrap_or_default();
    buffer.resize(len, 0.0);
    eval_block(x, names, start, &mut buffer, scratch);
    Operand::Owned(buffer)
}

/// Writes the values of `e` for rows `start..start + out.len()` into `out`; `scratch`
/// recycles the block buffers of subexpressions.
fn eval_block(e: &Expr, names: &Names, start: usize, out: &mut [f64], scratch: &mut Vec<Vec<f64>>) {
    let len = out.len();
    if let Some(values) = names.get(&std::ptr::from_ref(e)) {
        out.copy_from_slice(&values[start..start + len]);
        return;
    }
    match &e.kind {
        ExprKind::Number(v, unit) => out.fill(v * unit.map_or(1.0, |u| u.to_base())),
        ExprKind::Raw(_) => out.fill(f64::NAN),
        ExprKind::Name(_) => unreachable!("names are resolved before the blocks"),
        ExprKind::Call(name, args) if args.len() == 1 && unary(name).is_some() => {
            let f = unary(name).expect("checked");
            eval_block(&args[0], names, start, out, scratch);
            out.iter_mut().for_each(|x| *x = f(*x));
        }
        ExprKind::Call(name, args) => {
            let values: Vec<Operand> = args
                .iter()
                .map(|a| operand(a, names, start, len, scratch))
                .collect();
            let mut row = vec![0.0; values.len()];
            for (i, o) in out.iter_mut().enumerate() {
                for (r, v) in row.iter_mut().zip(&values) {
                    *r = v[i];
                }
                *o = match name.as_str() {
                    "isnan" => truth(row[0].is_nan()),
                    "ifelse" if row[0].is_nan() => f64::NAN,
                    _ => apply_function(name, &row),
                };
            }
            values.into_iter().for_each(|v| v.recycle(scratch));
        }
        ExprKind::Unary(UnaryOp::Neg, x) => {
            eval_block(x, names, start, out, scratch);
            out.iter_mut().for_each(|v| *v = -*v);
        }
        ExprKind::Unary(UnaryOp::Not, x) => {
            eval_block(x, names, start, out, scratch);
            out.iter_mut().for_each(|v| {
                if !v.is_nan() {
                    *v = truth(*v == FALSE);
                }
            });
        }
        // `x ** 2` as one multiplication: exact (powf is not always), several times
        // faster, and what numpy computes for it.
        ExprKind::Binary(BinOp::Pow, a, b) if matches!(b.kind, ExprKind::Number(v, None) if v == 2.0) =>
        {
            eval_block(a, names, start, out, scratch);
            out.iter_mut().for_each(|x| *x *= *x);
        }
        ExprKind::Binary(op, a, b) => {
            eval_block(a, names, start, out, scratch);
            let right = operand(b, names, start, len, scratch);
            binary(*op, out, &right);
            right.recycle(scratch);
        }
        ExprKind::Compare(first, rest) => {
            out.fill(TRUE);
            let mut left = operand(first, names, start, len, scratch);
            for (op, x) in rest {
                let right = operand(x, names, start, len, scratch);
                for ((o, &l), &r) in out.iter_mut().zip(left.iter()).zip(right.iter()) {
                    let c = if l.is_nan() || r.is_nan() {
                        f64::NAN
                    } else {
                        truth(op.apply(l, r))
                    };
                    *o = and(*o, c);
                }
                std::mem::replace(&mut left, right).recycle(scratch);
            }
            left.recycle(scratch);
        }
        ExprKind::Window {
            value,
            low,
            high,
            negated,
        } => {
            let v = operand(value, names, start, len, scratch);
            let lo = operand(low, names, start, len, scratch);
            let hi = operand(high, names, start, len, scratch);
            for (i, o) in out.iter_mut().enumerate() {
                *o = if v[i].is_nan() || lo[i].is_nan() || hi[i].is_nan() {
                    f64::NAN
                } else {
                    truth((lo[i] <= v[i] && v[i] <= hi[i]) != *negated)
                };
            }
            [v, lo, hi].into_iter().for_each(|x| x.recycle(scratch));
        }
    }
}

/// Rows per block of fused evaluation: a few buffers of this many f64 fit in L1/L2.
const BLOCK: usize = 2048;

/// Values of one expression over a chunk, shared between the uses of a name: an f64
/// column of the chunk itself (not copied), or computed values.
#[derive(Clone, Debug)]
pub enum Values<'a> {
    /// A column of the table, in place.
    Column(&'a [f64]),
    /// Values computed for this chunk.
    Computed(Rc<Vec<f64>>),
}

impl Values<'_> {
    fn computed(values: Vec<f64>) -> Self {
        Values::Computed(Rc::new(values))
    }
}

impl std::ops::Deref for Values<'_> {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match self {
            Values::Column(v) => v,
            Values::Computed(v) => v,
        }
    }
}

/// Built-ins of one argument, as plain functions (no per-row dispatch by name).
fn unary(name: &str) -> Option<fn(f64) -> f64> {
    Some(match name {
        "abs" => f64::abs,
        "sqrt" => f64::sqrt,
        "exp" => f64::exp,
        "log" => f64::ln,
        "log10" => f64::log10,
        "sin" => f64::sin,
        "cos" => f64::cos,
        "tan" => f64::tan,
        _ => return None,
    })
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

/// `left op= right` over a block: one loop per operator, so that arithmetic vectorises.
fn binary(op: BinOp, left: &mut [f64], right: &[f64]) {
    let apply = |left: &mut [f64], f: fn(f64, f64) -> f64| {
        left.iter_mut().zip(right).for_each(|(x, &y)| *x = f(*x, y));
    };
    match op {
        BinOp::And => apply(left, and),
        BinOp::Or => apply(left, or),
        BinOp::Add => apply(left, |x, y| x + y),
        BinOp::Sub => apply(left, |x, y| x - y),
        BinOp::Mul => apply(left, |x, y| x * y),
        BinOp::Div => apply(left, |x, y| x / y),
        BinOp::Pow => apply(left, f64::powf),
    }
}

fn or(x: f64, y: f64) -> f64 {
    if x == TRUE || y == TRUE {
        TRUE
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        FALSE
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
        let eval = |f: &mut Frame, s: &str| f.eval(&parse_text(s).unwrap()).to_vec();
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
