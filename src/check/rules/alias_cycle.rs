//! ## What it does
//! Finds aliases in `variables:` that refer to themselves, directly or through other
//! aliases.
//!
//! ## Why is this bad?
//! A cyclic definition has no value; evaluating it would never end.
//!
//! ## Example
//! ```yaml
//! variables:
//!   a: b + 1
//!   b: 2 * a
//! ```
//!
//! ## Use instead
//! ```yaml
//! variables:
//!   a: Mbc - 5.279
//!   b: 2 * a
//! ```

use super::{Rule, visit_resolvable};
use crate::check::{LintContext, Scope, Symbol};
use crate::diag::{Diagnostic, Severity};
use crate::expr::ExprKind;

pub const RULE: Rule = Rule {
    code: "SL002",
    name: "alias-cycle",
    severity: Severity::Error,
    summary: "aliases that are defined in terms of themselves",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let vars = &ctx.spec.variables;
    let edges: Vec<Vec<usize>> = vars
        .iter()
        .map(|v| {
            let mut to = Vec::new();
            visit_resolvable(&v.expr.expr, &mut |n| {
                if let ExprKind::Name(name) = &n.kind
                    && let Some(Symbol::Alias(i)) = ctx.resolve(name, Scope::Data)
                {
                    to.push(i);
                }
            });
            to
        })
        .collect();
    // Iterative depth-first search; each cycle is reported once, at its first alias.
    let mut state = vec![0u8; vars.len()]; // 0 new, 1 on stack, 2 done
    for start in 0..vars.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack = vec![(start, 0usize)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&to) = edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let pos = stack.iter().position(|(n, _)| *n == to).unwrap_or(0);
                        let cycle: Vec<usize> = stack[pos..].iter().map(|(n, _)| *n).collect();
                        let names: Vec<&str> = cycle
                            .iter()
                            .chain([&to])
                            .map(|&i| vars[i].name.value.as_str())
                            .collect();
                        let mut d = RULE
                            .diag(format!("alias cycle: {}", names.join(" -> ")))
                            .at_labelled(vars[to].name.span, "defined in terms of itself");
                        for &i in cycle.iter().filter(|&&i| i != to) {
                            d = d.with_related(vars[i].name.span, "part of the cycle");
                        }
                        out.push(d.with_help("define one of these aliases from columns only"));
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
}
