//! `searchlight fmt`: expressions rewritten canonically with comments, quoting, layout and
//! constants untouched; idempotent; every spec in `analyses/` and the corpus is already
//! formatted and keeps its meaning.

use std::path::{Path, PathBuf};
use std::process::Command;

fn searchlight(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn specs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["analyses", "tests/corpus/lint", "tests/corpus/valid"] {
        for entry in std::fs::read_dir(dir).into_iter().flatten() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn reference_and_corpus_specs_are_formatted() {
    let specs = specs();
    assert!(specs.len() >= 30, "{} specs", specs.len());
    let args: Vec<&str> = std::iter::once("fmt")
        .chain(std::iter::once("--check"))
        .chain(specs.iter().map(|p| p.to_str().unwrap()))
        .collect();
    let o = searchlight(&args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn expressions_become_canonical_and_nothing_else_moves() {
    let dir = std::env::temp_dir().join(format!("searchlight-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("spec.yaml");
    let original = "searchlight: 1\n# a comment\nanalysis: { name: f, luminosity: 711 /fb }\ninputs:\n  data: { toy: b_to_k_alp, events: 2e6, seed: 1 }\nvariables:\n  dE:   abs( deltaE )      # keep me\nvetoes:\n  pi0: { var: deltaE, window: [0.100, 0.159] }\nselection:\n  - cut: (Mbc>5.27) and ((deltaE<0.1))\n  - cut: \"R2<0.4\"\n";
    std::fs::write(&path, original).unwrap();
    let check = searchlight(&["fmt", "--check", path.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        original,
        "--check changes nothing"
    );
    let o = searchlight(&["fmt", path.to_str().unwrap()]);
    assert!(o.status.success());
    let formatted = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        formatted,
        "searchlight: 1\n# a comment\nanalysis: { name: f, luminosity: 711 /fb }\ninputs:\n  data: { toy: b_to_k_alp, events: 2e6, seed: 1 }\nvariables:\n  dE:   abs(deltaE)      # keep me\nvetoes:\n  pi0: { var: deltaE, window: [0.100, 0.159] }\nselection:\n  - cut: Mbc > 5.27 and deltaE < 0.1\n  - cut: \"R2 < 0.4\"\n"
    );
    // Idempotent.
    let again = searchlight(&["fmt", "--check", path.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(0));
    // Same meaning: no semantic difference from the original.
    let old = dir.join("old.yaml");
    std::fs::write(&old, original).unwrap();
    let d = searchlight(&["diff", old.to_str().unwrap(), path.to_str().unwrap()]);
    assert_eq!(
        d.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&d.stdout)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn unreadable_specs_are_coded_errors() {
    let o = searchlight(&["fmt", "tests/corpus/broken/alias_bomb.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("SL109"));
    assert!(Path::new("tests/corpus/broken/alias_bomb.yaml").exists());
}
