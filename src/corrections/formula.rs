//! correctionlib's formulas: the TFormula subset its PEG grammar accepts, evaluated in
//! double precision node by node with the C library's functions, as its C++ evaluator does
//! (so that results agree to the bit).
//!
//! Grammar, loosest first: `||`, `&&`, `== !=`, `> < >= <=`, `- +`, `/ *` (all left
//! associative), `^` (right associative, `pow`). A literal may carry a leading minus
//! (`-2^2` is 4); otherwise unary minus applies to one call, name or parenthesis (`-x^2`
//! is `(-x)^2`). Variables `x y z t` and `x[N]`, parameters `[N]`, functions `log log10
//! exp erf sqrt abs cos sin tan acos asin atan cosh sinh tanh acosh asinh atanh` and
//! `atan2 pow max min`.

/// A parsed formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    /// A number.
    Literal(f64),
    /// Variable `N` of the formula's `variables` list.
    Variable(usize),
    /// Parameter `[N]`.
    Parameter(usize),
    /// `-x` or a function of one argument.
    Unary(Unary, Box<Formula>),
    /// An operator or a function of two arguments.
    Binary(Binary, Box<Formula>, Box<Formula>),
}

/// Functions of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Unary {
    Negative,
    Log,
    Log10,
    Exp,
    Erf,
    Sqrt,
    Abs,
    Cos,
    Sin,
    Tan,
    Acos,
    Asin,
    Atan,
    Cosh,
    Sinh,
    Tanh,
    Acosh,
    Asinh,
    Atanh,
}

/// Operators and functions of two arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Binary {
    Or,
    And,
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterEq,
    LessEq,
    Minus,
    Plus,
    Div,
    Times,
    Pow,
    Atan2,
    Max,
    Min,
}

const UNARY_FUNCTIONS: &[(&str, Unary)] = &[
    ("log10", Unary::Log10),
    ("log", Unary::Log),
    ("exp", Unary::Exp),
    ("erf", Unary::Erf),
    ("sqrt", Unary::Sqrt),
    ("abs", Unary::Abs),
    ("cos", Unary::Cos),
    ("sin", Unary::Sin),
    ("tan", Unary::Tan),
    ("acos", Unary::Acos),
    ("asin", Unary::Asin),
    ("atan", Unary::Atan),
    ("cosh", Unary::Cosh),
    ("sinh", Unary::Sinh),
    ("tanh", Unary::Tanh),
    ("acosh", Unary::Acosh),
    ("asinh", Unary::Asinh),
    ("atanh", Unary::Atanh),
];

const BINARY_FUNCTIONS: &[(&str, Binary)] = &[
    ("atan2", Binary::Atan2),
    ("pow", Binary::Pow),
    ("max", Binary::Max),
    ("min", Binary::Min),
];

/// Operators by precedence level, loosest first; `^` (the last) is right associative.
const LEVELS: &[&[(&str, Binary)]] = &[
    &[("||", Binary::Or)],
    &[("&&", Binary::And)],
    &[("==", Binary::Equal), ("!=", Binary::NotEqual)],
    &[
        (">=", Binary::GreaterEq),
        ("<=", Binary::LessEq),
        (">", Binary::Greater),
        ("<", Binary::Less),
    ],
    &[("-", Binary::Minus), ("+", Binary::Plus)],
    &[("/", Binary::Div), ("*", Binary::Times)],
    &[("^", Binary::Pow)],
];

/// Nesting deeper than this is refused (evaluation recurses once per level).
const MAX_DEPTH: usize = 200;

/// Longer formulas are refused (which bounds the depth of the tree before it is checked).
const MAX_LENGTH: usize = 4096;

