//! `searchlight lsp` driven over JSON-RPC on its stdin/stdout, as an editor does:
//! initialize, open a spec, diagnostics, hover, completion, definition, formatting, an
//! edit that fixes the finding, shutdown and exit.

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};
use std::io::BufReader;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

struct Client {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    next: i32,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_searchlight"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let (stdin, stdout) = (child.stdin.take().unwrap(), child.stdout.take().unwrap());
        Client {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            next: 1,
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        Message::Notification(Notification::new(method.into(), params))
            .write(&mut self.stdin)
            .unwrap();
    }

    /// Sends a request and returns its result (skipping notifications in between).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        Message::Request(Request::new(RequestId::from(id), method.into(), params))
            .write(&mut self.stdin)
            .unwrap();
        loop {
            match Message::read(&mut self.stdout).unwrap().expect("a message") {
                Message::Response(r) if r.id == RequestId::from(id) => {
                    return r
                        .response_result
                        .unwrap_or_else(|e| panic!("{method}: {e:?}"));
                }
                _ => {}
            }
        }
    }

    /// The next `publishDiagnostics` notification's diagnostics.
    fn diagnostics(&mut self) -> Vec<Value> {
        loop {
            if let Message::Notification(n) = Message::read(&mut self.stdout).unwrap().unwrap()
                && n.method == "textDocument/publishDiagnostics"
            {
                return n.params["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test leaves no server behind.
        let _ = self.child.kill();
    }
}

/// The 0-based (line, character) of the first `needle` in `text`, plus `shift` characters.
fn at(text: &str, needle: &str, shift: usize) -> Value {
    let offset = text.find(needle).unwrap_or_else(|| panic!("{needle}")) + shift;
    let line = text[..offset].matches('\n').count();
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": offset - start})
}

#[test]
fn an_editor_gets_diagnostics_hover_completion_definition_and_formatting() {
    let dir = std::env::temp_dir().join(format!("searchlight-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("search.yaml");
    let uri = format!("file://{}", path.display());
    let good = std::fs::read_to_string("analyses/dark_photon_files.yaml")
        .unwrap()
        .replace(
            "data/dark_photon/",
            &format!("{}/analyses/data/dark_photon/", env!("CARGO_MANIFEST_DIR")),
        )
        .replace("cut: muid_min > 0.9", "cut: (muid_min)  >  0.9");
    let bad = good.replace("cut: nTracks == 2", "cut: nTrack == 2");
    std::fs::write(&path, &bad).unwrap();

    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(init["capabilities"]["hoverProvider"], true, "{init}");
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": bad}}),
    );
    // The misspelt column: SL001 at its place, with the linter's help.
    let diagnostics = client.diagnostics();
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "SL001")
        .unwrap_or_else(|| panic!("{diagnostics:?}"));
    assert_eq!(unknown["range"]["start"], at(&bad, "nTrack ==", 0));
    assert_eq!(unknown["severity"], 1);

    let doc = json!({"uri": uri});
    // Its quick fix is the name the linter suggests.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": unknown["range"], "context": {"diagnostics": [unknown]}}),
    );
    let edit = &actions[0]["edit"]["changes"][&uri][0];
    assert_eq!(edit["newText"], "nTracks", "{actions}");
    assert_eq!(edit["range"], unknown["range"]);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": at(&bad, "luminosity: 10", 2)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("integrated luminosity"),
        "{hover}"
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": at(&bad, "(muid_min)", 1)}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("min(daughter(0, muonID)"),
        "{hover}"
    );

    // Keys of `analysis:` at a new line in it; values of `pdf:`.
    let keys = client.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": at(&bad, "  experiment: belle2", 2)}),
    );
    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(labels(&keys).contains(&"n_bb".to_string()), "{keys}");
    let pdfs = client.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": at(&bad, "pdf: gaussian", 5)}),
    );
    assert!(
        labels(&pdfs).contains(&"crystal_ball".to_string()),
        "{pdfs}"
    );

    // The alias's use leads to its definition.
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": at(&bad, "(muid_min)", 1)}),
    );
    assert_eq!(definition["range"]["start"], at(&bad, "muid_min: min(", 0));

    // Formatting writes the cut in canonical form.
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": doc, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert!(
        edits[0]["newText"]
            .as_str()
            .unwrap()
            .contains("cut: muid_min > 0.9"),
        "{edits}"
    );

    // Fixed, the findings go away.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": good}]}),
    );
    let after = client.diagnostics();
    assert!(after.iter().all(|d| d["severity"] != 1), "{after:?}");

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success());
    std::fs::remove_dir_all(dir).unwrap();
}

/// Hovering a selection step shows its cutflow rows from the last run's results.json
/// (`results/<analysis>/` beside the spec).
#[test]
fn a_step_hover_shows_its_cutflow_rows_from_the_last_run() {
    let dir = std::env::temp_dir().join(format!("searchlight-lsp-cutflow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("search.yaml");
    let text = std::fs::read_to_string("analyses/dark_photon_files.yaml")
        .unwrap()
        .replace(
            "data/dark_photon/",
            &format!("{}/analyses/data/dark_photon/", env!("CARGO_MANIFEST_DIR")),
        )
        .replace("range: [0.5, 6.0]", "range: [2.0, 2.05]");
    std::fs::write(&path, &text).unwrap();
    let out = dir.join("results/belle2-dark-photon-files");
    let run = Command::new(env!("CARGO_BIN_EXE_searchlight"))
        .args(["run", path.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let uri = format!("file://{}", path.display());
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": at(&text, "cut: chiProb > 0.001", 12)}),
    );
    let shown = hover["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let results: Value =
        serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let row = results["cutflow"]["all"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["step"] == "dimuon vertex fit")
        .unwrap();
    assert!(
        shown.contains("cutflow of `dimuon vertex fit`")
            && shown.contains(&format!("{} events", row["events"])),
        "{shown}"
    );
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    std::fs::remove_dir_all(dir).unwrap();
}
