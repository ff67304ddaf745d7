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

#[cfg(test)]
mod tests {
    //! Every built-in function and operator with NaN, ±∞ and −0 in every argument
    //! position, against the rules of `docs/spec.md` ("Undefined values").
    use super::*;
    use crate::expr::FUNCTIONS;

    const SPECIAL: [f64; 5] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0];
    const ORDINARY: [f64; 3] = [1.5, -2.0, 0.25];

    /// The IEEE 754 value of each numeric function (C99 semantics) for arguments without
    /// NaN: what the implementation must give for ±∞ and −0.
    fn ieee(name: &str, a: &[f64]) -> f64 {
        let min = |x: f64, y: f64| {
            if y < x || (y == x && y.is_sign_negative()) {
                y
            } else {
                x
            }
        };
        match name {
            "abs" => a[0].abs(),
            "sqrt" => a[0].sqrt(),
            "exp" => a[0].exp(),
            "log" => a[0].ln(),
            "log10" => a[0].log10(),
            "sin" => a[0].sin(),
            "cos" => a[0].cos(),
            "tan" => a[0].tan(),
            "atan2" => a[0].atan2(a[1]),
            "min" => a.iter().copied().fold(f64::INFINITY, min),
            "max" => -a.iter().map(|x| -x).fold(f64::INFINITY, min),
            "pow" => a[0].powf(a[1]),
            "clip" => min(-min(-a[0], -a[1]), a[2]),
            other => panic!("no IEEE reference for `{other}`: document its rule and add it here"),
        }
    }

    fn same(x: f64, y: f64) -> bool {
        (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
    }

    #[test]
    fn every_function_follows_its_rule_in_every_argument_position() {
        for f in FUNCTIONS {
            let arities = [f.min_args, f.min_args.max(f.max_args.min(3))];
            for arity in arities {
                for position in 0..arity {
                    for (k, &special) in SPECIAL.iter().enumerate() {
                        for base in ORDINARY {
                            let mut args: Vec<f64> =
                                (0..arity).map(|i| ORDINARY[(i + k) % 3] * base).collect();
                            args[position] = special;
                            let got = call(f.name, &args);
                            let case = format!("{}({args:?}) = {got}", f.name);
                            match f.name {
                                "isnan" => assert_eq!(got, truth(args[0].is_nan()), "{case}"),
                                "ifelse" => {
                                    let expected = if args[0].is_nan() {
                                        f64::NAN
                                    } else if args[0] != 0.0 {
                                        args[1]
                                    } else {
                                        args[2]
                                    };
                                    assert!(same(got, expected), "{case}");
                                }
                                _ if special.is_nan() => assert!(got.is_nan(), "{case}"),
                                name => assert!(same(got, ieee(name, &args)), "{case}"),
                            }
                            // Whatever the function, NaN in an argument never passes a cut
                            // on its value unless the function tests for it.
                            if special.is_nan() && f.name != "isnan" && f.name != "ifelse" {
                                for op in CmpOp::ALL {
                                    assert!(compare(op, got, 0.5).is_nan(), "{case}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn every_operator_follows_its_rule_in_every_argument_position() {
        let arithmetic = [BinOp::Add, BinOp::Sub, BinOp::Mul, BinOp::Div, BinOp::Pow];
        for &special in &SPECIAL {
            for &other in ORDINARY.iter().chain(&SPECIAL) {
                for (x, y) in [(special, other), (other, special)] {
                    for op in arithmetic {
                        let got = binary(op, x, y);
                        if x.is_nan() || y.is_nan() {
                            assert!(got.is_nan(), "{x} {} {y} = {got}", op.symbol());
                        }
                    }
                    for op in CmpOp::ALL {
                        let got = compare(op, x, y);
                        if x.is_nan() || y.is_nan() {
                            assert!(got.is_nan(), "{x} {} {y}", op.symbol());
                        } else {
                            assert_eq!(got, truth(op.apply(x, y)));
                        }
                    }
                    for negated in [false, true] {
                        assert_eq!(
                            window(x, y, 2.0, negated).is_nan(),
                            x.is_nan() || y.is_nan()
                        );
                        assert_eq!(
                            window(1.0, x, y, negated).is_nan(),
                            x.is_nan() || y.is_nan()
                        );
                    }
                }
            }
        }
        // `and`/`or` are Kleene's: a false (true) side decides, else undefined wins.
        let u = f64::NAN;
        for (x, y, and, or) in [
            (TRUE, TRUE, TRUE, TRUE),
            (TRUE, FALSE, FALSE, TRUE),
            (FALSE, FALSE, FALSE, FALSE),
            (u, TRUE, u, TRUE),
            (u, FALSE, FALSE, u),
            (u, u, u, u),
        ] {
            for (a, b) in [(x, y), (y, x)] {
                assert!(same(binary(BinOp::And, a, b), and), "{a} and {b}");
                assert!(same(binary(BinOp::Or, a, b), or), "{a} or {b}");
            }
        }
    }

    #[test]
    fn pow_is_nan_where_ieee_would_give_one() {
        assert!(pow(f64::NAN, 0.0).is_nan());
        assert!(pow(1.0, f64::NAN).is_nan());
        assert!(call("min", &[f64::NAN, 0.95]).is_nan());
        assert!(call("max", &[0.95, f64::NAN]).is_nan());
        assert!(call("clip", &[f64::NAN, 0.0, 1.0]).is_nan());
        assert!(call("min", &[-0.0, 0.0]).is_sign_negative());
        assert!(call("max", &[-0.0, 0.0]).is_sign_positive());
    }
}
