//! RNTuple pages: the column encodings of format 1.0 decoded into the column a field is
//! read as. Values are little-endian; split columns store all first bytes, then all
//! second bytes, …; split signed integers are zigzag-encoded and split index columns
//! delta-encoded, both within each page; `Bit`, `Real32Trunc` and `Real32Quant` pack
//! their elements LSB-first into a bit stream.

use super::super::cursor::Result;
use super::super::tree::LeafType;
use crate::io::table::ColumnData;

/// The number type of a column's elements.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Element {
    Bit,
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    U64,
    F16,
    F32,
    F64,
    /// A float32 with only its `bits` most significant bits stored.
    Truncated,
    /// An unsigned integer of `bits` bits mapping linearly onto [min, max].
    Quantised,
}

/// How a column's pages are encoded.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Encoding {
    element: Element,
    bits: u16,
    split: bool,
    zigzag: bool,
    delta: bool,
    range: (f64, f64),
}

impl Encoding {
    /// The encoding of column type `kind` with `bits` per element; `None` for types that
    /// hold no numbers (bytes, chars of strings, variant switches) or are unknown.
    pub fn of(kind: u16, bits: u16, range: Option<(f64, f64)>) -> Option<Encoding> {
        use Element::*;
        let (element, split, zigzag, delta) = match kind {
            0x00 => (Bit, false, false, false),
            0x02 | 0x03 => (I8, false, false, false),
            0x04 => (U8, false, false, false),
            0x05 => (I16, false, false, false),
            0x06 => (U16, false, false, false),
            0x07 => (I32, false, false, false),
            0x08 | 0x0E => (U32, false, false, false),
            0x09 => (I64, false, false, false),
            0x0A | 0x0F => (U64, false, false, false),
            0x0B => (F16, false, false, false),
            0x0C => (F32, false, false, false),
            0x0D => (F64, false, false, false),
            0x11 => (I16, true, true, false),
            0x12 => (U16, true, false, false),
            0x13 => (I32, true, true, false),
            0x14 => (U32, true, false, false),
            0x15 => (I64, true, true, false),
            0x16 => (U64, true, false, false),
            0x17 => (F16, true, false, false),
            0x18 => (F32, true, false, false),
            0x19 => (F64, true, false, false),
            0x1A => (U32, true, false, true),
            0x1B => (U64, true, false, true),
            0x1C if (10..=31).contains(&bits) => (Truncated, false, false, false),
            0x1D if (1..=32).contains(&bits) => (Quantised, false, false, false),
            _ => return None,
        };
        let width = match element {
            Bit => 1,
            I8 | U8 => 8,
            I16 | U16 | F16 => 16,
            I32 | U32 | F32 => 32,
            I64 | U64 | F64 => 64,
            Truncated | Quantised => bits,
        };
        if bits != width || (element == Quantised && range.is_none()) {
            return None;
        }
        Some(Encoding {
            element,
            bits,
            split,
            zigzag,
            delta,
            range: range.unwrap_or((0.0, 0.0)),
        })
    }

    /// Whether a field of type `ty` may be read from this column (ROOT's table of
    /// writable and readable combinations: integers from any integer or bit column,
    /// floats from float columns).
    pub fn reads_as(&self, ty: LeafType) -> bool {
        use Element::*;
        let float = matches!(self.element, F16 | F32 | F64 | Truncated | Quantised);
        match ty {
            LeafType::Float32 => float && self.element != F64,
            LeafType::Float64 => float,
            _ => !float,
        }
    }

    /// Bytes of `elements` elements on storage.
    pub fn page_len(&self, elements: u64) -> Option<usize> {
        let bits = elements.checked_mul(u64::from(self.bits))?;
        usize::try_from(bits.div_ceil(8)).ok()
    }

    /// Decodes a page of `n` elements into the column type `ty` is held in.
    pub fn decode(&self, bytes: &[u8], n: usize, ty: LeafType) -> Result<ColumnData> {
        use Element::*;
        Ok(match (self.element, ty) {
            (F64, LeafType::Float64) => ColumnData::F64(self.values(bytes, n, f64::from_le_bytes)),
            (F32, LeafType::Float32) => ColumnData::F32(self.values(bytes, n, f32::from_le_bytes)),
            (F32, LeafType::Float64) => ColumnData::F64(
                self.values(bytes, n, f32::from_le_bytes)
                    .into_iter()
                    .map(f64::from)
                    .collect(),
            ),
            (F16 | Truncated | Quantised, _) => {
                // Exact in f64; a float field takes ROOT's cast to f32.
                let values = self.small_floats(bytes, n);
                match ty {
                    LeafType::Float32 => {
                        ColumnData::F32(values.into_iter().map(|v| v as f32).collect())
                    }
                    _ => ColumnData::F64(values),
                }
            }
            (I32, LeafType::Int32 { unsigned: false }) if !self.split => {
                ColumnData::I32(self.values(bytes, n, i32::from_le_bytes))
            }
            _ => integers(self.integers(bytes, n)?, ty)?,
        })
    }

