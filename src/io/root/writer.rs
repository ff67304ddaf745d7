//! Writing a TTree of flat branches: what `skim` and `generate` write for `-o FILE.root`,
//! so that the analyst's next step (ROOT plots, a RooFit cross-check, a collaborator's
//! macro, uproot) reads it as it reads a basf2 ntuple.
//!
//! The file is ROOT's format as its documentation (io/doc/TFile) states it, 64-bit
//! offsets throughout: header, top directory, baskets (one per branch every
//! [`BASKET_ENTRIES`] entries, all branches flushed together, so clusters line up),
//! then the TTree, an empty StreamerInfo list (the classes written — TTree 20, TBranch
//! 13, TLeaf 2 and its number subclasses — are ROOT's own, which every ROOT 6 reads from
//! its dictionaries), the keys list and the free-segments record. Dates and the UUID
//! are fixed, so the same rows give the same bytes.

use super::tree::LeafType;
use crate::diag::codes;
use crate::io::IoError;
use crate::io::table::{ColumnData, ColumnTable};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// Entries per basket (and cluster): 256 kB for an f64 branch.
pub const BASKET_ENTRIES: usize = 32_768;

/// How baskets are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// zlib level 1 (ROOT's default through 6.28; what every ROOT reads).
    Zlib,
    /// zstd level 5 (ROOT's default since 6.30).
    Zstd,
}

/// ROOT 6.32.06, with 64-bit offsets (+1 000 000).
const FILE_VERSION: i32 = 1_063_206;
/// Where the first record starts.
const BEGIN: u64 = 100;
/// A fixed TDatime (2026-01-01 00:00:00): written files depend on their rows only.
const DATIME: u32 = (2026 - 1995) << 26 | 1 << 22 | 1 << 17;
const BYTE_COUNT: u32 = 0x4000_0000;
const NEW_CLASS: u32 = 0xffff_ffff;
const CLASS_MASK: u32 = 0x8000_0000;
const MAP_OFFSET: u32 = 2;
/// `TObject::fBits` as ROOT writes them for objects that are not referenced.
const TOBJECT_BITS: u32 = 0x0300_0000;
/// The serialised `ROOT::TIOFeatures` (byte count, version 0, class checksum, no bits).
const TIO_FEATURES: [u8; 11] = [0x40, 0, 0, 7, 0, 0, 0x1a, 0xa1, 0x2f, 0x10, 0];