impl Formula {
    /// Parses `text`; the error names the position.
    pub fn parse(text: &str) -> Result<Formula, String> {
        if text.len() > MAX_LENGTH {
            return Err(format!("longer than {MAX_LENGTH} characters"));
        }
        let mut p = Parser {
            text: text.as_bytes(),
            at: 0,
            depth: 0,
        };
        let f = p.expression(0)?;
        p.space();
        if p.at != p.text.len() {
            return Err(p.error("unexpected text"));
        }
        if f.depth() > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} operations"));
        }
        Ok(f)
    }

    /// The depth of the tree (its evaluation's recursion).
    fn depth(&self) -> usize {
        match self {
            Formula::Literal(_) | Formula::Variable(_) | Formula::Parameter(_) => 1,
            Formula::Unary(_, a) => 1 + a.depth(),
            Formula::Binary(_, a, b) => 1 + a.depth().max(b.depth()),
        }
    }

    /// The largest variable index used, if any.
    pub fn max_variable(&self) -> Option<usize> {
        match self {
            Formula::Variable(i) => Some(*i),
            Formula::Literal(_) | Formula::Parameter(_) => None,
            Formula::Unary(_, a) => a.max_variable(),
            Formula::Binary(_, a, b) => a.max_variable().max(b.max_variable()),
        }
    }

    /// The same formula with variable `k` renamed `map[k]` (indices checked by the caller
    /// with [`Formula::max_variable`]).
    pub fn with_variables(&self, map: &[usize]) -> Formula {
        match self {
            Formula::Variable(k) => Formula::Variable(map[*k]),
            Formula::Literal(_) | Formula::Parameter(_) => self.clone(),
            Formula::Unary(op, a) => Formula::Unary(*op, Box::new(a.with_variables(map))),
            Formula::Binary(op, a, b) => Formula::Binary(
                *op,
                Box::new(a.with_variables(map)),
                Box::new(b.with_variables(map)),
            ),
        }
    }

    /// The largest parameter index used, if any.
    pub fn max_parameter(&self) -> Option<usize> {
        match self {
            Formula::Parameter(i) => Some(*i),
            Formula::Literal(_) | Formula::Variable(_) => None,
            Formula::Unary(_, a) => a.max_parameter(),
            Formula::Binary(_, a, b) => a.max_parameter().max(b.max_parameter()),
        }
    }

    /// The formula as a postfix program, evaluated without recursion.
    pub fn compile(&self) -> Compiled {
        fn emit(f: &Formula, ops: &mut Vec<Op>, depth: usize, max: &mut usize) {
            *max = (*max).max(depth);
            match f {
                Formula::Literal(x) => ops.push(Op::Literal(*x)),
                Formula::Variable(i) => ops.push(Op::Variable(*i)),
                Formula::Parameter(i) => ops.push(Op::Parameter(*i)),
                Formula::Unary(op, a) => {
                    emit(a, ops, depth, max);
                    ops.push(Op::Unary(*op));
                }
                Formula::Binary(op, a, b) => {
                    emit(a, ops, depth, max);
                    emit(b, ops, depth + 1, max);
                    ops.push(Op::Binary(*op));
                }
            }
        }
        let mut ops = Vec::new();
        let mut max = 0;
        emit(self, &mut ops, 1, &mut max);
        Compiled { ops, stack: max }
    }
}

/// One step of a compiled formula.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Literal(f64),
    Variable(usize),
    Parameter(usize),
    Unary(Unary),
    Binary(Binary),
}

/// A formula as a postfix program: operands before their operator, left before right,
/// as correctionlib evaluates its tree.
#[derive(Clone, Debug, PartialEq)]
pub struct Compiled {
    ops: Vec<Op>,
    /// The deepest the value stack goes.
    stack: usize,
}

impl Compiled {
    /// The value for `variables` and `parameters` (indices checked at load).
    pub fn evaluate(&self, variables: &[f64], parameters: &[f64]) -> f64 {
        let mut small = [0.0; 32];
        let mut large = Vec::new();
        let stack: &mut [f64] = if self.stack <= small.len() {
            &mut small
        } else {
            large.resize(self.stack, 0.0);
            &mut large
        };
        let mut top = 0;
        for op in &self.ops {
            match *op {
                Op::Literal(x) => {
                    stack[top] = x;
                    top += 1;
                }
                Op::Variable(i) => {
                    stack[top] = variables[i];
                    top += 1;
                }
                Op::Parameter(i) => {
                    stack[top] = parameters[i];
                    top += 1;
                }
                Op::Unary(op) => stack[top - 1] = op.apply(stack[top - 1]),
                Op::Binary(op) => {
                    top -= 1;
                    stack[top - 1] = op.apply(stack[top - 1], stack[top]);
                }
            }
        }
        stack[0]
    }
}

