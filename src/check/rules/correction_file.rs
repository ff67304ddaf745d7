//! ## What it does
//! Opens the file of each entry of `corrections:` and checks it as `run` would use it (and
//! that its name is not a variable's or an MVA's, which would hide it): a
//! readable correctionlib (schema v2) file or Belle II table, matching its pinned
//! `sha256`, holding the named correction; one expression in `inputs` per numeric input;
//! every string input given a value its categories have (`keys`, or the call's
//! `NAME(VALUE)` for the varied one).
//!
//! ## Why is this bad?
//! `run` refuses such a correction (`SL212`) after reading the data; a missing key or a
//! misordered input list would otherwise surface only then, or never.
//!
//! ## Example
//! ```yaml
//! corrections:
//!   muid: { file: corrections/muid.json, inputs: [p] }   # the correction takes p, cosTheta and syst
//! ```
//!
//! ## Use instead
//! ```yaml
//! corrections:
//!   muid: { file: corrections/muid.json, inputs: [p, cosTheta], keys: { syst: nominal } }
//! ```

use super::{Rule, visit_resolvable};
use crate::check::corrections::{open, resolve};
use crate::check::sites::sites;
use crate::check::{LintContext, Symbol};
use crate::diag::{Diagnostic, Severity};
use crate::expr::ExprKind;

pub const RULE: Rule = Rule {
    code: "SL038",
    name: "correction-file",
    severity: Severity::Error,
    summary: "a correction whose file, inputs or keys `run` would refuse",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let mut usable = Vec::new();
    for (i, e) in ctx.spec.corrections.iter().enumerate() {
        let spec = ctx.spec;
        let taken = if spec.variables.iter().any(|v| v.name.value == e.name.value) {
            Some("a variable")
        } else if spec.mva.iter().any(|m| m.name.value == e.name.value) {
            Some("an MVA")
        } else {
            None
        };
        if let Some(what) = taken {
            out.push(
                RULE.diag(format!(
                    "correction `{}` has the name of {what}, which expressions would read instead",
                    e.name.value
                ))
                .at_labelled(e.name.span, "name taken"),
            );
        }
        match open(ctx, i) {
            Ok(_) => usable.push(true),
            Err(d) => {
                usable.push(false);
                out.push(Diagnostic {
                    code: RULE.code,
                    ..d.clone()
                });
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for site in sites(ctx.spec) {
        visit_resolvable(&site.expr.expr, &mut |e| {
            let symbol = match &e.kind {
                ExprKind::Name(n) => ctx.resolve(n, site.scope),
                ExprKind::Call(..) => ctx.resolve_call_in(e, site.scope),
                _ => None,
            };
            let Some(Symbol::Correction(i)) = symbol else {
                return;
            };
            if !usable[i] || !seen.insert(crate::expr::print(e)) {
                return;
            }
            if let Err(d) = resolve(ctx, i, e) {
                let d = Diagnostic {
                    code: RULE.code,
                    ..d
                };
                // Every `NAME(VALUE)` meets the same fault of the entry (`vary`).
                if !out
                    .iter()
                    .any(|o| o.message == d.message && o.span == d.span)
                {
                    out.push(d);
                }
            }
        });
    }
}
