//! RNTuple metadata (binary format 1.0, ROOT ≥ 6.34): the anchor object in the file's
//! directory, the header envelope (fields and columns), the footer (cluster groups) and
//! the page lists (clusters and where each column's pages lie). Envelopes are
//! little-endian frames; each carries an XXH3-64 checksum, verified before it is parsed.

use super::super::compression::decompress;
use super::super::cursor::{Cursor, Result};
use super::super::file::RootFile;
use super::super::objects;
use twox_hash::XxHash3_64;

/// Where an envelope lies: file offset, bytes on disk and uncompressed length.
#[derive(Clone, Copy, Debug)]
pub struct Link {
    offset: u64,
    bytes: u64,
    len: u64,
}

/// The anchor: the links to the header and footer envelopes.
pub struct Anchor {
    header: Link,
    footer: Link,
}

/// Reads the anchor object (`ROOT::RNTuple`, big-endian, as a classic TFile key) and
/// checks its XXH3 checksum.
pub fn anchor(record: &[u8]) -> Result<Anchor> {
    let mut c = Cursor::at(record, 0);
    objects::versioned(&mut c)?;
    let fields_at = c.pos();
    let epoch = c.u16()?;
    c.skip(6)?; // major, minor, patch: for reporting only
    if epoch != 1 {
        return Err(format!(
            "RNTuple format epoch {epoch}; this reader reads epoch 1 (ROOT 6.34 and later)"
        ));
    }
    let mut u64s = [0u64; 7];
    for v in &mut u64s {
        *v = c.i64()? as u64;
    }
    let fields = &record[fields_at..c.pos()];
    let stored = c.i64()? as u64;
    let computed = XxHash3_64::oneshot(fields);
    if stored != computed {
        return Err(format!(
            "anchor checksum mismatch (stored {stored:016x}, computed {computed:016x})"
        ));
    }
    let [
        seek_header,
        nbytes_header,
        len_header,
        seek_footer,
        nbytes_footer,
        len_footer,
        _,
    ] = u64s;
    Ok(Anchor {
        header: Link {
            offset: seek_header,
            bytes: nbytes_header,
            len: len_header,
        },
        footer: Link {
            offset: seek_footer,
            bytes: nbytes_footer,
            len: len_footer,
        },
    })
}

/// Envelope type identifiers.
const HEADER: u16 = 1;
const FOOTER: u16 = 2;
const PAGE_LIST: u16 = 3;

/// Reads, decompresses and checks an envelope; returns its bytes (checksum included)
/// and the XXH3 checksum, the cursor to start after the 8-byte preamble.
fn envelope(file: &RootFile, link: Link, kind: u16) -> Result<(Vec<u8>, u64)> {
    let what = match kind {
        HEADER => "header",
        FOOTER => "footer",
        _ => "page list",
    };
    let bytes = usize::try_from(link.bytes).map_err(|_| format!("{what} envelope too large"))?;
    let len = usize::try_from(link.len).map_err(|_| format!("{what} envelope too large"))?;
    let raw = file.read_at(link.offset, bytes)?;
    let data = if bytes == len {
        raw
    } else {
        decompress(&raw, len).map_err(|e| format!("{what} envelope: {e}"))?
    };
    if data.len() < 16 {
        return Err(format!("{what} envelope of {} bytes", data.len()));
    }
    let (body, tail) = data.split_at(data.len() - 8);
    let stored = u64::from_le_bytes(tail.try_into().expect("8 bytes"));
    let computed = XxHash3_64::oneshot(body);
    if stored != computed {
        return Err(format!(
            "{what} envelope checksum mismatch (stored {stored:016x}, computed {computed:016x})"
        ));
    }
    let preamble = u64::from_le_bytes(data[..8].try_into().expect("8 bytes"));
    let (found, length) = ((preamble & 0xffff) as u16, preamble >> 16);
    if found != kind || length != link.len {
        return Err(format!(
            "{what} envelope is of type {found} and {length} bytes, expected type {kind} and {} bytes",
            link.len
        ));
    }
    Ok((data, stored))
}

/// A frame's extent: one past its last byte, and its item count for a list frame.
struct Frame {
    end: usize,
    items: Option<u32>,
}

