//! [`Expr`] → canonical text. Parentheses appear only where precedence needs them, so that
//! `parse(print(e)) == e` for every tree (property-tested in `tests/it/expr_roundtrip.rs`).

use super::{BinOp, Expr, ExprKind, UnaryOp};

/// Binding strength of each syntactic level, loosest first.
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const SUM: u8 = 5;
const PRODUCT: u8 = 6;
const NEG: u8 = 7;
const POW: u8 = 8;
const ATOM: u8 = 9;

/// Canonical text of an expression.
pub fn print(e: &Expr) -> String {
    let mut out = String::new();
    write(e, OR, &mut out);
    out
}

/// Shortest text that reads back as exactly `v` (non-negative literals only).
pub fn format_number(v: f64) -> String {
    if v != 0.0 && (v.abs() < 1e-4 || v.abs() >= 1e15) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(BinOp::Or, ..) => OR,
        ExprKind::Binary(BinOp::And, ..) => AND,
        ExprKind::Unary(UnaryOp::Not, _) => NOT,
        ExprKind::Compare(..) | ExprKind::Window { .. } => CMP,
        ExprKind::Binary(BinOp::Add | BinOp::Sub, ..) => SUM,
        ExprKind::Binary(BinOp::Mul | BinOp::Div, ..) => PRODUCT,
        ExprKind::Unary(UnaryOp::Neg, _) => NEG,
        ExprKind::Binary(BinOp::Pow, ..) => POW,
        ExprKind::Number(..) | ExprKind::Name(_) | ExprKind::Call(..) | ExprKind::Raw(_) => ATOM,
    }
}

/// Writes `e` where the grammar expects a level of at least `min`.
fn write(e: &Expr, min: u8, out: &mut String) {
    let paren = precedence(e) < min;
    if paren {
        out.push('(');
    }
    match &e.kind {
        ExprKind::Number(v, unit) => {
            out.push_str(&format_number(*v));
            if let Some(unit) = unit {
                out.push(' ');
                out.push_str(unit.symbol());
            }
        }
        ExprKind::Name(n) | ExprKind::Raw(n) => out.push_str(n),
        ExprKind::Call(name, args) => {
            out.push_str(name);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(a, OR, out);
            }
            out.push(')');
        }
        ExprKind::Unary(UnaryOp::Not, x) => {
            out.push_str("not ");
            write(x, NOT, out);
        }
        ExprKind::Unary(UnaryOp::Neg, x) => {
            out.push('-');
            write(x, NEG, out);
        }
        ExprKind::Binary(op, a, b) => {
            let (left, right) = match op {
                BinOp::Or => (OR, AND),
                BinOp::And => (AND, NOT),
                BinOp::Add | BinOp::Sub => (SUM, PRODUCT),
                BinOp::Mul | BinOp::Div => (PRODUCT, NEG),
                BinOp::Pow => (ATOM, NEG),
            };
            write(a, left, out);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            write(b, right, out);
        }
        ExprKind::Compare(first, rest) => {
            write(first, SUM, out);
            for (op, x) in rest {
                out.push(' ');
                out.push_str(op.symbol());
                out.push(' ');
                write(x, SUM, out);
            }
        }
        ExprKind::Window {
            value,
            low,
            high,
            negated,
        } => {
            write(value, SUM, out);
            out.push_str(if *negated { " not in [" } else { " in [" });
            write(low, OR, out);
            out.push_str(", ");
            write(high, OR, out);
            out.push(']');
        }
    }
    if paren {
        out.push(')');
    }
}
