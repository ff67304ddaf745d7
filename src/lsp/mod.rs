//! `searchlight lsp`: a language server for specs over stdio (LSP 3.17, rust-analyzer's
//! `lsp-server` transport). Full-document sync; on every change the spec is loaded and
//! linted in-process and the findings published. Requests: hover (keys, variables,
//! functions, PDFs, columns, a step's cutflow), code actions (the linter's suggested
//! names), completion (keys of the mapping, values of a key), go to definition
//! (variables, MVA models, correction files, included fragments), formatting (`fmt`). The analysis of a document is [`document`]'s.

pub mod document;

use document::{
    CompletionKind, Definition, Position, Range, completions, findings, severity_number,
};
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types as lsp;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;

/// Why the server stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The client broke the protocol (no `initialize`, a malformed message).
    #[error("protocol error: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    /// The connection's threads failed.
    #[error("connection: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves one client on stdin/stdout until it sends `shutdown` and `exit`.
pub fn serve_stdio() -> Result<(), ServerError> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    // The writer thread ends when the connection's sender is gone.
    drop(connection);
    threads.join()?;
    Ok(())
}

/// Serves one client on `connection`.
pub fn serve(connection: &Connection) -> Result<(), ServerError> {
    let capabilities = json!({
        "textDocumentSync": 1,
        "hoverProvider": true,
        "completionProvider": { "triggerCharacters": [":", " ", "{", ","] },
        "definitionProvider": true,
        "documentFormattingProvider": true,
        "codeActionProvider": true,
    });
    let (id, _) = connection.initialize_start()?;
    connection.initialize_finish(
        id,
        json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "searchlight", "version": env!("CARGO_PKG_VERSION") },
        }),
    )?;
    let mut documents: HashMap<String, String> = HashMap::new();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = answer(&documents, request);
                connection
                    .sender
                    .send(Message::Response(response))
                    .map_err(|e| std::io::Error::other(e.to_string()))?;
            }
            Message::Notification(notification) => {
                if let Some(uri) = update(&mut documents, notification) {
                    let published = publish(&uri, documents.get(&uri).map(String::as_str));
                    connection
                        .sender
                        .send(Message::Notification(published))
                        .map_err(|e| std::io::Error::other(e.to_string()))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Applies a document notification; returns the URI whose findings changed.
fn update(documents: &mut HashMap<String, String>, notification: Notification) -> Option<String> {
    let params = &notification.params;
    let uri = params["textDocument"]["uri"].as_str()?.to_string();
    match notification.method.as_str() {
        "textDocument/didOpen" => {
            let text = params["textDocument"]["text"].as_str()?.to_string();
            documents.insert(uri.clone(), text);
        }
        "textDocument/didChange" => {
            // Full sync: the last change holds the whole text.
            let text = params["contentChanges"].as_array()?.last()?["text"].as_str()?;
            documents.insert(uri.clone(), text.to_string());
        }
        "textDocument/didClose" => {
            documents.remove(&uri);
        }
        _ => return None,
    }
    Some(uri)
}

/// The `publishDiagnostics` notification of a document (empty once it is closed).
fn publish(uri: &str, text: Option<&str>) -> Notification {
    let diagnostics: Vec<Value> = match (text, path_of(uri)) {
        (Some(text), Some(path)) => findings(&path, text)
            .into_iter()
            .map(|f| {
                let related: Vec<Value> = f
                    .related
                    .iter()
                    .map(|(range, message)| {
                        json!({"location": {"uri": uri, "range": range_json(*range)}, "message": message})
                    })
                    .collect();
                json!({
                    "range": range_json(f.range),
                    "severity": severity_number(f.diagnostic.severity),
                    "code": f.diagnostic.code,
                    "source": "searchlight",
                    "message": f.diagnostic.message,
                    "relatedInformation": related,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    Notification::new(
        "textDocument/publishDiagnostics".into(),
        json!({"uri": uri, "diagnostics": diagnostics}),
    )
}

/// The response to a request.
fn answer(documents: &HashMap<String, String>, request: Request) -> Response {
    let params = &request.params;
    let uri = params["textDocument"]["uri"].as_str().unwrap_or_default();
    let (Some(text), Some(path)) = (documents.get(uri), path_of(uri)) else {
        return Response::new_ok(request.id, Value::Null);
    };
    let position = position_json(&params["position"]);
    let result = match request.method.as_str() {
        "textDocument/hover" => document::hover(&path, text, position).map_or(Value::Null, |(markdown, range)| {
            json!({"contents": {"kind": "markdown", "value": markdown}, "range": range_json(range)})
        }),
        "textDocument/completion" => {
            let items: Vec<Value> = completions(&path, text, position)
                .into_iter()
                .map(|c| {
                    json!({"label": c.label, "kind": completion_kind(c.kind), "detail": c.detail})
                })
                .collect();
            json!(items)
        }
        "textDocument/definition" => match document::definition(&path, text, position) {
            Some(Definition::Here(range)) => json!({"uri": uri, "range": range_json(range)}),
            Some(Definition::There(file, range)) => {
                json!({"uri": uri_of(&file), "range": range_json(range)})
            }
            Some(Definition::File(file)) => {
                let start = Position { line: 0, column: 0 };
                json!({"uri": uri_of(&file), "range": range_json(Range { start, end: start })})
            }
            None => Value::Null,
        },
        "textDocument/codeAction" => {
            let range = Range {
                start: position_json(&params["range"]["start"]),
                end: position_json(&params["range"]["end"]),
            };
            let actions: Vec<Value> = document::quick_fixes(&path, text, range)
                .into_iter()
                .map(|fix| {
                    json!({
                        "title": fix.title,
                        "kind": "quickfix",
                        "edit": {"changes": {uri: [{"range": range_json(fix.range), "newText": fix.new_text}]}},
                    })
                })
                .collect();
            json!(actions)
        }
        "textDocument/formatting" => match document::formatted(&path, text) {
            Some(formatted) => {
                let end = document::position_of(text, text.len());
                json!([{ "range": range_json(Range { start: Position { line: 0, column: 0 }, end }), "newText": formatted }])
            }
            None => json!([]),
        },
        _ => {
            return Response::new_err(
                request.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("searchlight lsp does not answer `{}`", request.method),
            );
        }
    };
    Response::new_ok(request.id, result)
}

/// A protocol position (`{line, character}`; absent or malformed parts are 0).
fn position_json(p: &Value) -> Position {
    let part = |key: &str| u32::try_from(p[key].as_u64().unwrap_or(0)).unwrap_or(u32::MAX);
    Position {
        line: part("line"),
        column: part("character"),
    }
}

fn range_json(range: Range) -> Value {
    json!({
        "start": {"line": range.start.line, "character": range.start.column},
        "end": {"line": range.end.line, "character": range.end.column},
    })
}

/// The protocol's `CompletionItemKind` numbers.
fn completion_kind(kind: CompletionKind) -> u32 {
    match kind {
        CompletionKind::Key => 10,     // Property
        CompletionKind::Function => 3, // Function
        CompletionKind::Pdf => 7,      // Class
        CompletionKind::Variable => 6, // Variable
        CompletionKind::Column => 5,   // Field
        CompletionKind::Word => 12,    // Value
    }
}

/// The `file://` URI of a path (bytes outside the unreserved set percent-encoded).
fn uri_of(path: &std::path::Path) -> String {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file://");
    for b in absolute.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path of a `file://` URI (percent-decoded).
fn path_of(uri: &str) -> Option<PathBuf> {
    let parsed = lsp::Uri::from_str(uri).ok()?;
    let rest = parsed.as_str().strip_prefix("file://")?;
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = rest
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(PathBuf::from)
}
