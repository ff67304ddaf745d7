//! Reading an RNTuple (binary format 1.0, ROOT 6.34 and later; what uproot ≥ 5.6 writes
//! for `f[name] = {...}`): top-level leaf fields as flat columns, chunk by chunk (runs of
//! whole clusters), their pages read, checksum-verified, decompressed and decoded in
//! parallel.

mod metadata;
mod pages;

use super::file::{Key, RootFile};
use super::tree::{Layout, LeafType};
use super::{
    CHUNK_ENTRIES, Decoded, Pick, candidate_rows, compression, empty_table, guard, not_root,
    project, storage,
};
use crate::io::IoError;
use crate::io::table::{ColumnData, ColumnTable};
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

/// A top-level field: its name, how it can be read, the representations of its values
/// and, for a collection of numbers, of its offsets.
#[derive(Clone)]
struct TopField {
    name: String,
    layout: Layout,
    values: Vec<Representation>,
    offsets: Vec<Representation>,
    /// A collection's size per entry (`RNTupleCardinality`), read from its offsets.
    cardinality: bool,
}

/// A projected field.
struct Projected {
    field: TopField,
    pick: Pick,
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

/// The type a collection's offsets (Index32/64 columns) are decoded as.
const OFFSETS: LeafType = LeafType::Int64 { unsigned: false };

/// Which of a field's columns a page belongs to.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Values,
    Offsets,
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
        "std::int64_t" => OFFSETS,
        "std::uint64_t" => LeafType::Int64 { unsigned: true },
        "float" => LeafType::Float32,
        "double" => LeafType::Float64,
        _ => return None,
    })
}

/// Each field's columns, physical and aliased, in id order (built once: a NanoAOD
/// schema has thousands of fields).
fn columns_by_field(schema: &Schema) -> Vec<Vec<usize>> {
    let mut by_field = vec![Vec::new(); schema.fields.len()];
    let physical = schema.columns.iter().enumerate().map(|(i, c)| (c.field, i));
    let aliased = schema.aliases.iter().map(|&(c, f)| (f, c as usize));
    for (field, column) in physical.chain(aliased) {
        if let Some(list) = by_field.get_mut(field as usize)
            && column < schema.columns.len()
        {
            list.push(column);
        }
    }
    by_field
}

/// The representations of the columns `columns` of a field, in representation order,
/// if every one decodes as `ty`.
fn representations(
    schema: &Schema,
    columns: &[usize],
    ty: LeafType,
) -> Option<Vec<Representation>> {
    let mut columns = columns.to_vec();
    columns.sort_by_key(|&c| schema.columns[c].representation);
    let reps: Option<Vec<Representation>> = columns
        .into_iter()
        .map(|c| {
            let col = &schema.columns[c];
            let encoding = Encoding::of(col.kind, col.bits, col.range)?;
            encoding.reads_as(ty).then_some(Representation {
                column: c,
                encoding,
                first_element: col.first_element.unwrap_or(0),
            })
        })
        .collect();
    reps.filter(|r| !r.is_empty())
}

/// Offset column types: (Split)Index32/64.
fn is_index(schema: &Schema, reps: &[Representation]) -> bool {
    reps.iter()
        .all(|r| matches!(schema.columns[r.column].kind, 0x0E | 0x0F | 0x1A | 0x1B))
}

