//! Reading an RNTuple (binary format 1.0, ROOT 6.34 and later; what uproot ≥ 5.6 writes
//! for `f[name] = {...}`): top-level leaf fields as flat columns, chunk by chunk (runs of
//! whole clusters), their pages read, checksum-verified, decompressed and decoded in
//! parallel.

mod metadata;
mod pages;

use super::file::{Key, RootFile};
use super::tree::{Layout, LeafType};
use super::{CHUNK_ENTRIES, compression, guard, not_root, project, storage};
use crate::io::IoError;
use crate::io::table::{Column, ColumnData, ColumnTable};
use metadata::{Cluster, Metadata, PROJECTED, PageRef, REPETITIVE, Schema};
use pages::Encoding;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use twox_hash::XxHash3_64;

/// One representation of a field: a physical column and its encoding.
#[derive(Clone, Copy, Debug)]
struct Representation {
    column: usize,
    encoding: Encoding,
    first_element: u64,
}

/// A projected field.
struct Projected {
    name: String,
    ty: LeafType,
    /// Alternative encodings; in each cluster exactly one is not suppressed.
    representations: Vec<Representation>,
}

/// An RNTuple opened for reading a projection of its top-level fields.
pub struct RNTupleReader {
    file: RootFile,
    path: PathBuf,
    entries: u64,
    projection: Vec<Projected>,
    clusters: Vec<Cluster>,
    /// Chunks as ranges of cluster indices.
    chunks: Vec<(usize, usize)>,
}

/// A top-level field: its name, how it can be read, and its representations.
struct TopField {
    name: String,
    layout: Layout,
    representations: Vec<Representation>,
}

fn metadata(file: &RootFile, key: &Key, path: &Path) -> Result<Metadata, IoError> {
    guard::contain(|| {
        let record = file.object(key)?;
        let anchor = metadata::anchor(&record)?;
        metadata::read(file, &anchor)
    })
    .map_err(|panic| not_root(path, panic))?
    .map_err(|e| not_root(path, format!("RNTuple `{}`: {e}", key.name)))
}

/// The value type of a leaf field's C++ type, for the number types a flat column holds.
fn leaf_type(type_name: &str) -> Option<LeafType> {
    Some(match type_name {
        "bool" => LeafType::Bool,
        "char" | "std::int8_t" => LeafType::Int8 { unsigned: false },
        "std::uint8_t" => LeafType::Int8 { unsigned: true },
        "std::int16_t" => LeafType::Int16 { unsigned: false },
        "std::uint16_t" => LeafType::Int16 { unsigned: true },
        "std::int32_t" => LeafType::Int32 { unsigned: false },
        "std::uint32_t" => LeafType::Int32 { unsigned: true },
        "std::int64_t" => LeafType::Int64 { unsigned: false },
        "std::uint64_t" => LeafType::Int64 { unsigned: true },
        "float" => LeafType::Float32,
        "double" => LeafType::Float64,
        _ => return None,
    })
}

/// The schema's top-level fields in order, each with its layout.
fn top_fields(schema: &Schema) -> Vec<TopField> {
    let ids = 0..schema.fields.len() as u32;
    ids.filter(|&id| schema.fields[id as usize].parent == id)
        .map(|id| {
            let field = &schema.fields[id as usize];
            let has_children = schema
                .fields
                .iter()
                .enumerate()
                .any(|(i, f)| f.parent == id && i as u32 != id);
            let physical = schema
                .columns
                .iter()
                .enumerate()
                .filter(|(_, c)| c.field == id)
                .map(|(i, _)| i);
            let aliased = schema
                .aliases
                .iter()
                .filter(|(_, f)| *f == id)
                .map(|&(c, _)| c as usize);
            let mut columns: Vec<usize> = physical.chain(aliased).collect();
            columns.retain(|&c| c < schema.columns.len());
            columns.sort_by_key(|&c| schema.columns[c].representation);
            let ty = leaf_type(&field.type_name);
            let described =
                |what: &str| Layout::Unsupported(format!("{what} (`{}`)", field.type_name));
            let mut representations = Vec::new();
            let layout = match (field.role, ty) {
                (1, _) => described("a collection"),
                (2, _) => described("a record"),
                (3, _) => described("a variant"),
                (4, _) => described("a ROOT-streamed object"),
                _ if field.flags & REPETITIVE != 0 => described("a fixed-size array"),
                (0, Some(ty)) if !has_children && !columns.is_empty() => {
                    let mut readable = true;
                    for &c in &columns {
                        let col = &schema.columns[c];
                        match Encoding::of(col.kind, col.bits, col.range) {
                            Some(encoding) if encoding.reads_as(ty) => {
                                representations.push(Representation {
                                    column: c,
                                    encoding,
                                    first_element: col.first_element.unwrap_or(0),
                                })
                            }
                            _ => readable = false,
                        }
                    }
                    if readable {
                        Layout::Flat(ty)
                    } else {
                        described("stored in a column type this reader does not decode")
                    }
                }
                _ if field.flags & PROJECTED != 0 => described("a projected field"),
                _ => described("not a number"),
            };
            TopField {
                name: field.name.clone(),
                layout,
                representations,
            }
        })
        .collect()
}

