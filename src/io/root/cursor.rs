//! A bounds-checked reader over a byte slice, big-endian (ROOT's object serialisation)
//! and little-endian (RNTuple's envelopes): every read of a ROOT file goes through it,
//! so a truncated or corrupt record is an error naming the byte offset, never a panic
//! or an out-of-bounds access.

/// A failed read: what was expected and where.
pub type Result<T> = std::result::Result<T, String>;

/// A position in a byte slice, reading big-endian values (ROOT's on-disk byte order).
#[derive(Clone)]
pub struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

macro_rules! be_reader {
    ($name:ident, $t:ty) => {
        #[doc = concat!("Reads a big-endian `", stringify!($t), "`.")]
        pub fn $name(&mut self) -> Result<$t> {
            let bytes = self.take(std::mem::size_of::<$t>())?;
            Ok(<$t>::from_be_bytes(
                bytes.try_into().expect("take returns the requested length"),
            ))
        }
    };
}

macro_rules! le_reader {
    ($name:ident, $t:ty) => {
        #[doc = concat!("Reads a little-endian `", stringify!($t), "` (RNTuple envelopes).")]
        pub fn $name(&mut self) -> Result<$t> {
            let bytes = self.take(std::mem::size_of::<$t>())?;
            Ok(<$t>::from_le_bytes(
                bytes.try_into().expect("take returns the requested length"),
            ))
        }
    };
}

impl<'a> Cursor<'a> {
    /// A cursor at byte `pos` of `buf`.
    pub fn at(buf: &'a [u8], pos: usize) -> Self {
        Cursor { buf, pos }
    }

    /// The current byte offset.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves to byte `pos`, which must lie within the buffer.
    pub fn seek(&mut self, pos: usize) -> Result<()> {
        if pos > self.buf.len() {
            return Err(format!(
                "a record points to byte {pos} of a {}-byte block",
                self.buf.len()
            ));
        }
        self.pos = pos;
        Ok(())
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(format!(
                "truncated: {n} bytes needed at byte {} of a {}-byte block",
                self.pos,
                self.buf.len()
            ));
        };
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    /// Skips `n` bytes.
    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.take(n).map(|_| ())
    }

    be_reader!(u8, u8);
    le_reader!(u16_le, u16);
    le_reader!(u32_le, u32);
    le_reader!(i32_le, i32);
    le_reader!(u64_le, u64);
    le_reader!(i64_le, i64);
    be_reader!(i16, i16);
    be_reader!(u16, u16);
    be_reader!(i32, i32);
    be_reader!(u32, u32);
    be_reader!(i64, i64);

    /// Reads a non-negative `i32` as a length or count.
    pub fn count(&mut self, what: &str) -> Result<usize> {
        let at = self.pos;
        let v = self.i32()?;
        usize::try_from(v).map_err(|_| format!("negative {what} ({v}) at byte {at}"))
    }

    /// Reads a file offset stored as 32 or 64 bits.
    pub fn seek_value(&mut self, wide: bool) -> Result<u64> {
        let at = self.pos;
        let v = if wide {
            self.i64()?
        } else {
            i64::from(self.i32()?)
        };
        u64::try_from(v).map_err(|_| format!("negative file offset ({v}) at byte {at}"))
    }

    /// Reads a `TString`: a one-byte length (255 means a four-byte length follows) and
    /// the bytes, decoded lossily as UTF-8.
    pub fn string(&mut self) -> Result<String> {
        let short = self.u8()?;
        let len = if short == 255 {
            self.count("string length")?
        } else {
            usize::from(short)
        };
        Ok(String::from_utf8_lossy(self.take(len)?).into_owned())
    }

    /// Reads a NUL-terminated string (class names in object headers).
    pub fn c_string(&mut self) -> Result<String> {
        let rest = &self.buf[self.pos..];
        let Some(len) = rest.iter().position(|&b| b == 0) else {
            return Err(format!("unterminated name at byte {}", self.pos));
        };
        let s = String::from_utf8_lossy(&rest[..len]).into_owned();
        self.pos += len + 1;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::Cursor;

    #[test]
    fn reads_big_endian_and_refuses_to_overrun() {
        let bytes = [0, 0, 1, 2, 3, b'a', b'b', b'c', 0];
        let mut c = Cursor::at(&bytes, 0);
        assert_eq!(c.u32().unwrap(), 0x0102);
        assert_eq!(c.string().unwrap(), "abc");
        assert!(c.u16().is_err());
        let mut c = Cursor::at(&bytes, 5);
        assert_eq!(c.c_string().unwrap(), "abc");
        assert!(c.seek(100).is_err());
    }
}
