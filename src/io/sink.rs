//! One interface over the two output formats of `skim` and `generate`, chosen by the
//! output's extension: `.parquet` (zstd) or `.root` (a TTree, zlib or zstd).

use super::IoError;
use super::parquet::ParquetWriter;
use super::root::{Compression, RootWriter};
use super::table::ColumnTable;
use crate::diag::codes;
use std::path::Path;

/// The TTree name of ROOT output: basf2's `VariablesToNtuple` default.
pub const ROOT_TREE: &str = "variables";

/// A table writer for `.parquet` or `.root` files.
pub enum TableWriter {
    /// Parquet row groups.
    Parquet(ParquetWriter),
    /// A ROOT TTree.
    Root(RootWriter),
}

/// Refuses an output that is neither `.parquet` nor `.root`.
pub fn check_output(path: &Path) -> Result<(), IoError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet" | "root") => Ok(()),
        _ => Err(IoError::new(
            codes::USAGE,
            format!(
                "{}: the output must be a .parquet or a .root file",
                path.display()
            ),
        )),
    }
}

impl TableWriter {
    /// Starts `path` with the columns of `like` (ROOT files compressed as `compression`).
    pub fn create(
        path: &Path,
        like: &ColumnTable,
        compression: Compression,
    ) -> Result<Self, IoError> {
        check_output(path)?;
        if path.extension().is_some_and(|e| e == "root") {
            Ok(TableWriter::Root(RootWriter::create(
                path,
                ROOT_TREE,
                like,
                compression,
            )?))
        } else {
            Ok(TableWriter::Parquet(ParquetWriter::create(path, like)?))
        }
    }

    /// Appends a table's rows.
    pub fn write(&mut self, table: &ColumnTable) -> Result<(), IoError> {
        match self {
            TableWriter::Parquet(w) => w.write(table),
            TableWriter::Root(w) => w.write(table),
        }
    }

    /// Completes the file; returns the number of rows.
    pub fn finish(self) -> Result<u64, IoError> {
        match self {
            TableWriter::Parquet(w) => w.finish(),
            TableWriter::Root(w) => w.finish(),
        }
    }
}
