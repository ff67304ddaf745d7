//! Reading a TTree: its baskets decoded in parallel, chunk by chunk, straight into
//! column vectors.

use super::compression;
use super::cursor::Cursor;
use super::file::{Key, RootFile};
use super::tree::{BasketRef, Branch, Layout, LeafType, Tree};
use super::{CHUNK_ENTRIES, Decoded, Pick, candidate_rows, empty_table, not_root, project};
use crate::io::IoError;
use crate::io::guard;
use crate::io::table::{ColumnData, ColumnTable};
use rayon::prelude::*;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// A basket's values and, for a jagged branch, each entry's number of values.
type BasketValues = (ColumnData, Option<Vec<u32>>);

/// A TTree opened for reading a projection of its branches, chunk by chunk.
pub struct TreeReader {
    file: RootFile,
    path: PathBuf,
    entries: u64,
    projection: Vec<(Branch, Pick)>,
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
        for pick in project(path, "branch", &layouts, columns)? {
            let branch = &tree.branches[pick.index];
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
            projection.push((branch.clone(), pick));
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
        super::signature(
            self.projection
                .iter()
                .map(|(b, p)| (b.name.as_str(), p.ty, p.jagged)),
        )
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

    /// The projected columns of chunk `i` as candidate rows, its baskets decoded in
    /// parallel.
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
        let decoded: Vec<Result<BasketValues, String>> = tasks
            .par_iter()
            .map(|&(col, basket)| {
                let (branch, pick) = &self.projection[col];
                guard::contain(|| self.decode(basket, *pick, branch.entry_header))
                    .unwrap_or_else(Err)
            })
            .collect();
        let mut columns: Vec<Decoded> = self
            .projection
            .iter()
            .map(|(b, pick)| Decoded {
                name: b.name.clone(),
                data: super::storage(pick.ty),
                counts: pick.jagged.then(Vec::new),
            })
            .collect();
        for (&(col, basket), data) in tasks.iter().zip(decoded) {
            let (data, counts) = data.map_err(|e| {
                not_root(
                    &self.path,
                    format!(
                        "branch `{}`, basket at byte {}: {e}",
                        columns[col].name, basket.seek
                    ),
                )
            })?;
            columns[col].data.extend(data);
            if let (Some(all), Some(counts)) = (&mut columns[col].counts, counts) {
                all.extend(counts);
            }
        }
        for c in &columns {
            let entries = c.counts.as_ref().map_or(c.data.len(), Vec::len);
            if entries as u64 != end - start {
                return Err(not_root(
                    &self.path,
                    format!(
                        "branch `{}` gives {entries} entries for entries {start}..{end}",
                        c.name,
                    ),
                ));
            }
        }
        candidate_rows(&self.path, columns, start)
    }

    /// The projected columns, without rows.
    pub fn empty(&self) -> ColumnTable {
        empty_table(
            self.projection
                .iter()
                .map(|(b, p)| (b.name.as_str(), p.ty, p.jagged)),
        )
    }

    /// Reads, decompresses and decodes one basket: its values and, for a jagged branch,
    /// the number of values of each entry (from the basket's entry offsets).
    fn decode(
        &self,
        basket: &BasketRef,
        pick: Pick,
        entry_header: usize,
    ) -> Result<BasketValues, String> {
        let ty = pick.ty;
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
        let border = last
            .checked_sub(header_len)
            .filter(|&b| b <= data.len())
            .ok_or_else(|| format!("basket data ends at byte {last}, outside the basket"))?;
        if pick.jagged {
            let starts = entry_starts(data, border, stored, header_len)?;
            let (values, counts) = jagged_values(&data[..border], &starts, entry_header, ty)?;
            return Ok((decode_values(&values, ty)?, Some(counts)));
        }
        let values_len = stored * ty.width();
        if border != values_len {
            return Err(format!(
                "basket data of {border} bytes does not hold {stored} values of {}",
                ty.name()
            ));
        }
        Ok((decode_values(&data[..values_len], ty)?, None))
    }
}

/// Where each of a jagged basket's `entries` entries starts in its `border` bytes of
/// values, and where the last ends: from the entry offsets ROOT writes after the values
/// (a count, then each entry's first byte counted from the key's start, `header_len`
/// bytes before the values).
fn entry_starts(
    data: &[u8],
    border: usize,
    entries: usize,
    header_len: usize,
) -> Result<Vec<usize>, String> {
    let mut c = Cursor::at(data, border);
    c.skip(4)?;
    let mut starts = Vec::with_capacity(entries.min(data.len() / 4) + 1);
    for _ in 0..entries {
        let offset = c.count("entry offset")?;
        starts.push(
            offset
                .checked_sub(header_len)
                .ok_or("entry offset before the data")?,
        );
    }
    starts.push(border);
    if starts[0] != 0 || starts.windows(2).any(|w| w[1] < w[0]) {
        return Err("entry offsets out of order".into());
    }
    Ok(starts)
}

