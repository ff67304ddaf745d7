//! The `histogram` PDF end to end: the B → K a search with its signal shape taken from
//! the signal toy's selected candidates instead of a double-sided Crystal Ball.

use crate::common;
use crate::common::{searchlight_in, text};

/// The reference spec with a histogram signal, on smaller toys, in a directory with
/// copies of its MVA models and included fragments.
fn histogram_variant(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "searchlight-template-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["models", "common"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        for entry in std::fs::read_dir(format!("analyses/{sub}")).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.join(sub).join(entry.file_name())).unwrap();
        }
    }
    let spec = common::reference_spec("b_to_k_alp");
    let start = spec
        .find("  signal:\n    pdf: double_crystal_ball")
        .unwrap();
    let end = spec.find("  background:\n    pdf: chebychev").unwrap();
    let spec = format!(
        "{}  signal: {{ pdf: histogram, from: signal, bins: 50, sigma: 0.018 * m_a ** 0.7 }}\n{}",
        &spec[..start],
        &spec[end..]
    )
    .replace("events: 2000000, seed: 11", "events: 200000, seed: 11")
    .replace("events: 400000, seed: 12", "events: 100000, seed: 12");
    std::fs::write(dir.join("variant.yaml"), spec).unwrap();
    dir
}

#[test]
fn a_fit_with_a_template_signal_from_the_signal_toy_converges() {
    let dir = histogram_variant("fit");
    let lint = searchlight_in(&dir, &["lint", "variant.yaml"]);
    assert!(lint.status.success(), "{}", text(&lint));
    let fit = searchlight_in(&dir, &["fit", "variant.yaml", "--mass", "1.5", "--json"]);
    assert!(fit.status.success(), "{}", text(&fit));
    let report: serde_json::Value = serde_json::from_slice(&fit.stdout).unwrap();
    assert_eq!(report["status"], "converged", "{report}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_template_from_an_unknown_input_is_refused() {
    let dir = histogram_variant("unknown");
    let spec = std::fs::read_to_string(dir.join("variant.yaml"))
        .unwrap()
        .replace("from: signal, bins", "from: signl, bins");
    std::fs::write(dir.join("variant.yaml"), spec).unwrap();
    let lint = searchlight_in(&dir, &["lint", "variant.yaml"]);
    assert!(!lint.status.success());
    assert!(
        text(&lint).contains("there is no input named `signl`"),
        "{}",
        text(&lint)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
