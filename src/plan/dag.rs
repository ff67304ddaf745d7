//! The dataflow graph of an analysis's per-candidate values: every column read, constant,
//! operator, function and classifier is one [`DagNode`], operands before their users, so the
//! node list is a topological order. Expressions are lowered into it with their aliases
//! inlined; the optimizer passes in [`super::passes`] then rewrite it.
//!
//! The scalar semantics of every node live here ([`DagNode::scalar`]), so that the passes
//! that compute at plan time and the executor's block kernels agree to the bit.

use super::binding::{Binding, Bindings, CorrectionBinding, MvaBinding};
use crate::expr::{BinOp, CmpOp, Expr, ExprKind, UnaryOp};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Index of a node in a [`Dag`].
pub type NodeId = usize;

/// Elementwise functions of one argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unary {
    /// `-x`
    Neg,
    /// `not x` (undefined stays undefined)
    Not,
    /// `isnan(x)`
    IsNan,
    /// `abs(x)`
    Abs,
    /// `sqrt(x)`
    Sqrt,
    /// `exp(x)`
    Exp,
    /// `log(x)`
    Log,
    /// `log10(x)`
    Log10,
    /// `sin(x)`
    Sin,
    /// `cos(x)`
    Cos,
    /// `tan(x)`
    Tan,
}

impl Unary {
    /// The built-in function of that name taking one argument.
    fn of_function(name: &str) -> Option<Unary> {
        Some(match name {
            "isnan" => Unary::IsNan,
            "abs" => Unary::Abs,
            "sqrt" => Unary::Sqrt,
            "exp" => Unary::Exp,
            "log" => Unary::Log,
            "log10" => Unary::Log10,
            "sin" => Unary::Sin,
            "cos" => Unary::Cos,
            "tan" => Unary::Tan,
            _ => return None,
        })
    }

    /// The name as written in a plan.
    pub fn name(self) -> &'static str {
        match self {
            Unary::Neg => "-",
            Unary::Not => "not",
            Unary::IsNan => "isnan",
            Unary::Abs => "abs",
            Unary::Sqrt => "sqrt",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Log10 => "log10",
            Unary::Sin => "sin",
            Unary::Cos => "cos",
            Unary::Tan => "tan",
        }
    }

    /// The function.
    #[inline(always)]
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Unary::Neg => -x,
            Unary::Not => {
                if x.is_nan() {
                    x
                } else {
                    truth(x == FALSE)
                }
            }
            Unary::IsNan => truth(x.is_nan()),
            Unary::Abs => x.abs(),
            Unary::Sqrt => x.sqrt(),
            Unary::Exp => x.exp(),
            Unary::Log => x.ln(),
            Unary::Log10 => x.log10(),
            Unary::Sin => x.sin(),
            Unary::Cos => x.cos(),
            Unary::Tan => x.tan(),
        }
    }
}

pub use crate::expr::semantics::{FALSE, TRUE, binary, call, compare, truth, window};

/// One value per candidate.
#[derive(Clone, Debug)]
pub enum DagNode {
    /// An input column (branch name).
    Column(String),
    /// A number.
    Constant(f64),
    /// A function of one value.
    Unary(Unary, NodeId),
    /// Arithmetic or a boolean connective.
    Binary(BinOp, NodeId, NodeId),
    /// A comparison.
    Compare(CmpOp, NodeId, NodeId),
    /// `value in [low, high]`, or `not in` when negated.
    Window {
        /// Tested value.
        value: NodeId,
        /// Lower edge.
        low: NodeId,
        /// Upper edge.
        high: NodeId,
        /// `not in`.
        negated: bool,
    },
    /// Another built-in (`min`, `max`, `atan2`, `pow`, `clip`, `ifelse`), row by row.
    Call(String, Vec<NodeId>),
    /// A classifier's output from its features.
    Mva(Arc<MvaBinding>, Vec<NodeId>),
    /// A correction's value from its numeric inputs.
    Correction(Arc<CorrectionBinding>, Vec<NodeId>),
}

