//! docs/tutorial.md is executed: its files are written and its commands run in order in
//! a scratch directory (with `analyses/` linked in, as in the repository root), each
//! command must exit as stated (`# exits N`, else 0), and every line of a `text` block
//! that follows a `sh` block must appear in the output of that block's last command.
//! Blocks marked `no-run` (the installation) are skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fenced block of the tutorial.
struct Block {
    info: String,
    body: String,
}

fn blocks(markdown: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    for line in markdown.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(info)) => {
                current = Some(Block {
                    info: info.trim().to_string(),
                    body: String::new(),
                })
            }
            (Some(_), Some(_)) => out.push(current.take().unwrap()),
            (Some(block), None) => {
                block.body.push_str(line);
                block.body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// Runs one command line with the test binary first on PATH; returns the exit code and
/// stdout + stderr.
fn sh(dir: &Path, line: &str) -> (i32, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_searchlight"))
        .parent()
        .unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let o = Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env("SEARCHLIGHT_CACHE", dir.join(".cache"))
        .output()
        .expect("sh runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    (o.status.code().unwrap_or(-1), text)
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("searchlight-tutorial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let analyses = std::fs::canonicalize("analyses").unwrap();
    std::os::unix::fs::symlink(analyses, dir.join("analyses")).unwrap();
    dir
}

#[test]
fn every_step_of_the_tutorial_works_as_written() {
    let markdown = std::fs::read_to_string("docs/tutorial.md").unwrap();
    let dir = scratch();
    let mut last_output: Option<(String, String)> = None;
    let (mut commands, mut files) = (0, 0);
    for block in blocks(&markdown) {
        let mut words = block.info.split_whitespace();
        let language = words.next().unwrap_or("");
        let options: Vec<&str> = words.collect();
        if options.contains(&"no-run") {
            continue;
        }
        if let Some(file) = options.iter().find_map(|o| o.strip_prefix("file=")) {
            let path = dir.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let mut text = std::fs::read_to_string(&path).unwrap_or_default();
            text.push_str(&block.body);
            std::fs::write(&path, text).unwrap();
            files += 1;
            continue;
        }
        match language {
            "sh" => {
                for line in block.body.lines().map(str::trim) {
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    let expected: i32 = line
                        .split_once("# exits ")
                        .map(|(_, code)| code.trim().parse().unwrap())
                        .unwrap_or(0);
                    let (code, output) = sh(&dir, line);
                    assert_eq!(code, expected, "`{line}` exited {code}:\n{output}");
                    last_output = Some((line.to_string(), output));
                    commands += 1;
                }
            }
            "text" => {
                let (line, output) = last_output
                    .as_ref()
                    .expect("a text block follows a command");
                for want in block.body.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    assert!(
                        output.contains(want),
                        "`{line}` does not print `{want}`:\n{output}"
                    );
                }
            }
            _ => {}
        }
    }
    assert!(
        commands >= 12 && files >= 4,
        "{commands} commands, {files} file blocks"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