fn frame(c: &mut Cursor) -> Result<Frame> {
    let start = c.pos();
    let size = c.i64_le()?;
    let items = if size < 0 { Some(c.u32_le()?) } else { None };
    let end = usize::try_from(size.unsigned_abs())
        .ok()
        .and_then(|s| start.checked_add(s))
        .filter(|&end| end >= c.pos())
        .ok_or_else(|| format!("frame of impossible size {size} at byte {start}"))?;
    // Seeking there checks the frame lies within the envelope.
    let here = c.pos();
    c.seek(end)?;
    c.seek(here)?;
    Ok(Frame { end, items })
}

fn record_frame<T>(
    c: &mut Cursor,
    read: impl FnOnce(&mut Cursor, usize) -> Result<T>,
) -> Result<T> {
    let at = c.pos();
    let f = frame(c)?;
    if f.items.is_some() {
        return Err(format!(
            "a list frame at byte {at} where a record was expected"
        ));
    }
    let value = read(c, f.end)?;
    if c.pos() > f.end {
        return Err(format!("record at byte {at} overruns its frame"));
    }
    c.seek(f.end)?;
    Ok(value)
}

/// Reads a list frame, calling `item` for each entry; the cursor ends after the frame.
/// Nothing is reserved from the count read from the file.
fn list_frame<T>(c: &mut Cursor, mut item: impl FnMut(&mut Cursor) -> Result<T>) -> Result<Vec<T>> {
    let at = c.pos();
    let f = frame(c)?;
    let Some(n) = f.items else {
        return Err(format!(
            "a record frame at byte {at} where a list was expected"
        ));
    };
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(item(c)?);
        if c.pos() > f.end {
            return Err(format!("list at byte {at} overruns its frame"));
        }
    }
    c.seek(f.end)?;
    Ok(out)
}

fn string(c: &mut Cursor) -> Result<String> {
    let len = c.u32_le()? as usize;
    Ok(String::from_utf8_lossy(c.take(len)?).into_owned())
}

/// Feature flags: this reader knows none, so any set bit is a format it cannot read.
fn feature_flags(c: &mut Cursor) -> Result<()> {
    loop {
        let flags = c.u64_le()?;
        if flags & !(1 << 63) != 0 {
            return Err(format!(
                "uses format features this reader does not know (flags {flags:#x})"
            ));
        }
        if flags >> 63 == 0 {
            return Ok(());
        }
    }
}

/// A field of the schema.
#[derive(Clone, Debug)]
pub struct Field {
    /// Field name.
    pub name: String,
    /// Normalised C++ type name.
    pub type_name: String,
    /// Parent field id (its own id for a top-level field).
    pub parent: u32,
    /// Structural role: 0 leaf, 1 collection, 2 record, 3 variant, 4 streamer.
    pub role: u16,
    /// Repetitive (0x01), projected (0x02), checksummed (0x04).
    pub flags: u16,
}

/// Field flag: a fixed-size array.
pub const REPETITIVE: u16 = 0x01;
/// Field flag: a projection of another field through alias columns.
pub const PROJECTED: u16 = 0x02;

/// A physical column of the schema.
#[derive(Clone, Debug)]
pub struct Column {
    /// Column type code (0x00 Bit … 0x1D Real32Quant).
    pub kind: u16,
    /// Bits per element on storage.
    pub bits: u16,
    /// The field it belongs to.
    pub field: u32,
    /// Representation index (alternative encodings of one field).
    pub representation: u16,
    /// Index of its first element when deferred (added after the first entries).
    pub first_element: Option<u64>,
    /// Value range (quantised reals).
    pub range: Option<(f64, f64)>,
}

/// Fields, physical columns and alias columns (projected field → physical column).
#[derive(Default, Debug)]
pub struct Schema {
    /// Fields in id order.
    pub fields: Vec<Field>,
    /// Physical columns in id order.
    pub columns: Vec<Column>,
    /// (physical column, projected field) pairs.
    pub aliases: Vec<(u32, u32)>,
}

