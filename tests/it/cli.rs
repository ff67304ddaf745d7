//! The command line as a user meets it: exit codes, output formats, `--help`.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

#[test]
fn lint_exit_codes_follow_the_contract() {
    assert_eq!(code(&run(&["lint", "analyses/b_to_k_alp.yaml"])), 0);
    assert_eq!(
        code(&run(&[
            "lint",
            "tests/corpus/lint/sl005_cut_never_passes.yaml"
        ])),
        1
    );
    assert_eq!(
        code(&run(&["lint", "tests/corpus/broken/unknown_section.yaml"])),
        1
    );
    // Warnings alone do not fail.
    assert_eq!(
        code(&run(&["lint", "tests/corpus/lint/sl003_unused_alias.yaml"])),
        0
    );
    assert_eq!(code(&run(&["lint", "no/such/file.yaml"])), 2);
    assert_eq!(
        code(&run(&[
            "lint",
            "--format",
            "yaml",
            "analyses/b_to_k_alp.yaml"
        ])),
        2
    );
    assert_eq!(code(&run(&["lint"])), 2);
}

#[test]
fn lint_json_has_the_documented_fields() {
    let o = run(&[
        "lint",
        "--format",
        "json",
        "tests/corpus/lint/sl001_unknown_name.yaml",
    ]);
    assert_eq!(code(&o), 1);
    let list: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("stdout is one JSON document");
    let first = &list[0];
    for key in [
        "code",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "help",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
    assert_eq!(first["code"], "SL001");
    assert_eq!(first["line"], 6);
    assert_eq!(first["help"], "did you mean `deltaE`?");
}

#[test]
fn lint_sarif_is_sarif_2_1_0() {
    let o = run(&[
        "lint",
        "--format",
        "sarif",
        "tests/corpus/lint/sl020_duplicate_step_name.yaml",
    ]);
    let log: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "SL020");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    assert!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len()
            >= 20
    );
}

#[test]
fn explain_list_schema_and_plan() {
    let o = run(&["lint", "--explain", "SL005"]);
    assert_eq!(code(&o), 0);
    assert!(String::from_utf8_lossy(&o.stdout).contains("## What it does"));
    assert_eq!(code(&run(&["lint", "--explain", "SL999"])), 2);
    let o = run(&["lint", "--list-rules"]);
    assert!(String::from_utf8_lossy(&o.stdout).lines().count() >= 20);
    let o = run(&["schema"]);
    let schema: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(schema["properties"]["searchlight"]["type"][0], "integer");
    assert!(
        schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "analysis")
    );
    let o = run(&["plan", "analyses/b_to_h_invisible.yaml"]);
    assert_eq!(code(&o), 0);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("useTagSideRecoilRestFrame(daughter(1, p), 0) -> useTagSideRecoilRestFrame__bodaughter__bo1__cm__spp__bc__cm__sp0__bc"), "{text}");
    assert_eq!(
        code(&run(&[
            "plan",
            "tests/corpus/lint/sl005_cut_never_passes.yaml"
        ])),
        1
    );
}

