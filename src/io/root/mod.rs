//! ROOT ntuples, TTree and RNTuple: projecting, streaming readers of their columns, and
//! a writer of flat TTrees.
//!
//! Written here rather than taken from a crate: the Rust ROOT reader available
//! (`oxyroot` 0.1) panics on zstd baskets, is not `Send`, hands branches back entry by
//! entry and reads no RNTuple, while the hot path of an ntuple analysis is exactly
//! decompression and decoding of flat numeric columns. This module parses only what
//! that needs (file header, directories, keys, the TTree/TBranch/TLeaf records ROOT 6
//! writes, RNTuple's anchor, envelopes and pages), checks every offset, length and
//! checksum it reads, and decodes baskets and pages in parallel straight into column
//! vectors. Jagged, fixed-array and object branches or fields are listed but refused by
//! name when a spec asks for them.

mod compression;
mod cursor;
mod file;
mod objects;
mod rntuple;
mod tree;
mod tree_reader;
mod writer;

use super::IoError;
use super::guard;
use super::source::ENTRY_COLUMN;
use super::table::{Column, ColumnData, ColumnTable};
use crate::diag::{codes, did_you_mean};
use file::{Key, RootFile};
use rntuple::RNTupleReader;
use std::path::Path;
use tree::{Layout, LeafType};
use tree_reader::TreeReader;

pub use tree::Tree;
pub use writer::{BASKET_ENTRIES, Compression, RootWriter, Th1, write_histograms};

/// Entries per chunk the readers aim for (chunks end on basket or cluster boundaries
/// common to all projected columns, so one may be larger).
const CHUNK_ENTRIES: u64 = 1 << 18;

/// A TTree or an RNTuple opened for reading a projection of its columns, chunk by chunk.
pub enum RootReader {
    /// A TTree.
    Tree(TreeReader),
    /// An RNTuple (binary format 1.0, ROOT 6.34 and later).
    RNTuple(RNTupleReader),
}

fn not_root(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::new(
        codes::NOT_DATA,
        format!("{} is not a readable ROOT file: {e}", path.display()),
    )
}

/// The two ntuple classes of a ROOT file's keys.
const TTREE: &str = "TTree";
const RNTUPLE: &str = "ROOT::RNTuple";
/// RNTuple's pre-release anchor (format epoch 0, ROOT 6.22–6.32), not read.
const RNTUPLE_PRERELEASE: &str = "ROOT::Experimental::RNTuple";

/// Opens the file and finds the ntuple's key.
fn locate(path: &Path, name: Option<&str>) -> Result<(RootFile, Key), IoError> {
    let file = RootFile::open(path)
        .map_err(|e| IoError::new(codes::IO, format!("cannot open {}: {e}", path.display())))?
        .map_err(|e| not_root(path, e))?;
    let key = find_ntuple(&file, name).map_err(|e| match e {
        Found::Missing(message) => IoError::new(
            codes::MISSING_COLUMN,
            format!("{}: {message}", path.display()),
        ),
        Found::Corrupt(e) => not_root(path, e),
    })?;
    Ok((file, key))
}

/// The TTree named by `key`'s metadata.
fn tree_of(file: &RootFile, key: &Key, path: &Path) -> Result<Tree, IoError> {
    guard::contain(|| {
        let record = file.object(key)?;
        tree::parse(&record, usize::from(key.header_len))
    })
    .map_err(|panic| not_root(path, panic))?
    .map_err(|e| not_root(path, format!("tree `{}`: {e}", key.name)))
}

/// A projected column: its index among the ntuple's columns, its value type, and
/// whether it holds any number of values per entry.
#[derive(Clone, Copy, Debug)]
struct Pick {
    index: usize,
    ty: LeafType,
    jagged: bool,
}