impl DagNode {
    /// The operands, in order.
    pub fn operands(&self) -> Vec<NodeId> {
        match self {
            DagNode::Column(_) | DagNode::Constant(_) => Vec::new(),
            DagNode::Unary(_, x) => vec![*x],
            DagNode::Binary(_, a, b) | DagNode::Compare(_, a, b) => vec![*a, *b],
            DagNode::Window {
                value, low, high, ..
            } => vec![*value, *low, *high],
            DagNode::Call(_, args) | DagNode::Mva(_, args) | DagNode::Correction(_, args) => {
                args.clone()
            }
        }
    }

    /// The same node with every operand mapped by `f`.
    pub fn map_operands(&self, f: impl Fn(NodeId) -> NodeId) -> DagNode {
        match self {
            DagNode::Column(_) | DagNode::Constant(_) => self.clone(),
            DagNode::Unary(u, x) => DagNode::Unary(*u, f(*x)),
            DagNode::Binary(op, a, b) => DagNode::Binary(*op, f(*a), f(*b)),
            DagNode::Compare(op, a, b) => DagNode::Compare(*op, f(*a), f(*b)),
            DagNode::Window {
                value,
                low,
                high,
                negated,
            } => DagNode::Window {
                value: f(*value),
                low: f(*low),
                high: f(*high),
                negated: *negated,
            },
            DagNode::Call(name, args) => {
                DagNode::Call(name.clone(), args.iter().map(|&a| f(a)).collect())
            }
            DagNode::Mva(m, args) => DagNode::Mva(m.clone(), args.iter().map(|&a| f(a)).collect()),
            DagNode::Correction(c, args) => {
                DagNode::Correction(c.clone(), args.iter().map(|&a| f(a)).collect())
            }
        }
    }

    /// The value of an elementwise node from its operands' values; None for columns and
    /// classifiers, which are not functions of scalars alone.
    pub fn scalar(&self, args: &[f64]) -> Option<f64> {
        Some(match self {
            DagNode::Column(_) | DagNode::Mva(..) | DagNode::Correction(..) => return None,
            DagNode::Constant(c) => *c,
            DagNode::Unary(u, _) => u.apply(args[0]),
            DagNode::Binary(op, ..) => binary(*op, args[0], args[1]),
            DagNode::Compare(op, ..) => compare(*op, args[0], args[1]),
            DagNode::Window { negated, .. } => window(args[0], args[1], args[2], *negated),
            DagNode::Call(name, _) => call(name, args),
        })
    }

    /// The constant's value, if this is one.
    pub fn constant(&self) -> Option<f64> {
        match self {
            DagNode::Constant(c) => Some(*c),
            _ => None,
        }
    }
}

/// Nodes are equal when they compute the same thing: numbers by bit pattern, classifiers
/// and corrections by identity.
impl PartialEq for DagNode {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (DagNode::Constant(a), DagNode::Constant(b)) => a.to_bits() == b.to_bits(),
            (DagNode::Mva(a, x), DagNode::Mva(b, y)) => Arc::ptr_eq(a, b) && x == y,
            (DagNode::Correction(a, x), DagNode::Correction(b, y)) => Arc::ptr_eq(a, b) && x == y,
            (DagNode::Column(a), DagNode::Column(b)) => a == b,
            (DagNode::Unary(u, x), DagNode::Unary(v, y)) => u == v && x == y,
            (DagNode::Binary(o, a, b), DagNode::Binary(p, c, d)) => o == p && a == c && b == d,
            (DagNode::Compare(o, a, b), DagNode::Compare(p, c, d)) => o == p && a == c && b == d,
            (
                DagNode::Window {
                    value: a,
                    low: b,
                    high: c,
                    negated: n,
                },
                DagNode::Window {
                    value: d,
                    low: e,
                    high: f,
                    negated: m,
                },
            ) => (a, b, c, n) == (d, e, f, m),
            (DagNode::Call(f, x), DagNode::Call(g, y)) => f == g && x == y,
            _ => false,
        }
    }
}

impl Eq for DagNode {}

