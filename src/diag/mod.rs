//! Diagnostics: coded, located messages that every stage reports instead of panicking.
//!
//! A [`Diagnostic`] carries a stable code (`SL001`…), a severity, a message, a primary span
//! and optional secondary labels and help. [`render`] turns them into text for humans
//! (miette), JSON, or SARIF 2.1.0.

pub mod codes;
pub mod render;
mod source;

pub use source::{FileId, SourceFile, SourceMap, Span, Spanned};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a command.
    Info,
    /// Probably a mistake; does not fail `lint`.
    Warning,
    /// The analysis is wrong or cannot run; `lint` exits 1.
    Error,
}

impl Severity {
    /// Lower-case name as used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary location with a short label.
#[derive(Clone, Debug)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One finding: a coded message pointing at the source.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable code such as `SL005`.
    pub code: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One-line description of the problem.
    pub message: String,
    /// Main location, if the problem has one in a source file.
    pub span: Option<Span>,
    /// Label shown at the main location.
    pub label: Option<String>,
    /// Related locations.
    pub related: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A new error diagnostic.
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    /// A new diagnostic with the given severity.
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: None,
            label: None,
            related: Vec::new(),
            help: None,
        }
    }

    /// Points the diagnostic at `span`.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Points the diagnostic at `span` with a label.
    pub fn at_labelled(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = Some(span);
        self.label = Some(label.into());
        self
    }

    /// Adds a related location.
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds help text when there is some.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }
}

/// The closest candidate to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

/// "did you mean `x`?" help text, when a close candidate exists.
pub fn suggestion<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    did_you_mean(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("selction", ["selection", "scan"]),
            Some("selection")
        );
        assert_eq!(did_you_mean("Mbc", ["mbc", "deltaE"]), Some("mbc"));
        assert_eq!(did_you_mean("zzz", ["selection", "scan"]), None);
    }
}
