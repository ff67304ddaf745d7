//! ## What it does
//! Finds names that do not refer to anything: not an alias, MVA output, column of the data
//! input, scan parameter or physical constant. A basf2 variable with arguments such as
//! `daughter(0, M)` must match a column (stored as `daughter__bo0__cm__spM__bc`).
//!
//! ## Why is this bad?
//! A misspelled variable would make the analysis fail at run time, after minutes of
//! reading data, or worse, silently read a different column.
//!
//! ## Example
//! ```yaml
//! selection:
//!   - cut: Mbc > 5.27 and deltae < 0.1
//! ```
//!
//! ## Use instead
//! ```yaml
//! selection:
//!   - cut: Mbc > 5.27 and deltaE < 0.1
//! ```
//! Columns of file inputs are only known once the file is read; for them this rule checks
//! aliases and MVA outputs only.

use super::{Rule, visit_resolvable};
use crate::check::{LintContext, Scope, sites::sites};
use crate::diag::{Diagnostic, Severity, suggestion};
use crate::expr::{ExprKind, FUNCTIONS, function, mangle, print};

pub const RULE: Rule = Rule {
    code: "SL001",
    name: "unknown-name",
    severity: Severity::Error,
    summary: "a name that is not an alias, MVA, column, parameter or constant",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for site in sites(ctx.spec) {
        let visible = ctx.visible_names(site.scope);
        visit_resolvable(&site.expr.expr, &mut |node| match &node.kind {
            ExprKind::Name(name) if ctx.resolve(name, site.scope).is_none() => {
                let beam = crate::physics::BEAM_CONSTANTS
                    .iter()
                    .any(|(b, _)| b == name);
                let help = beam
                    .then(|| format!("`{name}` comes from the beams: set `analysis.experiment` (belle or belle2)"))
                    .or_else(|| suggestion(name, visible.iter().map(String::as_str)))
                    .or_else(|| match site.scope {
                    Scope::Model { .. } => Some("model expressions may use the scan parameter and constants such as `m_Bp`".into()),
                    Scope::Data | Scope::Input(_) => None,
                });
                out.push(
                    RULE.diag(format!("unknown name `{name}` in {}", site.role))
                        .at_labelled(node.span, "not defined")
                        .with_help_opt(help),
                );
            }
            ExprKind::Call(name, _) if function(name).is_none() => match site.scope {
                Scope::Data | Scope::Input(_)
                    if ctx.resolve_call_in(node, site.scope).is_none() =>
                {
                    let text = print(node);
                    let help = suggestion(&text, visible.iter().map(String::as_str))
                        .or_else(|| suggestion(name, FUNCTIONS.iter().map(|f| f.name)));
                    let input = match site.scope {
                        Scope::Input(i) => format!("input `{}`", ctx.spec.inputs[i].name.value),
                        _ => "the data input".to_string(),
                    };
                    out.push(
                        RULE.diag(format!(
                            "`{text}` (branch `{}`) is not a column of {input}",
                            mangle(&text)
                        ))
                        .at_labelled(node.span, "no such column")
                        .with_help_opt(help),
                    );
                }
                Scope::Model { .. } => {
                    out.push(
                        RULE.diag(format!("unknown function `{name}`"))
                            .at_labelled(node.span, "not a built-in function")
                            .with_help_opt(suggestion(name, FUNCTIONS.iter().map(|f| f.name))),
                    );
                }
                Scope::Data | Scope::Input(_) => {}
            },
            _ => {}
        });
    }
}