impl Hash for DagNode {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            DagNode::Column(b) => b.hash(state),
            DagNode::Constant(c) => c.to_bits().hash(state),
            DagNode::Unary(u, _) => u.hash(state),
            DagNode::Binary(op, ..) => op.symbol().hash(state),
            DagNode::Compare(op, ..) => op.symbol().hash(state),
            DagNode::Window { negated, .. } => negated.hash(state),
            DagNode::Call(name, _) => name.hash(state),
            DagNode::Mva(m, _) => Arc::as_ptr(m).hash(state),
            DagNode::Correction(c, _) => Arc::as_ptr(c).hash(state),
        }
        self.operands().hash(state);
    }
}

/// The graph: nodes in topological order.
#[derive(Clone, Debug, Default)]
pub struct Dag {
    /// Every node; operands precede their users.
    pub nodes: Vec<DagNode>,
}

impl Dag {
    /// Appends a node and returns its id.
    pub fn push(&mut self, node: DagNode) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The nodes `roots` depend on (themselves included), as a mask over the nodes.
    pub fn reachable(&self, roots: impl IntoIterator<Item = NodeId>) -> Vec<bool> {
        let mut live = vec![false; self.nodes.len()];
        roots.into_iter().for_each(|r| live[r] = true);
        for id in (0..self.nodes.len()).rev() {
            if live[id] {
                self.nodes[id]
                    .operands()
                    .into_iter()
                    .for_each(|o| live[o] = true);
            }
        }
        live
    }

    /// The node as text, its operands written as `%id`.
    pub fn describe(&self, id: NodeId) -> String {
        let list = |ids: &[NodeId]| {
            ids.iter()
                .map(|i| format!("%{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &self.nodes[id] {
            DagNode::Column(b) => format!("column {b}"),
            DagNode::Constant(c) => format!("constant {}", crate::expr::format_number(*c)),
            DagNode::Unary(Unary::Neg, x) => format!("-%{x}"),
            DagNode::Unary(u, x) => format!("{}(%{x})", u.name()),
            DagNode::Binary(op, a, b) => format!("%{a} {} %{b}", op.symbol()),
            DagNode::Compare(op, a, b) => format!("%{a} {} %{b}", op.symbol()),
            DagNode::Window {
                value,
                low,
                high,
                negated,
            } => format!(
                "%{value} {}in [%{low}, %{high}]",
                if *negated { "not " } else { "" }
            ),
            DagNode::Call(name, args) => format!("{name}({})", list(args)),
            DagNode::Mva(_, args) => format!("mva({})", list(args)),
            DagNode::Correction(c, args) => {
                format!("correction {}({})", c.correction.name, list(args))
            }
        }
    }
}

/// Lowers expressions into a [`Dag`]: one node per operator occurrence (the sharing of
/// equal subexpressions is a pass of its own), aliases and classifiers once each.
pub struct Lowering<'a> {
    bindings: &'a Bindings,
    /// The graph being built.
    pub dag: Dag,
    named: HashMap<String, NodeId>,
}

impl<'a> Lowering<'a> {
    /// An empty graph over `bindings`.
    pub fn new(bindings: &'a Bindings) -> Self {
        Lowering {
            bindings,
            dag: Dag::default(),
            named: HashMap::new(),
        }
    }

    fn named(&mut self, key: String) -> NodeId {
        if let Some(&id) = self.named.get(&key) {
            return id;
        }
        let id = match self.bindings.get(&key) {
            Some(Binding::Column(branch)) => self.dag.push(DagNode::Column(branch.clone())),
            Some(Binding::ScaledColumn(branch, factor)) => {
                let column = self.dag.push(DagNode::Column(branch.clone()));
                let factor = self.dag.push(DagNode::Constant(*factor));
                self.dag.push(DagNode::Binary(BinOp::Mul, column, factor))
            }
            Some(Binding::Constant(c)) => self.dag.push(DagNode::Constant(*c)),
            Some(Binding::Alias(e)) => self.lower(e),
            Some(Binding::Mva(m)) => {
                let features = m.features.iter().map(|f| self.lower(f)).collect();
                self.dag.push(DagNode::Mva(m.clone(), features))
            }
            Some(Binding::Correction(c)) => {
                let inputs = c.inputs.iter().map(|f| self.lower(f)).collect();
                self.dag.push(DagNode::Correction(c.clone(), inputs))
            }
            // The planner resolved every name of a lint-clean analysis.
            None => unreachable!("planner resolved `{key}`"),
        };
        self.named.insert(key, id);
        id
    }

