//! Decoded columns kept on disk for warm reruns (`run --column-cache`).
//!
//! An analysis is rerun many times on the same inputs while its cuts are tuned. Decoding
//! a compressed Parquet or ROOT file costs more than the selection itself (about two
//! thirds of a run in `benches/select/`), and it gives the same values every time. With
//! the cache, each chunk's columns are stored after decoding, as raw values in the machine's byte order,
//! and read back on the next run instead of being decoded. f64 columns (what analyses
//! mostly read) are memory-mapped and evaluated in place, with no copy at all
//! ([`super::table::MappedF64`]); other types are copied from the page cache straight
//! into their vectors, which are not zeroed first ([`super::fresh_read`]).
//!
//! A file's entries are keyed, like the provenance hashes of `digest.rs`, by its
//! canonical path, device, inode, size and modification and status-change times (ns), so
//! an edited or replaced file never reads stale columns; a file changed within the last
//! second is not cached (its times could still move within the clock's granularity).
//! Entries hold a header (magic, type, rows, and an XXH3 checksum of the values) that is
//! checked on every read: a damaged or truncated entry is decoded afresh and rewritten,
//! and counted ([`damaged_entries`]) so that `run` says so. A verified entry's identity
//! (device, inode, size, modification and status-change times) is remembered in the
//! directory's `verified` list, and an entry unchanged since is not hashed again: any
//! write to it changes its status-change time, which no user tool can set back (the trust
//! model of the input hashes, `digest.rs`). Writes go to a temporary file renamed
//! into place, so concurrent runs and shards never see half an entry. The cache holds
//! the columns read, uncompressed: delete the directory to reclaim the space.

use super::fresh_read::read_values_at;
use super::table::{Column, ColumnData, ColumnTable, MappedF64};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Changing this makes every existing entry a miss; it names the byte order.
#[cfg(target_endian = "little")]
const FORMAT: &[u8; 8] = b"SLCOL\x00\x03L";
#[cfg(target_endian = "big")]
const FORMAT: &[u8; 8] = b"SLCOL\x00\x03B";

/// Header bytes: [`FORMAT`], the type tag, the number of rows (u64), the XXH3-64 of the
/// value bytes (u64), zeros up to a multiple of 64 bytes, so that the values of a mapped
/// entry are aligned.
const HEADER: usize = 64;

/// Entries found damaged (their checksum, size or header wrong) since the start.
static DAMAGED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many cache entries were found damaged and decoded afresh instead.
pub fn damaged_entries() -> usize {
    DAMAGED.load(std::sync::atomic::Ordering::Relaxed)
}

/// The checksum of an entry's values.
fn checksum(bytes: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(bytes)
}

/// The entries of one input file.
#[derive(Clone, Debug)]
pub struct ColumnCache {
    dir: PathBuf,
    /// Entries verified before, by file name, with the identity they had then; loaded
    /// from the directory's `verified` list on first use.
    verified: Arc<Mutex<Option<HashMap<String, String>>>>,
}

/// The list of verified entries in a cache directory.
const VERIFIED: &str = "verified";

/// The on-disk type tag and element size of a column of type `type_name`.
fn tag(type_name: &str) -> Option<(u8, usize)> {
    Some(match type_name {
        "f64" => (0, 8),
        "f32" => (1, 4),
        "i32" => (2, 4),
        "u32" => (3, 4),
        "i64" => (4, 8),
        "bool" => (5, 1),
        _ => return None,
    })
}

/// The values' bytes, in the machine's byte order (entries never leave the machine:
/// the byte order is part of [`FORMAT`]'s key); borrowed where they are already bytes.
fn values(data: &ColumnData) -> std::borrow::Cow<'_, [u8]> {
    use std::borrow::Cow::{Borrowed, Owned};
    match data {
        ColumnData::F64(v) => Borrowed(bytemuck::cast_slice(v)),
        ColumnData::MappedF64(v) => Borrowed(bytemuck::cast_slice(v.as_slice())),
        ColumnData::F32(v) => Borrowed(bytemuck::cast_slice(v)),
        ColumnData::I32(v) => Borrowed(bytemuck::cast_slice(v)),
        ColumnData::U32(v) => Borrowed(bytemuck::cast_slice(v)),
        ColumnData::I64(v) => Borrowed(bytemuck::cast_slice(v)),
        ColumnData::Bool(v) => Owned(v.iter().map(|&b| u8::from(b)).collect()),
    }
}

