//! Reading a TTree: its baskets decoded in parallel, chunk by chunk, straight into
//! column vectors.

use super::compression;
use super::cursor::Cursor;
use super::file::{Key, RootFile};
use super::tree::{BasketRef, Branch, Layout, LeafType, Tree};
use super::{CHUNK_ENTRIES, not_root, project, storage};
use crate::io::IoError;
use crate::io::guard;
use crate::io::table::{Column, ColumnData, ColumnTable};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// A TTree opened for reading a projection of its branches, chunk by chunk.
pub struct TreeReader {
    file: RootFile,
    path: PathBuf,
    entries: u64,
    projection: Vec<(Branch, LeafType)>,
    chunks: Vec<(u64, u64)>,
}

impl TreeReader {
    /// Reads `tree` of `file` projected onto `columns` (all flat branches when `None`).
    pub fn open(
        file: RootFile,
        tree: Tree,
        path: &Path,
        columns: Option<&[&str]>,
    ) -> Result<Self, IoError> {
        let layouts: Vec<(&str, &Layout)> = tree
            .branches
            .iter()
            .map(|b| (b.name.as_str(), &b.layout))
            .collect();
        let mut projection = Vec::new();
        for (index, ty) in project(path, "branch", &layouts, columns)? {
            let branch = &tree.branches[index];
            let covered: u64 = branch.baskets.iter().map(|b| b.entries).sum();
            if covered != tree.entries {
                return Err(not_root(
                    path,
                    format!(
                        "branch `{}` has baskets for {covered} of {} entries",
                        branch.name, tree.entries
                    ),
                ));
            }
            projection.push((branch.clone(), ty));
        }
        let chunks = chunk_ranges(tree.entries, &projection);
        Ok(TreeReader {
            file,
            path: path.to_path_buf(),
            entries: tree.entries,
            projection,
            chunks,
        })
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

    /// The projected columns, without rows.
    pub fn empty(&self) -> ColumnTable {
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
