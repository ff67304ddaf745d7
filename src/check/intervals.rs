//! Interval reasoning over cuts: which values of each variable a cut lets through.
//!
//! A cut that is a conjunction of comparisons of one variable with constants
//! (`5.27 < Mbc`, `-0.2 < deltaE < 0.1`, `M not in [0.48, 0.52]`) becomes one [`Set`] per
//! variable. The rules intersect these along the selection to find cuts that can never
//! pass or always pass.

use crate::diag::Span;
use crate::expr::{BinOp, CmpOp, Expr, ExprKind, UnaryOp, eval_const, print};
use crate::physics;

/// One end of an interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bound {
    /// Position (may be ±∞).
    pub value: f64,
    /// Whether the end point belongs to the interval.
    pub inclusive: bool,
}

/// An interval of the real line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Range {
    /// Lower end.
    pub low: Bound,
    /// Upper end.
    pub high: Bound,
}

impl Range {
    /// `[low, high]`.
    pub fn closed(low: f64, high: f64) -> Self {
        Range {
            low: Bound {
                value: low,
                inclusive: true,
            },
            high: Bound {
                value: high,
                inclusive: true,
            },
        }
    }

    fn is_empty(&self) -> bool {
        self.low.value > self.high.value
            || (self.low.value == self.high.value && !(self.low.inclusive && self.high.inclusive))
    }

    fn intersect(&self, o: &Range) -> Range {
        let low = if self.low.value > o.low.value
            || (self.low.value == o.low.value && !self.low.inclusive)
        {
            self.low
        } else {
            o.low
        };
        let high = if self.high.value < o.high.value
            || (self.high.value == o.high.value && !self.high.inclusive)
        {
            self.high
        } else {
            o.high
        };
        Range { low, high }
    }

    fn contains(&self, o: &Range) -> bool {
        let low_ok = self.low.value < o.low.value
            || (self.low.value == o.low.value && (self.low.inclusive || !o.low.inclusive));
        let high_ok = self.high.value > o.high.value
            || (self.high.value == o.high.value && (self.high.inclusive || !o.high.inclusive));
        low_ok && high_ok
    }
}

/// A union of disjoint intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct Set(pub Vec<Range>);

const INF: f64 = f64::INFINITY;

impl Set {
    /// Every real number.
    pub fn all() -> Self {
        Set(vec![Range {
            low: Bound {
                value: -INF,
                inclusive: false,
            },
            high: Bound {
                value: INF,
                inclusive: false,
            },
        }])
    }

    /// One interval.
    pub fn range(r: Range) -> Self {
        Set(vec![r]).normalized()
    }

    fn normalized(mut self) -> Self {
        self.0.retain(|r| !r.is_empty());
        self
    }

    /// True when no value passes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Values in both sets.
    pub fn intersect(&self, o: &Set) -> Set {
        let mut out = Vec::new();
        for a in &self.0 {
            for b in &o.0 {
                out.push(a.intersect(b));
            }
        }
        Set(out).normalized()
    }

    /// True when every value of `o` is in `self`.
    pub fn contains(&self, o: &Set) -> bool {
        o.0.iter().all(|r| self.0.iter().any(|s| s.contains(r)))
    }

    /// The set minus a closed window.
    pub fn without(&self, low: f64, high: f64) -> Set {
        self.intersect(&Set::outside(low, high))
    }

    /// Values outside the closed window `[low, high]`.
    pub fn outside(low: f64, high: f64) -> Set {
        Set(vec![
            Range {
                low: Bound {
                    value: -INF,
                    inclusive: false,
                },
                high: Bound {
                    value: low,
                    inclusive: false,
                },
            },
            Range {
                low: Bound {
                    value: high,
                    inclusive: false,
                },
                high: Bound {
                    value: INF,
                    inclusive: false,
                },
            },
        ])
        .normalized()
    }

    /// Values satisfying `x op c`: none when c is NaN (the comparison is undefined).
    pub fn compare(op: CmpOp, c: f64) -> Set {
        if c.is_nan() {
            return Set(Vec::new());
        }
        let b = |value, inclusive| Bound { value, inclusive };
        let open_low = b(-INF, false);
        let open_high = b(INF, false);
        match op {
            CmpOp::Lt => Set(vec![Range {
                low: open_low,
                high: b(c, false),
            }]),
            CmpOp::Le => Set(vec![Range {
                low: open_low,
                high: b(c, true),
            }]),
            CmpOp::Gt => Set(vec![Range {
                low: b(c, false),
                high: open_high,
            }]),
            CmpOp::Ge => Set(vec![Range {
                low: b(c, true),
                high: open_high,
            }]),
            CmpOp::Eq => Set(vec![Range::closed(c, c)]),
            CmpOp::Ne => Set::outside(c, c),
        }
    }
}

