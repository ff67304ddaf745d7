//! One interface over both ntuple formats: a file is recognised by its first bytes
//! (`root` or `PAR1`), not its name, and read chunk by chunk (ROOT clusters, Parquet row
//! groups) with the same projection rules and errors.

use super::IoError;
use super::parquet::ParquetReader;
use super::root::RootReader;
use super::table::Table;
use crate::diag::codes;
use std::io::Read;
use std::path::Path;

/// An ntuple file opened for reading a projection of its columns.
pub enum NtupleReader {
    /// A Parquet file.
    Parquet(ParquetReader),
    /// A TTree of a ROOT file.
    Root(RootReader),
}

/// The two formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// ROOT (`root` signature).
    Root,
    /// Parquet (`PAR1` signature).
    Parquet,
}

/// The format of `path`, from its signature.
pub fn format_of(path: &Path) -> Result<Format, IoError> {
    let mut head = [0u8; 4];
    let mut file = std::fs::File::open(path)
        .map_err(|e| IoError::new(codes::IO, format!("cannot open {}: {e}", path.display())))?;
    let n = file.read(&mut head).unwrap_or(0);
    match &head[..n] {
        b"root" => Ok(Format::Root),
        b"PAR1" => Ok(Format::Parquet),
        _ => Err(IoError::new(
            codes::NOT_DATA,
            format!(
                "{} is neither a ROOT nor a Parquet file (it starts with neither `root` nor `PAR1`)",
                path.display()
            ),
        )),
    }
}

impl NtupleReader {
    /// Opens `path` (tree `tree` of a ROOT file) projected onto `columns`.
    pub fn open(
        path: &Path,
        tree: Option<&str>,
        columns: Option<&[&str]>,
    ) -> Result<Self, IoError> {
        Ok(match format_of(path)? {
            Format::Root => NtupleReader::Root(RootReader::open(path, tree, columns)?),
            Format::Parquet => NtupleReader::Parquet(ParquetReader::open(path, columns)?),
        })
    }

    /// Every column (branch) name of the file.
    pub fn column_names(path: &Path, tree: Option<&str>) -> Result<Vec<String>, IoError> {
        match format_of(path)? {
            Format::Root => RootReader::column_names(path, tree),
            Format::Parquet => ParquetReader::column_names(path),
        }
    }

    /// The projected columns with their storage types.
    pub fn signature(&self) -> Vec<(&str, &'static str)> {
        match self {
            NtupleReader::Parquet(r) => r.signature(),
            NtupleReader::Root(r) => r.signature(),
        }
    }

    /// Number of rows (entries).
    pub fn rows(&self) -> u64 {
        match self {
            NtupleReader::Parquet(r) => r.rows(),
            NtupleReader::Root(r) => r.rows(),
        }
    }

    /// Number of chunks.
    pub fn chunks(&self) -> usize {
        match self {
            NtupleReader::Parquet(r) => r.row_groups(),
            NtupleReader::Root(r) => r.chunks(),
        }
    }

    /// Number of rows of chunk `i`, from the file's metadata (nothing is decoded).
    pub fn chunk_rows(&self, i: usize) -> u64 {
        match self {
            NtupleReader::Parquet(r) => r.row_group_rows(i),
            NtupleReader::Root(r) => r.chunk_rows(i),
        }
    }

    /// The projected columns of chunk `i`.
    pub fn read_chunk(&self, i: usize) -> Result<Table, IoError> {
        match self {
            NtupleReader::Parquet(r) => r.read_row_group(i),
            NtupleReader::Root(r) => r.read_chunk(i),
        }
    }

    /// All chunks in order.
    pub fn tables(&self) -> impl Iterator<Item = Result<Table, IoError>> + '_ {
        (0..self.chunks()).map(|i| self.read_chunk(i))
    }
}
