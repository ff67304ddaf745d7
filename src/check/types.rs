//! Type and unit inference: boolean or number, physical dimension, discreteness.

use super::symbols::{LintContext, Scope};
use crate::diag::Span;
use crate::expr::{BinOp, Dim, Expr, ExprKind, UnaryOp, function};

/// Boolean or numeric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A condition.
    Bool,
    /// A number.
    Num,
    /// Not known (unresolved name, file column).
    Unknown,
}

/// What is known of an expression's value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Info {
    /// Boolean or number.
    pub ty: Ty,
    /// Physical dimension; `None` when unknown or a bare literal (which adapts).
    pub dim: Option<Dim>,
    /// True for integer-valued variables; `None` when unknown.
    pub discrete: Option<bool>,
}

impl Info {
    /// Nothing known.
    pub fn unknown() -> Self {
        Info {
            ty: Ty::Unknown,
            dim: None,
            discrete: None,
        }
    }

    fn num(dim: Option<Dim>, discrete: Option<bool>) -> Self {
        Info {
            ty: Ty::Num,
            dim,
            discrete,
        }
    }

    fn boolean() -> Self {
        Info {
            ty: Ty::Bool,
            dim: None,
            discrete: Some(true),
        }
    }
}

/// Which rule a problem belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// A condition where a number is needed, or the reverse.
    Type,
    /// Quantities of different dimensions combined or compared.
    Unit,
    /// A built-in function called with the wrong number of arguments.
    Arity,
}