/// Resolves a projection against an ntuple's columns (`what`: "branch" or "field"):
/// each wanted name's index and type, all flat columns when `columns` is `None`.
/// Unknown names and columns that are neither flat nor jagged arrays of numbers are
/// errors naming them.
fn project(
    path: &Path,
    what: &str,
    layouts: &[(&str, &Layout)],
    columns: Option<&[&str]>,
) -> Result<Vec<Pick>, IoError> {
    let Some(wanted) = columns else {
        return Ok(layouts
            .iter()
            .enumerate()
            .filter_map(|(index, (_, layout))| match layout {
                Layout::Flat(ty) => Some(Pick {
                    index,
                    ty: *ty,
                    jagged: false,
                }),
                _ => None,
            })
            .collect());
    };
    wanted
        .iter()
        .map(|&name| {
            let Some(index) = layouts.iter().position(|(n, _)| *n == name) else {
                let hint = did_you_mean(name, layouts.iter().map(|(n, _)| *n))
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return Err(IoError::new(
                    codes::MISSING_COLUMN,
                    format!("{} has no {what} `{name}`{hint}", path.display()),
                ));
            };
            match layouts[index].1 {
                Layout::Flat(ty) => Ok(Pick {
                    index,
                    ty: *ty,
                    jagged: false,
                }),
                Layout::Jagged(ty) => Ok(Pick {
                    index,
                    ty: *ty,
                    jagged: true,
                }),
                Layout::Unsupported(kind) => Err(IoError::new(
                    codes::UNSUPPORTED_COLUMN,
                    format!(
                        "{what} `{name}` of {} is {kind}; a column must hold numbers, one or a list of them per entry",
                        path.display()
                    ),
                )),
            }
        })
        .collect()
}

/// A chunk's column as decoded: its values and, for a jagged column, how many of them
/// each entry holds.
struct Decoded {
    name: String,
    data: ColumnData,
    counts: Option<Vec<u32>>,
}

/// The signature of a projection: jagged columns add the entry number.
fn signature<'a>(
    columns: impl Iterator<Item = (&'a str, LeafType, bool)>,
) -> Vec<(&'a str, &'static str)> {
    let mut jagged = false;
    let mut out: Vec<(&str, &'static str)> = columns
        .map(|(name, ty, j)| {
            jagged |= j;
            (name, storage(ty).type_name())
        })
        .collect();
    if jagged {
        out.push((ENTRY_COLUMN, "i64"));
    }
    out
}

/// A projection's columns without rows (with the entry number when one is jagged).
fn empty_table<'a>(columns: impl Iterator<Item = (&'a str, LeafType, bool)>) -> ColumnTable {
    let mut jagged = false;
    let mut table: Vec<Column> = columns
        .map(|(name, ty, j)| {
            jagged |= j;
            Column {
                name: name.into(),
                data: storage(ty),
            }
        })
        .collect();
    if jagged {
        table.push(Column {
            name: ENTRY_COLUMN.into(),
            data: ColumnData::I64(Vec::new()),
        });
    }
    ColumnTable { columns: table }
}

/// Lays a chunk out as candidate rows: without jagged columns one row per entry; with
/// them one row per value of an entry (all jagged columns must hold as many values in
/// each entry: one collection per input), the flat columns repeated over an entry's rows
/// and the entry's number (from `first_entry`, per file) in [`ENTRY_COLUMN`], which
/// groups the rows into events.
fn candidate_rows(
    path: &Path,
    columns: Vec<Decoded>,
    first_entry: u64,
) -> Result<ColumnTable, IoError> {
    let Some(reference) = columns.iter().find(|c| c.counts.is_some()) else {
        return Ok(ColumnTable {
            columns: columns
                .into_iter()
                .map(|c| Column {
                    name: c.name,
                    data: c.data,
                })
                .collect(),
        });
    };
    let counts = reference.counts.clone().expect("found jagged");
    for other in &columns {
        if let Some(theirs) = &other.counts
            && let Some(entry) = (0..counts.len()).find(|&i| theirs.get(i) != counts.get(i))
        {
            return Err(IoError::new(
                codes::UNSUPPORTED_COLUMN,
                format!(
                    "{}: `{}` and `{}` hold different numbers of values in entry {} ({} and {}); the jagged columns an input reads must belong to one collection",
                    path.display(),
                    reference.name,
                    other.name,
                    first_entry + entry as u64,
                    counts[entry],
                    theirs.get(entry).copied().unwrap_or(0),
                ),
            ));
        }
    }
    let mut table: Vec<Column> = columns
        .into_iter()
        .map(|c| Column {
            data: if c.counts.is_some() {
                c.data
            } else {
                c.data.repeat(&counts)
            },
            name: c.name,
        })
        .collect();
    let entries: Vec<i64> = (first_entry as i64..).take(counts.len()).collect();
    table.push(Column {
        name: ENTRY_COLUMN.into(),
        data: ColumnData::I64(entries).repeat(&counts),
    });
    Ok(ColumnTable { columns: table })
}