impl RNTupleReader {
    /// Reads the RNTuple anchored at `key` of `file`, projected onto `columns` (all flat
    /// fields when `None`).
    pub fn open(
        file: RootFile,
        key: &Key,
        path: &Path,
        columns: Option<&[&str]>,
    ) -> Result<Self, IoError> {
        let Metadata { schema, clusters } = metadata(&file, key, path)?;
        let fields = top_fields(&schema);
        let layouts: Vec<(&str, &Layout)> = fields
            .iter()
            .map(|f| (f.name.as_str(), &f.layout))
            .collect();
        let projection = project(path, "field", &layouts, columns)?
            .into_iter()
            .map(|(i, ty)| Projected {
                name: fields[i].name.clone(),
                ty,
                representations: fields[i].representations.clone(),
            })
            .collect();
        let entries = clusters.last().map_or(0, |c| c.first_entry + c.entries);
        let mut chunks = Vec::new();
        let mut start = 0;
        let mut rows = 0;
        for (i, cluster) in clusters.iter().enumerate() {
            rows += cluster.entries;
            if rows >= CHUNK_ENTRIES || i + 1 == clusters.len() {
                chunks.push((start, i + 1));
                (start, rows) = (i + 1, 0);
            }
        }
        Ok(RNTupleReader {
            file,
            path: path.to_path_buf(),
            entries,
            projection,
            clusters,
            chunks,
        })
    }

    /// Names of every top-level field.
    pub fn column_names(file: RootFile, key: &Key, path: &Path) -> Result<Vec<String>, IoError> {
        let meta = metadata(&file, key, path)?;
        Ok(top_fields(&meta.schema)
            .into_iter()
            .map(|f| f.name)
            .collect())
    }

    /// The projected columns with the storage types they are read into.
    pub fn signature(&self) -> Vec<(&str, &'static str)> {
        self.projection
            .iter()
            .map(|p| (p.name.as_str(), storage(p.ty).type_name()))
            .collect()
    }

    /// Number of entries.
    pub fn rows(&self) -> u64 {
        self.entries
    }

    /// Number of chunks.
    pub fn chunks(&self) -> usize {
        self.chunks.len()
    }

    /// Number of entries of chunk `i`.
    pub fn chunk_rows(&self, i: usize) -> u64 {
        let (a, b) = self.chunks[i];
        self.clusters[a..b].iter().map(|c| c.entries).sum()
    }

    /// The projected columns, without rows.
    pub fn empty(&self) -> ColumnTable {
        ColumnTable {
            columns: self
                .projection
                .iter()
                .map(|p| Column {
                    name: p.name.clone(),
                    data: storage(p.ty),
                })
                .collect(),
        }
    }