impl Schema {
    /// Reads the four schema lists (fields, columns, aliases, extra type information)
    /// and appends them; `until` ends a schema extension that holds fewer lists.
    fn extend(&mut self, c: &mut Cursor, until: usize) -> Result<()> {
        if c.pos() >= until {
            return Ok(());
        }
        self.fields
            .extend(list_frame(c, |c| record_frame(c, |c, _| field(c)))?);
        if c.pos() >= until {
            return Ok(());
        }
        self.columns
            .extend(list_frame(c, |c| record_frame(c, |c, _| column(c)))?);
        if c.pos() >= until {
            return Ok(());
        }
        self.aliases.extend(list_frame(c, |c| {
            record_frame(c, |c, _| Ok((c.u32_le()?, c.u32_le()?)))
        })?);
        if c.pos() >= until {
            return Ok(());
        }
        list_frame(c, |c| record_frame(c, |_, _| Ok(())))?;
        Ok(())
    }
}

fn field(c: &mut Cursor) -> Result<Field> {
    c.skip(8)?; // field and type versions
    let parent = c.u32_le()?;
    let role = c.u16_le()?;
    let flags = c.u16_le()?;
    let name = string(c)?;
    let type_name = string(c)?;
    string(c)?; // type alias
    string(c)?; // description
    // Then, by the flags: array size, source field, type checksum (not needed here; the
    // record frame's size skips them).
    Ok(Field {
        name,
        type_name,
        parent,
        role,
        flags,
    })
}

fn column(c: &mut Cursor) -> Result<Column> {
    let kind = c.u16_le()?;
    let bits = c.u16_le()?;
    let field = c.u32_le()?;
    let flags = c.u16_le()?;
    let representation = c.u16_le()?;
    let first_element =
        if flags & 0x01 != 0 {
            let first = c.i64_le()?;
            Some(u64::try_from(first).map_err(|_| {
                "a deferred and suppressed column (negative first element)".to_string()
            })?)
        } else {
            None
        };
    let range = if flags & 0x02 != 0 {
        Some((f64::from_bits(c.u64_le()?), f64::from_bits(c.u64_le()?)))
    } else {
        None
    };
    Ok(Column {
        kind,
        bits,
        field,
        representation,
        first_element,
        range,
    })
}

/// Where a page lies on disk.
#[derive(Clone, Copy, Debug)]
pub struct PageRef {
    /// Elements stored.
    pub elements: u64,
    /// File offset.
    pub offset: u64,
    /// Bytes on disk (without the checksum).
    pub bytes: u64,
    /// An XXH3-64 checksum of the stored bytes follows the page.
    pub checksum: bool,
}

/// One column's pages in one cluster.
#[derive(Clone, Debug, Default)]
pub struct ColumnPages {
    /// Its pages in element order.
    pub pages: Vec<PageRef>,
    /// Suppressed: this representation is not the primary one in the cluster.
    pub suppressed: bool,
}

/// A cluster: an entry range and, per physical column, its pages.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// First entry.
    pub first_entry: u64,
    /// Entries.
    pub entries: u64,
    /// Pages per physical column id (columns added later may be absent).
    pub columns: Vec<ColumnPages>,
}

/// Everything needed to read an RNTuple: the schema and its clusters in entry order.
pub struct Metadata {
    /// Fields and columns (header plus the footer's schema extension).
    pub schema: Schema,
    /// Clusters in entry order, contiguous from entry 0.
    pub clusters: Vec<Cluster>,
}

