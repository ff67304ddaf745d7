//! Evaluation of expressions that do not depend on data: spec constants such as
//! `0.5 * 0.692`, `20 MeV` or `0.018 * m_a ** 0.7` at a given hypothesis.

use super::semantics::{FALSE, TRUE, binary, compare, truth, window};
use super::{Expr, ExprKind, UnaryOp, functions};
use crate::diag::Span;

/// Why an expression has no constant value.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstError {
    /// The offending node.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

/// Evaluates `e` in base units; names are looked up with `env`. Booleans are 1.0 / 0.0.
pub fn eval_const(e: &Expr, env: &dyn Fn(&str) -> Option<f64>) -> Result<f64, ConstError> {
    let err = |message: String| ConstError {
        span: e.span,
        message,
    };
    Ok(match &e.kind {
        ExprKind::Number(v, unit) => v * unit.map_or(1.0, |u| u.to_base()),
        ExprKind::Name(n) => {
            env(n).ok_or_else(|| err(format!("`{n}` is not a known constant here")))?
        }
        ExprKind::Raw(r) => return Err(err(format!("`{r}` is not a number"))),
        ExprKind::Call(name, args) => {
            let Some(f) = functions::function(name) else {
                return Err(err(format!(
                    "`{name}(…)` reads data and has no constant value"
                )));
            };
            if args.len() < f.min_args || args.len() > f.max_args {
                return Err(err(format!(
                    "`{name}` takes {} arguments, got {}",
                    arity_text(f),
                    args.len()
                )));
            }
            let values = args
                .iter()
                .map(|a| eval_const(a, env))
                .collect::<Result<Vec<_>, _>>()?;
            functions::apply(name, &values)
        }
        ExprKind::Unary(UnaryOp::Neg, x) => -eval_const(x, env)?,
        ExprKind::Unary(UnaryOp::Not, x) => {
            let x = eval_const(x, env)?;
            if x.is_nan() { x } else { truth(x == FALSE) }
        }
        ExprKind::Binary(op, a, b) => binary(*op, eval_const(a, env)?, eval_const(b, env)?),
        ExprKind::Compare(first, rest) => {
            // `a < b <= c` is `(a < b) and (b <= c)`.
            let mut left = eval_const(first, env)?;
            let mut all = TRUE;
            for (op, x) in rest {
                let right = eval_const(x, env)?;
                all = binary(super::BinOp::And, all, compare(*op, left, right));
                left = right;
            }
            all
        }
        ExprKind::Window {
            value,
            low,
            high,
            negated,
        } => {
            let (v, lo, hi) = (
                eval_const(value, env)?,
                eval_const(low, env)?,
                eval_const(high, env)?,
            );
            window(v, lo, hi, *negated)
        }
    })
}

/// "1", "2 to 3" or "at least 2".
pub fn arity_text(f: &functions::Function) -> String {
    match (f.min_args, f.max_args) {
        (a, b) if a == b => a.to_string(),
        (a, usize::MAX) => format!("at least {a}"),
        (a, b) => format!("{a} to {b}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_text;

    fn value(s: &str) -> f64 {
        eval_const(&parse_text(s).unwrap(), &|n| (n == "m_a").then_some(2.0)).unwrap()
    }

    #[test]
    fn evaluates_constants_in_base_units() {
        assert_eq!(value("20 MeV"), 0.02);
        assert_eq!(value("0.5 * 0.692"), 0.346);
        assert!((value("0.018 * m_a ** 0.7") - 0.018 * 2f64.powf(0.7)).abs() < 1e-15);
        assert_eq!(value("1 < 2 < 3"), 1.0);
        assert_eq!(value("max(1, 5, 3)"), 5.0);
        assert!(eval_const(&parse_text("Mbc").unwrap(), &|_| None).is_err());
    }
}
