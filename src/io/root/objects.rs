//! The pieces of ROOT's object serialisation a TTree's metadata is built from: versioned
//! records with byte counts, `TObject`, `TNamed`, `TObjArray` and polymorphic object
//! pointers (with class tags and back-references to classes already seen).

use super::cursor::{Cursor, Result};
use std::collections::HashMap;

const BYTE_COUNT_MASK: u32 = 0x4000_0000;
const CLASS_MASK: u32 = 0x8000_0000;
const NEW_CLASS_TAG: u32 = 0xffff_ffff;
/// ROOT numbers back-references from the record start plus this offset.
const MAP_OFFSET: usize = 2;
/// `TObject` bit: a process id follows the bits.
const IS_REFERENCED: u32 = 1 << 4;

/// The header of a versioned record: its class version and, when it has a byte count,
/// the offset just past its end.
pub struct Versioned {
    /// Class version.
    pub version: i16,
    /// One past the record's last byte, when the record carries a byte count.
    pub end: Option<usize>,
}

/// Reads a record header (byte count, if present, and version).
pub fn versioned(c: &mut Cursor) -> Result<Versioned> {
    let start = c.pos();
    let word = c.u32()?;
    if word & BYTE_COUNT_MASK != 0 {
        let count = (word & !BYTE_COUNT_MASK) as usize;
        let version = c.i16()?;
        Ok(Versioned {
            version,
            end: Some(start + 4 + count),
        })
    } else {
        c.seek(start)?;
        Ok(Versioned {
            version: c.i16()?,
            end: None,
        })
    }
}

/// Moves past the end of a record whose header was read.
pub fn finish(c: &mut Cursor, header: &Versioned, what: &str) -> Result<()> {
    match header.end {
        Some(end) if end >= c.pos() => c.seek(end),
        Some(end) => Err(format!(
            "{what} record overruns its byte count (ends at {end}, read to {})",
            c.pos()
        )),
        None => Ok(()),
    }
}

/// Skips a whole record that carries a byte count (base classes we do not need).
pub fn skip_record(c: &mut Cursor, what: &str) -> Result<()> {
    let header = versioned(c)?;
    if header.end.is_none() {
        return Err(format!("{what} record without a byte count"));
    }
    finish(c, &header, what)
}

/// Reads a `TObject` (version, unique id, bits, and a process id when referenced).
pub fn tobject(c: &mut Cursor) -> Result<()> {
    let header = versioned(c)?;
    c.u32()?;
    let bits = c.u32()?;
    if bits & IS_REFERENCED != 0 {
        c.u16()?;
    }
    finish(c, &header, "TObject")
}

/// Reads a `TNamed`; returns its name and title.
pub fn tnamed(c: &mut Cursor) -> Result<(String, String)> {
    let header = versioned(c)?;
    tobject(c)?;
    let name = c.string()?;
    let title = c.string()?;
    finish(c, &header, "TNamed")?;
    Ok((name, title))
}

/// What a polymorphic object pointer holds.
pub enum Pointer {
    /// A null pointer.
    Null,
    /// A reference to an object serialised earlier in the record.
    Earlier,
    /// An object of class `class` serialised here, ending at `end`.
    Here {
        /// Class name.
        class: String,
        /// One past the object's last byte.
        end: usize,
    },
}

/// Reads polymorphic pointers, remembering class names for back-references.
pub struct PointerReader {
    /// Offset of the buffer's first byte in ROOT's numbering (the key's header length).
    origin: usize,
    classes: HashMap<usize, String>,
}

impl PointerReader {
    /// A reader for a record whose buffer starts `origin` bytes into its key.
    pub fn new(origin: usize) -> Self {
        PointerReader {
            origin,
            classes: HashMap::new(),
        }
    }

    /// Reads a pointer's header; for [`Pointer::Here`] the cursor is left at the object.
    pub fn read(&mut self, c: &mut Cursor) -> Result<Pointer> {
        let start = c.pos();
        let first = c.u32()?;
        let (tag, end) = if first & BYTE_COUNT_MASK == 0 || first == NEW_CLASS_TAG {
            (first, None)
        } else {
            let count = (first & !BYTE_COUNT_MASK) as usize;
            (c.u32()?, Some(start + 4 + count))
        };
        if tag & CLASS_MASK == 0 {
            return Ok(if tag == 0 {
                Pointer::Null
            } else {
                Pointer::Earlier
            });
        }
        let Some(end) = end else {
            return Err(format!("object at byte {start} has no byte count"));
        };
        let class = if tag == NEW_CLASS_TAG {
            let tag_at = start + 4;
            let name = c.c_string()?;
            self.classes
                .insert(self.origin + tag_at + MAP_OFFSET, name.clone());
            name
        } else {
            let key = (tag & !CLASS_MASK) as usize;
            self.classes
                .get(&key)
                .cloned()
                .ok_or_else(|| format!("object at byte {start} refers to an unknown class"))?
        };
        Ok(Pointer::Here { class, end })
    }

    /// Reads a `TObjArray`, calling `item` for each object stored in it (with the cursor
    /// at the object and its class name); the cursor ends after each object.
    pub fn objarray<T>(
        &mut self,
        c: &mut Cursor,
        mut item: impl FnMut(&mut Self, &mut Cursor, &str) -> Result<T>,
    ) -> Result<Vec<T>> {
        let header = versioned(c)?;
        tobject(c)?;
        c.string()?;
        let n = c.count("array size")?;
        c.i32()?;
        let mut out = Vec::new();
        for _ in 0..n {
            match self.read(c)? {
                Pointer::Null | Pointer::Earlier => {}
                Pointer::Here { class, end } => {
                    out.push(item(self, c, &class)?);
                    if c.pos() > end {
                        return Err(format!("{class} record overruns its byte count"));
                    }
                    c.seek(end)?;
                }
            }
        }
        finish(c, &header, "TObjArray")?;
        Ok(out)
    }
}
