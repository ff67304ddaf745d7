//! Text → [`Expr`], through the pest grammar in `grammar/expr.pest`.

use super::{BinOp, CmpOp, Expr, ExprKind, UnaryOp, Unit};
use crate::diag::{Diagnostic, FileId, Span, codes};
use pest::Parser;
use pest::iterators::Pair;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
struct Grammar;

/// Longest expression text accepted, in bytes.
pub const MAX_LEN: usize = 10_000;
/// Deepest bracket nesting and deepest syntax tree accepted.
pub const MAX_DEPTH: usize = 64;

/// Where an expression's text stands, so node spans can point into the spec file.
#[derive(Clone, Copy, Debug)]
pub struct Origin {
    /// The file holding the text.
    pub file: FileId,
    /// Byte offset of the text's first character when it stands verbatim in the file.
    pub verbatim_at: Option<usize>,
    /// Span to use for every node when the text is not verbatim (e.g. a folded scalar).
    pub fallback: Span,
}

impl Origin {
    /// An origin for text that *is* the whole file (tests, command-line expressions).
    pub fn whole(file: FileId, len: usize) -> Self {
        Origin {
            file,
            verbatim_at: Some(0),
            fallback: Span::new(file, 0, len),
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        match self.verbatim_at {
            Some(at) => Span::new(self.file, at + start, at + end),
            None => self.fallback,
        }
    }
}

/// Parses a stand-alone expression (spans relative to the text, in file 0).
pub fn parse_text(text: &str) -> Result<Expr, Diagnostic> {
    parse(text, Origin::whole(FileId(0), text.len()))
}

/// Parses an expression, reporting syntax errors and exceeded limits as coded diagnostics.
pub fn parse(text: &str, origin: Origin) -> Result<Expr, Diagnostic> {
    if text.len() > MAX_LEN {
        return Err(Diagnostic::error(
            codes::LIMIT_EXCEEDED,
            format!("expression longer than {MAX_LEN} bytes"),
        )
        .at(origin.span(0, text.len())));
    }
    check_bracket_depth(text, &origin)?;
    let mut pairs =
        Grammar::parse(Rule::expression, text).map_err(|e| syntax_error(e, text, &origin))?;
    let top = pairs
        .next()
        .and_then(|p| p.into_inner().next())
        .expect("grammar: expression = SOI or_expr EOI");
    let builder = Builder { origin };
    builder.build(top, 0)
}

/// Rejects nesting (brackets, `**` chains) that would make the recursive-descent parser recurse too deep.
fn check_bracket_depth(text: &str, origin: &Origin) -> Result<(), Diagnostic> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Diagnostic::error(
                        codes::LIMIT_EXCEEDED,
                        format!("expression nested deeper than {MAX_DEPTH} brackets"),
                    )
                    .at_labelled(origin.span(i, i + 1), "too deep here")
                    .with_help("split the expression into named `variables:`"));
                }
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    // `**` is right-recursive in the grammar: bound its chains too.
    if text.matches("**").count() > MAX_DEPTH {
        return Err(Diagnostic::error(
            codes::LIMIT_EXCEEDED,
            format!("more than {MAX_DEPTH} `**` operators in one expression"),
        )
        .at(origin.span(0, text.len())));
    }
    Ok(())
}

fn syntax_error(e: pest::error::Error<Rule>, text: &str, origin: &Origin) -> Diagnostic {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let expected = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            names.sort_unstable();
            names.dedup();
            names
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let found = text[pos..]
        .chars()
        .next()
        .map_or("end of expression".to_string(), |c| format!("`{c}`"));
    let message = if expected.is_empty() {
        format!("cannot parse expression: unexpected {found}")
    } else {
        format!(
            "cannot parse expression: expected {}, found {found}",
            expected.join(" or ")
        )
    };
    let end = (pos + text[pos..].chars().next().map_or(0, char::len_utf8)).max(pos);
    Diagnostic::error(codes::EXPR_SYNTAX, message)
        .at_labelled(origin.span(pos, end), "here")
        .with_help("cuts look like `Mbc > 5.27 and -0.2 < deltaE < 0.1` or `M not in [0.48, 0.52]`")
}

fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::sum
        | Rule::product => "an expression",
        Rule::unary
        | Rule::power
        | Rule::number
        | Rule::quantity
        | Rule::name
        | Rule::call
        | Rule::ident => "a value",
        Rule::cmp_op => "a comparison",
        Rule::add_op | Rule::mul_op | Rule::pow_op => "an operator",
        Rule::and_op | Rule::or_op => "`and`/`or`",
        Rule::window | Rule::in_op | Rule::not_in_op => "`in [a, b]`",
        Rule::EOI => "end of expression",
        Rule::unit => "a unit",
        _ => return None,
    })
}

struct Builder {
    origin: Origin,
}

impl Builder {
    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        self.origin.span(s.start(), s.end())
    }

    fn node(&self, kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    fn too_deep(&self, span: Span) -> Diagnostic {
        Diagnostic::error(
            codes::LIMIT_EXCEEDED,
            format!("expression nested deeper than {MAX_DEPTH} levels"),
        )
        .at(span)
        .with_help("split the expression into named `variables:`")
    }

    /// Builds the node for `pair`; `depth` counts tree levels above it.
    fn build(&self, pair: Pair<Rule>, depth: usize) -> Result<Expr, Diagnostic> {
        let span = self.span(&pair);
        if depth > 4 * MAX_DEPTH {
            return Err(self.too_deep(span));
        }
        let d = depth + 1;
        match pair.as_rule() {
            Rule::or_expr | Rule::and_expr | Rule::sum | Rule::product => self.left_fold(pair, d),
            Rule::not_expr | Rule::unary => {
                let mut inner: Vec<Pair<Rule>> = pair.into_inner().collect();
                let operand = inner.pop().expect("grammar: operand last");
                let mut expr = self.build(operand, d + inner.len())?;
                for op in inner.into_iter().rev() {
                    let op_span = self.span(&op).to(expr.span);
                    let op = if op.as_rule() == Rule::not_op {
                        UnaryOp::Not
                    } else {
                        UnaryOp::Neg
                    };
                    expr = self.node(ExprKind::Unary(op, Box::new(expr)), op_span);
                }
                Ok(expr)
            }
            Rule::comparison => {
                let mut inner = pair.into_inner();
                let first = self.build(
                    inner.next().expect("grammar: comparison starts with sum"),
                    d,
                )?;
                let Some(next) = inner.next() else {
                    return Ok(first);
                };
                if next.as_rule() == Rule::window {
                    let mut w = next.into_inner();
                    let negated =
                        w.next().expect("grammar: window op").as_rule() == Rule::not_in_op;
                    let low = self.build(w.next().expect("grammar: window low"), d)?;
                    let high = self.build(w.next().expect("grammar: window high"), d)?;
                    let kind = ExprKind::Window {
                        value: Box::new(first),
                        low: Box::new(low),
                        high: Box::new(high),
                        negated,
                    };
                    return Ok(self.node(kind, span));
                }
                let mut rest = Vec::new();
                let mut op = Some(next);
                while let Some(op_pair) = op {
                    let operand =
                        self.build(inner.next().expect("grammar: comparison operand"), d)?;
                    rest.push((cmp_op(op_pair.as_str()), operand));
                    op = inner.next();
                }
                Ok(self.node(ExprKind::Compare(Box::new(first), rest), span))
            }
            Rule::power => {
                let mut inner = pair.into_inner();
                let base = self.build(inner.next().expect("grammar: power base"), d)?;
                match (inner.next(), inner.next()) {
                    (Some(_), Some(exponent)) => {
                        let exponent = self.build(exponent, d)?;
                        Ok(self.node(
                            ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(exponent)),
                            span,
                        ))
                    }
                    _ => Ok(base),
                }
            }
            Rule::number => {
                Ok(self.node(ExprKind::Number(number(pair.as_str(), span)?, None), span))
            }
            Rule::quantity => {
                let mut inner = pair.into_inner();
                let value = number(
                    inner.next().expect("grammar: quantity number").as_str(),
                    span,
                )?;
                let unit =
                    Unit::from_symbol(inner.next().expect("grammar: quantity unit").as_str());
                Ok(self.node(ExprKind::Number(value, unit), span))
            }
            Rule::name => Ok(self.node(ExprKind::Name(pair.as_str().to_string()), span)),
            Rule::raw_arg => Ok(self.node(ExprKind::Raw(pair.as_str().to_string()), span)),
            Rule::call => {
                let mut inner = pair.into_inner();
                let name = inner
                    .next()
                    .expect("grammar: call name")
                    .as_str()
                    .to_string();
                let args = inner
                    .map(|a| self.build(a, d))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(self.node(ExprKind::Call(name, args), span))
            }
            other => unreachable!("grammar rule {other:?} is not an expression node"),
        }
    }

    /// `a op b op c` → `((a op b) op c)`.
    fn left_fold(&self, pair: Pair<Rule>, depth: usize) -> Result<Expr, Diagnostic> {
        let mut inner = pair.into_inner();
        let mut acc = self.build(inner.next().expect("grammar: first operand"), depth)?;
        while let Some(op) = inner.next() {
            let rhs = self.build(
                inner.next().expect("grammar: operand after operator"),
                depth,
            )?;
            let op = match op.as_str() {
                "or" => BinOp::Or,
                "and" => BinOp::And,
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "*" => BinOp::Mul,
                "/" => BinOp::Div,
                other => unreachable!("grammar: binary operator {other}"),
            };
            let span = acc.span.to(rhs.span);
            acc = self.node(ExprKind::Binary(op, Box::new(acc), Box::new(rhs)), span);
        }
        Ok(acc)
    }
}

