//! The built-in functions of the expression language. Any other call is a basf2 variable
//! with arguments, which names an ntuple column (see [`super::mangle`]).

/// What a function accepts and returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Function {
    /// Name as written.
    pub name: &'static str,
    /// Fewest arguments.
    pub min_args: usize,
    /// Most arguments (`usize::MAX` for variadic).
    pub max_args: usize,
    /// True when the result is boolean (`isnan`).
    pub boolean: bool,
    /// One-line description.
    pub doc: &'static str,
}

const fn f(name: &'static str, min_args: usize, max_args: usize, doc: &'static str) -> Function {
    Function {
        name,
        min_args,
        max_args,
        boolean: false,
        doc,
    }
}

/// Every built-in function.
pub const FUNCTIONS: &[Function] = &[
    f("abs", 1, 1, "absolute value"),
    f("sqrt", 1, 1, "square root (NaN below 0)"),
    f("exp", 1, 1, "e to the power x"),
    f("log", 1, 1, "natural logarithm"),
    f("log10", 1, 1, "base-10 logarithm"),
    f("sin", 1, 1, "sine (radians)"),
    f("cos", 1, 1, "cosine (radians)"),
    f("tan", 1, 1, "tangent (radians)"),
    f("atan2", 2, 2, "atan2(y, x), in (-pi, pi]"),
    f("min", 2, usize::MAX, "smallest argument"),
    f("max", 2, usize::MAX, "largest argument"),
    f("pow", 2, 2, "pow(x, y) = x ** y"),
    f("clip", 3, 3, "clip(x, low, high)"),
    Function {
        name: "isnan",
        min_args: 1,
        max_args: 1,
        boolean: true,
        doc: "true where x is NaN",
    },
    f(
        "ifelse",
        3,
        3,
        "ifelse(condition, a, b): a where the condition holds, else b",
    ),
];

/// The built-in function of that name, if there is one.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// `x ** y` and `pow(x, y)`: NaN when either side is (IEEE 754's pow gives 1 for
/// `NaN ** 0` and `1 ** NaN`, which would let an undefined value pass a cut).
pub fn pow(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else {
        x.powf(y)
    }
}

/// The smaller of two numbers, NaN if either is, −0 below +0.
fn min2(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if y < x || (y == x && y.is_sign_negative()) {
        y
    } else {
        x
    }
}

/// The larger of two numbers, NaN if either is, +0 above −0.
fn max2(x: f64, y: f64) -> f64 {
    -min2(-x, -y)
}

/// Applies a numeric built-in to scalar arguments (booleans are 1.0 / 0.0). Every
/// function but `isnan` and `ifelse` is NaN when any argument is (`ifelse` is NaN when
/// its condition or the chosen value is). The arity has been checked before; a wrong
/// count gives NaN.
pub fn apply(name: &str, args: &[f64]) -> f64 {
    let a = |i: usize| args.get(i).copied().unwrap_or(f64::NAN);
    match name {
        "abs" => a(0).abs(),
        "sqrt" => a(0).sqrt(),
        "exp" => a(0).exp(),
        "log" => a(0).ln(),
        "log10" => a(0).log10(),
        "sin" => a(0).sin(),
        "cos" => a(0).cos(),
        "tan" => a(0).tan(),
        "atan2" => a(0).atan2(a(1)),
        "min" => args.iter().copied().fold(f64::INFINITY, min2),
        "max" => args.iter().copied().fold(f64::NEG_INFINITY, max2),
        "pow" => pow(a(0), a(1)),
        "clip" => min2(max2(a(0), a(1)), a(2)),
        "isnan" => f64::from(u8::from(a(0).is_nan())),
        "ifelse" => {
            if a(0).is_nan() {
                f64::NAN
            } else if a(0) != 0.0 {
                a(1)
            } else {
                a(2)
            }
        }
        _ => f64::NAN,
    }
}