/// A big-endian serialisation buffer with ROOT's byte-count scopes and class tags.
/// Positions count from `origin` (the key's length: ROOT numbers references from the
/// start of the key).
struct Buffer {
    bytes: Vec<u8>,
    origin: u32,
    classes: Vec<(&'static str, u32)>,
}

impl Buffer {
    fn new(origin: usize) -> Self {
        Buffer {
            bytes: Vec::new(),
            origin: origin as u32,
            classes: Vec::new(),
        }
    }
    fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    fn i16(&mut self, v: i16) {
        self.bytes.extend(v.to_be_bytes());
    }
    fn u16(&mut self, v: u16) {
        self.bytes.extend(v.to_be_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.bytes.extend(v.to_be_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.bytes.extend(v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.bytes.extend(v.to_be_bytes());
    }
    fn f64(&mut self, v: f64) {
        self.bytes.extend(v.to_be_bytes());
    }
    fn string(&mut self, s: &str) {
        match u8::try_from(s.len()) {
            Ok(n) if n < 255 => self.u8(n),
            _ => {
                self.u8(255);
                self.i32(s.len() as i32);
            }
        }
        self.bytes.extend(s.as_bytes());
    }
    /// The position (as ROOT numbers it) of the next byte.
    fn here(&self) -> u32 {
        self.origin + self.bytes.len() as u32
    }
    /// Opens a byte-count scope; [`close`](Self::close) fills the count in.
    fn open(&mut self) -> usize {
        self.u32(0);
        self.bytes.len() - 4
    }
    fn close(&mut self, at: usize) {
        let count = (self.bytes.len() - at - 4) as u32 | BYTE_COUNT;
        self.bytes[at..at + 4].copy_from_slice(&count.to_be_bytes());
    }
    /// A versioned record: byte count, version, then `body`.
    fn record(&mut self, version: i16, body: impl FnOnce(&mut Self)) {
        let at = self.open();
        self.i16(version);
        body(self);
        self.close(at);
    }
    fn tobject(&mut self) {
        self.i16(1);
        self.u32(0);
        self.u32(TOBJECT_BITS);
    }
    fn tnamed(&mut self, name: &str, title: &str) {
        self.record(1, |b| {
            b.tobject();
            b.string(name);
            b.string(title);
        });
    }
    /// An object written through a pointer: byte count, its class (new tag and name
    /// the first time, a reference after), then `body`. Returns the object's reference
    /// (for later pointers to the same object).
    fn object(&mut self, class: &'static str, body: impl FnOnce(&mut Self)) -> u32 {
        let reference = self.here() + MAP_OFFSET;
        let at = self.open();
        match self.classes.iter().find(|(c, _)| *c == class) {
            Some(&(_, tag)) => self.u32(tag | CLASS_MASK),
            None => {
                let tag = self.here() + MAP_OFFSET;
                self.u32(NEW_CLASS);
                self.bytes.extend(class.as_bytes());
                self.u8(0);
                self.classes.push((class, tag));
            }
        }
        body(self);
        self.close(at);
        reference
    }
    /// `TAttLine`, `TAttFill` and `TAttMarker` (version 2 each) with ROOT's defaults.
    fn attributes(&mut self) {
        self.record(2, |b| {
            b.i16(602);
            b.i16(1);
            b.i16(1);
        });
        self.record(2, |b| {
            b.i16(0);
            b.i16(1001);
        });
        self.record(2, |b| {
            b.i16(1);
            b.i16(1);
            b.bytes.extend(1f32.to_be_bytes());
        });
    }

    /// A `TObjArray` member whose items `items` writes (pointers).
    fn objarray(&mut self, n: usize, items: impl FnOnce(&mut Self)) {
        self.record(3, |b| {
            b.tobject();
            b.string("");
            b.i32(n as i32);
            b.i32(0);
            items(b);
        });
    }
}

/// A key's header: returns its bytes (the key length is their length).
fn key(
    objlen: usize,
    nbytes: usize,
    seek: u64,
    class: &str,
    name: &str,
    title: &str,
    cycle: i16,
) -> Vec<u8> {
    let mut b = Buffer::new(0);
    b.i32(nbytes as i32);
    b.i16(1004);
    b.i32(objlen as i32);
    b.u32(DATIME);
    b.i16(0); // key length, below
    b.i16(cycle);
    b.i64(seek as i64);
    b.i64(BEGIN as i64);
    b.string(class);
    b.string(name);
    b.string(title);
    let len = b.bytes.len() as i16;
    b.bytes[14..16].copy_from_slice(&len.to_be_bytes());
    b.bytes
}

/// Key length of a key with these strings (fixed part 34 bytes with 64-bit seeks).
fn key_len(class: &str, name: &str, title: &str) -> usize {
    let s = |x: &str| x.len() + if x.len() < 255 { 1 } else { 5 };
    34 + s(class) + s(name) + s(title)
}

/// One branch being written.
struct BranchOut {
    name: String,
    ty: LeafType,
    /// Big-endian values not yet in a basket.
    pending: Vec<u8>,
    /// (file offset, bytes on disk, first entry) of each basket.
    baskets: Vec<(u64, u32, u64)>,
    tot_bytes: i64,
    zip_bytes: i64,
}

/// A ROOT file being written: records appended at its end, then its StreamerInfo, keys
/// list, free segments, header and top directory when it is finished. It appears under
/// its final name only when [`finish`](OutFile::finish) succeeds.
struct OutFile {
    file: Option<File>,
    temp: PathBuf,
    _partial: crate::interrupt::Partial,
    path: PathBuf,
    /// The headers of the top directory's keys, in order.
    keys: Vec<Vec<u8>>,
    /// Next free byte.
    end: u64,
    /// ROOT's compression setting of the file (101 zlib, 505 zstd).
    compress: i32,
}

impl OutFile {
    fn create(path: &Path, compression: Compression) -> Result<OutFile, IoError> {
        if let Some(dir) = path.parent() {
            crate::io::stale::remove_dead_partials(dir);
        }
        let temp = path.with_extension(format!("partial-{}", std::process::id()));
        let file = File::create(&temp).map_err(|e| {
            IoError::new(codes::IO, format!("cannot create {}: {e}", temp.display()))
        })?;
        let mut out = OutFile {
            file: Some(file),
            _partial: crate::interrupt::track(&temp),
            temp,
            path: path.to_path_buf(),
            keys: Vec::new(),
            end: 0,
            compress: match compression {
                Compression::Zlib => 101,
                Compression::Zstd => 505,
            },
        };
        // Header and top directory are written last, when their offsets are known.
        out.end = BEGIN + out.directory_record(0, 0, [0; 16]).len() as u64;
        Ok(out)
    }

    fn io(&self, e: impl std::fmt::Display) -> IoError {
        IoError::new(
            codes::IO,
            format!("cannot write {}: {e}", self.path.display()),
        )
    }

    fn put(&mut self, bytes: &[u8]) -> Result<u64, IoError> {
        let at = self.end;
        self.file
            .as_ref()
            .expect("not finished")
            .write_all_at(bytes, at)
            .map_err(|e| self.io(e))?;
        self.end += bytes.len() as u64;
        Ok(at)
    }

    /// Appends an uncompressed object of class `class` under a key of the top directory;
    /// `object` serialises it given its key's length (where ROOT numbers references from).
    fn put_object(
        &mut self,
        class: &str,
        name: &str,
        title: &str,
        object: impl FnOnce(usize) -> Vec<u8>,
    ) -> Result<(), IoError> {
        let keylen = key_len(class, name, title);
        let bytes = object(keylen);
        let header = key(
            bytes.len(),
            keylen + bytes.len(),
            self.end,
            class,
            name,
            title,
            1,
        );
        self.put(&[header.as_slice(), &bytes].concat())?;
        self.keys.push(header);
        Ok(())
    }

    fn file_name(&self) -> String {
        self.path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    }

    /// The top directory's record (TFile key, name and title, TDirectory 5 with 64-bit
    /// offsets and the UUID).
    fn directory_record(&self, seek_keys: u64, nbytes_keys: usize, uuid: [u8; 16]) -> Vec<u8> {
        let name = self.file_name();
        let mut data = Buffer::new(0);
        data.string(&name);
        data.string("");
        let nbytes_name = key_len("TFile", &name, "") + data.bytes.len();
        data.i16(1005);
        data.u32(DATIME);
        data.u32(DATIME);
        data.i32(nbytes_keys as i32);
        data.i32(nbytes_name as i32);
        data.i64(BEGIN as i64);
        data.i64(0);
        data.i64(seek_keys as i64);
        data.i16(1);
        data.bytes.extend(uuid);
        data.bytes.extend([0u8; 12]);
        let mut record = key(
            data.bytes.len(),
            key_len("TFile", &name, "") + data.bytes.len(),
            BEGIN,
            "TFile",
            &name,
            "",
            1,
        );
        // The top directory's key has no parent.
        record[26..34].copy_from_slice(&0i64.to_be_bytes());
        record.extend(data.bytes);
        record
    }

    /// Writes the StreamerInfo, keys list and free segments, then the header and top
    /// directory, and moves the file to its final name. `uuid` comes from the file's
    /// content, so the same content gives the same bytes.
    fn finish(mut self, uuid: [u8; 16]) -> Result<(), IoError> {
        let name = self.file_name();
        // An empty StreamerInfo list (TList 5: TObject, no name, no objects).
        let mut list = Buffer::new(0);
        list.record(5, |b| {
            b.tobject();
            b.string("");
            b.i32(0);
        });
        let info_len = key_len("TList", "StreamerInfo", "Doubly linked list") + list.bytes.len();
        let info_seek = self.end;
        let info_key = key(
            list.bytes.len(),
            info_len,
            info_seek,
            "TList",
            "StreamerInfo",
            "Doubly linked list",
            1,
        );
        self.put(&[info_key, list.bytes].concat())?;
        // The keys list: every object's key.
        let mut keys = Buffer::new(0);
        keys.i32(self.keys.len() as i32);
        for k in &self.keys {
            keys.bytes.extend(k);
        }
        let keys_len = key_len("TFile", &name, "") + keys.bytes.len();
        let keys_seek = self.end;
        let keys_key = key(keys.bytes.len(), keys_len, keys_seek, "TFile", &name, "", 1);
        self.put(&[keys_key, keys.bytes].concat())?;
        // Free segments: one, from the end of the file.
        let free_len = key_len("TFile", &name, "") + 2 + 16;
        let free_seek = self.end;
        let file_end = free_seek + free_len as u64;
        let mut free = Buffer::new(0);
        free.i16(1001);
        free.i64(file_end as i64);
        free.i64(if file_end < 2_000_000_000 {
            2_000_000_000
        } else {
            4_000_000_000
        });
        let free_key = key(free.bytes.len(), free_len, free_seek, "TFile", &name, "", 1);
        self.put(&[free_key, free.bytes].concat())?;
        // Header and top directory.
        let directory = self.directory_record(keys_seek, keys_len, uuid);
        let nbytes_name = key_len("TFile", &name, "") + 2 + name.len();
        let mut header = Buffer::new(0);
        header.bytes.extend(b"root");
        header.i32(FILE_VERSION);
        header.i32(BEGIN as i32);
        header.i64(file_end as i64);
        header.i64(free_seek as i64);
        header.i32(free_len as i32);
        header.i32(1); // nfree
        header.i32(nbytes_name as i32);
        header.u8(8); // fUnits
        header.i32(self.compress);
        header.i64(info_seek as i64);
        header.i32(info_len as i32);
        header.i16(1);
        header.bytes.extend(uuid);
        header.bytes.resize(BEGIN as usize, 0);
        let file = self.file.take().expect("finish once");
        file.write_all_at(&header.bytes, 0)
            .and_then(|()| file.write_all_at(&directory, BEGIN))
            .and_then(|()| file.set_len(file_end))
            .and_then(|()| (&file).flush())
            .map_err(|e| self.io(e))?;
        drop(file);
        std::fs::rename(&self.temp, &self.path).map_err(|e| {
            IoError::new(
                codes::IO,
                format!("cannot move {} into place: {e}", self.path.display()),
            )
        })
    }
}

impl Drop for OutFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// A UUID fixed by a file's content (written files depend on their content only).
fn content_uuid(content: &str) -> [u8; 16] {
    use sha2::Digest;
    sha2::Sha256::digest(content)[..16]
        .try_into()
        .expect("16 bytes")
}

/// Writes tables as the rows of one TTree. The file appears under its final name only
/// when [`finish`](Self::finish) succeeds.
pub struct RootWriter {
    out: OutFile,
    tree: String,
    compression: Compression,
    branches: Vec<BranchOut>,
    entries: u64,
    pending_entries: usize,
}

fn leaf_type(data: &ColumnData) -> LeafType {
    match data {
        ColumnData::F64(_) | ColumnData::MappedF64(_) => LeafType::Float64,
        ColumnData::F32(_) => LeafType::Float32,
        ColumnData::I32(_) => LeafType::Int32 { unsigned: false },
        ColumnData::U32(_) => LeafType::Int32 { unsigned: true },
        ColumnData::I64(_) => LeafType::Int64 { unsigned: false },
        ColumnData::Bool(_) => LeafType::Bool,
    }
}

/// ROOT's leaf class and type letter for a value type.
fn leaf_class(ty: LeafType) -> (&'static str, char) {
    match ty {
        LeafType::Float64 => ("TLeafD", 'D'),
        LeafType::Float32 => ("TLeafF", 'F'),
        LeafType::Int32 { unsigned: false } => ("TLeafI", 'I'),
        LeafType::Int32 { unsigned: true } => ("TLeafI", 'i'),
        LeafType::Int64 { .. } => ("TLeafL", 'L'),
        LeafType::Bool => ("TLeafO", 'O'),
        LeafType::Int8 { .. } => ("TLeafB", 'B'),
        LeafType::Int16 { .. } => ("TLeafS", 'S'),
    }
}

fn append_be(out: &mut Vec<u8>, data: &ColumnData, rows: std::ops::Range<usize>) {
    match data {
        ColumnData::F64(v) => v[rows].iter().for_each(|x| out.extend(x.to_be_bytes())),
        ColumnData::MappedF64(v) => v.as_slice()[rows]
            .iter()
            .for_each(|x| out.extend(x.to_be_bytes())),
        ColumnData::F32(v) => v[rows].iter().for_each(|x| out.extend(x.to_be_bytes())),
        ColumnData::I32(v) => v[rows].iter().for_each(|x| out.extend(x.to_be_bytes())),
        ColumnData::U32(v) => v[rows].iter().for_each(|x| out.extend(x.to_be_bytes())),
        ColumnData::I64(v) => v[rows].iter().for_each(|x| out.extend(x.to_be_bytes())),
        ColumnData::Bool(v) => out.extend(v[rows].iter().map(|&b| u8::from(b))),
    }
}

/// ROOT's compressed record: one block (9-byte header, then the codec's stream) per
/// 16 MiB − 1; `None` when compressing does not make it smaller.
fn compress(data: &[u8], how: Compression) -> Result<Option<Vec<u8>>, String> {
    const BLOCK: usize = 0xff_ffff;
    let mut out = Vec::new();
    for block in data.chunks(BLOCK) {
        let packed = match how {
            Compression::Zlib => {
                let mut c = libdeflater::Compressor::new(
                    libdeflater::CompressionLvl::new(1).expect("level 1 exists"),
                );
                let mut buf = vec![0; c.zlib_compress_bound(block.len())];
                let n = c
                    .zlib_compress(block, &mut buf)
                    .map_err(|e| format!("zlib: {e:?}"))?;
                buf.truncate(n);
                buf
            }
            Compression::Zstd => {
                zstd::bulk::compress(block, 5).map_err(|e| format!("zstd: {e}"))?
            }
        };
        if packed.len() > BLOCK {
            return Ok(None);
        }
        out.extend(match how {
            Compression::Zlib => [b'Z', b'L', 8],
            Compression::Zstd => [b'Z', b'S', 1],
        });
        out.extend(&(packed.len() as u32).to_le_bytes()[..3]);
        out.extend(&(block.len() as u32).to_le_bytes()[..3]);
        out.extend(packed);
    }
    Ok((out.len() < data.len()).then_some(out))
}

impl RootWriter {
    /// Starts a file holding TTree `tree` with the columns of `like` as branches.
    pub fn create(
        path: &Path,
        tree: &str,
        like: &ColumnTable,
        compression: Compression,
    ) -> Result<Self, IoError> {
        Ok(RootWriter {
            out: OutFile::create(path, compression)?,
            tree: tree.into(),
            compression,
            branches: like
                .columns
                .iter()
                .map(|c| BranchOut {
                    name: c.name.clone(),
                    ty: leaf_type(&c.data),
                    pending: Vec::new(),
                    baskets: Vec::new(),
                    tot_bytes: 0,
                    zip_bytes: 0,
                })
                .collect(),
            entries: 0,
            pending_entries: 0,
        })
    }

    /// Appends a table's rows (its columns those the writer was created with).
    pub fn write(&mut self, table: &ColumnTable) -> Result<(), IoError> {
        let n = table.rows();
        let mut start = 0;
        while start < n {
            let take = (BASKET_ENTRIES - self.pending_entries).min(n - start);
            for (branch, column) in self.branches.iter_mut().zip(&table.columns) {
                append_be(&mut branch.pending, &column.data, start..start + take);
            }
            self.pending_entries += take;
            start += take;
            if self.pending_entries == BASKET_ENTRIES {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Writes every branch's pending values as a basket.
    fn flush(&mut self) -> Result<(), IoError> {
        if self.pending_entries == 0 {
            return Ok(());
        }
        for i in 0..self.branches.len() {
            let data = std::mem::take(&mut self.branches[i].pending);
            let branch = &self.branches[i];
            let keylen = key_len("TBasket", &branch.name, &self.tree) + 19;
            let packed = compress(&data, self.compression).map_err(|e| self.out.io(e))?;
            let stored = packed.as_deref().unwrap_or(&data);
            let nbytes = keylen + stored.len();
            let seek = self.out.end;
            let mut record = key(
                data.len(),
                nbytes,
                seek,
                "TBasket",
                &branch.name,
                &self.tree,
                1,
            );
            let mut tail = Buffer::new(0);
            tail.i16(3);
            tail.i32(32_000);
            tail.i32(branch.ty.width() as i32);
            tail.i32(self.pending_entries as i32);
            tail.i32((keylen + data.len()) as i32);
            tail.u8(0);
            record.extend(tail.bytes);
            let header_len = record.len() as i16;
            record[14..16].copy_from_slice(&header_len.to_be_bytes());
            debug_assert_eq!(record.len(), keylen);
            record.extend(stored);
            self.out.put(&record)?;
            let first = self.entries;
            let branch = &mut self.branches[i];
            branch.baskets.push((seek, nbytes as u32, first));
            branch.tot_bytes += (keylen + data.len()) as i64;
            branch.zip_bytes += nbytes as i64;
        }
        self.entries += self.pending_entries as u64;
        self.pending_entries = 0;
        Ok(())
    }

    /// The TTree's metadata record (TTree 20 with its branches and leaves).
    fn tree_object(&self, origin: usize) -> Vec<u8> {
        let mut b = Buffer::new(origin);
        let entries = self.entries as i64;
        let (tot, zip) = self
            .branches
            .iter()
            .fold((0, 0), |(t, z), br| (t + br.tot_bytes, z + br.zip_bytes));
        let mut leaves = Vec::new();
        b.record(20, |b| {
            b.tnamed(&self.tree, "");
            b.attributes();
            b.i64(entries);
            b.i64(tot);
            b.i64(zip);
            b.i64(0); // fSavedBytes
            b.i64(zip); // fFlushedBytes
            b.f64(1.0); // fWeight
            b.i32(0); // fTimerInterval
            b.i32(25); // fScanField
            b.i32(0); // fUpdate
            b.i32(1000); // fDefaultEntryOffsetLen
            b.i32(0); // fNClusterRange
            b.i64(1_000_000_000_000); // fMaxEntries
            b.i64(1_000_000_000_000); // fMaxEntryLoop
            b.i64(0); // fMaxVirtualSize
            b.i64(-300_000_000); // fAutoSave
            b.i64(BASKET_ENTRIES as i64); // fAutoFlush: clusters of this many entries
            b.i64(1_000_000); // fEstimate
            b.u8(0); // fClusterRangeEnd (none)
            b.u8(0); // fClusterSize (none)
            b.bytes.extend(TIO_FEATURES);
            b.objarray(self.branches.len(), |b| {
                for branch in &self.branches {
                    leaves.push(self.branch(b, branch));
                }
            });
            b.objarray(leaves.len(), |b| {
                for &leaf in &leaves {
                    b.u32(leaf);
                }
            });
            b.u32(0); // fAliases
            b.i32(0); // fIndexValues
            b.i32(0); // fIndex
            b.u32(0); // fTreeIndex
            b.u32(0); // fFriends
            b.u32(0); // fUserInfo
            b.u32(0); // fBranchRef
        });
        b.bytes
    }

    /// A TBranch 13 with its one leaf; returns the leaf's reference.
    fn branch(&self, b: &mut Buffer, branch: &BranchOut) -> u32 {
        let (class, letter) = leaf_class(branch.ty);
        let mut leaf = 0;
        let baskets = branch.baskets.len();
        let capacity = baskets + 1;
        b.object("TBranch", |b| {
            b.record(13, |b| {
                b.tnamed(&branch.name, &format!("{}/{letter}", branch.name));
                b.record(2, |b| {
                    b.i16(0);
                    b.i16(1001);
                });
                b.i32(match self.compression {
                    Compression::Zlib => 101,
                    Compression::Zstd => 505,
                });
                b.i32(32_000); // fBasketSize
                b.i32(0); // fEntryOffsetLen
                b.i32(baskets as i32); // fWriteBasket
                b.i64(self.entries as i64); // fEntryNumber
                b.bytes.extend(TIO_FEATURES);
                b.i32(0); // fOffset
                b.i32(capacity as i32); // fMaxBaskets
                b.i32(0); // fSplitLevel
                b.i64(self.entries as i64);
                b.i64(0); // fFirstEntry
                b.i64(branch.tot_bytes);
                b.i64(branch.zip_bytes);
                b.objarray(0, |_| {}); // sub-branches
                b.objarray(1, |b| {
                    leaf = b.object(class, |b| {
                        b.record(1, |b| {
                            b.record(2, |b| {
                                b.tnamed(&branch.name, &branch.name);
                                b.i32(1); // fLen
                                b.i32(branch.ty.width() as i32);
                                b.i32(0); // fOffset
                                b.u8(0); // fIsRange
                                b.u8(u8::from(letter.is_ascii_lowercase()));
                                b.u32(0); // fLeafCount
                            });
                            // fMinimum, fMaximum
                            let zero = vec![0u8; 2 * branch.ty.width()];
                            b.bytes.extend(zero);
                        });
                    });
                });
                b.objarray(0, |_| {}); // baskets kept in memory: none
                b.u8(1);
                for i in 0..capacity {
                    b.i32(branch.baskets.get(i).map_or(0, |k| k.1 as i32));
                }
                b.u8(1);
                for i in 0..capacity {
                    let first = branch.baskets.get(i).map_or(self.entries, |k| k.2);
                    b.i64(first as i64);
                }
                b.u8(1);
                for i in 0..capacity {
                    b.i64(branch.baskets.get(i).map_or(0, |k| k.0 as i64));
                }
                b.string(""); // fFileName
            });
        });
        leaf
    }

    /// Writes the remaining baskets and the tree, completes the file and moves it to its
    /// final name; returns the number of entries.
    pub fn finish(mut self) -> Result<u64, IoError> {
        self.flush()?;
        let tree = self.tree.clone();
        let object = self.tree_object(key_len("TTree", &tree, ""));
        self.out.put_object("TTree", &tree, "", |_| object)?;
        let uuid = content_uuid(&format!("{}:{}", self.tree, self.entries));
        self.out.finish(uuid)?;
        Ok(self.entries)
    }
}

/// A one-dimensional histogram for a ROOT file (a `TH1D`).
#[derive(Clone, Debug, PartialEq)]
pub struct Th1 {
    /// Object name (the key).
    pub name: String,
    /// Title.
    pub title: String,
    /// The x axis' title.
    pub x_title: String,
    /// Bin edges: equal bins over [low, high).
    pub low: f64,
    /// Upper edge.
    pub high: f64,
    /// Contents of the underflow, each bin and the overflow (bins + 2 values).
    pub contents: Vec<f64>,
    /// Sums of squared weights, as `contents`.
    pub sumw2: Vec<f64>,
    /// Number of entries filled.
    pub entries: f64,
}

impl Buffer {
    fn f32(&mut self, v: f32) {
        self.bytes.extend(v.to_be_bytes());
    }

    fn array_f64(&mut self, values: &[f64]) {
        self.i32(values.len() as i32);
        for v in values {
            self.f64(*v);
        }
    }

    /// A `TAxis` 10 of `bins` equal bins over [low, high), with ROOT's default style.
    fn taxis(&mut self, name: &str, title: &str, bins: usize, low: f64, high: f64) {
        self.record(10, |b| {
            b.tnamed(name, title);
            b.record(4, |b| {
                b.i32(510); // fNdivisions
                b.i16(1); // fAxisColor
                b.i16(1); // fLabelColor
                b.i16(42); // fLabelFont
                b.f32(0.005); // fLabelOffset
                b.f32(0.035); // fLabelSize
                b.f32(0.03); // fTickLength
                b.f32(1.0); // fTitleOffset
                b.f32(0.035); // fTitleSize
                b.i16(1); // fTitleColor
                b.i16(42); // fTitleFont
            });
            b.i32(bins as i32);
            b.f64(low);
            b.f64(high);
            b.array_f64(&[]); // fXbins: equal bins
            b.i32(0); // fFirst
            b.i32(0); // fLast
            b.u16(0); // fBits2
            b.u8(0); // fTimeDisplay
            b.string(""); // fTimeFormat
            b.u32(0); // fLabels
            b.u32(0); // fModLabs
        });
    }

    /// A `TH1D` 3 (TH1 8 and the contents' `TArrayD`).
    fn th1d(&mut self, h: &Th1) {
        let bins = h.contents.len() - 2;
        let width = (h.high - h.low) / bins as f64;
        let inside = 1..=bins;
        let center = |i: usize| h.low + (i as f64 - 0.5) * width;
        let (sumw, sumw2) = (
            inside.clone().map(|i| h.contents[i]).sum::<f64>(),
            inside.clone().map(|i| h.sumw2[i]).sum::<f64>(),
        );
        let sumwx: f64 = inside.clone().map(|i| h.contents[i] * center(i)).sum();
        let sumwx2: f64 = inside.map(|i| h.contents[i] * center(i) * center(i)).sum();
        self.record(3, |b| {
            b.record(8, |b| {
                b.tnamed(&h.name, &h.title);
                b.attributes();
                b.i32(h.contents.len() as i32); // fNcells
                b.taxis("xaxis", &h.x_title, bins, h.low, h.high);
                b.taxis("yaxis", "", 1, 0.0, 1.0);
                b.taxis("zaxis", "", 1, 0.0, 1.0);
                b.i16(0); // fBarOffset
                b.i16(1000); // fBarWidth
                b.f64(h.entries);
                b.f64(sumw);
                b.f64(sumw2);
                b.f64(sumwx);
                b.f64(sumwx2);
                b.f64(-1111.0); // fMaximum
                b.f64(-1111.0); // fMinimum
                b.f64(0.0); // fNormFactor
                b.array_f64(&[]); // fContour
                b.array_f64(&h.sumw2);
                b.string(""); // fOption
                b.record(5, |b| {
                    // fFunctions: an empty TList
                    b.tobject();
                    b.string("");
                    b.i32(0);
                });
                b.i32(0); // fBufferSize
                b.u8(0); // fBuffer: none
                b.i32(0); // fBinStatErrOpt
                b.i32(2); // fStatOverflows: ROOT's default (neutral)
            });
            b.array_f64(&h.contents);
        });
    }
}

/// Writes histograms as `TH1D`s, one key each, to a ROOT file at `path`.
pub fn write_histograms(path: &Path, histograms: &[Th1]) -> Result<(), IoError> {
    let mut out = OutFile::create(path, Compression::Zlib)?;
    for h in histograms {
        out.put_object("TH1D", &h.name, &h.title, |origin| {
            let mut b = Buffer::new(origin);
            b.th1d(h);
            b.bytes
        })?;
    }
    let names: Vec<&str> = histograms.iter().map(|h| h.name.as_str()).collect();
    out.finish(content_uuid(&names.join("\n")))
}
