//! A one-line progress indicator on stderr while an input is read: shown only when stderr
//! is a terminal (never in logs, pipes or tests), redrawn at most ten times a second, and
//! erased when the input is done, so it never mixes with the run's output.

use crate::io::IoError;
use crate::io::source::ENTRY_COLUMN;
use crate::io::table::ColumnTable;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// The progress line of reading one input, on a terminal.
pub struct ProgressLine {
    label: String,
    total: u64,
    done: u64,
    shown: Option<Instant>,
    enabled: bool,
}

impl ProgressLine {
    /// The line for `total` rows (ROOT entries) of input `label`.
    pub fn new(label: &str, total: u64) -> Self {
        ProgressLine {
            label: label.to_string(),
            total,
            done: 0,
            shown: None,
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// Passes chunks through, counting their rows (the entries they span, when a jagged
    /// read made one row per value).
    pub fn track<'a>(
        &'a mut self,
        chunks: impl Iterator<Item = Result<ColumnTable, IoError>> + 'a,
    ) -> impl Iterator<Item = Result<ColumnTable, IoError>> + 'a {
        chunks.inspect(move |chunk| {
            if let Ok(t) = chunk {
                let rows = match t.column(ENTRY_COLUMN) {
                    Some(entry) if !entry.is_empty() => {
                        (entry.get_f64(entry.len() - 1) - entry.get_f64(0)) as u64 + 1
                    }
                    _ => t.rows() as u64,
                };
                self.advance(rows);
            }
        })
    }

    fn advance(&mut self, rows: u64) {
        self.done += rows;
        if !self.enabled
            || self
                .shown
                .is_some_and(|t| t.elapsed() < Duration::from_millis(100))
        {
            return;
        }
        self.shown = Some(Instant::now());
        let percent = if self.total > 0 {
            100.0 * self.done as f64 / self.total as f64
        } else {
            100.0
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r\x1b[2Kreading `{}`: {} of {} rows ({percent:.0}%)",
            self.label, self.done, self.total
        );
        let _ = err.flush();
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        if self.enabled && self.shown.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