/// `rows` values of type `type_name` stored in `file` after the header; f64 values are
/// mapped and read in place, the others read into vectors.
fn decode(type_name: &str, file: &std::fs::File, rows: usize) -> Option<ColumnData> {
    let at = HEADER as u64;
    Some(match type_name {
        "f64" => {
            // SAFETY: the mapped bytes must not change while mapped. searchlight never
            // writes an entry in place: `store` writes a new file and renames it over the
            // entry, which leaves this inode as it is. Only another program writing or
            // truncating the file in place could change it under the map.
            let map = unsafe { memmap2::MmapOptions::new().populate().map(file) }.ok()?;
            ColumnData::MappedF64(MappedF64::new(std::sync::Arc::new(map), HEADER, rows)?)
        }
        "f32" => ColumnData::F32(read_values_at(file, at, rows).ok()?),
        "i32" => ColumnData::I32(read_values_at(file, at, rows).ok()?),
        "u32" => ColumnData::U32(read_values_at(file, at, rows).ok()?),
        "i64" => ColumnData::I64(read_values_at(file, at, rows).ok()?),
        "bool" => ColumnData::Bool(
            read_values_at::<u8>(file, at, rows)
                .ok()?
                .into_iter()
                .map(|b| match b {
                    0 => Some(false),
                    1 => Some(true),
                    _ => None,
                })
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

impl ColumnCache {
    /// The entries of `path` (tree `tree`) under `root`; None when the file cannot be
    /// identified or changed too recently to be cached.
    pub fn for_file(root: &Path, path: &Path, tree: Option<&str>) -> Option<ColumnCache> {
        let (identity, changed) = super::digest::stat_key(path).ok()?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos() as i128;
        if now - changed < super::digest::RACY_NANOSECONDS {
            return None;
        }
        let canonical = std::fs::canonicalize(path).ok()?;
        let mut key = Sha256::new();
        key.update(FORMAT);
        key.update(canonical.as_os_str().as_encoded_bytes());
        key.update([0]);
        key.update(identity.as_bytes());
        key.update([0]);
        key.update(tree.unwrap_or("").as_bytes());
        Some(ColumnCache {
            dir: root.join(format!("{:x}", key.finalize())),
            verified: Arc::default(),
        })
    }

    /// Whether entry `name` is unchanged since it was verified (it has `identity`).
    fn was_verified(&self, name: &str, identity: &str) -> bool {
        let mut memo = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        let list = memo.get_or_insert_with(|| {
            let text = super::regular::read_to_string(&self.dir.join(VERIFIED), 64 << 20)
                .unwrap_or_default();
            text.lines()
                .filter_map(|l| l.split_once('\t'))
                .map(|(n, i)| (n.to_owned(), i.to_owned()))
                .collect()
        });
        list.get(name).is_some_and(|known| known == identity)
    }

    /// Remembers that the `entries` (name, identity) passed their checksums.
    fn remember_verified(&self, entries: Vec<(String, String)>) {
        if entries.is_empty() {
            return;
        }
        let mut memo = self.verified.lock().unwrap_or_else(|e| e.into_inner());
        let list = memo.get_or_insert_with(HashMap::new);
        list.extend(entries);
        let mut lines: Vec<String> = list.iter().map(|(n, i)| format!("{n}\t{i}\n")).collect();
        lines.sort();
        let _ = super::stale::write_atomically(&self.dir.join(VERIFIED), lines.concat().as_bytes());
    }

    fn entry(&self, chunk: usize, column: &str) -> PathBuf {
        let name = Sha256::digest(column.as_bytes());
        self.dir.join(format!("{chunk}-{:x}.col", name))
    }

    /// Chunk `chunk`'s columns of `signature` (names and storage types, in order), when
    /// every one is stored intact.
    pub fn load(&self, chunk: usize, signature: &[(&str, &str)]) -> Option<ColumnTable> {
        // Columns are read side by side: the evaluator's threads wait for the chunk.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        let verified = Mutex::new(Vec::new());
        let columns = signature
            .par_iter()
            .map(|&(name, type_name)| {
                let path = self.entry(chunk, name);
                let mut file = std::fs::File::open(&path).ok()?;
                let length = file.metadata().ok()?.len();
                let mut head = [0u8; HEADER];
                file.read_exact(&mut head).ok()?;
                let (t, size) = tag(type_name)?;
                let damaged = || {
                    DAMAGED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    None
                };
                let rows = u64::from_le_bytes(head[FORMAT.len() + 1..][..8].try_into().ok()?);
                let sum = u64::from_le_bytes(head[FORMAT.len() + 9..][..8].try_into().ok()?);
                let bytes = rows.checked_mul(size as u64)?;
                if !head.starts_with(FORMAT) {
                    return None; // another format version: a plain miss
                }
                let whole =
                    head[FORMAT.len()] == t && bytes.checked_add(HEADER as u64) == Some(length);
                if !whole {
                    return damaged();
                }
                let Some(data) = decode(type_name, &file, usize::try_from(rows).ok()?) else {
                    return damaged();
                };
                let entry = path.file_name()?.to_string_lossy().into_owned();
                let identity = super::digest::stat_key(&path).ok();
                let known = identity
                    .as_ref()
                    .is_some_and(|(id, _)| self.was_verified(&entry, id));
                if !known {
                    if checksum(&values(&data)) != sum {
                        return damaged();
                    }
                    // Times within the clock's granularity could still move: not kept.
                    if let Some((id, changed)) = identity
                        && now - changed >= super::digest::RACY_NANOSECONDS
                    {
                        verified
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((entry, id));
                    }
                }
                Some(Column {
                    name: name.to_owned(),
                    data,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        self.remember_verified(verified.into_inner().unwrap_or_else(|e| e.into_inner()));
        Some(ColumnTable { columns })
    }

    /// Stores chunk `chunk`'s columns; failures (a full disk, a read-only cache) only
    /// mean the next run decodes again.
    pub fn store(&self, chunk: usize, table: &ColumnTable) {
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        for c in &table.columns {
            let Some((t, _)) = tag(c.data.type_name()) else {
                return;
            };
            let mut head = FORMAT.to_vec();
            head.push(t);
            head.extend((c.data.len() as u64).to_le_bytes());
            let bytes = values(&c.data);
            head.extend(checksum(&bytes).to_le_bytes());
            head.resize(HEADER, 0);
            let entry = self.entry(chunk, &c.name);
            let temp = entry.with_extension(format!("partial-{}", std::process::id()));
            let written = std::fs::File::create(&temp).and_then(|mut f| {
                f.write_all(&head)?;
                f.write_all(&bytes)
            });
            if written.is_err() || std::fs::rename(&temp, &entry).is_err() {
                let _ = std::fs::remove_file(&temp);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ColumnTable {
        let column = |name: &str, data| Column {
            name: name.into(),
            data,
        };
        ColumnTable {
            columns: vec![
                column(
                    "x",
                    ColumnData::F64(vec![1.5, f64::NAN, -0.0, f64::INFINITY]),
                ),
                column("f", ColumnData::F32(vec![1.5, -2.0, 0.0, 3.25])),
                column("i", ColumnData::I32(vec![-1, 0, i32::MAX, 7])),
                column("u", ColumnData::U32(vec![0, 1, u32::MAX, 7])),
                column("l", ColumnData::I64(vec![i64::MIN, 0, 5, -5])),
                column("b", ColumnData::Bool(vec![true, false, false, true])),
            ],
        }
    }

    /// A directory with an input file.
    fn setup(name: &str) -> (PathBuf, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "searchlight-column-cache-{}-{name}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("input.parquet");
        std::fs::write(&file, b"PAR1 stand-in").unwrap();
        (dir, file)
    }

    #[test]
    fn columns_come_back_bit_for_bit_and_damage_is_a_miss() {
        let (dir, file) = setup("roundtrip");
        // Just written: its status-change time is now, so it is not cached yet.
        assert!(ColumnCache::for_file(&dir.join("cache"), &file, None).is_none());
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let cache = ColumnCache::for_file(&dir.join("cache"), &file, None).unwrap();
        let t = table();
        let signature: Vec<(&str, &str)> = t
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.data.type_name()))
            .collect();
        assert!(cache.load(3, &signature).is_none(), "nothing stored yet");
        cache.store(3, &t);
        let back = cache.load(3, &signature).unwrap();
        for (a, b) in back.columns.iter().zip(&t.columns) {
            assert_eq!(a.name, b.name);
            assert_eq!(values(&a.data), values(&b.data), "{}", a.name);
        }
        assert!(
            matches!(back.column("x"), Some(ColumnData::MappedF64(_))),
            "f64 values are read in place"
        );
        drop(back);
        assert!(cache.load(4, &signature).is_none(), "another chunk");
        // A truncated entry, or one of another type, is not used.
        let entry = cache.entry(3, "x");
        let bytes = std::fs::read(&entry).unwrap();
        std::fs::write(&entry, &bytes[..bytes.len() - 3]).unwrap();
        assert!(cache.load(3, &signature).is_none());
        cache.store(3, &t);
        assert!(cache.load(3, &signature).is_some());
        let mut other = signature.clone();
        other[0].1 = "i64";
        assert!(cache.load(3, &other).is_none());
        // A flipped bit in any entry's values is caught by its checksum, and counted.
        for name in ["x", "b", "l"] {
            let entry = cache.entry(3, name);
            let mut bytes = std::fs::read(&entry).unwrap();
            let last = bytes.len() - 1;
            bytes[last] ^= 0x01;
            let damaged = damaged_entries();
            std::fs::write(&entry, &bytes).unwrap();
            assert!(cache.load(3, &signature).is_none(), "{name}");
            assert!(damaged_entries() > damaged, "{name}");
            cache.store(3, &t);
            assert!(cache.load(3, &signature).is_some());
        }
        // Verified once its times have settled, an entry is remembered; a write in place
        // (same inode) changes its status-change time, so it is checked again.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        assert!(cache.load(3, &signature).is_some());
        assert!(
            dir.join("cache")
                .read_dir()
                .unwrap()
                .flatten()
                .any(|d| d.path().join(VERIFIED).is_file())
        );
        let entry = cache.entry(3, "x");
        let mut bytes = std::fs::read(&entry).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0x01;
        std::fs::OpenOptions::new()
            .write(true)
            .open(&entry)
            .and_then(|mut f| f.write_all(&bytes))
            .unwrap();
        assert!(
            cache.load(3, &signature).is_none(),
            "changed after it was verified"
        );
        cache.store(3, &t);
        // An edited file has other entries.
        std::fs::write(&file, b"PAR1 edited").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let edited = ColumnCache::for_file(&dir.join("cache"), &file, None).unwrap();
        assert!(edited.load(3, &signature).is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