/// A problem found while inferring.
#[derive(Clone, Debug)]
pub struct Problem {
    /// Which rule reports it.
    pub kind: ProblemKind,
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

/// Infers `e` in `scope`, pushing the problems found.
pub fn infer(e: &Expr, ctx: &LintContext, scope: Scope, problems: &mut Vec<Problem>) -> Info {
    let mut problem = |kind, span, message: String| {
        problems.push(Problem {
            kind,
            span,
            message,
        })
    };
    match &e.kind {
        ExprKind::Number(_, unit) => Info::num(unit.map(|u| u.dim()), Some(false)),
        ExprKind::Raw(r) => {
            problem(
                ProblemKind::Type,
                e.span,
                format!("`{r}` is only meaningful as an argument of a basf2 variable"),
            );
            Info::unknown()
        }
        ExprKind::Name(n) => ctx
            .resolve(n, scope)
            .map_or_else(Info::unknown, |s| ctx.symbol_info(s)),
        ExprKind::Call(name, args) => infer_call(e, name, args, ctx, scope, problems),
        ExprKind::Unary(op, x) => {
            let info = infer(x, ctx, scope, problems);
            match op {
                UnaryOp::Neg => {
                    expect(info, Ty::Num, x, "`-` needs a number", problems);
                    Info::num(info.dim, info.discrete)
                }
                UnaryOp::Not => {
                    expect(info, Ty::Bool, x, "`not` needs a condition", problems);
                    Info::boolean()
                }
            }
        }
        ExprKind::Binary(op, a, b) => {
            let (ia, ib) = (
                infer(a, ctx, scope, problems),
                infer(b, ctx, scope, problems),
            );
            match op {
                BinOp::And | BinOp::Or => {
                    let what = format!("`{}` joins conditions", op.symbol());
                    expect(ia, Ty::Bool, a, &what, problems);
                    expect(ib, Ty::Bool, b, &what, problems);
                    Info::boolean()
                }
                _ => {
                    let what = format!("`{}` needs numbers", op.symbol());
                    expect(ia, Ty::Num, a, &what, problems);
                    expect(ib, Ty::Num, b, &what, problems);
                    arithmetic(*op, ia, ib, b, e.span, problems)
                }
            }
        }
        ExprKind::Compare(first, rest) => {
            let mut left = infer(first, ctx, scope, problems);
            expect(left, Ty::Num, first, "comparisons need numbers", problems);
            for (op, x) in rest {
                let right = infer(x, ctx, scope, problems);
                expect(right, Ty::Num, x, "comparisons need numbers", problems);
                same_dim(left, right, e.span, &format!("`{}`", op.symbol()), problems);
                left = right;
            }
            Info::boolean()
        }
        ExprKind::Window {
            value, low, high, ..
        } => {
            let v = infer(value, ctx, scope, problems);
            expect(v, Ty::Num, value, "`in [a, b]` tests a number", problems);
            for edge in [low, high] {
                let i = infer(edge, ctx, scope, problems);
                expect(i, Ty::Num, edge, "window edges are numbers", problems);
                same_dim(v, i, edge.span, "a window edge", problems);
            }
            Info::boolean()
        }
    }
}

fn infer_call(
    e: &Expr,
    name: &str,
    args: &[Expr],
    ctx: &LintContext,
    scope: Scope,
    problems: &mut Vec<Problem>,
) -> Info {
    let Some(f) = function(name) else {
        // A basf2 variable with arguments: a column.
        return ctx
            .resolve_call(e)
            .map_or_else(Info::unknown, |s| ctx.symbol_info(s));
    };
    if args.len() < f.min_args || args.len() > f.max_args {
        problems.push(Problem {
            kind: ProblemKind::Arity,
            span: e.span,
            message: format!(
                "`{name}` takes {} argument(s), got {}",
                crate::expr::arity_text(f),
                args.len()
            ),
        });
    }
    let infos: Vec<Info> = args
        .iter()
        .map(|a| infer(a, ctx, scope, problems))
        .collect();
    let first = infos.first().copied().unwrap_or_else(Info::unknown);
    match name {
        "isnan" => {
            expect(first, Ty::Num, &args[0], "`isnan` tests a number", problems);
            Info::boolean()
        }
        "ifelse" if infos.len() == 3 => {
            expect(
                infos[0],
                Ty::Bool,
                &args[0],
                "the first argument of `ifelse` is a condition",
                problems,
            );
            same_dim(
                infos[1],
                infos[2],
                e.span,
                "the two branches of `ifelse`",
                problems,
            );
            if infos[1].ty != Ty::Unknown
                && infos[2].ty != Ty::Unknown
                && infos[1].ty != infos[2].ty
            {
                problems.push(Problem {
                    kind: ProblemKind::Type,
                    span: e.span,
                    message:
                        "the two branches of `ifelse` must both be numbers or both be conditions"
                            .into(),
                });
            }
            infos[1]
        }
        _ => {
            for (a, i) in args.iter().zip(&infos) {
                expect(*i, Ty::Num, a, &format!("`{name}` needs numbers"), problems);
            }
            match name {
                "abs" | "min" | "max" | "clip" => {
                    for w in infos.windows(2) {
                        same_dim(
                            w[0],
                            w[1],
                            e.span,
                            &format!("the arguments of `{name}`"),
                            problems,
                        );
                    }
                    Info::num(first.dim, first.discrete)
                }
                "sqrt" => Info::num(first.dim.and_then(Dim::sqrt), Some(false)),
                _ => Info::num(Some(Dim::NONE).filter(|_| first.dim.is_some()), Some(false)),
            }
        }
    }
}

fn arithmetic(
    op: BinOp,
    a: Info,
    b: Info,
    rhs: &Expr,
    span: Span,
    problems: &mut Vec<Problem>,
) -> Info {
    let discrete = match op {
        BinOp::Add | BinOp::Sub | BinOp::Mul => a.discrete.zip(b.discrete).map(|(x, y)| x && y),
        _ => Some(false),
    };
    let dim = match op {
        BinOp::Add | BinOp::Sub => {
            same_dim(a, b, span, &format!("`{}`", op.symbol()), problems);
            a.dim.or(b.dim)
        }
        BinOp::Mul => match (a.dim, b.dim) {
            (Some(x), Some(y)) => Some(x * y),
            (x, None) if is_literal(rhs) => x,
            _ => None,
        },
        BinOp::Div => match (a.dim, b.dim) {
            (Some(x), Some(y)) => Some(x / y),
            (x, None) if is_literal(rhs) => x,
            _ => None,
        },
        BinOp::Pow => match (&rhs.kind, a.dim) {
            (ExprKind::Number(n, None), Some(d)) if n.fract() == 0.0 && n.abs() < 16.0 => {
                Some(d.pow(*n as i8))
            }
            _ => None,
        },
        BinOp::And | BinOp::Or => None,
    };
    Info::num(dim, discrete)
}

fn is_literal(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Number(_, None))
}

fn expect(info: Info, want: Ty, at: &Expr, what: &str, problems: &mut Vec<Problem>) {
    if info.ty == Ty::Unknown || info.ty == want {
        return;
    }
    let (is, fix) = match want {
        Ty::Num => (
            "a condition",
            "use it where a condition is expected, or `ifelse(c, 1, 0)`",
        ),
        _ => ("a number", "compare it, e.g. `x > 0` or `x == 1`"),
    };
    problems.push(Problem {
        kind: ProblemKind::Type,
        span: at.span,
        message: format!("{what}, but `{at}` is {is}; {fix}"),
    });
}

fn same_dim(a: Info, b: Info, span: Span, what: &str, problems: &mut Vec<Problem>) {
    if let (Some(x), Some(y)) = (a.dim, b.dim)
        && x != y
    {
        problems.push(Problem {
            kind: ProblemKind::Unit,
            span,
            message: format!("{what} mixes {x} with {y}"),
        });
    }
}
