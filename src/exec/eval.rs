//! Computes the nodes of a [`Program`]'s graph for a block of rows: every operator is one
//! loop over the block (dispatched on the operator once, outside the loop, so that the
//! loop vectorises), reading its operands in place — a column of the chunk, a value
//! kept for the chunk, a block buffer — or as a number.
//!
//! Conditions use three-valued logic so that NaN never passes a cut silently: a comparison
//! with NaN is *undefined* (stored as NaN), `not` of undefined stays undefined, `and` is
//! false if either side is false and otherwise undefined if either is, `or` is true if
//! either side is true and otherwise undefined if either is. A cut keeps a candidate only
//! when it is true (1.0); the cutflow counts the undefined ones. The scalar semantics are
//! [`DagNode::scalar`]'s; the loops here call the same functions.

use crate::expr::{BinOp, CmpOp};
use crate::io::table::ColumnTable;
use crate::plan::dag::{self, DagNode, NodeId, Unary};
use crate::plan::program::{Program, Storage};
use crate::simd::multiversioned;
use std::borrow::Cow;

/// Rows per block of fused evaluation: a block buffer is 32 KiB, so the dozen or two of a
/// typical phase stay in a 1 MiB L2 cache; 4096 measured faster than 1024 and 2048
/// (`benches/select/`, fewer per-block dispatches, longer runs for the prefetcher).
pub const BLOCK: usize = 4096;

/// An operand over a block: values in place, or one number for every row.
#[derive(Clone, Copy)]
pub enum Arg<'a> {
    /// One value per row.
    Slice(&'a [f64]),
    /// The same value for every row.
    Scalar(f64),
}

impl Arg<'_> {
    /// The value of row `i`.
    #[inline(always)]
    pub fn at(&self, i: usize) -> f64 {
        match self {
            Arg::Slice(v) => v[i],
            Arg::Scalar(c) => *c,
        }
    }
}

multiversioned! {
    /// `out[i] = f(a[i])`.
    ///
    /// This and the other element loops of the evaluator are compiled for the x86-64
    /// baseline (two doubles per instruction), AVX2 (four) and AVX-512 (eight), the
    /// widest the machine has chosen at run time ([`crate::simd`]); every version gives
    /// identical values.
    fn map1(out: &mut [f64], a: Arg, f: impl Fn(f64) -> f64) {
        match a {
            Arg::Slice(x) => {
                for (o, &x) in out.iter_mut().zip(x) {
                    *o = f(x);
                }
            }
            Arg::Scalar(x) => out.fill(f(x)),
        }
    }
}

multiversioned! {
    /// `out[i] = f(a[i], b[i])`, a loop per kind of operand so that each vectorises.
    fn map2(out: &mut [f64], a: Arg, b: Arg, f: impl Fn(f64, f64) -> f64) {
        match (a, b) {
            (Arg::Slice(x), Arg::Slice(y)) => {
                for ((o, &x), &y) in out.iter_mut().zip(x).zip(y) {
                    *o = f(x, y);
                }
            }
            (Arg::Slice(x), Arg::Scalar(y)) => {
                for (o, &x) in out.iter_mut().zip(x) {
                    *o = f(x, y);
                }
            }
            (Arg::Scalar(x), Arg::Slice(y)) => {
                for (o, &y) in out.iter_mut().zip(y) {
                    *o = f(x, y);
                }
            }
            (Arg::Scalar(x), Arg::Scalar(y)) => out.fill(f(x, y)),
        }
    }
}

/// Runs `$body` with `$op` a constant of type `$ty` equal to each listed variant in turn,
/// so that the loop of each arm is compiled for that operator alone: a captured operator
/// value would leave a jump table inside the loop.
/// With a final `_ => $other`, the variants not listed run `$other` instead.
macro_rules! each {
    ($value:expr, $ty:ty, [$($variant:ident),*], $op:ident => $body:expr) => {
        match $value {
            $(<$ty>::$variant => {
                const $op: $ty = <$ty>::$variant;
                $body
            })*
        }
    };
    ($value:expr, $ty:ty, [$($variant:ident),*], $op:ident => $body:expr, _ => $other:expr) => {
        match $value {
            $(<$ty>::$variant => {
                const $op: $ty = <$ty>::$variant;
                $body
            })*
            #[allow(unreachable_patterns)]
            _ => $other,
        }
    };
}
pub(crate) use each;