    /// The projected columns of chunk `i`, their pages decoded in parallel.
    pub fn read_chunk(&self, i: usize) -> Result<ColumnTable, IoError> {
        let (a, b) = self.chunks[i];
        // Per (field, cluster): the representation read and its leading zero elements.
        let mut parts = Vec::new();
        for (field, projected) in self.projection.iter().enumerate() {
            for cluster in &self.clusters[a..b] {
                let (rep, zeros, pages) = self
                    .pages_of(projected, cluster)
                    .map_err(|e| self.corrupt(projected, cluster, e))?;
                parts.push((field, cluster, rep, zeros, pages));
            }
        }
        let tasks: Vec<(usize, Representation, PageRef)> = parts
            .iter()
            .flat_map(|&(field, _, rep, _, pages)| pages.iter().map(move |&p| (field, rep, p)))
            .collect();
        let decoded: Vec<Result<ColumnData, String>> = tasks
            .par_iter()
            .map(|&(field, rep, page)| {
                let ty = self.projection[field].ty;
                guard::contain(|| self.decode(page, rep.encoding, ty)).unwrap_or_else(Err)
            })
            .collect();
        let mut columns = self.empty().columns;
        let mut decoded = decoded.into_iter().zip(&tasks);
        for &(field, cluster, rep, zeros, pages) in &parts {
            let ty = self.projection[field].ty;
            if zeros > 0 {
                columns[field]
                    .data
                    .extend(self.synthetic_zeros(rep.encoding, zeros, ty)?);
            }
            for _ in pages {
                let (data, &(_, _, page)) = decoded.next().expect("one result per page");
                let data = data.map_err(|e| {
                    self.corrupt(
                        &self.projection[field],
                        cluster,
                        format!("page at byte {}: {e}", page.offset),
                    )
                })?;
                columns[field].data.extend(data);
            }
        }
        let rows = self.chunk_rows(i);
        for c in &columns {
            if c.data.len() as u64 != rows {
                return Err(not_root(
                    &self.path,
                    format!(
                        "field `{}` gives {} values for {rows} entries",
                        c.name,
                        c.data.len()
                    ),
                ));
            }
        }
        Ok(ColumnTable { columns })
    }

    fn corrupt(&self, field: &Projected, cluster: &Cluster, e: String) -> IoError {
        not_root(
            &self.path,
            format!(
                "field `{}`, cluster at entry {}: {e}",
                field.name, cluster.first_entry
            ),
        )
    }

    /// The representation holding `field`'s values in `cluster`, the number of leading
    /// zero elements (a column added after the cluster's first entries) and its pages.
    fn pages_of<'c>(
        &self,
        field: &Projected,
        cluster: &'c Cluster,
    ) -> Result<(Representation, u64, &'c [PageRef]), String> {
        let end = cluster.first_entry + cluster.entries;
        for rep in &field.representations {
            let (zeros, pages) = match cluster.columns.get(rep.column) {
                Some(c) if c.suppressed => continue,
                Some(c) => (
                    rep.first_element.clamp(cluster.first_entry, end) - cluster.first_entry,
                    c.pages.as_slice(),
                ),
                None if rep.first_element >= end => (cluster.entries, &[][..]),
                None => return Err("its column has no pages".into()),
            };
            let stored: u64 = pages.iter().map(|p| p.elements).sum();
            if stored + zeros != cluster.entries {
                return Err(format!(
                    "pages hold {stored} values for {} entries",
                    cluster.entries - zeros
                ));
            }
            return Ok((*rep, zeros, pages));
        }
        Err("every representation of the field is suppressed".into())
    }

    /// Reads, verifies, decompresses and decodes one page.
    fn decode(
        &self,
        page: PageRef,
        encoding: Encoding,
        ty: LeafType,
    ) -> Result<ColumnData, String> {
        let bytes = usize::try_from(page.bytes).map_err(|_| "page too large")?;
        let stored = bytes + if page.checksum { 8 } else { 0 };
        let raw = self.file.read_at(page.offset, stored)?;
        let (data, tail) = raw.split_at(bytes);
        if page.checksum {
            let expected = u64::from_le_bytes(tail.try_into().expect("8 bytes"));
            if XxHash3_64::oneshot(data) != expected {
                return Err("checksum mismatch (corrupt page)".into());
            }
        }
        let n = usize::try_from(page.elements).map_err(|_| "page too large")?;
        let len = encoding
            .page_len(page.elements)
            .ok_or("page of impossible size")?;
        let inflated;
        let data = if bytes == len {
            data
        } else {
            inflated = compression::decompress(data, len)?;
            &inflated
        };
        encoding.decode(data, n, ty)
    }

    /// The values of elements before a deferred column's first: those of 0x00 bytes.
    /// Their count comes from the file, so it is bounded by what the file could hold at
    /// one bit per element before anything is allocated.
    fn synthetic_zeros(
        &self,
        encoding: Encoding,
        n: u64,
        ty: LeafType,
    ) -> Result<ColumnData, IoError> {
        let bound = self.file.len().saturating_mul(8);
        let len = encoding.page_len(n).filter(|_| n <= bound).ok_or_else(|| {
            not_root(
                &self.path,
                format!("a deferred column claims {n} leading values"),
            )
        })?;
        encoding
            .decode(&vec![0; len], n as usize, ty)
            .map_err(|e| not_root(&self.path, e))
    }
}
