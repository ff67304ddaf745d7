//! The lint rules: one file per rule, each with a stable code and a doc comment that says
//! what it finds, why it matters, an example and the fix. `docs/lint-rules.md` is
//! generated from those comments (see [`markdown`]).

use super::symbols::LintContext;
pub(crate) use crate::check::sites::visit_resolvable;
use crate::diag::{Diagnostic, Severity};
use crate::expr::ExprKind;

mod alias_cycle;
mod asymptotic_small_counts;
mod background_choice;
mod cl_out_of_range;
mod control_region;
mod correction_file;
mod cut_always_passes;
mod cut_never_passes;
mod dangling_reference;
mod duplicate_step_name;
mod float_equality;
mod implausible_value;
mod input_files;
mod inverted_window;
mod method_unavailable;
mod missing_data_input;
mod missing_model;
mod model_plane;
mod mva_feature_mismatch;
mod mva_hash_mismatch;
mod mva_model_missing;
mod mva_unpinned;
mod nuisance_target;
mod overlapping_channels;
mod overlapping_vetoes;
mod poi_normalisation;
mod reinterpret_table;
mod scan_grid;
mod scan_past_endpoint;
mod scan_signal_source;
mod scan_step_too_coarse;
mod sideband_overlaps_window;
mod touching_windows;
mod type_mismatch;
mod unblinded;
mod unit_mismatch;
mod unknown_name;
mod unknown_pdf;
mod unknown_toy;
mod unused_alias;
mod unused_mva;
mod veto_outside_range;
mod wrong_arity;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

/// A lint rule.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Stable code, `SL001`…
    pub code: &'static str,
    /// Stable kebab-case name; the file is the same name in snake case.
    pub name: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Runs the rule.
    pub check: fn(&LintContext, &mut Vec<Diagnostic>),
}

impl Rule {
    /// A finding of this rule.
    pub fn diag(&self, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.code, self.severity, message)
    }

    /// The rule's documentation (what / why / example / fix).
    pub fn doc(&self) -> &'static str {
        let stem = self.name.replace('-', "_");
        RULE_DOCS
            .iter()
            .find(|(s, _)| *s == stem)
            .map_or("", |(_, d)| d)
    }
}

/// Every rule, in code order.
pub const ALL: &[Rule] = &[
    unknown_name::RULE,
    alias_cycle::RULE,
    unused_alias::RULE,
    unused_mva::RULE,
    cut_never_passes::RULE,
    cut_always_passes::RULE,
    inverted_window::RULE,
    veto_outside_range::RULE,
    overlapping_vetoes::RULE,
    touching_windows::RULE,
    float_equality::RULE,
    scan_past_endpoint::RULE,
    scan_step_too_coarse::RULE,
    cl_out_of_range::RULE,
    asymptotic_small_counts::RULE,
    mva_model_missing::RULE,
    mva_hash_mismatch::RULE,
    mva_feature_mismatch::RULE,
    unblinded::RULE,
    duplicate_step_name::RULE,
    type_mismatch::RULE,
    unit_mismatch::RULE,
    wrong_arity::RULE,
    unknown_toy::RULE,
    dangling_reference::RULE,
    scan_grid::RULE,
    mva_unpinned::RULE,
    missing_data_input::RULE,
    unknown_pdf::RULE,
    overlapping_channels::RULE,
    missing_model::RULE,
    method_unavailable::RULE,
    implausible_value::RULE,
    sideband_overlaps_window::RULE,
    scan_signal_source::RULE,
    input_files::RULE,
    nuisance_target::RULE,
    correction_file::RULE,
    poi_normalisation::RULE,
    reinterpret_table::RULE,
    control_region::RULE,
    background_choice::RULE,
    model_plane::RULE,
];

/// The rule with this code or name.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// What `lint --explain` prints for a rule's code or name, or for any other code.
pub fn explain(code: &str) -> Option<String> {
    if let Some(rule) = find(code) {
        return Some(format!(
            "{} {} ({})\n\n{}",
            rule.code,
            rule.name,
            rule.severity.as_str(),
            rule.doc()
        ));
    }
    crate::diag::codes::EXPLANATIONS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map(|(c, text)| format!("{c}\n\n{text}"))
}

/// The findings as SARIF 2.1.0, with every rule described.
pub fn sarif(diags: &[crate::diag::Diagnostic], sources: &crate::diag::SourceMap) -> String {
    let rules: Vec<(&str, &str, &str)> = ALL.iter().map(|r| (r.code, r.name, r.summary)).collect();
    crate::diag::render::sarif(diags, sources, &rules)
}

/// Every rule as a JSON list of {code, name, severity, summary}.
pub fn listing_json() -> String {
    let list: Vec<_> = ALL
        .iter()
        .map(|r| serde_json::json!({"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary}))
        .collect();
    serde_json::to_string_pretty(&list).expect("rules serialise")
}

/// Every rule, a line each.
pub fn listing_text() -> String {
    ALL.iter()
        .map(|r| {
            format!(
                "{}  {:<26} {:<8} {}\n",
                r.code,
                r.name,
                r.severity.as_str(),
                r.summary
            )
        })
        .collect()
}

/// `docs/lint-rules.md`, generated from the rules' doc comments.
pub fn markdown() -> String {
    let mut out = String::from(
        "# Lint rules\n\n<!-- Generated from src/check/rules/*.rs by `searchlight lint --list-rules --format markdown`; \
         a test fails when this file is stale. -->\n\n\
         `searchlight lint SPEC` runs every rule. Errors make it exit 1; warnings and notes do not. \
         Skip a rule with `--ignore CODE`; read one with `--explain CODE`.\n\n\
         | code | name | severity | finds |\n|---|---|---|---|\n",
    );
    for r in ALL {
        out.push_str(&format!(
            "| [{}](#{}) | `{}` | {} | {} |\n",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.severity.as_str(),
            r.summary
        ));
    }
    for r in ALL {
        out.push_str(&format!(
            "\n## {}\n\n`{}` · {}\n\n",
            r.code,
            r.name,
            r.severity.as_str()
        ));
        for line in r.doc().lines() {
            match line.strip_prefix("## ") {
                Some(heading) => out.push_str(&format!("### {heading}\n")),
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
    }
    out.push_str(
        "\n# Other codes\n\nErrors of the spec's structure (`SL1xx`) and of files, runs and the \
         command line (`SL2xx`); `--explain CODE` prints the same text.\n\n\
         | code | meaning |\n|---|---|\n",
    );
    for (code, text) in crate::diag::codes::EXPLANATIONS {
        out.push_str(&format!("| {code} | {} |\n", text.replace('|', "\\|")));
    }
    out
}

/// Names (aliases, MVAs) referenced anywhere in the spec's expressions.
pub(crate) fn referenced_names(ctx: &LintContext) -> std::collections::HashSet<String> {
    let mut used = std::collections::HashSet::new();
    for site in super::sites::sites(ctx.spec) {
        visit_resolvable(&site.expr.expr, &mut |n| {
            if let ExprKind::Name(name) = &n.kind {
                used.insert(name.clone());
            }
        });
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_documented() {
        for (i, r) in ALL.iter().enumerate() {
            assert_eq!(
                r.code,
                format!("SL{:03}", i + 1),
                "rules are listed in code order"
            );
            let doc = r.doc();
            for section in ["## What it does", "## Why", "## Example", "## Use instead"] {
                assert!(
                    doc.contains(section),
                    "{} ({}) lacks `{section}`",
                    r.code,
                    r.name
                );
            }
        }
        assert_eq!(RULE_DOCS.len(), ALL.len(), "every rule file is registered");
    }
}