/// Computes `node` for the rows of a block into `out`, reading operands with `arg`.
pub fn compute<'a>(node: &DagNode, out: &mut [f64], arg: &dyn Fn(NodeId) -> Arg<'a>) {
    match node {
        DagNode::Column(_) | DagNode::Constant(_) => unreachable!("read in place, never computed"),
        DagNode::Unary(u, x) => {
            let x = arg(*x);
            each!(*u, Unary, [Neg, Not, IsNan, Abs, Sqrt, Exp, Log, Log10, Sin, Cos, Tan],
                U => map1(out, x, |v| U.apply(v)))
        }
        DagNode::Binary(op, a, b) => {
            let (a, b) = (arg(*a), arg(*b));
            each!(*op, BinOp, [Or, And, Add, Sub, Mul, Div, Pow],
                OP => map2(out, a, b, |x, y| dag::binary(OP, x, y)))
        }
        DagNode::Compare(op, a, b) => {
            let (a, b) = (arg(*a), arg(*b));
            each!(*op, CmpOp, [Lt, Le, Gt, Ge, Eq, Ne],
                OP => map2(out, a, b, |x, y| dag::compare(OP, x, y)))
        }
        DagNode::Window {
            value,
            low,
            high,
            negated,
        } => {
            let (v, lo, hi) = (arg(*value), arg(*low), arg(*high));
            match (v, lo, hi) {
                (Arg::Slice(v), Arg::Scalar(lo), Arg::Scalar(hi)) => {
                    let negated = *negated;
                    map1(out, Arg::Slice(v), |x| dag::window(x, lo, hi, negated));
                }
                _ => {
                    for (i, o) in out.iter_mut().enumerate() {
                        *o = dag::window(v.at(i), lo.at(i), hi.at(i), *negated);
                    }
                }
            }
        }
        DagNode::Call(name, args) => {
            let args: Vec<Arg> = args.iter().map(|&a| arg(a)).collect();
            let mut row = vec![0.0; args.len()];
            for (i, o) in out.iter_mut().enumerate() {
                for (r, a) in row.iter_mut().zip(&args) {
                    *r = a.at(i);
                }
                *o = dag::call(name, &row);
            }
        }
        DagNode::Mva(m, features) => {
            let n = out.len();
            let values: Vec<Cow<[f64]>> = features
                .iter()
                .map(|&f| match arg(f) {
                    Arg::Slice(v) => Cow::Borrowed(v),
                    Arg::Scalar(c) => Cow::Owned(vec![c; n]),
                })
                .collect();
            let columns: Vec<&[f64]> = values.iter().map(|v| &**v).collect();
            out.copy_from_slice(&m.forest.predict(&columns, 0, m.margin));
        }
        DagNode::Correction(c, inputs) => {
            let args: Vec<Arg> = inputs.iter().map(|&a| arg(a)).collect();
            let mut x = vec![0.0; c.correction.inputs.len()];
            for (i, o) in out.iter_mut().enumerate() {
                *o = c.evaluate(args.iter().map(|a| a.at(i)), &mut x);
            }
        }
    }
}

/// The values of a program's nodes over one chunk: its columns (in place when f64), the
/// values kept for the chunk, and the block buffers of the block being evaluated.
pub struct ChunkValues<'t> {
    columns: Vec<Cow<'t, [f64]>>,
    kept: Vec<Vec<f64>>,
    block: Vec<Option<Vec<f64>>>,
    free: Vec<Vec<f64>>,
    rows: usize,
}

impl<'t> ChunkValues<'t> {
    /// Storage for `program`'s nodes over rows `range` of `table`.
    pub fn new(program: &Program, table: &'t ColumnTable, range: std::ops::Range<usize>) -> Self {
        let rows = range.len();
        let columns = program
            .plan
            .dag
            .nodes
            .iter()
            .map(|node| match node {
                DagNode::Column(branch) => match table.column(branch) {
                    Some(column) => match column.as_f64() {
                        Some(v) => Cow::Borrowed(&v[range.clone()]),
                        None => Cow::Owned(column.range_to_f64(range.clone())),
                    },
                    // The table without columns is the empty one a run with no rows evaluates.
                    None if table.columns.is_empty() => Cow::Borrowed(&[][..]),
                    None => panic!("the planner checked that column `{branch}` is read"),
                },
                _ => Cow::Borrowed(&[][..]),
            })
            .collect();
        let kept = program
            .storage
            .iter()
            .map(|s| match s {
                Storage::Chunk => vec![0.0; rows],
                _ => Vec::new(),
            })
            .collect();
        ChunkValues {
            columns,
            kept,
            block: vec![None; program.plan.dag.nodes.len()],
            free: Vec::new(),
            rows,
        }
    }

