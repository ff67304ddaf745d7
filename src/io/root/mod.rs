//! ROOT TTree ntuples: a projecting, streaming reader of flat branches.
//!
//! Written here rather than taken from a crate: the Rust ROOT reader available
//! (`oxyroot` 0.1) panics on zstd baskets, is not `Send`, and hands branches back entry
//! by entry, while the hot path of an ntuple analysis is exactly basket decompression
//! and big-endian decoding of flat numeric branches. This module parses only what that
//! needs (file header, directories, keys, the TTree/TBranch/TLeaf records ROOT 6
//! writes), checks every offset and length it reads, and decodes baskets in parallel
//! straight into column vectors. Jagged, fixed-array and object branches are listed but
//! refused by name when a spec asks for them.

mod compression;
mod cursor;
mod file;
mod objects;
mod tree;

use super::IoError;
use super::guard;
use super::table::{Column, ColumnData, ColumnTable};
use crate::diag::{codes, did_you_mean};
use cursor::Cursor;
use file::{Key, RootFile};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use tree::{BasketRef, Branch, Layout, LeafType};

pub use tree::Tree;

/// Entries per chunk the reader aims for (chunks end on basket boundaries common to
/// all projected branches, so one may be larger).
const CHUNK_ENTRIES: u64 = 1 << 18;

/// A TTree opened for reading a projection of its branches, chunk by chunk.
pub struct RootReader {
    file: RootFile,
    path: PathBuf,
    entries: u64,
    projection: Vec<(Branch, LeafType)>,
    chunks: Vec<(u64, u64)>,
}

fn not_root(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::new(
        codes::NOT_DATA,
        format!("{} is not a readable ROOT file: {e}", path.display()),
    )
}

/// Opens the file and reads the tree's metadata.
fn load(path: &Path, tree: Option<&str>) -> Result<(RootFile, Tree), IoError> {
    let file = RootFile::open(path)
        .map_err(|e| IoError::new(codes::IO, format!("cannot open {}: {e}", path.display())))?
        .map_err(|e| not_root(path, e))?;
    let key = find_tree(&file, tree).map_err(|e| match e {
        Found::Missing(message) => IoError::new(codes::MISSING_COLUMN, message),
        Found::Corrupt(e) => not_root(path, e),
    });
    let key = key.map_err(|mut e| {
        if e.code == codes::MISSING_COLUMN {
            e.message = format!("{}: {}", path.display(), e.message);
        }
        e
    })?;
    let tree = guard::contain(|| {
        let record = file.object(&key)?;
        tree::parse(&record, usize::from(key.header_len))
    })
    .map_err(|panic| not_root(path, panic))?
    .map_err(|e| not_root(path, format!("tree `{}`: {e}", key.name)))?;
    Ok((file, tree))
}

enum Found {
    Missing(String),
    Corrupt(String),
}