#[test]
fn show_columns_names_the_resolved_branches() {
    let o = run(&["lint", "--show-columns", "analyses/b_to_k_alp.yaml"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("`daughter(1, M)` reads branch `daughter__bo1__cm__spM__bc`"),
        "{err}"
    );
}

#[test]
fn help_lists_only_working_commands() {
    let help = String::from_utf8_lossy(&run(&["--help"]).stdout).to_string();
    // Every command of docs/cli.md, each working and tested.
    for cmd in [
        "run", "lint", "plan", "fmt", "diff", "verify", "generate", "skim", "fit", "limit",
        "export", "merge", "submit", "schema",
    ] {
        assert!(
            help.contains(&format!("  {cmd} ")),
            "{cmd} missing from\n{help}"
        );
    }
}

#[test]
fn plan_as_json_and_dot() {
    let o = run(&["plan", "--format", "json", "analyses/b_to_k_alp.yaml"]);
    assert_eq!(code(&o), 0);
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(plan["scan"]["hypotheses"], 370);
    assert_eq!(plan["steps"][4]["kind"], "best_candidate");
    assert_eq!(plan["columns"][0]["branch"], "daughter__bo1__cm__spM__bc");
    let o = run(&["plan", "--format", "dot", "analyses/b_to_k_alp.yaml"]);
    let dot = String::from_utf8(o.stdout).unwrap();
    assert!(dot.starts_with("digraph analysis {") && dot.trim_end().ends_with('}'));
    assert!(
        dot.contains("step0 -> step1;")
            && dot.contains("-> model;")
            && dot.contains("scan -> limits;")
    );
    assert!(!dot.contains("\\\\n"), "line breaks are DOT's \\n");
    // An N−1 histogram leaves the chain before the first step it leaves out.
    let o = run(&[
        "plan",
        "--format",
        "dot",
        "tests/reference/run/cutflow.yaml",
    ]);
    let dot = String::from_utf8(o.stdout).unwrap();
    assert!(
        dot.contains(
            "step2 -> histogram2 [style=dashed, label=\"every later step but pi0, eta\"];"
        ) && dot.contains("veto0 -> histogram0;"),
        "{dot}"
    );
}

#[test]
fn limit_counting_prints_the_documented_json() {
    let o = run(&[
        "limit",
        "counting",
        "--observed",
        "0",
        "--background",
        "0",
        "--cl",
        "0.95",
        "--method",
        "bayes",
        "--json",
    ]);
    assert_eq!(code(&o), 0);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["method"], "bayes");
    assert_eq!(v["cl"], 0.95);
    assert_eq!(v["lower"], 0.0);
    assert!((v["upper"].as_f64().unwrap() - 2.995_732).abs() < 1e-5);
    let o = run(&[
        "limit",
        "counting",
        "--observed",
        "4",
        "--background",
        "1",
        "--cl",
        "0.9",
        "--method",
        "fc",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        (v["lower"].as_f64().unwrap() - 0.74).abs() < 0.005
            && (v["upper"].as_f64().unwrap() - 7.60).abs() < 0.005
    );
    assert_eq!(
        code(&run(&[
            "limit",
            "counting",
            "--observed",
            "1",
            "--background",
            "1",
            "--cl",
            "90",
            "--method",
            "cls"
        ])),
        2
    );
}

#[test]
fn limit_workspace_prints_the_documented_json() {
    let text = std::fs::read_to_string("tests/reference/limits/asymptotic_pyhf.json").unwrap();
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = &reference["two_channel"];
    let dir = std::env::temp_dir().join(format!("searchlight-ws-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("ws.json");
    std::fs::write(&path, case["workspace"].to_string()).unwrap();
    let ws = path.to_str().unwrap();
    // `limit workspace WS --json EXTRA…`, which must succeed: its JSON.
    let limit = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["limit", "workspace", ws, "--json"];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let v = limit(&[]);
    let want = case["upper_limit_95"]["observed"].as_f64().unwrap();
    assert!((v["observed"].as_f64().unwrap() - want).abs() < 1e-3 * want);
    assert_eq!(v["expected"].as_array().unwrap().len(), 5);
    let v = limit(&["--mu", "1"]);
    let want = case["cls_mu1"]["observed"].as_f64().unwrap();
    assert!((v["cls_observed"].as_f64().unwrap() - want).abs() < 1e-3 * want);
    assert_eq!(v["cls_expected"].as_array().unwrap().len(), 5);
    // Toys: upper limits from a scan of μ, and CLs at one μ.
    let v = limit(&["--calculator", "toys", "--toys", "100"]);
    assert!(v["observed"].as_f64().unwrap() > 0.0, "{v}");
    assert_eq!(v["expected"].as_array().unwrap().len(), 5);
    assert_eq!(v["scan"].as_array().unwrap().len(), 16);
    let v = limit(&["--calculator", "toys", "--mu", "1", "--toys", "200"]);
    assert_eq!(v["cls_expected"].as_array().unwrap().len(), 5);
    assert_eq!(v["toys"], serde_json::json!([200, 200]));
    assert!((0.0..=1.0).contains(&v["cls_observed"].as_f64().unwrap()));
    std::fs::write(&path, "{\"channels\": 3}").unwrap();
    let o = run(&["limit", "workspace", ws]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("SL208"));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn hepdata_export_writes_one_table_per_channel_with_yaml_1_1_floats() {
    let dir = std::env::temp_dir().join(format!("searchlight-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let results = dir.join("results.json");
    let point = |channel: &str, mass: f64, status: &str| {
        serde_json::json!({
            "channel": channel, "mass": mass, "status": status, "observed": null,
            "expected": [1e-5, 2e-5, 3e-5, 4.5e-5, 6e-5],
            "reinterpreted": {"g_aW": {"expected": [1.0, 2.0, 3.0, 4.0, 5.0], "observed": null}},
        })
    };
    let doc = serde_json::json!({
        "analysis": "x", "poi": "br", "cl": 0.9, "method": "cls-asymptotic",
        "provenance": {"canonical_sha256": "abc"},
        "scan": [point("K+", 0.5, "ok"), point("K+", 0.6, "failed: no minimum"), point("K_S0", 0.5, "ok")],
        "cutflow": {"K+": [{"step": "input", "weighted": 10.0}, {"step": "Mbc > 5.27", "weighted": 4.0}]},
        "efficiency": [{"channel": "K+", "points": [{
            "mass": 0.5, "generated": 1000.0, "selected": 300.0, "efficiency": 0.3,
            "uncertainty": 0.0145, "variations": [{"name": "pid", "up": 0.31, "down": 0.29}],
        }]}],
    });
    std::fs::write(&results, doc.to_string()).unwrap();
    let out = dir.join("hep");
    let o = run(&[
        "export",
        "hepdata",
        results.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", String::from_utf8_lossy(&o.stderr));
    let submission = std::fs::read_to_string(out.join("submission.yaml")).unwrap();
    // Limits and reinterpreted limits for two channels, the efficiency with its
    // statistical and systematic errors, and the cutflow.
    assert_eq!(submission.matches("data_file").count(), 6, "{submission}");
    let efficiency = std::fs::read_to_string(out.join("table_5.yaml")).unwrap();
    assert!(
        efficiency.contains("\"symerror\": 0.0145") && efficiency.contains("sys pid"),
        "{efficiency}"
    );
    assert!(submission.contains("1 scan points whose fit failed are not listed"));
    let table = std::fs::read_to_string(out.join("table_1.yaml")).unwrap();
    assert!(table.contains("\"value\": 3.0e-5"), "{table}");
    assert!(table.contains("\"plus\": 3.0e-5"), "{table}");
    let o = run(&[
        "export",
        "pyhf",
        results.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 2);
    std::fs::remove_dir_all(dir).unwrap();
}

/// The plans of the reference searches, optimized program included: a change to the
/// planner or its passes shows here as a reviewed snapshot diff.
#[test]
fn plans_of_the_reference_searches() {
    for name in [
        "dark_higgs_idm",
        "b_to_k_alp",
        "b_to_h_invisible",
        "ee_to_gamma_alp",
        "ee_to_mumu_zprime",
    ] {
        let o = run(&["plan", &format!("analyses/{name}.yaml")]);
        assert_eq!(code(&o), 0);
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains("fuse-elementwise"), "{text}");
        insta::assert_snapshot!(format!("plan__{name}"), text);
    }
    let o = run(&["plan", "--format", "json", "analyses/b_to_k_alp.yaml"]);
    let plan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let passes: Vec<&str> = plan["program"]["passes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pass"].as_str().unwrap())
        .collect();
    assert_eq!(
        passes,
        [
            "fold-constants",
            "share-common-subexpressions",
            "prune-columns",
            "fuse-elementwise",
            "fuse-cuts"
        ]
    );
}

/// Issue cases: exact limits above ~745 events, numbers outside the domain refused with a
/// code (no panic), and the efficiency's constraint shape.
#[test]
fn limit_counting_holds_at_large_counts_and_refuses_outside_its_domain() {
    let upper = |args: &[&str]| -> f64 {
        let mut all = vec!["limit", "counting", "--cl", "0.95", "--json"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert_eq!(
            code(&o),
            0,
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()["upper"]
            .as_f64()
            .unwrap()
    };
    // scipy: the CLs root is 63.7 (it was 3.0e-13), and 1053.3 with b = 0.3 (it was 744.8).
    let large = ["--observed", "1000", "--background", "1000", "--method"];
    assert!((upper(&[&large[..], &["cls"]].concat()) - 63.7168).abs() < 1e-3);
    let small_b = ["--observed", "1000", "--background", "0.3", "--method"];
    assert!((upper(&[&small_b[..], &["cls"]].concat()) - 1053.303).abs() < 1e-2);
    assert!((upper(&[&small_b[..], &["bayes"]].concat()) - 1053.303).abs() < 1e-2);
    let gaussian = upper(&[
        "--observed",
        "2",
        "--background",
        "2",
        "--efficiency-unc",
        "0.3",
        "--method",
        "cls",
    ]);
    let lognormal = upper(&[
        "--observed",
        "2",
        "--background",
        "2",
        "--efficiency-unc",
        "0.3",
        "--efficiency-constraint",
        "lognormal",
        "--method",
        "cls",
    ]);
    assert!((gaussian - lognormal).abs() > 0.1, "{gaussian} {lognormal}");
    for args in [
        &["--background", "1e300", "--method", "fc"][..],
        &[
            "--background",
            "1",
            "--background-unc",
            "1e308",
            "--method",
            "fc",
        ],
        &["--background", "1", "--efficiency", "0", "--method", "cls"],
        &[
            "--background",
            "1",
            "--efficiency-unc",
            "0.9",
            "--method",
            "cls",
        ],
        &[
            "--background",
            "1",
            "--efficiency-unc",
            "0.2",
            "--method",
            "bayes",
        ],
    ] {
        let mut all = vec!["limit", "counting", "--observed", "3", "--cl", "0.95"];
        all.extend_from_slice(args);
        let o = run(&all);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(code(&o), 2, "{args:?}: {stderr}");
        assert!(
            stderr.contains("SL111") && !stderr.contains("panicked"),
            "{args:?}: {stderr}"
        );
        assert!(stderr.len() < 400, "a bounded message: {stderr}");
    }
}