enum Found {
    Missing(String),
    Corrupt(String),
}

/// The key of the TTree or RNTuple named `wanted` (a path like `dir/tree` for ntuples
/// in subdirectories), or of the only one in the top directory when no name is given.
fn find_ntuple(file: &RootFile, wanted: Option<&str>) -> Result<Key, Found> {
    let mut keys = file.top_keys().map_err(Found::Corrupt)?;
    let is_tree = |k: &Key| k.class == TTREE || k.class == RNTUPLE;
    let Some(wanted) = wanted else {
        let mut trees: Vec<&Key> = keys.iter().filter(|k| is_tree(k)).collect();
        trees.dedup_by(|a, b| a.name == b.name);
        return match trees.as_slice() {
            [one] => Ok(newest(&keys, &one.name).expect("present").clone()),
            [] => Err(Found::Missing(no_tree_message(&keys))),
            many => Err(Found::Missing(format!(
                "holds several ntuples ({}); name one with `tree:`",
                many.iter()
                    .map(|k| k.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
    };
    let mut parts: Vec<&str> = wanted.split('/').filter(|p| !p.is_empty()).collect();
    let name = parts.pop().unwrap_or(wanted);
    for dir in parts {
        let key = newest(&keys, dir)
            .filter(|k| k.class.starts_with("TDirectory"))
            .ok_or_else(|| Found::Missing(format!("has no directory `{dir}`")))?
            .clone();
        keys = file.subdirectory_keys(&key).map_err(Found::Corrupt)?;
    }
    match newest(&keys, name) {
        Some(k) if is_tree(k) => Ok(k.clone()),
        Some(k) if k.class == RNTUPLE_PRERELEASE => Err(Found::Missing(format!(
            "`{name}` is a pre-release RNTuple ({}, ROOT before 6.34); rewrite it with ROOT 6.34 or later, or as a TTree",
            k.class
        ))),
        Some(k) => Err(Found::Missing(format!(
            "`{name}` is a {}, not a TTree or RNTuple",
            k.class
        ))),
        None => {
            let names = keys.iter().filter(|k| is_tree(k)).map(|k| k.name.as_str());
            let hint = did_you_mean(name, names)
                .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
            Err(Found::Missing(format!("has no tree `{wanted}`{hint}")))
        }
    }
}

fn no_tree_message(keys: &[Key]) -> String {
    match keys.iter().find(|k| k.class == RNTUPLE_PRERELEASE) {
        Some(k) => format!(
            "holds `{}`, a pre-release RNTuple ({}, ROOT before 6.34); rewrite it with ROOT 6.34 or later, or as a TTree",
            k.name, k.class
        ),
        None => "holds no TTree or RNTuple".into(),
    }
}

fn newest<'k>(keys: &'k [Key], name: &str) -> Option<&'k Key> {
    keys.iter()
        .filter(|k| k.name == name)
        .max_by_key(|k| k.cycle)
}

impl RootReader {
    /// Opens ntuple `name` (the only ntuple of the file when `None`) of `path`, a TTree
    /// or an RNTuple, projecting onto `columns` (all flat columns when `None`).
    pub fn open(
        path: &Path,
        name: Option<&str>,
        columns: Option<&[&str]>,
    ) -> Result<Self, IoError> {
        let (file, key) = locate(path, name)?;
        if key.class == RNTUPLE {
            return Ok(RootReader::RNTuple(RNTupleReader::open(
                file, &key, path, columns,
            )?));
        }
        let tree = tree_of(&file, &key, path)?;
        Ok(RootReader::Tree(TreeReader::open(
            file, tree, path, columns,
        )?))
    }

    /// A TTree's metadata (entries, branches and baskets).
    pub fn tree(path: &Path, name: Option<&str>) -> Result<Tree, IoError> {
        let (file, key) = locate(path, name)?;
        if key.class != TTREE {
            return Err(IoError::new(
                codes::UNSUPPORTED_COLUMN,
                format!(
                    "{}: `{}` is an RNTuple, not a TTree",
                    path.display(),
                    key.name
                ),
            ));
        }
        tree_of(&file, &key, path)
    }

    /// Number of entries of ntuple `name`, from its metadata.
    pub fn entries(path: &Path, name: Option<&str>) -> Result<u64, IoError> {
        Ok(Self::open(path, name, Some(&[]))?.rows())
    }

    /// Every column of the ntuple with what it holds (`f64`; `f32 per value of a list`;
    /// `not readable: …`), for editors.
    pub fn describe_columns(
        path: &Path,
        name: Option<&str>,
    ) -> Result<Vec<(String, String)>, IoError> {
        Ok(Self::layouts(path, name)?
            .into_iter()
            .map(|(name, layout)| {
                let what = match layout {
                    Layout::Flat(ty) => storage(ty).type_name().to_string(),
                    Layout::Jagged(ty) => format!(
                        "{}, a list per entry (one candidate row per value)",
                        storage(ty).type_name()
                    ),
                    Layout::Unsupported(what) => format!("not readable: {what}"),
                };
                (name, what)
            })
            .collect())
    }

    /// Names of every column (branch or top-level field) of the ntuple.
    pub fn column_names(path: &Path, name: Option<&str>) -> Result<Vec<String>, IoError> {
        Ok(Self::layouts(path, name)?
            .into_iter()
            .map(|(name, _)| name)
            .collect())
    }

    /// Every column of the ntuple with its layout, from its metadata.
    fn layouts(path: &Path, name: Option<&str>) -> Result<Vec<(String, Layout)>, IoError> {
        let (file, key) = locate(path, name)?;
        if key.class == RNTUPLE {
            return RNTupleReader::layouts(file, &key, path);
        }
        Ok(tree_of(&file, &key, path)?
            .branches
            .into_iter()
            .map(|b| (b.name, b.layout))
            .collect())
    }

    /// The projected columns with the storage types they are read into.
    pub fn signature(&self) -> Vec<(&str, &'static str)> {
        match self {
            RootReader::Tree(r) => r.signature(),
            RootReader::RNTuple(r) => r.signature(),
        }
    }

    /// Number of entries.
    pub fn rows(&self) -> u64 {
        match self {
            RootReader::Tree(r) => r.rows(),
            RootReader::RNTuple(r) => r.rows(),
        }
    }

    /// Number of chunks (the unit of streaming).
    pub fn chunks(&self) -> usize {
        match self {
            RootReader::Tree(r) => r.chunks(),
            RootReader::RNTuple(r) => r.chunks(),
        }
    }

    /// Number of entries of chunk `i`.
    pub fn chunk_rows(&self, i: usize) -> u64 {
        match self {
            RootReader::Tree(r) => r.chunk_rows(i),
            RootReader::RNTuple(r) => r.chunk_rows(i),
        }
    }

    /// The projected columns of chunk `i`, decoded in parallel.
    pub fn read_chunk(&self, i: usize) -> Result<ColumnTable, IoError> {
        match self {
            RootReader::Tree(r) => r.read_chunk(i),
            RootReader::RNTuple(r) => r.read_chunk(i),
        }
    }

    /// All projected entries (small files and tests; analyses stream chunks).
    pub fn read_all(&self) -> Result<ColumnTable, IoError> {
        let empty = match self {
            RootReader::Tree(r) => r.empty(),
            RootReader::RNTuple(r) => r.empty(),
        };
        ColumnTable::concat(empty, (0..self.chunks()).map(|i| self.read_chunk(i)))
    }
}

/// The in-memory column a leaf type is read into (small integers widen to i32, u64 is
/// held as i64 and refused above 2^63).
fn storage(ty: LeafType) -> ColumnData {
    match ty {
        LeafType::Bool => ColumnData::Bool(Vec::new()),
        LeafType::Int8 { .. } | LeafType::Int16 { .. } | LeafType::Int32 { unsigned: false } => {
            ColumnData::I32(Vec::new())
        }
        LeafType::Int32 { unsigned: true } => ColumnData::U32(Vec::new()),
        LeafType::Int64 { .. } => ColumnData::I64(Vec::new()),
        LeafType::Float32 => ColumnData::F32(Vec::new()),
        LeafType::Float64 => ColumnData::F64(Vec::new()),
    }
}
