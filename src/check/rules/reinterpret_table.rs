//! ## What it does
//! Checks the tables and per-channel formulas of `limits.reinterpret` and
//! `limits.model_plane`: each table file is
//! a readable CSV or JSON table of `value` against `mass` (and `channel`, naming channels
//! of the spec), and each per-channel formula belongs to a channel of the spec whose POI
//! is its own (`per_channel: true`).
//!
//! ## Why is this bad?
//! `run` cannot reinterpret a limit through a table it cannot read; a table row or a
//! formula for a channel that does not exist, or a channel formula where the channels
//! share one POI, is never used.
//!
//! ## Example
//! ```yaml
//! limits:
//!   reinterpret:
//!     theta: { formula: "sqrt(br / rate)", tables: { rate: rates.csv }, channels: { K0: "sqrt(br / rate / 2)" } }
//! ```
//!
//! ## Use instead
//! ```yaml
//! limits:
//!   reinterpret:
//!     theta: { formula: "sqrt(br / rate)", tables: { rate: rates.csv }, channels: { K_S0: "sqrt(br / rate / 2)" } }
//! ```

use super::Rule;
use crate::check::LintContext;
use crate::diag::{Diagnostic, Severity, suggestion};

pub const RULE: Rule = Rule {
    code: "SL040",
    name: "reinterpret-table",
    severity: Severity::Error,
    summary: "a reinterpretation table that cannot be read, or a formula for a channel that has none",
    check,
};

fn check(ctx: &LintContext, out: &mut Vec<Diagnostic>) {
    let spec = ctx.spec;
    let Some(limits) = &spec.limits else { return };
    let channels: Vec<&str> = spec
        .channels
        .iter()
        .map(|c| c.name.value.as_str())
        .collect();
    let per_channel = spec
        .model
        .as_ref()
        .is_some_and(|m| m.poi().per_channel.value);
    let reinterpretations = limits.reinterpret.iter().map(|r| {
        (
            format!("reinterpretation `{}`", r.name.value),
            &r.tables,
            &r.channels,
        )
    });
    let planes = limits.model_plane.iter().map(|p| {
        (
            format!("model plane `{}`", p.coupling.value),
            &p.tables,
            &p.channels,
        )
    });
    for (what, tables, formulas) in reinterpretations.chain(planes) {
        for (_, file) in tables {
            match crate::io::point_table::read(&ctx.base_dir.join(&file.value), &["value"], &[]) {
                Err(e) => out.push(
                    RULE.diag(format!("{what}: {}", e.message))
                        .at_labelled(file.span, "unusable table"),
                ),
                Ok(rows) => {
                    if let Some(c) = rows
                        .iter()
                        .filter_map(|row| row.channel.as_deref())
                        .find(|c| !channels.contains(c))
                    {
                        out.push(
                            RULE.diag(format!(
                                "table {} has rows for `{c}`, which is not a channel of the spec",
                                file.value
                            ))
                            .at_labelled(file.span, "unknown channel")
                            .with_help_opt(suggestion(c, channels.iter().copied())),
                        );
                    }
                }
            }
        }
        for (name, _) in formulas {
            if !channels.contains(&name.value.as_str()) {
                out.push(
                    RULE.diag(format!("`{}` is not a channel of the spec", name.value))
                        .at_labelled(name.span, "no such channel")
                        .with_help_opt(suggestion(&name.value, channels.iter().copied())),
                );
            } else if !per_channel {
                out.push(
                    RULE.diag(format!(
                        "a formula for channel `{}`, but the channels share one POI and one limit",
                        name.value
                    ))
                    .at_labelled(name.span, "never used")
                    .with_help("give each channel its own POI (`poi: { per_channel: true }`) or leave `channels` out"),
                );
            }
        }
    }
}
