//! Extracts each lint rule's `//!` documentation (what / why / example / fix) from
//! `src/check/rules/*.rs`, so `lint --explain` and `docs/lint-rules.md` are generated from
//! the same text as the rule's rustdoc.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=src/check/rules");
    let mut entries: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir("src/check/rules").expect("rules directory") {
        let path = entry.expect("directory entry").path();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if path.extension().is_none_or(|e| e != "rs") || stem == "mod" {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("rule source");
        let doc: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| {
                l.strip_prefix("//! ")
                    .unwrap_or(l.strip_prefix("//!").unwrap_or(l))
            })
            .collect();
        entries.push((stem, doc.join("\n")));
    }
    entries.sort();
    let mut out = String::from(
        "/// `(file stem, documentation)` of every lint rule.\npub(crate) const RULE_DOCS: &[(&str, &str)] = &[\n",
    );
    for (stem, doc) in entries {
        writeln!(out, "    ({stem:?}, {doc:?}),").expect("write to string");
    }
    out.push_str("];\n");
    let dest =
        std::path::Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_docs.rs");
    std::fs::write(dest, out).expect("write rule docs");
}