fn cmp_op(s: &str) -> CmpOp {
    match s {
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "==" => CmpOp::Eq,
        _ => CmpOp::Ne,
    }
}

/// A literal's value. The grammar admits only decimal literals; one too large for a 64-bit
/// float is an error rather than infinity (which would not print back as a number).
fn number(s: &str, span: Span) -> Result<f64, Diagnostic> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(
            Diagnostic::error(codes::EXPR_SYNTAX, format!("the number `{s}` is too large"))
                .at_labelled(span, "beyond the range of a 64-bit float"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::print;

    fn round(s: &str) -> String {
        print(&parse_text(s).unwrap_or_else(|e| panic!("{s}: {}", e.message)))
    }

    #[test]
    fn parses_basf2_cuts() {
        assert_eq!(
            round("Mbc > 5.27 and -0.2 < deltaE < 0.1"),
            "Mbc > 5.27 and -0.2 < deltaE < 0.1"
        );
        assert_eq!(round("[M > 0.1] or [p < 2]"), "M > 0.1 or p < 2");
        assert_eq!(
            round("daughter(0, M) not in [0.48, 0.52]"),
            "daughter(0, M) not in [0.48, 0.52]"
        );
        assert_eq!(
            round("nParticlesInList(pi+:loose) == 0"),
            "nParticlesInList(pi+:loose) == 0"
        );
        assert_eq!(round("20 MeV < x"), "20 MeV < x");
        assert_eq!(round("-x ** 2"), "-x ** 2");
        assert_eq!(round("(-x) ** 2"), "(-x) ** 2");
        assert_eq!(round("a - (b - c)"), "a - (b - c)");
        assert_eq!(round("a ** b ** c"), "a ** b ** c");
        assert_eq!(round("not (a < 1 and b > 2)"), "not (a < 1 and b > 2)");
        assert_eq!(round("index > 1e-3"), "index > 0.001");
        assert_eq!(round("inside in [1, 2]"), "inside in [1, 2]");
    }

    #[test]
    fn reports_errors_with_positions() {
        let e = parse_text("Mbc > and").unwrap_err();
        assert_eq!(e.code, codes::EXPR_SYNTAX);
        assert_eq!(e.span.unwrap().start, 6);
        assert!(parse_text("x in [1, 2").is_err());
        assert!(parse_text("a <").is_err());
        assert!(parse_text("").is_err());
        let deep = "(".repeat(1000) + "x" + &")".repeat(1000);
        assert_eq!(parse_text(&deep).unwrap_err().code, codes::LIMIT_EXCEEDED);
        assert_eq!(
            parse_text("20e222222222 / x").unwrap_err().code,
            codes::EXPR_SYNTAX
        );
        let negs = "-".repeat(5000) + "x";
        assert_eq!(parse_text(&negs).unwrap_err().code, codes::LIMIT_EXCEEDED);
    }
}