/// A jagged basket's values (each entry's `header` bytes left out: a `std::vector`'s
/// byte count, version and length, the length checked) and each entry's count. Without
/// headers (`x[n]` arrays) the values are the entries' bytes as they lie, not copied.
fn jagged_values<'d>(
    data: &'d [u8],
    starts: &[usize],
    header: usize,
    ty: LeafType,
) -> Result<(Cow<'d, [u8]>, Vec<u32>), String> {
    let width = ty.width();
    let mut values = Vec::new();
    let counts = starts
        .windows(2)
        .map(|w| {
            let entry = &data[w[0]..w[1]];
            let body = entry
                .get(header..)
                .filter(|b| b.len() % width == 0)
                .ok_or("an entry that is not whole values")?;
            let n = body.len() / width;
            if header >= 4 {
                let stated = &entry[header - 4..header];
                if u32::from_be_bytes(stated.try_into().expect("4 bytes")) as usize != n {
                    return Err("a vector whose length does not match its bytes".into());
                }
            }
            if header > 0 {
                values.extend_from_slice(body);
            }
            u32::try_from(n).map_err(|_| "an entry of over 2^32 values".to_string())
        })
        .collect::<Result<Vec<u32>, String>>()?;
    let values = match (header, starts.first(), starts.last()) {
        (0, Some(&first), Some(&last)) => Cow::Borrowed(&data[first..last]),
        _ => Cow::Owned(values),
    };
    Ok((values, counts))
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
fn chunk_ranges(entries: u64, projection: &[(Branch, Pick)]) -> Vec<(u64, u64)> {
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

    fn branch(firsts: &[u64], entries: u64) -> (Branch, Pick) {
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
                entry_header: 0,
                baskets,
            },
            Pick {
                index: 0,
                ty: LeafType::Float64,
                jagged: false,
            },
        )
    }

    /// A jagged basket: `values` then ROOT's offsets (a count, then each entry's start
    /// counted from a 10-byte key).
    fn jagged_basket(values: &[u8], starts: &[i32]) -> Vec<u8> {
        let mut out = values.to_vec();
        out.extend((starts.len() as i32 + 1).to_be_bytes());
        for s in starts {
            out.extend((s + 10).to_be_bytes());
        }
        out.extend(0i32.to_be_bytes());
        out
    }

    #[test]
    fn jagged_offsets_are_validated() {
        let f64s: Vec<u8> = [1.0f64, 2.0, 3.0]
            .iter()
            .flat_map(|v| v.to_be_bytes())
            .collect();
        // Entries of 2, 0 and 1 values.
        let good = jagged_basket(&f64s, &[0, 16, 16]);
        let starts = entry_starts(&good, 24, 3, 10).unwrap();
        let (values, counts) = jagged_values(&good[..24], &starts, 0, LeafType::Float64).unwrap();
        assert_eq!((values.len(), counts), (24, vec![2, 0, 1]));
        // Out of order, not starting the data, past the data, not whole values.
        for bad in [&[0, 16, 8][..], &[8, 16, 16], &[0, 16, 40], &[0, 12, 16]] {
            let basket = jagged_basket(&f64s, bad);
            let result = entry_starts(&basket, 24, 3, 10).and_then(|starts| {
                jagged_values(&basket[..24], &starts, 0, LeafType::Float64).map(|_| ())
            });
            assert!(result.is_err(), "{bad:?} accepted");
        }
        // Offsets cut off: an error, not a read past the buffer.
        assert!(entry_starts(&good[..30], 24, 3, 10).is_err());
        // A std::vector entry whose stated length disagrees with its bytes.
        let mut vector = vec![0x40, 0, 0, 14, 0, 9, 0, 0, 0, 2];
        vector.extend(1.0f64.to_be_bytes());
        assert!(jagged_values(&vector, &[0, 18], 10, LeafType::Float64).is_err());
        vector[9] = 1;
        let (values, counts) = jagged_values(&vector, &[0, 18], 10, LeafType::Float64).unwrap();
        assert_eq!(
            (values.to_vec(), counts),
            (1.0f64.to_be_bytes().to_vec(), vec![1])
        );
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