impl Unary {
    /// The function, as correctionlib computes it.
    fn apply(self, x: f64) -> f64 {
        match self {
            Unary::Negative => -x,
            Unary::Log => x.ln(),
            Unary::Log10 => x.log10(),
            Unary::Exp => x.exp(),
            Unary::Erf => libc_math::erf(x),
            Unary::Sqrt => x.sqrt(),
            Unary::Abs => x.abs(),
            Unary::Cos => x.cos(),
            Unary::Sin => x.sin(),
            Unary::Tan => x.tan(),
            Unary::Acos => x.acos(),
            Unary::Asin => x.asin(),
            Unary::Atan => x.atan(),
            Unary::Cosh => x.cosh(),
            Unary::Sinh => x.sinh(),
            Unary::Tanh => x.tanh(),
            Unary::Acosh => libc_math::acosh(x),
            Unary::Asinh => libc_math::asinh(x),
            Unary::Atanh => libc_math::atanh(x),
        }
    }
}

impl Binary {
    /// The operator, as correctionlib computes it: comparisons and connectives give 1 or
    /// 0 (a NaN operand of `&&`/`||` counts as true, being non-zero).
    fn apply(self, l: f64, r: f64) -> f64 {
        let truth = |c: bool| if c { 1.0 } else { 0.0 };
        match self {
            Binary::Or => truth(l != 0.0 || r != 0.0),
            Binary::And => truth(l != 0.0 && r != 0.0),
            Binary::Equal => truth(l == r),
            Binary::NotEqual => truth(l != r),
            Binary::Greater => truth(l > r),
            Binary::Less => truth(l < r),
            Binary::GreaterEq => truth(l >= r),
            Binary::LessEq => truth(l <= r),
            Binary::Minus => l - r,
            Binary::Plus => l + r,
            Binary::Div => l / r,
            Binary::Times => l * r,
            Binary::Pow => l.powf(r),
            Binary::Atan2 => l.atan2(r),
            // std::max and std::min: the first argument unless the second is strictly
            // beyond it (so a NaN second argument is ignored).
            Binary::Max => {
                if l < r {
                    r
                } else {
                    l
                }
            }
            Binary::Min => {
                if r < l {
                    r
                } else {
                    l
                }
            }
        }
    }
}

/// The C library's functions where Rust's standard library computes its own
/// (`asinh`, `acosh`, `atanh`) or has none (`erf`): correctionlib calls the C ones.
mod libc_math {
    unsafe extern "C" {
        pub safe fn erf(x: f64) -> f64;
        pub safe fn asinh(x: f64) -> f64;
        pub safe fn acosh(x: f64) -> f64;
        pub safe fn atanh(x: f64) -> f64;
    }
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn error(&self, what: &str) -> String {
        format!("{what} at position {}", self.at)
    }

    fn space(&mut self) {
        while matches!(self.text.get(self.at), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.space();
        if self.text[self.at..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.error(&format!("expected `{token}`")))
        }
    }

