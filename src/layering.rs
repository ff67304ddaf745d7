//! The crate's layers, enforced: a module may name (`crate::…`) only modules of lower
//! layers, so data and calls flow one way (docs/architecture.md, "Layers"). Test code
//! (after a file's `#[cfg(test)]`) may use anything.

/// Every top-level module and its layer; an edge must go to a strictly lower layer.
const LAYERS: &[(&str, u8)] = &[
    ("cli", 12),
    ("pipeline", 10),
    ("lsp", 11),
    ("shard", 9),
    ("report", 8),
    ("analysis", 7),
    ("exec", 6),
    ("plan", 5),
    ("check", 4),
    ("spec", 3),
    ("toy", 2),
    ("mva", 2),
    ("expr", 1),
    ("stats", 1),
    ("corrections", 1),
    ("io", 1),
    ("diag", 0),
    ("physics", 0),
    ("simd", 0),
    ("interrupt", 0),
    ("allocator", 0),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

/// The `crate::…` edges of the library's code, outside tests: (from, to, file).
fn edges() -> Vec<(String, String, String)> {
    fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut edges = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let from = first.trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap();
        for (i, _) in code.match_indices("crate::") {
            let to: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if to != from {
                edges.push((from.clone(), to, relative.display().to_string()));
            }
        }
    }
    edges
}

#[test]
fn every_module_has_a_layer() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs");
    let lib = std::fs::read_to_string(src).unwrap();
    for line in lib.lines() {
        if let Some(module) = line
            .strip_prefix("pub mod ")
            .and_then(|m| m.strip_suffix(';'))
        {
            assert!(layer(module).is_some(), "module `{module}` has no layer");
        }
    }
}

#[test]
fn modules_use_only_lower_layers() {
    let edges = edges();
    // The scan sees the edges (the evaluator runs the planner's program).
    assert!(
        edges
            .iter()
            .any(|(from, to, _)| from == "exec" && to == "plan")
    );
    let wrong: Vec<String> = edges
        .into_iter()
        .filter(|(from, to, _)| match (layer(from), layer(to)) {
            (Some(a), Some(b)) => a <= b,
            _ => false,
        })
        .map(|(from, to, file)| format!("{from} -> {to} ({file})"))
        .collect();
    assert!(
        wrong.is_empty(),
        "edges against the layers:\n{}",
        wrong.join("\n")
    );
}
