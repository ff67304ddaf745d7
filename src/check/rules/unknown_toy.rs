//! ## What it does
//! Checks toy inputs: the generator exists, its parameters are ones it takes (a grid where
//! it expects a list, one number otherwise), and it generates at least one event.
//!
//! ## Why is this bad?
//! A misspelled parameter would be ignored by a lenient tool, and the analysis would run
//! on a sample other than the one described.
//!
//! ## Example
//! ```yaml
//! inputs:
//!   data: { toy: b_to_k_alp, events: 200000, seed: 1, inject_mas: 1.2 }
//! ```
//!
//! ## Use instead
//! ```yaml
//! inputs:
//!   data: { toy: b_to_k_alp, events: 200000, seed: 1, inject_mass: 1.2, inject_yield: 40 }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, suggestion};
use crate::spec::{ParamValue, Source};
use crate::toy::{self, GENERATORS};

pub const RULE: Rule = Rule {
    code: "SL024",
    name: "unknown-toy",
    severity: Severity::Error,
    summary: "an unknown toy generator or generator parameter",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    for input in &ctx.spec.inputs {
        let Source::Toy {
            generator,
            events,
            params,
            ..
        } = &input.source
        else {
            continue;
        };
        let Some(g) = toy::generator(&generator.value) else {
            let help = suggestion(&generator.value, GENERATORS.iter().map(|g| g.name))
                .unwrap_or_else(|| {
                    format!(
                        "generators: {}",
                        GENERATORS
                            .iter()
                            .map(|g| g.name)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            out.push(
                RULE.diag(format!("unknown toy generator `{}`", generator.value))
                    .at_labelled(generator.span, "unknown")
                    .with_help(help),
            );
            continue;
        };
        if events.value == 0 {
            out.push(
                RULE.diag(format!("input `{}` generates no events", input.name.value))
                    .at_labelled(events.span, "zero"),
            );
        }
        for (name, value) in params {
            let Some(decl) = g.params.iter().find(|p| p.name == name.value) else {
                let help =
                    suggestion(&name.value, g.params.iter().map(|p| p.name)).unwrap_or_else(|| {
                        let all: Vec<&str> = g.params.iter().map(|p| p.name).collect();
                        format!(
                            "`{}` takes: {}",
                            g.name,
                            if all.is_empty() {
                                "no parameters".into()
                            } else {
                                all.join(", ")
                            }
                        )
                    });
                out.push(
                    RULE.diag(format!(
                        "toy generator `{}` has no parameter `{}`",
                        g.name, name.value
                    ))
                    .at_labelled(name.span, "unknown parameter")
                    .with_help(help),
                );
                continue;
            };
            let is_list = matches!(value.value, ParamValue::Many(_));
            if is_list != decl.list {
                let want = if decl.list {
                    "a list of numbers"
                } else {
                    "one number"
                };
                out.push(
                    RULE.diag(format!(
                        "parameter `{}` of `{}` takes {want}",
                        name.value, g.name
                    ))
                    .at_labelled(value.span, "wrong shape")
                    .with_help(decl.doc),
                );
            }
            if matches!(&value.value, ParamValue::Many(v) if v.is_empty()) {
                out.push(
                    RULE.diag(format!(
                        "parameter `{}` of `{}` is an empty list",
                        name.value, g.name
                    ))
                    .at_labelled(value.span, "no values")
                    .with_help(decl.doc),
                );
            }
        }
    }
}