/// The values of one variable a cut lets through.
#[derive(Clone, Debug)]
pub struct Atom {
    /// Canonical text of the variable (`Mbc`, `daughter(0, M)`).
    pub key: String,
    /// The variable's expression.
    pub var: Expr,
    /// Values that pass.
    pub set: Set,
    /// The part of the cut that says so.
    pub span: Span,
}

fn constant(e: &Expr) -> Option<f64> {
    eval_const(e, &physics::constant).ok()
}

/// Splits a cut into per-variable sets when it is a conjunction of simple comparisons;
/// `None` when any part is more complex (then the rules say nothing about it).
pub fn atoms(cut: &Expr) -> Option<Vec<Atom>> {
    let mut out = Vec::new();
    collect(cut, &mut out)?;
    // Several atoms on one variable (`x > 1 and x < 2`) combine into one.
    let mut merged: Vec<Atom> = Vec::new();
    for atom in out {
        match merged.iter_mut().find(|m| m.key == atom.key) {
            Some(m) => {
                m.set = m.set.intersect(&atom.set);
                m.span = m.span.to(atom.span);
            }
            None => merged.push(atom),
        }
    }
    Some(merged)
}

fn collect(e: &Expr, out: &mut Vec<Atom>) -> Option<()> {
    match &e.kind {
        ExprKind::Binary(BinOp::And, a, b) => {
            collect(a, out)?;
            collect(b, out)
        }
        ExprKind::Window {
            value,
            low,
            high,
            negated,
        } if constant(value).is_none() => {
            let (lo, hi) = (constant(low)?, constant(high)?);
            let set = if lo.is_nan() || hi.is_nan() {
                Set(Vec::new()) // undefined for every value
            } else if *negated {
                Set::outside(lo, hi)
            } else {
                Set::range(Range::closed(lo, hi))
            };
            out.push(atom(value, set, e.span));
            Some(())
        }
        ExprKind::Compare(first, rest) => {
            let operands: Vec<&Expr> = std::iter::once(first.as_ref())
                .chain(rest.iter().map(|(_, x)| x))
                .collect();
            let vars: Vec<usize> = (0..operands.len())
                .filter(|&i| constant(operands[i]).is_none())
                .collect();
            let [v] = vars.as_slice() else { return None };
            let var = operands[*v];
            let mut set = Set::all();
            for (i, (op, _)) in rest.iter().enumerate() {
                // Comparison i is between operands i and i + 1.
                if i + 1 == *v {
                    set = set.intersect(&Set::compare(op.flipped(), constant(operands[i])?));
                } else if i == *v {
                    set = set.intersect(&Set::compare(*op, constant(operands[i + 1])?));
                }
            }
            out.push(atom(var, set, e.span));
            Some(())
        }
        ExprKind::Unary(UnaryOp::Not, inner) => {
            let ExprKind::Window {
                value,
                low,
                high,
                negated,
            } = &inner.kind
            else {
                return None;
            };
            let (lo, hi) = (constant(low)?, constant(high)?);
            let set = if lo.is_nan() || hi.is_nan() {
                Set(Vec::new()) // `not` keeps an undefined window undefined
            } else if *negated {
                Set::range(Range::closed(lo, hi))
            } else {
                Set::outside(lo, hi)
            };
            out.push(atom(value, set, e.span));
            Some(())
        }
        _ => None,
    }
}

