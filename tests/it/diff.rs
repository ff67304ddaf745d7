//! `searchlight diff`: a catalogue of edits to the B → K a reference spec and the report
//! each gives (snapshots), formatting-only edits that are no change, and git revisions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn searchlight(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("binary runs")
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("searchlight-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The report of `diff` between the reference spec and a copy edited by `edits`.
fn report(name: &str, edits: &[(&str, &str)], format: &str) -> (Option<i32>, String) {
    let dir = temp(name);
    let original = std::fs::read_to_string("analyses/b_to_k_alp.yaml").unwrap();
    let mut edited = original.clone();
    for (from, to) in edits {
        assert!(edited.contains(from), "{name}: `{from}` not in the spec");
        edited = edited.replace(from, to);
    }
    std::fs::write(dir.join("old.yaml"), original).unwrap();
    std::fs::write(dir.join("new.yaml"), edited).unwrap();
    let o = searchlight(&dir, &["diff", "old.yaml", "new.yaml", "--format", format]);
    std::fs::remove_dir_all(dir).unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn formatting_and_commuted_comparisons_are_no_change() {
    let (code, out) = report(
        "format",
        &[
            ("cut: Mbc > 5.27", "cut: 5.27 < Mbc        # same cut"),
            ("abs_dE: abs(deltaE)", "abs_dE: abs( deltaE )"),
            ("cut: -0.2 < deltaE < 0.1", "cut: (-0.2 < deltaE < 0.1)"),
        ],
        "human",
    );
    assert_eq!((code, out.as_str()), (Some(0), "no semantic change\n"));
}

#[test]
fn a_catalogue_of_edits_is_reported_in_the_specs_terms() {
    let catalogue: &[(&str, &[(&str, &str)])] = &[
        ("cut_threshold", &[("cut: Mbc > 5.27", "cut: Mbc > 5.265")]),
        ("bdt_cut", &[("cut: cs_bdt > 0.9", "cut: cs_bdt > 0.85")]),
        (
            "step_added",
            &[(
                "  - best_candidate:",
                "  - name: kaon momentum\n    cut: useCMSFrame(daughter(0, p)) > 0.5\n  - best_candidate:",
            )],
        ),
        (
            "veto_window_and_new_veto",
            &[(
                "  eta:       { var: mgg, window: [0.500, 0.585] }",
                "  eta:       { var: mgg, window: [0.49, 0.59] }\n  omega:     { var: mgg, window: [0.75, 0.81] }",
            )],
        ),
        ("mva_pin", &[("sha256: \"94dc", "sha256: \"00dc")]),
        (
            "cl_and_method",
            &[
                ("cl: 0.90", "cl: 0.95"),
                ("method: cls-asymptotic", "method: cls-exact"),
            ],
        ),
        ("scan_grid", &[("step: sigma / 2", "step: sigma / 4")]),
        ("background_order", &[("order: 2", "order: 3")]),
    ];
    let mut all = String::new();
    for (name, edits) in catalogue {
        let (code, out) = report(name, edits, "human");
        assert_eq!(code, Some(1), "{name}: {out}");
        all.push_str(&format!("## {name}\n{out}\n"));
    }
    insta::assert_snapshot!("diff_catalogue", all);
    let (_, markdown) = report("markdown", catalogue[0].1, "markdown");
    insta::assert_snapshot!("diff_markdown", markdown);
    let (_, json) = report("json", catalogue[0].1, "json");
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed[0]["path"], "selection[beam-constrained mass].cut");
    assert_eq!(parsed[0]["change"], "changed");
}

#[test]
fn a_side_can_be_a_git_revision() {
    let dir = temp("git");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    let spec = std::fs::read_to_string("analyses/b_to_h_invisible.yaml").unwrap();
    std::fs::write(dir.join("spec.yaml"), &spec).unwrap();
    git(&["add", "spec.yaml"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "v1",
    ]);
    std::fs::write(dir.join("spec.yaml"), spec.replace("cl: 0.90", "cl: 0.95")).unwrap();
    let o = searchlight(&dir, &["diff", "HEAD:spec.yaml", "spec.yaml"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "limits.cl: 0.9 → 0.95\n"
    );
    let o = searchlight(&dir, &["diff", "nosuchrev:spec.yaml", "spec.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn diff_run_reports_the_change_in_events_selected() {
    let dir = temp("run");
    let files = std::fs::canonicalize("tests/reference/root")
        .unwrap()
        .join("parts-*.root");
    let spec = |cuts: &str| {
        format!(
            "searchlight: 1\nanalysis: {{ name: r }}\ninputs:\n  data: {{ files: [\"{}\"], tree: ntuple }}\nselection:\n{cuts}",
            files.display()
        )
    };
    std::fs::write(
        dir.join("old.yaml"),
        spec("  - cut: f8 > 5.279\n  - cut: i4 > 0\n"),
    )
    .unwrap();
    std::fs::write(dir.join("new.yaml"), spec("  - cut: f8 > 5.279\n")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(["diff", "old.yaml", "new.yaml", "--run"])
        .current_dir(&dir)
        .env("SEARCHLIGHT_CACHE", dir.join("cache"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    // The counts are numpy's (tests/reference/root/uproot.json, `run_cutflow`).
    assert!(out.contains("selection[1]: removed {cut: i4 > 0}"), "{out}");
    assert!(
        out.contains("run: channel all: 310 → 608 events selected (+96.1%)"),
        "{out}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
