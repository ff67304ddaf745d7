//! The error every reader and writer of `io` returns.

/// Why an ntuple file could not be read or written; `code` is the diagnostic code.
#[derive(Debug, Clone, PartialEq)]
pub struct IoError {
    /// `SL201` I/O, `SL202` not a ROOT or Parquet file / corrupt, `SL203` missing column, `SL204`
    /// unsupported column type.
    pub code: &'static str,
    /// What went wrong, naming file and column.
    pub message: String,
}

impl IoError {
    /// An error with this code and message.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        IoError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for IoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}