fn atom(var: &Expr, set: Set, span: Span) -> Atom {
    Atom {
        key: print(var),
        var: var.clone(),
        set,
        span,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse_text;

    fn set_of(cut: &str) -> Set {
        let atoms = atoms(&parse_text(cut).unwrap()).unwrap();
        assert_eq!(atoms.len(), 1, "{cut}");
        atoms[0].set.clone()
    }

    #[test]
    fn chained_and_windows() {
        let s = set_of("-0.2 < deltaE < 0.1");
        assert!(s.contains(&set_of("deltaE in [-0.1, 0.05]")));
        assert!(!s.contains(&set_of("deltaE in [-0.1, 0.2]")));
        assert!(set_of("x > 5 and x < 5").is_empty());
        assert!(!set_of("x >= 5 and x <= 5").is_empty());
        assert!(
            set_of("M not in [1, 2]")
                .intersect(&set_of("M in [1.2, 1.8]"))
                .is_empty()
        );
        assert!(atoms(&parse_text("x > 1 or y < 2").unwrap()).is_none());
        assert!(set_of("5.27 GeV < Mbc").contains(&set_of("Mbc > 5.28")));
    }
}

/// What interval reasoning concludes about one cut.
#[derive(Clone, Debug)]
pub struct Verdict {
    /// The cut.
    pub span: Span,
    /// "selection step", "channel", "observable range".
    pub what: &'static str,
    /// No value can pass, given what came before.
    pub never: bool,
    /// Every value that reaches it passes.
    pub always: bool,
    /// The earlier cut that made the difference, if one did (rather than a declared range).
    pub earlier: Option<Span>,
}

/// What is known of each variable at one point of the selection.
#[derive(Default)]
struct Knowledge {
    sets: Vec<(String, Set, Option<Span>)>,
}

impl Knowledge {
    fn get(&mut self, ctx: &super::LintContext, atom: &Atom) -> (Set, Option<Span>) {
        if let Some((_, s, origin)) = self.sets.iter().find(|(k, _, _)| *k == atom.key) {
            return (s.clone(), *origin);
        }
        let set = ctx
            .known_range(&atom.var)
            .map_or_else(Set::all, |(lo, hi)| Set::range(Range::closed(lo, hi)));
        self.sets.push((atom.key.clone(), set.clone(), None));
        (set, None)
    }

    fn set(&mut self, key: &str, set: Set, origin: Span) {
        if let Some(entry) = self.sets.iter_mut().find(|(k, _, _)| k == key) {
            entry.1 = set;
            entry.2 = Some(origin);
        }
    }

    /// Judges a cut against what is known; when `apply`, what it lets through becomes known.
    fn judge(
        &mut self,
        ctx: &super::LintContext,
        cut: &Expr,
        span: Span,
        what: &'static str,
        apply: bool,
    ) -> Option<Verdict> {
        let atoms = atoms(cut)?;
        let mut verdict = Verdict {
            span,
            what,
            never: false,
            always: true,
            earlier: None,
        };
        for atom in &atoms {
            let (known, origin) = self.get(ctx, atom);
            let passed = known.intersect(&atom.set);
            if passed.is_empty() {
                verdict.never = true;
                verdict.earlier = origin;
            }
            if !atom.set.contains(&known) {
                verdict.always = false;
            } else if verdict.earlier.is_none() {
                verdict.earlier = origin;
            }
            if apply && !passed.is_empty() {
                self.set(&atom.key, passed, atom.span);
            }
        }
        verdict.always &= !verdict.never && !atoms.is_empty();
        Some(verdict)
    }
}

/// Applies the selection cuts in order: what is known after them, and a verdict per cut.
fn select(ctx: &super::LintContext) -> (Knowledge, Vec<Verdict>) {
    let mut known = Knowledge::default();
    let mut verdicts = Vec::new();
    for step in &ctx.spec.selection {
        if let crate::spec::Step::Cut { cut, .. } = step {
            verdicts.extend(known.judge(ctx, &cut.expr, cut.span, "selection cut", true));
        }
    }
    (known, verdicts)
}

/// Values of `var` that can survive the selection: its declared range narrowed by every
/// selection cut on it.
pub fn after_selection(ctx: &super::LintContext, var: &Expr) -> Set {
    let (mut known, _) = select(ctx);
    known.get(ctx, &atom(var, Set::all(), var.span)).0
}

/// Walks selection, vetoes, channels and the observable range in execution order and
/// judges each cut.
pub fn flow(ctx: &super::LintContext) -> Vec<Verdict> {
    use crate::spec::Model;
    let (mut known, mut out) = select(ctx);
    for veto in &ctx.spec.vetoes {
        let atom = atom(&veto.var.expr, Set::all(), veto.var.span);
        let (set, _) = known.get(ctx, &atom);
        known.set(
            &atom.key,
            set.without(veto.window.low.value, veto.window.high.value),
            veto.window.span,
        );
    }
    if let Some(obs) = ctx.spec.model.as_ref().map(Model::observable) {
        let (lo, hi) = (obs.range.low.value, obs.range.high.value);
        let set = Set::range(Range::closed(lo, hi));
        let a = Atom {
            key: print(&obs.var.expr),
            var: obs.var.expr.clone(),
            set,
            span: obs.range.span,
        };
        let (have, origin) = known.get(ctx, &a);
        if have.intersect(&a.set).is_empty() {
            out.push(Verdict {
                span: obs.range.span,
                what: "observable range",
                never: true,
                always: false,
                earlier: origin,
            });
        }
    }
    for channel in &ctx.spec.channels {
        out.extend(known.judge(
            ctx,
            &channel.cut.expr,
            channel.cut.span,
            "channel cut",
            false,
        ));
    }
    out
}