    /// Lowers `e` and returns the node of its value.
    pub fn lower(&mut self, e: &Expr) -> NodeId {
        if let Some(key) = e.name_key() {
            return self.named(key);
        }
        let node = match &e.kind {
            ExprKind::Number(v, unit) => DagNode::Constant(v * unit.map_or(1.0, |u| u.to_base())),
            // A basf2 argument that is not a number has no value.
            ExprKind::Raw(_) => DagNode::Constant(f64::NAN),
            ExprKind::Name(_) => unreachable!("names are handled above"),
            ExprKind::Call(name, args) => {
                let args: Vec<NodeId> = args.iter().map(|a| self.lower(a)).collect();
                match Unary::of_function(name) {
                    Some(u) if args.len() == 1 => DagNode::Unary(u, args[0]),
                    _ => DagNode::Call(name.clone(), args),
                }
            }
            ExprKind::Unary(op, x) => {
                let x = self.lower(x);
                let u = match op {
                    UnaryOp::Neg => Unary::Neg,
                    UnaryOp::Not => Unary::Not,
                };
                DagNode::Unary(u, x)
            }
            // `x ** 2` is the square `x * x`: exact (`powf` is not always), several
            // times faster, and what numpy computes for it.
            ExprKind::Binary(BinOp::Pow, a, b) if matches!(b.kind, ExprKind::Number(v, None) if v == 2.0) =>
            {
                let a = self.lower(a);
                DagNode::Binary(BinOp::Mul, a, a)
            }
            ExprKind::Binary(op, a, b) => {
                let (a, b) = (self.lower(a), self.lower(b));
                DagNode::Binary(*op, a, b)
            }
            ExprKind::Compare(first, rest) => {
                // `a < b <= c` is `(a < b) and (b <= c)`.
                let mut left = self.lower(first);
                let mut chain = None;
                for (op, x) in rest {
                    let right = self.lower(x);
                    let c = self.dag.push(DagNode::Compare(*op, left, right));
                    chain = Some(match chain {
                        None => c,
                        Some(prev) => self.dag.push(DagNode::Binary(BinOp::And, prev, c)),
                    });
                    left = right;
                }
                return chain.expect("a comparison has a right-hand side");
            }
            ExprKind::Window {
                value,
                low,
                high,
                negated,
            } => DagNode::Window {
                value: self.lower(value),
                low: self.lower(low),
                high: self.lower(high),
                negated: *negated,
            },
        };
        self.dag.push(node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The planner's one-argument nodes compute exactly what the function catalogue does
    /// (its rules are tested in `expr::semantics`), and `-`/`not` keep NaN.
    #[test]
    fn unary_nodes_agree_with_the_function_catalogue() {
        let values = [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -0.0,
            0.0,
            1.5,
            -2.0,
        ];
        for f in crate::expr::FUNCTIONS
            .iter()
            .filter(|f| f.min_args == 1 && f.max_args == 1)
        {
            let unary =
                Unary::of_function(f.name).expect("a one-argument built-in is a unary node");
            for x in values {
                let node = unary.apply(x);
                let catalogue = crate::expr::apply_function(f.name, &[x]);
                assert!(
                    node.to_bits() == catalogue.to_bits() || (node.is_nan() && catalogue.is_nan()),
                    "{}({x}): {node} vs {catalogue}",
                    f.name
                );
            }
        }
        assert!(Unary::Neg.apply(f64::NAN).is_nan());
        assert!(Unary::Not.apply(f64::NAN).is_nan());
    }
}
