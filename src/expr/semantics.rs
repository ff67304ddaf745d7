//! The value of every operator on numbers, shared by constant evaluation, the planner's
//! folding and the evaluator's kernels, so that all three agree to the bit.
//!
//! Conditions are numbers: true 1.0, false 0.0 and undefined NaN. A comparison or window
//! with a NaN side is undefined; `and`/`or` are three-valued (Kleene: false and anything
//! is false, true or anything is true, else undefined if either side is); `not` keeps
//! undefined; arithmetic follows IEEE 754 except `**`, which is NaN when either side is
//! (see [`pow`]). A cut passes a candidate only when its condition is true, so a NaN
//! never passes one, through any operator or function (`docs/spec.md`, "Undefined
//! values").

use super::functions::{apply, pow};
use super::{BinOp, CmpOp};

/// Condition values: conditions are numbers, true 1.0, false 0.0 and undefined NaN.
pub const TRUE: f64 = 1.0;
/// See [`TRUE`].
pub const FALSE: f64 = 0.0;

/// 1.0 or 0.0.
#[inline(always)]
pub fn truth(b: bool) -> f64 {
    if b { TRUE } else { FALSE }
}

/// A three-valued connective: `dominant` if either side is, else undefined if either
/// side is, else the other value.
#[inline(always)]
fn connective(x: f64, y: f64, dominant: f64) -> f64 {
    if x == dominant || y == dominant {
        dominant
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        TRUE + FALSE - dominant
    }
}

/// Three-valued `and`: false if either side is false, else undefined if either is.
#[inline(always)]
fn and(x: f64, y: f64) -> f64 {
    connective(x, y, FALSE)
}

/// Three-valued `or`: true if either side is true, else undefined if either is.
#[inline(always)]
fn or(x: f64, y: f64) -> f64 {
    connective(x, y, TRUE)
}

/// A comparison: undefined when either side is NaN.
#[inline(always)]
pub fn compare(op: CmpOp, x: f64, y: f64) -> f64 {
    let t = truth(op.apply(x, y));
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        t
    }
}

/// `x in [low, high]` (or `not in`): undefined when any side is NaN.
#[inline(always)]
pub fn window(x: f64, low: f64, high: f64, negated: bool) -> f64 {
    let t = truth((low <= x && x <= high) != negated);
    if x.is_nan() || low.is_nan() || high.is_nan() {
        f64::NAN
    } else {
        t
    }
}

/// A binary operator on numbers.
#[inline(always)]
pub fn binary(op: BinOp, x: f64, y: f64) -> f64 {
    match op {
        BinOp::And => and(x, y),
        BinOp::Or => or(x, y),
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => x / y,
        BinOp::Pow => pow(x, y),
    }
}

/// A built-in of several arguments, row by row.
pub fn call(name: &str, args: &[f64]) -> f64 {
    apply(name, args)
}