    /// Fixed-width values, un-split first when the column is split.
    fn values<const N: usize, T>(&self, bytes: &[u8], n: usize, f: fn([u8; N]) -> T) -> Vec<T> {
        let bytes = &bytes[..n * N];
        if !self.split {
            return bytes
                .chunks_exact(N)
                .map(|c| f(c.try_into().expect("exact chunks")))
                .collect();
        }
        (0..n)
            .map(|i| {
                let mut e = [0u8; N];
                for (b, byte) in e.iter_mut().enumerate() {
                    *byte = bytes[b * n + i];
                }
                f(e)
            })
            .collect()
    }

    /// Integer columns widened to i128 (so u64 and i64 both fit), zigzag and delta
    /// decoded.
    fn integers(&self, bytes: &[u8], n: usize) -> Result<Vec<i128>> {
        use Element::*;
        let zigzag = |u: u64| ((u >> 1) as i64 ^ -((u & 1) as i64)) as i128;
        let mut out: Vec<i128> = match (self.element, self.zigzag) {
            (Bit, _) => (0..n)
                .map(|i| i128::from(bytes[i / 8] >> (i % 8) & 1))
                .collect(),
            (I8, _) => bytes[..n].iter().map(|&b| i128::from(b as i8)).collect(),
            (U8, _) => bytes[..n].iter().map(|&b| i128::from(b)).collect(),
            (I16, false) => widen(self.values(bytes, n, i16::from_le_bytes)),
            (I16 | U16, true) => self
                .values(bytes, n, u16::from_le_bytes)
                .into_iter()
                .map(|u| zigzag(u64::from(u)))
                .collect(),
            (U16, false) => widen(self.values(bytes, n, u16::from_le_bytes)),
            (I32, false) => widen(self.values(bytes, n, i32::from_le_bytes)),
            (I32 | U32, true) => self
                .values(bytes, n, u32::from_le_bytes)
                .into_iter()
                .map(|u| zigzag(u64::from(u)))
                .collect(),
            (U32, false) => widen(self.values(bytes, n, u32::from_le_bytes)),
            (I64, false) => widen(self.values(bytes, n, i64::from_le_bytes)),
            (I64 | U64, true) => self
                .values(bytes, n, u64::from_le_bytes)
                .into_iter()
                .map(zigzag)
                .collect(),
            (U64, false) => widen(self.values(bytes, n, u64::from_le_bytes)),
            (other, _) => return Err(format!("{other:?} column read as integers")),
        };
        if self.delta {
            for i in 1..out.len() {
                out[i] += out[i - 1];
            }
        }
        Ok(out)
    }

    /// Half floats, truncated and quantised floats (`q · (max − min)/(2^bits − 1) + min`,
    /// as ROOT unquantises).
    fn small_floats(&self, bytes: &[u8], n: usize) -> Vec<f64> {
        match self.element {
            Element::F16 => self
                .values(bytes, n, u16::from_le_bytes)
                .into_iter()
                .map(|h| f64::from(half_to_f32(h)))
                .collect(),
            Element::Truncated => (0..n)
                .map(|i| {
                    f64::from(f32::from_bits(
                        bit_field(bytes, i, self.bits) << (32 - self.bits),
                    ))
                })
                .collect(),
            _ => {
                let (min, max) = self.range;
                let scale = (max - min) / ((1u64 << self.bits) - 1) as f64;
                (0..n)
                    .map(|i| f64::from(bit_field(bytes, i, self.bits)) * scale + min)
                    .collect()
            }
        }
    }
}

fn widen<T: Into<i128>>(values: Vec<T>) -> Vec<i128> {
    values.into_iter().map(Into::into).collect()
}

/// Element `i` of a stream of `bits`-bit fields packed LSB-first (`bits` ≤ 32).
fn bit_field(bytes: &[u8], i: usize, bits: u16) -> u32 {
    let start = i * usize::from(bits);
    let mut value = 0u64;
    for k in 0..usize::from(bits).div_ceil(8) + 1 {
        let byte = bytes.get(start / 8 + k).copied().unwrap_or(0);
        value |= u64::from(byte) << (8 * k);
    }
    ((value >> (start % 8)) & ((1u64 << bits) - 1)) as u32
}

/// IEEE 754 binary16 to binary32 (exact).
fn half_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exponent = u32::from(h >> 10 & 0x1f);
    let mantissa = u32::from(h & 0x3ff);
    let bits = match (exponent, mantissa) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: value m · 2^-24.
            let value = m as f32 * f32::from_bits(0x3380_0000);
            return if sign != 0 { -value } else { value };
        }
        (0x1f, m) => sign | 0x7f80_0000 | m << 13,
        (e, m) => sign | (e + 112) << 23 | m << 13,
    };
    f32::from_bits(bits)
}

