//! One interface over both ntuple formats: a file is recognised by its first bytes
//! (`root` or `PAR1`), not its name, and read chunk by chunk (ROOT clusters, Parquet row
//! groups) with the same projection rules and errors.

use super::IoError;
use super::column_cache::ColumnCache;
use super::parquet::ParquetReader;
use super::root::RootReader;
use super::table::ColumnTable;
use crate::diag::codes;
use std::io::Read;
use std::path::{Path, PathBuf};

/// An ntuple file opened for reading a projection of its columns, optionally through a
/// [`ColumnCache`].
pub struct NtupleReader {
    decoder: Decoder,
    cache: Option<ColumnCache>,
}

/// The format's reader.
enum Decoder {
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

/// Bookkeeping columns of an ntuple: read where a file has them (without event numbers
/// each row is its own event, without weights each weighs 1), required only when the
/// analysis uses them itself.
pub const EVENT_COLUMNS: [&str; 4] = ["__experiment__", "__run__", "__event__", "__weight__"];

/// The columns that number events (basf2 writes them): rows with the same values are
/// the candidates of one event, and lie together.
pub const EVENT_KEY: [&str; 3] = ["__experiment__", "__run__", "__event__"];

/// The entry number of a ROOT file's rows when the input reads jagged columns (one row
/// per value of an entry): added by the reader, it groups the rows of one entry into
/// one event where the file has no event numbers.
pub const ENTRY_COLUMN: &str = "__entry__";

/// Opens every file of an input projected onto the columns in `needed`; a bookkeeping
/// column is left out of a file without it unless `required` says the analysis reads
/// it. All files must give their columns the same types. `run` and `lint` both open
/// file inputs through here, so lint refuses what run would.
pub fn open_files(
    input: &str,
    files: &[PathBuf],
    tree: Option<&str>,
    needed: &[String],
    required: &dyn Fn(&str) -> bool,
) -> Result<Vec<NtupleReader>, IoError> {
    let readers = files
        .iter()
        .map(|p| {
            let present = NtupleReader::column_names(p, tree)?;
            let cols: Vec<&str> = needed
                .iter()
                .map(String::as_str)
                .filter(|c| {
                    !EVENT_COLUMNS.contains(c) || required(c) || present.iter().any(|p| p == c)
                })
                .collect();
            NtupleReader::open(p, tree, Some(&cols))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(first) = readers.first() {
        for (reader, path) in readers.iter().zip(files).skip(1) {
            if let Some(((name, a), (_, b))) = first
                .signature()
                .into_iter()
                .zip(reader.signature())
                .find(|(x, y)| x != y)
            {
                return Err(IoError::new(
                    codes::UNSUPPORTED_COLUMN,
                    format!(
                        "input `{input}`: column `{name}` is {a} in {} but {b} in {}; all files of one input must have the same column types",
                        files[0].display(),
                        path.display()
                    ),
                ));
            }
        }
    }
    Ok(readers)
}

/// The format of `path`, from its signature.
pub fn format_of(path: &Path) -> Result<Format, IoError> {
    let mut head = [0u8; 4];
    let mut file = super::regular::open(path)
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
        let decoder = match format_of(path)? {
            Format::Root => Decoder::Root(RootReader::open(path, tree, columns)?),
            Format::Parquet => Decoder::Parquet(ParquetReader::open(path, columns)?),
        };
        Ok(NtupleReader {
            decoder,
            cache: None,
        })
    }

    /// Reads decoded chunks from the column cache under `root` where they are stored,
    /// and stores the chunks it decodes (the file `path`, tree `tree`, this reader's).
    pub fn cache_columns(&mut self, root: &Path, path: &Path, tree: Option<&str>) {
        self.cache = ColumnCache::for_file(root, path, tree);
    }

    /// Every column (branch) name of the file.
    pub fn column_names(path: &Path, tree: Option<&str>) -> Result<Vec<String>, IoError> {
        match format_of(path)? {
            Format::Root => RootReader::column_names(path, tree),
            Format::Parquet => ParquetReader::column_names(path),
        }
    }

    /// Every column of the file with what it holds (a storage type, a list of values per
    /// entry, or why it cannot be read), for editors.
    pub fn describe_columns(
        path: &Path,
        tree: Option<&str>,
    ) -> Result<Vec<(String, String)>, IoError> {
        match format_of(path)? {
            Format::Root => RootReader::describe_columns(path, tree),
            Format::Parquet => ParquetReader::describe_columns(path),
        }
    }

    /// The projected columns with their storage types.
    pub fn signature(&self) -> Vec<(&str, &'static str)> {
        match &self.decoder {
            Decoder::Parquet(r) => r.signature(),
            Decoder::Root(r) => r.signature(),
        }
    }

    /// Number of rows (entries).
    pub fn rows(&self) -> u64 {
        match &self.decoder {
            Decoder::Parquet(r) => r.rows(),
            Decoder::Root(r) => r.rows(),
        }
    }

    /// Number of chunks.
    pub fn chunks(&self) -> usize {
        match &self.decoder {
            Decoder::Parquet(r) => r.row_groups(),
            Decoder::Root(r) => r.chunks(),
        }
    }

    /// Number of rows of chunk `i`, from the file's metadata (nothing is decoded).
    pub fn chunk_rows(&self, i: usize) -> u64 {
        match &self.decoder {
            Decoder::Parquet(r) => r.row_group_rows(i),
            Decoder::Root(r) => r.chunk_rows(i),
        }
    }

    /// The projected columns of chunk `i`.
    pub fn read_chunk(&self, i: usize) -> Result<ColumnTable, IoError> {
        let Some(cache) = &self.cache else {
            return self.decode_chunk(i);
        };
        if let Some(table) = cache.load(i, &self.signature()) {
            return Ok(table);
        }
        let table = self.decode_chunk(i)?;
        cache.store(i, &table);
        Ok(table)
    }

    fn decode_chunk(&self, i: usize) -> Result<ColumnTable, IoError> {
        match &self.decoder {
            Decoder::Parquet(r) => r.read_row_group(i),
            Decoder::Root(r) => r.read_chunk(i),
        }
    }
}