/// The columns of the schema's top-level fields, in order: a leaf of a number type is a
/// flat column; a collection (`std::vector`, `RVec`, untyped) of numbers a jagged column
/// of its name, and a collection of records one jagged column per number member,
/// named `collection_member` (as uproot names the branches of such a TTree); anything
/// else a column described by what it is.
fn top_fields(schema: &Schema) -> Vec<TopField> {
    let mut child_lists = vec![Vec::new(); schema.fields.len()];
    for (i, f) in schema.fields.iter().enumerate() {
        if f.parent as usize != i
            && let Some(list) = child_lists.get_mut(f.parent as usize)
        {
            list.push(i as u32);
        }
    }
    let children = |id: u32| -> Vec<u32> { child_lists[id as usize].clone() };
    let by_field = columns_by_field(schema);
    let columns_of = |id: u32| by_field[id as usize].as_slice();
    let number_leaf = |id: u32| -> Option<LeafType> {
        let f = &schema.fields[id as usize];
        leaf_type(&f.type_name)
            .filter(|_| f.role == 0 && f.flags & REPETITIVE == 0 && children(id).is_empty())
    };
    let mut out = Vec::new();
    for id in (0..schema.fields.len() as u32).filter(|&id| schema.fields[id as usize].parent == id)
    {
        let field = &schema.fields[id as usize];
        let column = |name: String, layout: Layout| TopField {
            name,
            layout,
            values: Vec::new(),
            offsets: Vec::new(),
            cardinality: false,
        };
        let described = |what: &str| Layout::Unsupported(format!("{what} (`{}`)", field.type_name));
        let unreadable = || described("stored in a column type this reader does not decode");
        if field.role == 1 && field.flags & REPETITIVE == 0 {
            let offsets =
                representations(schema, columns_of(id), OFFSETS).filter(|o| is_index(schema, o));
            let kids = children(id);
            let members: Vec<(String, u32)> = match kids.as_slice() {
                [child] if schema.fields[*child as usize].role == 2 => children(*child)
                    .into_iter()
                    .map(|m| {
                        (
                            format!("{}_{}", field.name, schema.fields[m as usize].name),
                            m,
                        )
                    })
                    .collect(),
                [child] => vec![(field.name.clone(), *child)],
                _ => Vec::new(),
            };
            if members.is_empty() {
                out.push(column(field.name.clone(), described("a collection")));
            }
            for (name, member) in members {
                let values = number_leaf(member).and_then(|ty| {
                    representations(schema, columns_of(member), ty)
                        .filter(|v| v.iter().all(|r| r.first_element == 0))
                        .map(|v| (v, ty))
                });
                out.push(match (&offsets, values) {
                    (Some(offsets), Some((values, ty))) => TopField {
                        name,
                        layout: Layout::Jagged(ty),
                        values,
                        offsets: offsets.clone(),
                        cardinality: false,
                    },
                    _ => column(name, described("a collection of other than numbers")),
                });
            }
            continue;
        }
        let size_type = match field.type_name.as_str() {
            "ROOT::RNTupleCardinality<std::uint32_t>" => Some(LeafType::Int32 { unsigned: true }),
            "ROOT::RNTupleCardinality<std::uint64_t>" => Some(LeafType::Int64 { unsigned: true }),
            _ => None,
        };
        out.push(match (field.role, number_leaf(id)) {
            _ if field.flags & REPETITIVE != 0 => {
                column(field.name.clone(), described("a fixed-size array"))
            }
            (0, None) if size_type.is_some() => {
                let offsets = representations(schema, columns_of(id), OFFSETS)
                    .filter(|o| is_index(schema, o));
                match (offsets, size_type) {
                    (Some(offsets), Some(ty)) => TopField {
                        name: field.name.clone(),
                        layout: Layout::Flat(ty),
                        values: Vec::new(),
                        offsets,
                        cardinality: true,
                    },
                    _ => column(field.name.clone(), unreadable()),
                }
            }
            (0, Some(ty)) => match representations(schema, columns_of(id), ty) {
                Some(values) => TopField {
                    name: field.name.clone(),
                    layout: Layout::Flat(ty),
                    values,
                    offsets: Vec::new(),
                    cardinality: false,
                },
                None => column(field.name.clone(), unreadable()),
            },
            (2, _) => column(field.name.clone(), described("a record")),
            (3, _) => column(field.name.clone(), described("a variant")),
            (4, _) => column(field.name.clone(), described("a ROOT-streamed object")),
            _ if field.flags & PROJECTED != 0 => {
                column(field.name.clone(), described("a projected field"))
            }
            _ => column(field.name.clone(), described("not a number")),
        });
    }
    out
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
            .map(|pick| Projected {
                field: fields[pick.index].clone(),
                pick,
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

    /// Every column's name and layout.
    pub fn layouts(
        file: RootFile,
        key: &Key,
        path: &Path,
    ) -> Result<Vec<(String, Layout)>, IoError> {
        let meta = metadata(&file, key, path)?;
        Ok(top_fields(&meta.schema)
            .into_iter()
            .map(|f| (f.name, f.layout))
            .collect())
    }

    /// The projected columns with the storage types they are read into.
    pub fn signature(&self) -> Vec<(&str, &'static str)> {
        super::signature(self.columns())
    }

    fn columns(&self) -> impl Iterator<Item = (&str, LeafType, bool)> {
        self.projection
            .iter()
            .map(|p| (p.field.name.as_str(), p.pick.ty, p.pick.jagged))
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
        empty_table(self.columns())
    }

    /// The projected columns of chunk `i` as candidate rows, their pages decoded in
    /// parallel.
    pub fn read_chunk(&self, i: usize) -> Result<ColumnTable, IoError> {
        let (a, b) = self.chunks[i];
        // Per field, cluster and part (values; offsets of a collection): the
        // representation read, its leading zero elements (a deferred column) and pages.
        let mut parts = Vec::new();
        for (field, projected) in self.projection.iter().enumerate() {
            for cluster in &self.clusters[a..b] {
                let mut each = Vec::new();
                if !projected.field.cardinality {
                    each.push((Part::Values, &projected.field.values));
                }
                if projected.pick.jagged || projected.field.cardinality {
                    each.push((Part::Offsets, &projected.field.offsets));
                }
                for (part, reps) in each {
                    let (rep, zeros, pages) = self
                        .pages_of(
                            reps,
                            cluster,
                            part == Part::Offsets || !projected.pick.jagged,
                        )
                        .map_err(|e| self.corrupt(projected, cluster, e))?;
                    parts.push((field, cluster, part, rep, zeros, pages));
                }
            }
        }
        let tasks: Vec<(usize, Part, Representation, PageRef)> = parts
            .iter()
            .flat_map(|&(field, _, part, rep, _, pages)| {
                pages.iter().map(move |&p| (field, part, rep, p))
            })
            .collect();
        let decoded: Vec<Result<ColumnData, String>> = tasks
            .par_iter()
            .map(|&(field, part, rep, page)| {
                let ty = self.part_type(field, part);
                guard::contain(|| self.decode(page, rep.encoding, ty)).unwrap_or_else(Err)
            })
            .collect();
        let mut columns: Vec<Decoded> = self
            .projection
            .iter()
            .map(|p| Decoded {
                name: p.field.name.clone(),
                data: storage(p.pick.ty),
                counts: p.pick.jagged.then(Vec::new),
            })
            .collect();
        let mut decoded = decoded.into_iter().zip(&tasks);
        for &(field, cluster, part, rep, zeros, pages) in &parts {
            let projected = &self.projection[field];
            let ty = self.part_type(field, part);
            let mut data = storage(ty);
            if zeros > 0 {
                data.extend(self.synthetic_zeros(rep.encoding, zeros, ty)?);
            }
            for _ in pages {
                let (page_data, &(_, _, _, page)) = decoded.next().expect("one result per page");
                data.extend(page_data.map_err(|e| {
                    self.corrupt(
                        projected,
                        cluster,
                        format!("page at byte {}: {e}", page.offset),
                    )
                })?);
            }
            let column = &mut columns[field];
            match part {
                Part::Values => column.data.extend(data),
                Part::Offsets => {
                    let ColumnData::I64(offsets) = data else {
                        unreachable!("offsets decode as i64")
                    };
                    let counts = counts_of(&offsets, cluster.entries)
                        .map_err(|e| self.corrupt(projected, cluster, e))?;
                    if projected.field.cardinality {
                        column.data.extend(match projected.pick.ty {
                            LeafType::Int32 { .. } => ColumnData::U32(counts),
                            _ => ColumnData::I64(counts.into_iter().map(i64::from).collect()),
                        });
                    } else {
                        column.counts.as_mut().expect("jagged").extend(counts);
                    }
                }
            }
        }
        let entries = self.chunk_rows(i);
        for c in &columns {
            let values = c.data.len() as u64;
            let (entries_given, expected_values) = match &c.counts {
                Some(counts) => (
                    counts.len() as u64,
                    counts.iter().map(|&n| u64::from(n)).sum(),
                ),
                None => (values, values),
            };
            if entries_given != entries || values != expected_values {
                return Err(not_root(
                    &self.path,
                    format!(
                        "field `{}` gives {values} values in {entries_given} entries for {entries} entries",
                        c.name
                    ),
                ));
            }
        }
        candidate_rows(&self.path, columns, self.clusters[a].first_entry)
    }

    /// The type the pages of `part` of projected field `field` decode as.
    fn part_type(&self, field: usize, part: Part) -> LeafType {
        match part {
            Part::Values => self.projection[field].pick.ty,
            Part::Offsets => OFFSETS,
        }
    }

    fn corrupt(&self, field: &Projected, cluster: &Cluster, e: String) -> IoError {
        not_root(
            &self.path,
            format!(
                "field `{}`, cluster at entry {}: {e}",
                field.field.name, cluster.first_entry
            ),
        )
    }

    /// The representation among `reps` holding a column's elements in `cluster`, the
    /// number of leading zero elements (a column added after the cluster's first
    /// entries) and its pages. A column of one element per entry must cover the
    /// cluster's entries; a collection's values are checked against its offsets.
    fn pages_of<'c>(
        &self,
        reps: &[Representation],
        cluster: &'c Cluster,
        per_entry: bool,
    ) -> Result<(Representation, u64, &'c [PageRef]), String> {
        let end = cluster.first_entry + cluster.entries;
        for rep in reps {
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
            if per_entry && stored + zeros != cluster.entries {
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

/// Each entry's number of values from a collection's offsets in a cluster (the end of
/// each entry's values, counted from the cluster's first).
fn counts_of(offsets: &[i64], entries: u64) -> Result<Vec<u32>, String> {
    if offsets.len() as u64 != entries {
        return Err(format!("{} offsets for {entries} entries", offsets.len()));
    }
    let mut previous = 0i64;
    offsets
        .iter()
        .map(|&end| {
            let count = end
                .checked_sub(previous)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| {
                    format!("collection offsets out of order ({previous}, then {end})")
                })?;
            previous = end;
            Ok(count)
        })
        .collect()
}