/// Integers into the column type of `ty`, refusing values its C++ type cannot hold.
fn integers(values: Vec<i128>, ty: LeafType) -> Result<ColumnData> {
    let (lo, hi): (i128, i128) = match ty {
        LeafType::Bool => (0, 1),
        LeafType::Int8 { unsigned: false } => (i8::MIN.into(), i8::MAX.into()),
        LeafType::Int8 { unsigned: true } => (0, u8::MAX.into()),
        LeafType::Int16 { unsigned: false } => (i16::MIN.into(), i16::MAX.into()),
        LeafType::Int16 { unsigned: true } => (0, u16::MAX.into()),
        LeafType::Int32 { unsigned: false } => (i32::MIN.into(), i32::MAX.into()),
        LeafType::Int32 { unsigned: true } => (0, u32::MAX.into()),
        // u64 is held as i64: values of 2^63 or more cannot be.
        LeafType::Int64 { .. } => (i64::MIN.into(), i64::MAX.into()),
        LeafType::Float32 | LeafType::Float64 => {
            return Err("an integer column read as a float field".into());
        }
    };
    if let Some(v) = values.iter().find(|&&v| v < lo || v > hi) {
        return Err(format!("value {v} does not fit {}", ty.name()));
    }
    Ok(match ty {
        LeafType::Bool => ColumnData::Bool(values.into_iter().map(|v| v != 0).collect()),
        LeafType::Int32 { unsigned: true } => {
            ColumnData::U32(values.into_iter().map(|v| v as u32).collect())
        }
        LeafType::Int64 { .. } => ColumnData::I64(values.into_iter().map(|v| v as i64).collect()),
        _ => ColumnData::I32(values.into_iter().map(|v| v as i32).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(kind: u16, bits: u16, bytes: &[u8], n: usize, ty: LeafType) -> ColumnData {
        Encoding::of(kind, bits, Some((-1.0, 1.0)))
            .unwrap()
            .decode(bytes, n, ty)
            .unwrap()
    }

    #[test]
    fn split_zigzag_and_delta_follow_the_format() {
        // SplitInt32 of [1, -1, 300]: zigzag 2, 1, 600 = 0x258; bytes split by position.
        let bytes = [2, 1, 0x58, 0, 0, 2, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            decode(0x13, 32, &bytes, 3, LeafType::Int32 { unsigned: false }),
            ColumnData::I32(vec![1, -1, 300])
        );
        // SplitIndex64 of offsets [3, 5, 5]: deltas 3, 2, 0.
        let mut bytes = vec![0u8; 24];
        bytes[..3].copy_from_slice(&[3, 2, 0]);
        assert_eq!(
            decode(0x1B, 64, &bytes, 3, LeafType::Int64 { unsigned: false }),
            ColumnData::I64(vec![3, 5, 5])
        );
        // SplitReal64 of [1.5, -2.0].
        let values = [1.5f64, -2.0];
        let mut split = vec![0u8; 16];
        for (i, v) in values.iter().enumerate() {
            for (b, byte) in v.to_le_bytes().iter().enumerate() {
                split[b * 2 + i] = *byte;
            }
        }
        assert_eq!(
            decode(0x19, 64, &split, 2, LeafType::Float64),
            ColumnData::F64(values.to_vec())
        );
    }

    #[test]
    fn packed_bits_halves_truncated_and_quantised_floats() {
        assert_eq!(
            decode(0x00, 1, &[0b0000_0101, 0b1], 9, LeafType::Bool),
            ColumnData::Bool(vec![
                true, false, true, false, false, false, false, false, true
            ])
        );
        // Real16 1.0 (0x3c00), -2.5 (0xc100), smallest subnormal (0x0001).
        assert_eq!(
            decode(
                0x0B,
                16,
                &[0x00, 0x3c, 0x00, 0xc1, 0x01, 0x00],
                3,
                LeafType::Float32
            ),
            ColumnData::F32(vec![1.0, -2.5, 2f32.powi(-24)])
        );
        // Real32Trunc with 12 bits: sign, exponent and 3 mantissa bits of 1.5 and -3.0.
        let (a, b) = (1.5f32.to_bits() >> 20, (-3.0f32).to_bits() >> 20);
        let packed = u32::from(a as u16) | (b << 12);
        assert_eq!(
            decode(0x1C, 12, &packed.to_le_bytes()[..3], 2, LeafType::Float32),
            ColumnData::F32(vec![1.5, -3.0])
        );
        // Real32Quant with 2 bits on [-1, 1]: 0, 3, 1 → -1, 1, -1/3.
        assert_eq!(
            decode(0x1D, 2, &[0b01_11_00], 3, LeafType::Float64),
            ColumnData::F64(vec![-1.0, 1.0, 2.0 / 3.0 - 1.0])
        );
    }

    #[test]
    fn values_a_field_cannot_hold_are_refused() {
        let bytes = 300i32.to_le_bytes();
        let err = Encoding::of(0x07, 32, None)
            .unwrap()
            .decode(&bytes, 1, LeafType::Int8 { unsigned: false })
            .unwrap_err();
        assert!(err.contains("does not fit i8"), "{err}");
        assert!(Encoding::of(0x0D, 32, None).is_none(), "wrong bit width");
        assert!(
            Encoding::of(0x10, 96, None).is_none(),
            "switch holds no numbers"
        );
    }
}
