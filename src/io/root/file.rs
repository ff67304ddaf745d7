//! A ROOT file: its header, directories and keys, and reading a key's (decompressed)
//! object. Offsets read from the file are checked against its length before any read.

use super::compression::decompress;
use super::cursor::{Cursor, Result};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// An open ROOT file, shareable across threads: baskets are read with positional reads
/// (`pread`) that need no lock, so threads read and inflate in parallel.
pub struct RootFile {
    file: File,
    len: u64,
    /// File offset of the top directory's record.
    top: u64,
}

/// A key: the header in front of every object stored in a file.
#[derive(Clone, Debug)]
pub struct Key {
    /// Size of header and (compressed) payload.
    pub bytes: u32,
    /// Size of the uncompressed object.
    pub object_len: u32,
    /// Size of this header.
    pub header_len: u16,
    /// Cycle number (the highest is the newest version of an object).
    pub cycle: i16,
    /// File offset of the key.
    pub seek: u64,
    /// Class of the stored object.
    pub class: String,
    /// Object name.
    pub name: String,
}

impl Key {
    /// Parses a key header at the cursor.
    pub fn parse(c: &mut Cursor) -> Result<Key> {
        let bytes = c.i32()?;
        let version = c.i16()?;
        let object_len = c.i32()?;
        c.u32()?; // datime
        let header_len = c.i16()?;
        let cycle = c.i16()?;
        let wide = version > 1000;
        let seek = c.seek_value(wide)?;
        c.seek_value(wide)?; // parent directory
        let class = c.string()?;
        let name = c.string()?;
        c.string()?; // title
        let (Ok(bytes), Ok(object_len), Ok(header_len)) = (
            u32::try_from(bytes),
            u32::try_from(object_len),
            u16::try_from(header_len),
        ) else {
            return Err(format!("key `{name}` has negative sizes"));
        };
        if u32::from(header_len) > bytes {
            return Err(format!("key `{name}` is shorter than its own header"));
        }
        Ok(Key {
            bytes,
            object_len,
            header_len,
            cycle,
            seek,
            class,
            name,
        })
    }
}

impl RootFile {
    /// Opens `path` and reads its header; the inner error says why the bytes are not a
    /// (complete) ROOT file.
    pub fn open(path: &Path) -> std::io::Result<Result<RootFile>> {
        let mut file = crate::io::regular::open(path)?;
        let len = file.metadata()?.len();
        let mut head = [0u8; 64];
        let n = file.read(&mut head)?;
        if n < 4 || &head[..4] != b"root" {
            return Ok(Err("it does not start with the `root` signature".into()));
        }
        let parsed = (|| -> Result<(u64, u64)> {
            let mut c = Cursor::at(&head[..n], 4);
            let version = c.i32()?;
            let begin = c.i32()?;
            let wide = version >= 1_000_000;
            let end = c.seek_value(wide)?;
            c.seek_value(wide)?; // fSeekFree
            c.skip(8)?; // fNbytesFree, nfree
            let name_len = c.i32()?;
            let top = i64::from(begin) + i64::from(name_len);
            let top = u64::try_from(top).map_err(|_| "negative directory offset".to_string())?;
            Ok((top, end))
        })();
        let (top, end) = match parsed {
            Ok(v) => v,
            Err(e) => return Ok(Err(format!("unreadable file header: {e}"))),
        };
        // A size beyond 1 TiB is no ROOT header (a text file starting with "root", say):
        // say so without echoing its bytes as a number.
        if end > 1 << 40 {
            return Ok(Err(
                "not a ROOT file header (it records an impossible size)".into(),
            ));
        }
        if len < end {
            return Ok(Err(format!(
                "truncated: the header records {end} bytes, the file has {len}"
            )));
        }
        Ok(Ok(RootFile { file, len, top }))
    }

    /// The file's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Reads `n` bytes at `offset`, refusing ranges past the end of the file.
    pub fn read_at(&self, offset: u64, n: usize) -> Result<Vec<u8>> {
        let end = offset.checked_add(n as u64).filter(|&e| e <= self.len);
        if end.is_none() {
            return Err(format!(
                "a record at byte {offset} ({n} bytes) lies past the end of the {}-byte file (truncated?)",
                self.len
            ));
        }
        let mut out = vec![0u8; n];
        self.read_exact_at(&mut out, offset)
            .map_err(|e| format!("cannot read {n} bytes at {offset}: {e}"))?;
        Ok(out)
    }

    fn read_exact_at(&self, out: &mut [u8], offset: u64) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.file, out, offset)
    }

    /// The keys of the top directory.
    pub fn top_keys(&self) -> Result<Vec<Key>> {
        self.directory_keys(self.top)
    }

    /// The keys of the directory whose record starts at `offset`.
    fn directory_keys(&self, offset: u64) -> Result<Vec<Key>> {
        let record = self.read_at(offset, 42.min((self.len - offset.min(self.len)) as usize))?;
        self.keys_of_record(&record)
    }

    fn keys_of_record(&self, record: &[u8]) -> Result<Vec<Key>> {
        let mut c = Cursor::at(record, 0);
        let version = c.i16()?;
        c.skip(8)?; // creation and modification times
        let keys_len = c.count("key list size")?;
        c.skip(4)?; // fNbytesName
        let wide = version > 1000;
        c.seek_value(wide)?; // fSeekDir
        c.seek_value(wide)?; // fSeekParent
        let keys_at = c.seek_value(wide)?;
        if keys_at == 0 {
            return Ok(Vec::new());
        }
        let list = self.read_at(keys_at, keys_len)?;
        let mut c = Cursor::at(&list, 0);
        Key::parse(&mut c)?;
        let n = c.count("key count")?;
        // No preallocation from a count read from the file: each key is parsed from
        // bytes that exist, so a corrupt count ends in a truncation error, not an OOM.
        let mut keys = Vec::new();
        for _ in 0..n {
            keys.push(Key::parse(&mut c)?);
        }
        Ok(keys)
    }

    /// The keys of a subdirectory, given its key.
    pub fn subdirectory_keys(&self, key: &Key) -> Result<Vec<Key>> {
        let record = self.object(key)?;
        self.keys_of_record(&record)
    }

    /// The object stored under `key`, decompressed.
    pub fn object(&self, key: &Key) -> Result<Vec<u8>> {
        let raw = self.read_at(key.seek, key.bytes as usize)?;
        let payload = &raw[usize::from(key.header_len)..];
        let len = key.object_len as usize;
        if payload.len() >= len {
            Ok(payload[..len].to_vec())
        } else {
            decompress(payload, len)
        }
    }
}