    /// Rows in the chunk.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Node `id` over rows `range`.
    pub fn arg(&self, program: &Program, id: NodeId, range: std::ops::Range<usize>) -> Arg<'_> {
        match program.storage[id] {
            Storage::Constant => {
                Arg::Scalar(program.plan.dag.nodes[id].constant().expect("a constant"))
            }
            Storage::Column => Arg::Slice(&self.columns[id][range]),
            Storage::Chunk => Arg::Slice(&self.kept[id][range]),
            Storage::Block => Arg::Slice(self.block[id].as_deref().expect("computed before use")),
            Storage::Fused => unreachable!("a fused cut's condition is evaluated by the cut"),
        }
    }

    /// Computes `ids` (in order) for the rows `range`.
    pub fn compute(&mut self, program: &Program, ids: &[NodeId], range: std::ops::Range<usize>) {
        for &id in ids {
            let mut out = match program.storage[id] {
                Storage::Chunk => std::mem::take(&mut self.kept[id]),
                _ => {
                    let mut buffer = self.free.pop().unwrap_or_default();
                    buffer.resize(range.len(), 0.0);
                    buffer
                }
            };
            let target = match program.storage[id] {
                Storage::Chunk => &mut out[range.clone()],
                _ => &mut out[..],
            };
            compute(&program.plan.dag.nodes[id], target, &|o| {
                self.arg(program, o, range.clone())
            });
            match program.storage[id] {
                Storage::Chunk => self.kept[id] = out,
                _ => self.block[id] = Some(out),
            }
        }
    }

    /// Gives the block buffers of `ids` back for reuse.
    pub fn release(&mut self, ids: &[NodeId]) {
        for &id in ids {
            if let Some(buffer) = self.block[id].take() {
                self.free.push(buffer);
            }
        }
    }

    /// Gives every block buffer back (at the start of a block).
    pub fn release_all(&mut self) {
        for slot in &mut self.block {
            if let Some(buffer) = slot.take() {
                self.free.push(buffer);
            }
        }
    }

    /// Node `id` over the whole chunk (a kept value, a column or a number), as owned
    /// values; kept values are moved out.
    pub fn take_chunk(&mut self, program: &Program, id: NodeId) -> Vec<f64> {
        match program.storage[id] {
            Storage::Chunk => std::mem::take(&mut self.kept[id]),
            Storage::Column => self.columns[id].to_vec(),
            Storage::Constant => {
                vec![program.plan.dag.nodes[id].constant().expect("a constant"); self.rows]
            }
            Storage::Block | Storage::Fused => unreachable!("chunk values are kept"),
        }
    }

    /// Node `id` over the whole chunk (a kept value, a column or a number).
    pub fn whole(&self, program: &Program, id: NodeId) -> Arg<'_> {
        assert!(
            program.storage[id] != Storage::Block,
            "chunk values are kept"
        );
        self.arg(program, id, 0..self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_text;
    use crate::io::table::{Column, ColumnData};
    use crate::plan::binding::{Binding, Bindings};

    #[test]
    fn nan_never_passes_a_cut() {
        let table = ColumnTable {
            columns: vec![Column {
                name: "x".into(),
                data: ColumnData::F64(vec![1.0, f64::NAN, 7.0]),
            }],
        };
        let bindings: Bindings = [("x".to_string(), Binding::Column("x".into()))].into();
        let query = crate::plan::query::Query {
            columns: Vec::new(),
            bindings,
            steps: Vec::new(),
            vetoes: Vec::new(),
            channels: Vec::new(),
            histograms: Vec::new(),
            input_own: Vec::new(),
            weight: None,
            hidden: None,
        };
        let eval = |_: &mut (), s: &str| {
            let program = Program::compile(&query, &[&parse_text(s).unwrap()]);
            let mut values = Vec::new();
            crate::exec::run_with(
                &program,
                std::iter::once(Ok(crate::exec::Piece::whole(table.clone()))),
                |selected| {
                    values = selected.outputs[0].clone();
                    Ok(())
                },
            )
            .unwrap();
            values
        };
        let mut frame = ();
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
