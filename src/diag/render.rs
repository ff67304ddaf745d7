//! Output formats for diagnostics: human (miette snippets), JSON (docs/cli.md), SARIF 2.1.0.

use super::{Diagnostic, Severity, SourceMap, Span};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};
use serde_json::{Value, json};

/// A diagnostic resolved to file, line and column (1-based), as the JSON format reports it.
#[derive(Debug, serde::Serialize)]
pub struct Located<'a> {
    /// Stable code.
    pub code: &'a str,
    /// `error`, `warning` or `info`.
    pub severity: &'a str,
    /// The message.
    pub message: &'a str,
    /// Path of the file, or null.
    pub file: Option<String>,
    /// First line.
    pub line: Option<usize>,
    /// First column.
    pub column: Option<usize>,
    /// Last line.
    pub end_line: Option<usize>,
    /// Column just past the end.
    pub end_column: Option<usize>,
    /// How to fix it.
    pub help: Option<&'a str>,
}

/// Resolves the spans of a diagnostic to lines and columns.
pub fn locate<'a>(d: &'a Diagnostic, sources: &SourceMap) -> Located<'a> {
    let (file, start, end) = match d.span {
        Some(span) => {
            let f = sources.file(span.file);
            (
                Some(f.path.display().to_string()),
                Some(f.line_col(span.start)),
                Some(f.line_col(span.end)),
            )
        }
        None => (None, None, None),
    };
    Located {
        code: d.code,
        severity: d.severity.as_str(),
        message: &d.message,
        file,
        line: start.map(|p| p.0),
        column: start.map(|p| p.1),
        end_line: end.map(|p| p.0),
        end_column: end.map(|p| p.1),
        help: d.help.as_deref(),
    }
}

/// Diagnostics as the JSON list of docs/cli.md.
pub fn json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let list: Vec<Located> = diags.iter().map(|d| locate(d, sources)).collect();
    serde_json::to_string_pretty(&list).expect("diagnostics serialise")
}

/// Diagnostics as a SARIF 2.1.0 log with one run, for code-scanning annotations.
pub fn sarif(diags: &[Diagnostic], sources: &SourceMap, rules: &[(&str, &str, &str)]) -> String {
    let rules: Vec<Value> = rules
        .iter()
        .map(|(code, name, summary)| {
            json!({"id": code, "name": name, "shortDescription": {"text": summary}})
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let loc = locate(d, sources);
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!(" ({help})"));
            }
            let mut result = json!({"ruleId": d.code, "level": level, "message": {"text": text}});
            if let (Some(file), Some(line), Some(column)) = (loc.file, loc.line, loc.column) {
                result["locations"] = json!([{"physicalLocation": {
                    "artifactLocation": {"uri": file},
                    "region": {"startLine": line, "startColumn": column,
                               "endLine": loc.end_line, "endColumn": loc.end_column}}}]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "searchlight", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).expect("sarif serialises")
}

/// Diagnostics as miette snippets with labelled spans, one after another.
pub fn human(diags: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    let mut out = String::new();
    for d in diags {
        // Without a place in a spec (a command-line argument, a file named on the
        // command line) the one-line form says everything.
        if d.span.is_none() {
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            out.push_str(&format!("{severity}[{}]: {}\n", d.code, d.message));
            if let Some(help) = &d.help {
                out.push_str(&format!("  help: {help}\n"));
            }
            continue;
        }
        let report = to_miette(d, sources);
        if handler.render_report(&mut out, report.as_ref()).is_err() {
            out.push_str(&format!("{}: {}\n", d.code, d.message));
        }
        out.push('\n');
    }
    out
}

fn to_miette(d: &Diagnostic, sources: &SourceMap) -> miette::Report {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Info => miette::Severity::Advice,
    };
    let mut m = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code)
        .with_severity(severity);
    let mut help = d.help.clone();
    let Some(primary) = d.span else {
        if let Some(h) = help {
            m = m.with_help(h);
        }
        return miette::Report::new(m);
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        d.label.clone(),
        to_range(primary),
    )];
    for rel in &d.related {
        if rel.span.file == primary.file {
            labels.push(LabeledSpan::new_with_span(
                Some(rel.message.clone()),
                to_range(rel.span),
            ));
        } else {
            let f = sources.file(rel.span.file);
            let (line, col) = f.line_col(rel.span.start);
            let note = format!("{} at {}:{line}:{col}", rel.message, f.path.display());
            help = Some(match help {
                Some(h) => format!("{h}\n{note}"),
                None => note,
            });
        }
    }
    m = m.with_labels(labels);
    if let Some(h) = help {
        m = m.with_help(h);
    }
    let file = sources.file(primary.file);
    let source = NamedSource::new(file.path.display().to_string(), file.text.clone());
    miette::Report::new(m).with_source_code(source)
}

fn to_range(span: Span) -> (usize, usize) {
    (span.start, span.end - span.start)
}
