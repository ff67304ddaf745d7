//! Lint latency on the reference searches: the whole process (`searchlight lint SPEC`, what
//! a pre-commit hook pays), the in-process load + lint, and the language server's
//! diagnostics after an edit (`lsp::document::findings` on the edited text, what an
//! editor waits for). Median and 95th percentile over repeated runs. Run with
//! `cargo bench --bench lint`.

use searchlight::check::{LintOptions, lint};
use searchlight::diag::SourceMap;
use searchlight::spec::{LoadOptions, load_file};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn stats(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    (
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() * 95 / 100]),
    )
}

fn main() {
    let specs = [
        "analyses/dark_higgs_idm.yaml",
        "analyses/b_to_k_alp.yaml",
        "analyses/b_to_h_invisible.yaml",
    ];
    println!(
        "{:<34} {:>18} {:>18} {:>22}",
        "spec", "process median/p95", "in-process median", "lsp edit median/p95"
    );
    for spec in specs {
        let path = Path::new(spec);
        let mut process = Vec::new();
        for _ in 0..60 {
            let start = Instant::now();
            let status = Command::new(env!("CARGO_BIN_EXE_searchlight"))
                .args(["lint", spec])
                .output()
                .expect("runs")
                .status;
            process.push(start.elapsed());
            assert!(status.success(), "{spec} lints clean");
        }
        let mut in_process = Vec::new();
        for _ in 0..300 {
            let start = Instant::now();
            let mut sources = SourceMap::new();
            let loaded = load_file(path, &mut sources, &LoadOptions::default()).expect("loads");
            let diags = lint(
                &loaded,
                &sources,
                path.parent().unwrap().to_path_buf(),
                &LintOptions::default(),
            );
            in_process.push(start.elapsed());
            assert!(diags.is_empty());
        }
        let text = std::fs::read_to_string(path).expect("reads");
        let mut edits = Vec::new();
        for i in 0..300 {
            // An edit: a comment typed at the end, one more character each time.
            let edited = format!("{text}# {}\n", "x".repeat(i % 40));
            let start = Instant::now();
            let findings = searchlight::lsp::document::findings(path, &edited);
            edits.push(start.elapsed());
            assert!(
                findings.is_empty(),
                "{spec}: {:?}",
                findings.first().map(|f| &f.diagnostic.message)
            );
        }
        let (pm, p95) = stats(process);
        let (im, _) = stats(in_process);
        let (em, e95) = stats(edits);
        println!("{spec:<34} {pm:>8.2} / {p95:>5.2} ms {im:>15.3} ms {em:>12.3} / {e95:>5.3} ms");
    }
}