/// Reads header, footer and every page list of the RNTuple anchored by `anchor`.
pub fn read(file: &RootFile, anchor: &Anchor) -> Result<Metadata> {
    let (header, header_sum) = envelope(file, anchor.header, HEADER)?;
    let mut schema = Schema::default();
    let mut c = Cursor::at(&header[..header.len() - 8], 8);
    feature_flags(&mut c)?;
    string(&mut c)?; // name
    string(&mut c)?; // description
    string(&mut c)?; // writer
    let end = header.len() - 8;
    schema.extend(&mut c, end)?;

    let (footer, _) = envelope(file, anchor.footer, FOOTER)?;
    let mut c = Cursor::at(&footer[..footer.len() - 8], 8);
    feature_flags(&mut c)?;
    check_header_sum(&mut c, header_sum, "footer")?;
    record_frame(&mut c, |c, end| schema.extend(c, end))?;
    let groups = list_frame(&mut c, |c| {
        record_frame(c, |c, _| {
            let first = c.u64_le()?;
            let span = c.u64_le()?;
            let clusters = c.u32_le()?;
            let len = c.u64_le()?;
            let (offset, bytes) = locator(c)?;
            Ok((first, span, clusters, Link { offset, bytes, len }))
        })
    })?;

    let mut clusters = Vec::new();
    for (first, span, count, link) in groups {
        let group = page_list(file, link, header_sum)
            .map_err(|e| format!("cluster group at entry {first}: {e}"))?;
        let entries: u64 = group.iter().map(|c| c.entries).sum();
        if group.len() != count as usize || entries != span {
            return Err(format!(
                "cluster group at entry {first} lists {count} clusters of {span} entries, its page list {} of {entries}",
                group.len()
            ));
        }
        clusters.extend(group);
    }
    clusters.sort_by_key(|c| c.first_entry);
    let mut next = 0u64;
    for cluster in &clusters {
        if cluster.first_entry != next {
            return Err(format!(
                "clusters do not tile the entries: one starts at {}, expected {next}",
                cluster.first_entry
            ));
        }
        next = next
            .checked_add(cluster.entries)
            .ok_or("cluster entry counts overflow")?;
    }
    Ok(Metadata { schema, clusters })
}

fn check_header_sum(c: &mut Cursor, header_sum: u64, what: &str) -> Result<()> {
    let stored = c.u64_le()?;
    if stored != header_sum {
        return Err(format!(
            "the {what} belongs to another header (checksum mismatch)"
        ));
    }
    Ok(())
}

/// A locator: (file offset, bytes). Standard locators and large (64-bit size) ones.
fn locator(c: &mut Cursor) -> Result<(u64, u64)> {
    let at = c.pos();
    let head = c.i32_le()?;
    if head >= 0 {
        return Ok((c.u64_le()?, head as u64));
    }
    let word = head.unsigned_abs();
    let (size, kind) = ((word & 0xffff) as usize, (word >> 24) & 0x7f);
    if kind != 0x01 {
        return Err(format!(
            "locator of type {kind} at byte {at}: not a place in this file"
        ));
    }
    let bytes = c.u64_le()?;
    let offset = c.u64_le()?;
    c.seek(at + size.max(c.pos() - at))?;
    Ok((offset, bytes))
}

fn page_list(file: &RootFile, link: Link, header_sum: u64) -> Result<Vec<Cluster>> {
    let (data, _) = envelope(file, link, PAGE_LIST)?;
    let mut c = Cursor::at(&data[..data.len() - 8], 8);
    check_header_sum(&mut c, header_sum, "page list")?;
    let summaries = list_frame(&mut c, |c| {
        record_frame(c, |c, _| {
            let first = c.u64_le()?;
            let word = c.u64_le()?;
            if word >> 56 & 0x01 != 0 {
                return Err("a sharded cluster (a future format feature)".to_string());
            }
            Ok((first, word & ((1 << 56) - 1)))
        })
    })?;
    let columns = list_frame(&mut c, |c| {
        list_frame(c, |c| {
            let at = c.pos();
            let f = frame(c)?;
            let Some(n) = f.items else {
                return Err(format!("page list at byte {at} is not a list"));
            };
            let mut pages = Vec::new();
            for _ in 0..n {
                let elements = c.i32_le()?;
                let (offset, bytes) = locator(c)?;
                pages.push(PageRef {
                    elements: u64::from(elements.unsigned_abs()),
                    offset,
                    bytes,
                    checksum: elements < 0,
                });
            }
            let suppressed = c.i64_le()? < 0;
            if c.pos() > f.end {
                return Err(format!("page list at byte {at} overruns its frame"));
            }
            c.seek(f.end)?;
            Ok(ColumnPages { pages, suppressed })
        })
    })?;
    if columns.len() != summaries.len() {
        return Err(format!(
            "{} cluster summaries but pages for {} clusters",
            summaries.len(),
            columns.len()
        ));
    }
    Ok(summaries
        .into_iter()
        .zip(columns)
        .map(|((first_entry, entries), columns)| Cluster {
            first_entry,
            entries,
            columns,
        })
        .collect())
}