/// The key of the tree named `wanted` (a path like `dir/tree` for trees in
/// subdirectories), or of the only tree in the top directory when no name is given.
fn find_tree(file: &RootFile, wanted: Option<&str>) -> Result<Key, Found> {
    let mut keys = file.top_keys().map_err(Found::Corrupt)?;
    let is_tree = |k: &Key| k.class == "TTree";
    let Some(wanted) = wanted else {
        let mut trees: Vec<&Key> = keys.iter().filter(|k| is_tree(k)).collect();
        trees.dedup_by(|a, b| a.name == b.name);
        return match trees.as_slice() {
            [one] => Ok(newest(&keys, &one.name).expect("present").clone()),
            [] => Err(Found::Missing(no_tree_message(&keys))),
            many => Err(Found::Missing(format!(
                "holds several trees ({}); name one with `tree:`",
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
        Some(k) if k.class.contains("RNTuple") => Err(Found::Missing(format!(
            "`{name}` is an RNTuple, which this version does not read; write a TTree (with uproot: `f.mktree`)"
        ))),
        Some(k) => Err(Found::Missing(format!(
            "`{name}` is a {}, not a TTree",
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
    match keys.iter().find(|k| k.class.contains("RNTuple")) {
        Some(k) => format!(
            "holds the RNTuple `{}`, which this version does not read; write a TTree (with uproot: `f.mktree`)",
            k.name
        ),
        None => "holds no TTree".into(),
    }
}

fn newest<'k>(keys: &'k [Key], name: &str) -> Option<&'k Key> {
    keys.iter()
        .filter(|k| k.name == name)
        .max_by_key(|k| k.cycle)
}

impl RootReader {
    /// Opens tree `tree` (the only tree of the file when `None`) of `path`, projecting
    /// onto `columns` (all flat branches when `None`). Unknown branches and branches that
    /// are not one number per entry are errors naming the branch.
    pub fn open(
        path: &Path,
        tree: Option<&str>,
        columns: Option<&[&str]>,
    ) -> Result<Self, IoError> {
        let (file, tree) = load(path, tree)?;
        let wanted: Vec<&str> = match columns {
            Some(cols) => cols.to_vec(),
            None => tree
                .branches
                .iter()
                .filter(|b| matches!(b.layout, Layout::Flat(_)))
                .map(|b| b.name.as_str())
                .collect(),
        };
        let mut projection = Vec::with_capacity(wanted.len());
        for name in wanted {
            let Some(branch) = tree.branches.iter().find(|b| b.name == name) else {
                let hint = did_you_mean(name, tree.branches.iter().map(|b| b.name.as_str()))
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return Err(IoError::new(
                    codes::MISSING_COLUMN,
                    format!("{} has no branch `{name}`{hint}", path.display()),
                ));
            };
            let ty = match &branch.layout {
                Layout::Flat(ty) => *ty,
                Layout::Unsupported(what) => {
                    return Err(IoError::new(
                        codes::UNSUPPORTED_COLUMN,
                        format!(
                            "branch `{name}` of {} is {what}; flat ntuples need one number per entry",
                            path.display()
                        ),
                    ));
                }
            };
            let covered: u64 = branch.baskets.iter().map(|b| b.entries).sum();
            if covered != tree.entries {
                return Err(not_root(
                    path,
                    format!(
                        "branch `{name}` has baskets for {covered} of {} entries",
                        tree.entries
                    ),
                ));
            }
            projection.push((branch.clone(), ty));
        }
        let chunks = chunk_ranges(tree.entries, &projection);
        Ok(RootReader {
            file,
            path: path.to_path_buf(),
            entries: tree.entries,
            projection,
            chunks,
        })
    }

    /// The tree's metadata (entries, branches and baskets).
    pub fn tree(path: &Path, tree: Option<&str>) -> Result<Tree, IoError> {
        load(path, tree).map(|(_, t)| t)
    }

    /// Names of every branch of the tree (for checking a spec against its input).
    pub fn column_names(path: &Path, tree: Option<&str>) -> Result<Vec<String>, IoError> {
        Ok(Self::tree(path, tree)?
            .branches
            .into_iter()
            .map(|b| b.name)
            .collect())
    }

    /// The projected columns with the storage types they are read into.
    pub fn signature(&self) -> Vec<(&str, &'static str)> {
        self.projection
            .iter()
            .map(|(b, ty)| (b.name.as_str(), storage(*ty).type_name()))
            .collect()
    }

    /// Number of entries in the tree.
    pub fn rows(&self) -> u64 {
        self.entries
    }

    /// Number of chunks (the unit of streaming).
    pub fn chunks(&self) -> usize {
        self.chunks.len()
    }

    /// Number of entries of chunk `i`.
    pub fn chunk_rows(&self, i: usize) -> u64 {
        let (start, end) = self.chunks[i];
        end - start
    }

    /// The projected columns of chunk `i`, its baskets decoded in parallel.
    pub fn read_chunk(&self, i: usize) -> Result<ColumnTable, IoError> {
        let (start, end) = self.chunks[i];
        let tasks: Vec<(usize, &BasketRef)> = self
            .projection
            .iter()
            .enumerate()
            .flat_map(|(col, (branch, _))| {
                branch
                    .baskets
                    .iter()
                    .filter(move |b| b.first_entry >= start && b.first_entry < end)
                    .map(move |b| (col, b))
            })
            .collect();
        let decoded: Vec<Result<ColumnData, String>> = tasks
            .par_iter()
            .map(|&(col, basket)| {
                let ty = self.projection[col].1;
                guard::contain(|| self.decode(basket, ty)).unwrap_or_else(Err)
            })
            .collect();
        let mut columns = self.empty().columns;
        for (&(col, basket), data) in tasks.iter().zip(decoded) {
            let data = data.map_err(|e| {
                not_root(
                    &self.path,
                    format!(
                        "branch `{}`, basket at byte {}: {e}",
                        columns[col].name, basket.seek
                    ),
                )
            })?;
            columns[col].data.extend(data);
        }
        for c in &columns {
            if c.data.len() as u64 != end - start {
                return Err(not_root(
                    &self.path,
                    format!(
                        "branch `{}` gives {} values for entries {start}..{end}",
                        c.name,
                        c.data.len()
                    ),
                ));
            }
        }
        Ok(ColumnTable { columns })
    }

    /// All projected entries (small files and tests; analyses stream chunks).
    pub fn read_all(&self) -> Result<ColumnTable, IoError> {
        ColumnTable::concat(self.empty(), (0..self.chunks()).map(|i| self.read_chunk(i)))
    }

    /// The projected columns, without rows.
    fn empty(&self) -> ColumnTable {
        ColumnTable {
            columns: self
                .projection
                .iter()
                .map(|(b, ty)| Column {
                    name: b.name.clone(),
                    data: storage(*ty),
                })
                .collect(),
        }
    }

    /// Reads, decompresses and decodes one basket.
    fn decode(&self, basket: &BasketRef, ty: LeafType) -> Result<ColumnData, String> {
        let raw = self.file.read_at(basket.seek, basket.bytes as usize)?;
        let mut c = Cursor::at(&raw, 0);
        let key = Key::parse(&mut c)?;
        c.skip(2 + 4 + 4)?; // TBasket version, fBufferSize, fNevBufSize
        let stored = c.count("basket entry count")?;
        let last = c.count("basket data end")?;
        if key.bytes as usize != raw.len() {
            return Err(format!(
                "basket key says {} bytes, the branch lists {}",
                key.bytes,
                raw.len()
            ));
        }
        if stored as u64 != basket.entries {
            return Err(format!(
                "basket holds {stored} entries, the branch lists {}",
                basket.entries
            ));
        }
        let header_len = usize::from(key.header_len);
        let payload = &raw[header_len..];
        let object_len = key.object_len as usize;
        let inflated;
        let data: &[u8] = if payload.len() >= object_len {
            &payload[..object_len]
        } else {
            inflated = compression::decompress(payload, object_len)?;
            &inflated
        };
        let values_len = stored * ty.width();
        if last.checked_sub(header_len) != Some(values_len) || values_len > data.len() {
            return Err(format!(
                "basket data of {} bytes does not hold {stored} values of {}",
                last.saturating_sub(header_len),
                ty.name()
            ));
        }
        decode_values(&data[..values_len], ty)
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

/// Decodes big-endian values; `chunks_exact` over fixed widths compiles to byte swaps.
fn decode_values(bytes: &[u8], ty: LeafType) -> Result<ColumnData, String> {
    fn be<const N: usize, T>(bytes: &[u8], f: fn([u8; N]) -> T) -> Vec<T> {
        bytes
            .chunks_exact(N)
            .map(|c| f(c.try_into().expect("exact chunks")))
            .collect()
    }
    Ok(match ty {
        LeafType::Bool => ColumnData::Bool(bytes.iter().map(|&b| b != 0).collect()),
        LeafType::Int8 { unsigned: false } => {
            ColumnData::I32(bytes.iter().map(|&b| i32::from(b as i8)).collect())
        }
        LeafType::Int8 { unsigned: true } => {
            ColumnData::I32(bytes.iter().map(|&b| i32::from(b)).collect())
        }
        LeafType::Int16 { unsigned: false } => {
            ColumnData::I32(be(bytes, |b| i32::from(i16::from_be_bytes(b))))
        }
        LeafType::Int16 { unsigned: true } => {
            ColumnData::I32(be(bytes, |b| i32::from(u16::from_be_bytes(b))))
        }
        LeafType::Int32 { unsigned: false } => ColumnData::I32(be(bytes, i32::from_be_bytes)),
        LeafType::Int32 { unsigned: true } => ColumnData::U32(be(bytes, u32::from_be_bytes)),
        LeafType::Int64 { unsigned: false } => ColumnData::I64(be(bytes, i64::from_be_bytes)),
        LeafType::Int64 { unsigned: true } => {
            let values = be(bytes, u64::from_be_bytes);
            if values.iter().any(|&v| v > i64::MAX as u64) {
                return Err("unsigned 64-bit values of 2^63 or more cannot be held".into());
            }
            ColumnData::I64(values.into_iter().map(|v| v as i64).collect())
        }
        LeafType::Float32 => ColumnData::F32(be(bytes, f32::from_be_bytes)),
        LeafType::Float64 => ColumnData::F64(be(bytes, f64::from_be_bytes)),
    })
}

/// Chunk boundaries: entries where every projected branch starts a basket, merged until
/// each chunk holds at least [`CHUNK_ENTRIES`] entries.
fn chunk_ranges(entries: u64, projection: &[(Branch, LeafType)]) -> Vec<(u64, u64)> {
    let mut common: Vec<u64> = match projection.first() {
        Some((b, _)) => b.baskets.iter().map(|k| k.first_entry).collect(),
        None => vec![0],
    };
    for (branch, _) in projection.iter().skip(1) {
        // Baskets are listed in entry order (their counts are checked to add up).
        common.retain(|e| {
            branch
                .baskets
                .binary_search_by_key(e, |k| k.first_entry)
                .is_ok()
        });
    }
    common.retain(|&e| e < entries);
    common.push(entries);
    let mut ranges = Vec::new();
    let mut start = 0;
    for &boundary in &common {
        if boundary >= start + CHUNK_ENTRIES || (boundary == entries && boundary > start) {
            ranges.push((start, boundary));
            start = boundary;
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(firsts: &[u64], entries: u64) -> (Branch, LeafType) {
        let baskets = firsts
            .iter()
            .enumerate()
            .map(|(i, &f)| BasketRef {
                seek: 0,
                bytes: 0,
                first_entry: f,
                entries: firsts.get(i + 1).copied().unwrap_or(entries) - f,
            })
            .collect();
        (
            Branch {
                name: "x".into(),
                layout: Layout::Flat(LeafType::Float64),
                baskets,
            },
            LeafType::Float64,
        )
    }

    #[test]
    fn chunks_end_where_every_branch_starts_a_basket() {
        let n = 3 * CHUNK_ENTRIES;
        let a = branch(&[0, CHUNK_ENTRIES, 2 * CHUNK_ENTRIES + 5], n);
        let b = branch(&[0, 7, CHUNK_ENTRIES, 2 * CHUNK_ENTRIES], n);
        assert_eq!(
            chunk_ranges(n, &[a, b]),
            vec![(0, CHUNK_ENTRIES), (CHUNK_ENTRIES, n)]
        );
        assert_eq!(chunk_ranges(0, &[branch(&[], 0)]), vec![]);
    }
}
