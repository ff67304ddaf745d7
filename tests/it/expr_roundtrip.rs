//! Property test: for every expression tree, `parse(print(e)) == e`. This is what makes
//! `fmt` safe and `diff` meaningful.

use proptest::prelude::*;
use searchlight::diag::Span;
use searchlight::expr::{BinOp, CmpOp, Expr, ExprKind, UnaryOp, Unit, parse_text, print};

fn node(kind: ExprKind) -> Expr {
    Expr {
        kind,
        span: Span::default(),
    }
}

fn leaf() -> impl Strategy<Value = Expr> {
    let number = (
        0.0f64..1e6,
        prop::option::of(prop::sample::select(vec![
            Unit::GeV,
            Unit::MeV,
            Unit::Cm,
            Unit::Ps,
        ])),
    )
        .prop_map(|(v, u)| node(ExprKind::Number(v, u)));
    let small = prop::sample::select(vec![0.0, 1.0, 0.5, 1e-7, 2.5e20, 5.27])
        .prop_map(|v| node(ExprKind::Number(v, None)));
    let name = prop::sample::select(vec![
        "Mbc",
        "deltaE",
        "x",
        "index",
        "inside",
        "notes",
        "M",
        "__event__",
    ])
    .prop_map(|n| node(ExprKind::Name(n.to_string())));
    prop_oneof![number, small, name]
}

fn binop() -> impl Strategy<Value = BinOp> {
    prop::sample::select(vec![
        BinOp::Or,
        BinOp::And,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
        BinOp::Pow,
    ])
}

fn cmpop() -> impl Strategy<Value = CmpOp> {
    prop::sample::select(CmpOp::ALL.to_vec())
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(6, 64, 4, |inner| {
        prop_oneof![
            (
                prop::sample::select(vec![UnaryOp::Neg, UnaryOp::Not]),
                inner.clone()
            )
                .prop_map(|(op, e)| node(ExprKind::Unary(op, Box::new(e)))),
            (binop(), inner.clone(), inner.clone()).prop_map(|(op, a, b)| node(ExprKind::Binary(
                op,
                Box::new(a),
                Box::new(b)
            ))),
            (
                inner.clone(),
                prop::collection::vec((cmpop(), inner.clone()), 1..3)
            )
                .prop_map(|(first, rest)| node(ExprKind::Compare(Box::new(first), rest))),
            (inner.clone(), inner.clone(), inner.clone(), any::<bool>()).prop_map(
                |(v, lo, hi, negated)| node(ExprKind::Window {
                    value: Box::new(v),
                    low: Box::new(lo),
                    high: Box::new(hi),
                    negated
                })
            ),
            (
                prop::sample::select(vec!["abs", "max", "daughter", "useCMSFrame"]),
                prop::collection::vec(inner.clone(), 1..3)
            )
                .prop_map(|(f, args)| node(ExprKind::Call(f.to_string(), args))),
            prop::sample::select(vec!["pi+:loose", "K_S0:merged"]).prop_map(|r| node(
                ExprKind::Call(
                    "nParticlesInList".into(),
                    vec![node(ExprKind::Raw(r.to_string()))]
                )
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn print_then_parse_is_identity(e in expr()) {
        let text = print(&e);
        let back = parse_text(&text).map_err(|d| TestCaseError::fail(format!("`{text}`: {}", d.message)))?;
        prop_assert_eq!(&back, &e, "via `{}`", text);
        // Printing is canonical: printing the re-parsed tree gives the same text.
        prop_assert_eq!(print(&back), text);
    }
}