    /// Operands joined by the operators of `level` and tighter.
    fn expression(&mut self, level: usize) -> Result<Formula, String> {
        if level == LEVELS.len() {
            return self.atom();
        }
        let first = self.expression(level + 1)?;
        let right_associative = level == LEVELS.len() - 1;
        let mut operands = vec![first];
        let mut operators = Vec::new();
        'more: loop {
            for &(token, op) in LEVELS[level] {
                let save = self.at;
                if self.eat(token) {
                    // `>` must not take the first half of `>=`; `<` alike.
                    operators.push(op);
                    operands.push(self.expression(level + 1)?);
                    continue 'more;
                }
                self.at = save;
            }
            break;
        }
        if right_associative {
            let mut value = operands.pop().expect("one operand at least");
            while let Some(op) = operators.pop() {
                let left = operands.pop().expect("one per operator");
                value = Formula::Binary(op, Box::new(left), Box::new(value));
            }
            Ok(value)
        } else {
            let mut operands = operands.into_iter();
            let mut value = operands.next().expect("one operand at least");
            for (op, right) in operators.into_iter().zip(operands) {
                value = Formula::Binary(op, Box::new(value), Box::new(right));
            }
            Ok(value)
        }
    }

    fn atom(&mut self) -> Result<Formula, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.space();
        let result = if let Some(x) = self.literal()? {
            Ok(Formula::Literal(x))
        } else if self.text.get(self.at) == Some(&b'-') {
            // Unary minus directly before a call, name or parenthesis.
            self.at += 1;
            self.operand()
                .map(|a| Formula::Unary(Unary::Negative, Box::new(a)))
        } else {
            self.operand()
        };
        self.depth -= 1;
        result
    }

    /// `-`? digits (`.` digits?)? (`e` `-`? digits)?, parsed correctly rounded.
    fn literal(&mut self) -> Result<Option<f64>, String> {
        let text = self.text;
        let start = self.at;
        let mut i = start;
        if text.get(i) == Some(&b'-') {
            i += 1;
        }
        let digits = |i: &mut usize| {
            let from = *i;
            while text.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        if !digits(&mut i) {
            return Ok(None);
        }
        if text.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
        if text.get(i) == Some(&b'e') {
            let mut j = i + 1;
            if text.get(j) == Some(&b'-') {
                j += 1;
            }
            if digits(&mut j) {
                i = j;
            }
        }
        self.at = i;
        let literal = std::str::from_utf8(&text[start..i]).expect("ASCII");
        literal
            .parse()
            .map(Some)
            .map_err(|_| self.error("bad number"))
    }

    fn word(&mut self, words: &[(&str, impl Copy)]) -> Option<usize> {
        // Longest match, as peglib's dictionaries do.
        let rest = &self.text[self.at..];
        let (k, (name, _)) = words
            .iter()
            .enumerate()
            .filter(|(_, (w, _))| rest.starts_with(w.as_bytes()))
            .max_by_key(|(_, (w, _))| w.len())?;
        self.at += name.len();
        Some(k)
    }

    fn operand(&mut self) -> Result<Formula, String> {
        self.space();
        let save = self.at;
        if let Some(k) = self.word(UNARY_FUNCTIONS) {
            if self.eat("(") {
                let a = self.expression(0)?;
                self.expect(")")?;
                return Ok(Formula::Unary(UNARY_FUNCTIONS[k].1, Box::new(a)));
            }
            self.at = save;
        }
        if let Some(k) = self.word(BINARY_FUNCTIONS) {
            if self.eat("(") {
                let a = self.expression(0)?;
                self.expect(",")?;
                let b = self.expression(0)?;
                self.expect(")")?;
                return Ok(Formula::Binary(
                    BINARY_FUNCTIONS[k].1,
                    Box::new(a),
                    Box::new(b),
                ));
            }
            self.at = save;
        }
        if self.eat("[") {
            let index = self.index()?;
            self.expect("]")?;
            return Ok(Formula::Parameter(index));
        }
        if self.text[self.at..].starts_with(b"x[") {
            self.at += 2;
            let index = self.index()?;
            if self.text.get(self.at) != Some(&b']') {
                return Err(self.error("expected `]`"));
            }
            self.at += 1;
            return Ok(Formula::Variable(index));
        }
        if let Some(k) = b"xyzt"
            .iter()
            .position(|c| self.text.get(self.at) == Some(c))
        {
            self.at += 1;
            return Ok(Formula::Variable(k));
        }
        if self.eat("(") {
            let a = self.expression(0)?;
            self.expect(")")?;
            return Ok(a);
        }
        Err(self.error("expected a number, variable, parameter, function or `(`"))
    }

    fn index(&mut self) -> Result<usize, String> {
        let start = self.at;
        while self.text.get(self.at).is_some_and(u8::is_ascii_digit) {
            self.at += 1;
        }
        std::str::from_utf8(&self.text[start..self.at])
            .expect("ASCII")
            .parse()
            .map_err(|_| self.error("expected an index"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(text: &str, x: f64) -> f64 {
        Formula::parse(text)
            .unwrap()
            .compile()
            .evaluate(&[x, 2.0], &[10.0, 0.5])
    }

    #[test]
    fn precedence_and_associativity_follow_correctionlib() {
        assert_eq!(eval("2^3^2", 0.0), 512.0);
        assert_eq!(eval("-x^2", 2.0), 4.0);
        assert_eq!(eval("-2^2", 0.0), 4.0);
        assert_eq!(eval("1-2-3", 0.0), -4.0);
        assert_eq!(eval("8/4/2", 0.0), 1.0);
        assert_eq!(eval("1+2*3", 0.0), 7.0);
        assert_eq!(eval("x>=2 && y<=2", 2.0), 1.0);
        assert_eq!(eval("[0]*x + [1]", 3.0), 30.5);
        assert_eq!(eval("x[1] * log10(100)", 0.0), 4.0);
        assert!(eval("max(x, 1)", f64::NAN).is_nan());
        assert_eq!(eval("max(1, x)", f64::NAN), 1.0);
        assert_eq!(eval("- x", 3.0), -3.0);
        for bad in [
            "--x", "- 2", "1E5", ".5", "x**2", "pi", "x +", "foo(x)", "((x)",
        ] {
            assert!(Formula::parse(bad).is_err(), "{bad}");
        }
    }
}
