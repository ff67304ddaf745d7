//! The cut and expression language: basf2's cut dialect, extended with arithmetic, windows,
//! functions and units.
//!
//! Text is parsed by the pest grammar in `grammar/expr.pest` into an [`Expr`] tree whose
//! nodes carry spans; [`print()`] writes a tree back as canonical text such that
//! `parse(print(e)) == e`. The language only computes: it has no access to files, the
//! environment or processes.

mod eval;
mod functions;
mod mangle;
mod parse;
mod print;
pub mod semantics;
mod units;

pub use eval::{ConstError, arity_text, eval_const};
pub use functions::{FUNCTIONS, Function, apply as apply_function, function, pow};
pub use mangle::{demangle, mangle};
pub use parse::{MAX_DEPTH, MAX_LEN, Origin, parse, parse_text};
pub use print::{format_number, print};
pub use units::{Dim, Unit};

use crate::diag::Span;

/// An expression node with the span of the text it was parsed from.
///
/// Equality ignores spans: two expressions are equal when they say the same thing.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What the node is.
    pub kind: ExprKind,
    /// Where it was written.
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

/// The kinds of expression nodes.
#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// A literal, with the unit it was written in (the value is in that unit).
    Number(f64, Option<Unit>),
    /// A column, alias, MVA output or parameter.
    Name(String),
    /// A function call (`abs(x)`) or a basf2 variable with arguments (`daughter(0, M)`).
    Call(String, Vec<Expr>),
    /// A basf2 argument that is not an expression, e.g. the particle list `pi+:loose`.
    Raw(String),
    /// `-x` or `not x`.
    Unary(UnaryOp, Box<Expr>),
    /// Arithmetic or boolean connective.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// A comparison, possibly chained: `a < b <= c` is `Compare(a, [(<, b), (<=, c)])`.
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    /// `value in [low, high]` (closed interval) or `value not in [low, high]`.
    Window {
        /// The tested value.
        value: Box<Expr>,
        /// Lower edge (included).
        low: Box<Expr>,
        /// Upper edge (included).
        high: Box<Expr>,
        /// True for `not in`.
        negated: bool,
    },
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    /// Arithmetic negation `-`.
    Neg,
    /// Boolean negation `not`.
    Not,
}

/// Infix operators other than comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `**` (right-associative)
    Pow,
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Pow => "**",
        }
    }
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

impl CmpOp {
    /// Every comparison.
    pub const ALL: [CmpOp; 6] = [
        CmpOp::Lt,
        CmpOp::Le,
        CmpOp::Gt,
        CmpOp::Ge,
        CmpOp::Eq,
        CmpOp::Ne,
    ];

    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// The operator with its operands swapped (`a < b` ⇔ `b > a`).
    pub fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    /// Applies the comparison.
    #[inline(always)]
    pub fn apply(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }
}

impl Expr {
    /// Calls `f` on this node and every node below it, parents first.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Number(..) | ExprKind::Name(_) | ExprKind::Raw(_) => {}
            ExprKind::Call(_, args) => args.iter().for_each(|a| a.walk(f)),
            ExprKind::Unary(_, e) => e.walk(f),
            ExprKind::Binary(_, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            ExprKind::Compare(first, rest) => {
                first.walk(f);
                rest.iter().for_each(|(_, e)| e.walk(f));
            }
            ExprKind::Window {
                value, low, high, ..
            } => {
                value.walk(f);
                low.walk(f);
                high.walk(f);
            }
        }
    }

    /// The text a name or a basf2 variable with arguments (a call that is not a built-in
    /// function) is known by — the name, or the call printed canonically — if this node
    /// is one of them.
    pub fn name_key(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(name) => Some(name.clone()),
            ExprKind::Call(name, _) if functions::function(name).is_none() => Some(print(self)),
            _ => None,
        }
    }

    /// The bare name, if this node is one.
    pub fn as_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(n) => Some(n),
            _ => None,
        }
    }
}

impl std::fmt::Display for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&print(self))
    }
}
