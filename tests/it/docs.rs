//! Generated documentation must match the code it is generated from. Run with
//! `UPDATE_DOCS=1` to rewrite the files.

use searchlight::check::rules;
use searchlight::spec::keys;

fn check_or_update(path: &str, expected: &str) {
    let actual = std::fs::read_to_string(path).unwrap_or_default();
    if actual != expected {
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, expected).unwrap();
            return;
        }
        panic!("{path} is stale; regenerate it with `UPDATE_DOCS=1 cargo test --test docs`");
    }
}

#[test]
fn lint_rules_doc_is_generated_from_the_rules() {
    check_or_update("docs/lint-rules.md", &rules::markdown());
}

#[test]
fn spec_doc_has_the_current_key_reference() {
    const BEGIN: &str = "<!-- keys:begin (generated from src/spec/keys.rs) -->\n";
    const END: &str = "<!-- keys:end -->";
    let text = std::fs::read_to_string("docs/spec.md").unwrap();
    let (head, rest) = text
        .split_once(BEGIN)
        .expect("docs/spec.md has the keys:begin marker");
    let (_, tail) = rest
        .split_once(END)
        .expect("docs/spec.md has the keys:end marker");
    let expected = format!("{head}{BEGIN}{}{END}{tail}", keys::reference_markdown());
    check_or_update("docs/spec.md", &expected);
}

/// Every PDF of the catalogue is named, in backticks, in docs/spec.md.
#[test]
fn spec_doc_names_every_pdf() {
    let doc = std::fs::read_to_string("docs/spec.md").unwrap();
    for pdf in searchlight::stats::pdfs::PDFS {
        assert!(
            doc.contains(&format!("`{}`", pdf.name)),
            "docs/spec.md does not name the `{}` PDF",
            pdf.name
        );
    }
}

/// Every built-in function of the expression language is named in docs/spec.md.
#[test]
fn spec_doc_names_every_function() {
    let doc = std::fs::read_to_string("docs/spec.md").unwrap();
    let words: std::collections::HashSet<&str> = doc
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    for f in searchlight::expr::FUNCTIONS {
        assert!(
            words.contains(f.name),
            "docs/spec.md does not name the function `{}`",
            f.name
        );
    }
}
