//! Records the git commit being built, and extracts each lint rule's `//!` documentation (what / why / example / fix) from
//! `src/check/rules/*.rs`, so `lint --explain` and `docs/lint-rules.md` are generated from
//! the same text as the rule's rustdoc.

use std::fmt::Write;

fn main() {
    println!("cargo:rerun-if-changed=src/check/rules");
    // The commit searchlight is built from, for the provenance of every result.
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-changed=.git/refs/heads");
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=SEARCHLIGHT_GIT_COMMIT={commit}");
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
