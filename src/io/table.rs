//! An in-memory column table: what readers produce, the toy generates, and writers store.

use super::ColumnType;
use std::sync::Arc;

/// 64-bit floats stored in a memory-mapped file (a column-cache entry) and read in place:
/// a warm rerun evaluates the cache's pages without copying them into a vector.
#[derive(Clone)]
pub struct MappedF64 {
    map: Arc<memmap2::Mmap>,
    /// Byte offset of the first value in the map (a multiple of 8).
    offset: usize,
    /// Number of values.
    len: usize,
}

impl MappedF64 {
    /// The `len` values from byte `offset` of `map`; None when they do not lie within it
    /// or the offset breaks the values' alignment.
    pub fn new(map: Arc<memmap2::Mmap>, offset: usize, len: usize) -> Option<MappedF64> {
        let end = len.checked_mul(8)?.checked_add(offset)?;
        let aligned = (map.as_ptr() as usize)
            .wrapping_add(offset)
            .is_multiple_of(std::mem::align_of::<f64>());
        (end <= map.len() && aligned).then_some(MappedF64 { map, offset, len })
    }

    /// The values.
    pub fn as_slice(&self) -> &[f64] {
        bytemuck::cast_slice(&self.map[self.offset..self.offset + self.len * 8])
    }
}

impl std::fmt::Debug for MappedF64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedF64({} values)", self.len)
    }
}

impl PartialEq for MappedF64 {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// The values of one column.
#[derive(Clone, Debug)]
pub enum ColumnData {
    /// 64-bit floats.
    F64(Vec<f64>),
    /// 64-bit floats read in place from a mapped file; changed into [`ColumnData::F64`]
    /// by the first method that adds or removes values.
    MappedF64(MappedF64),
    /// 32-bit floats.
    F32(Vec<f32>),
    /// 32-bit signed integers.
    I32(Vec<i32>),
    /// 32-bit unsigned integers.
    U32(Vec<u32>),
    /// 64-bit signed integers.
    I64(Vec<i64>),
    /// Booleans.
    Bool(Vec<bool>),
}

/// Columns are equal when their values and storage types are, wherever the values are
/// stored.
impl PartialEq for ColumnData {
    fn eq(&self, other: &Self) -> bool {
        use ColumnData::*;
        match (self, other) {
            (F64(_) | MappedF64(_), F64(_) | MappedF64(_)) => self.as_f64() == other.as_f64(),
            (F32(a), F32(b)) => a == b,
            (I32(a), I32(b)) => a == b,
            (U32(a), U32(b)) => a == b,
            (I64(a), I64(b)) => a == b,
            (Bool(a), Bool(b)) => a == b,
            _ => false,
        }
    }
}

impl ColumnData {
    /// An empty column of the given type (types without a dedicated vector widen losslessly:
    /// i8/i16 to i32, u64 to i64 where it fits, which readers check).
    pub fn empty(ty: ColumnType) -> Self {
        match ty {
            ColumnType::F64 => ColumnData::F64(Vec::new()),
            ColumnType::F32 => ColumnData::F32(Vec::new()),
            ColumnType::I8 | ColumnType::I16 | ColumnType::I32 => ColumnData::I32(Vec::new()),
            ColumnType::U32 => ColumnData::U32(Vec::new()),
            ColumnType::I64 | ColumnType::U64 => ColumnData::I64(Vec::new()),
            ColumnType::Bool => ColumnData::Bool(Vec::new()),
        }
    }

    /// The storage type's name (`f64`, `u32`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            ColumnData::F64(_) | ColumnData::MappedF64(_) => "f64",
            ColumnData::F32(_) => "f32",
            ColumnData::I32(_) => "i32",
            ColumnData::U32(_) => "u32",
            ColumnData::I64(_) => "i64",
            ColumnData::Bool(_) => "bool",
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::F64(v) => v.len(),
            ColumnData::MappedF64(v) => v.len,
            ColumnData::F32(v) => v.len(),
            ColumnData::I32(v) => v.len(),
            ColumnData::U32(v) => v.len(),
            ColumnData::I64(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
        }
    }

    /// The values of an f64 column, wherever they are stored.
    pub fn as_f64(&self) -> Option<&[f64]> {
        match self {
            ColumnData::F64(v) => Some(v),
            ColumnData::MappedF64(v) => Some(v.as_slice()),
            _ => None,
        }
    }

    /// Makes a mapped column an owned one (before values are added or removed).
    fn own(&mut self) {
        if let ColumnData::MappedF64(v) = self {
            *self = ColumnData::F64(v.as_slice().to_vec());
        }
    }

    /// Each value repeated `counts[i]` times (`counts` has one count per value).
    pub fn repeat(&self, counts: &[u32]) -> ColumnData {
        fn rep<T: Copy>(values: &[T], counts: &[u32]) -> Vec<T> {
            let total = counts.iter().map(|&n| n as usize).sum();
            let mut out = Vec::with_capacity(total);
            for (&v, &n) in values.iter().zip(counts) {
                out.extend(std::iter::repeat_n(v, n as usize));
            }
            out
        }
        match self {
            ColumnData::F64(v) => ColumnData::F64(rep(v, counts)),
            ColumnData::MappedF64(v) => ColumnData::F64(rep(v.as_slice(), counts)),
            ColumnData::F32(v) => ColumnData::F32(rep(v, counts)),
            ColumnData::I32(v) => ColumnData::I32(rep(v, counts)),
            ColumnData::U32(v) => ColumnData::U32(rep(v, counts)),
            ColumnData::I64(v) => ColumnData::I64(rep(v, counts)),
            ColumnData::Bool(v) => ColumnData::Bool(rep(v, counts)),
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a value given as f64, converted to the column's type (the toy builds rows
    /// as numbers; integer columns receive integral values).
    pub fn push_f64(&mut self, v: f64) {
        self.own();
        match self {
            ColumnData::F64(c) => c.push(v),
            ColumnData::MappedF64(_) => unreachable!("owned above"),
            ColumnData::F32(c) => c.push(v as f32),
            ColumnData::I32(c) => c.push(v as i32),
            ColumnData::U32(c) => c.push(v as u32),
            ColumnData::I64(c) => c.push(v as i64),
            ColumnData::Bool(c) => c.push(v != 0.0),
        }
    }

    /// Every value as f64 (one pass per storage type, no per-value dispatch).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        self.range_to_f64(0..self.len())
    }

    /// The values of rows `rows` as f64.
    pub fn range_to_f64(&self, rows: std::ops::Range<usize>) -> Vec<f64> {
        match self {
            ColumnData::F64(c) => c[rows].to_vec(),
            ColumnData::MappedF64(c) => c.as_slice()[rows].to_vec(),
            ColumnData::F32(c) => c[rows].iter().map(|&x| f64::from(x)).collect(),
            ColumnData::I32(c) => c[rows].iter().map(|&x| f64::from(x)).collect(),
            ColumnData::U32(c) => c[rows].iter().map(|&x| f64::from(x)).collect(),
            ColumnData::I64(c) => c[rows].iter().map(|&x| x as f64).collect(),
            ColumnData::Bool(c) => c[rows].iter().map(|&x| f64::from(u8::from(x))).collect(),
        }
    }

    /// The value at `i` as f64.
    pub fn get_f64(&self, i: usize) -> f64 {
        match self {
            ColumnData::F64(c) => c[i],
            ColumnData::MappedF64(c) => c.as_slice()[i],
            ColumnData::F32(c) => f64::from(c[i]),
            ColumnData::I32(c) => f64::from(c[i]),
            ColumnData::U32(c) => f64::from(c[i]),
            ColumnData::I64(c) => c[i] as f64,
            ColumnData::Bool(c) => f64::from(u8::from(c[i])),
        }
    }

    /// Splits off the values from `at` on.
    pub fn split_off(&mut self, at: usize) -> ColumnData {
        self.own();
        match self {
            ColumnData::F64(c) => ColumnData::F64(c.split_off(at)),
            ColumnData::MappedF64(_) => unreachable!("owned above"),
            ColumnData::F32(c) => ColumnData::F32(c.split_off(at)),
            ColumnData::I32(c) => ColumnData::I32(c.split_off(at)),
            ColumnData::U32(c) => ColumnData::U32(c.split_off(at)),
            ColumnData::I64(c) => ColumnData::I64(c.split_off(at)),
            ColumnData::Bool(c) => ColumnData::Bool(c.split_off(at)),
        }
    }

    /// Appends all values of another column of the same type.
    pub fn extend(&mut self, mut other: ColumnData) {
        self.own();
        other.own();
        match (self, other) {
            (ColumnData::F64(a), ColumnData::F64(b)) => a.extend(b),
            (ColumnData::F32(a), ColumnData::F32(b)) => a.extend(b),
            (ColumnData::I32(a), ColumnData::I32(b)) => a.extend(b),
            (ColumnData::U32(a), ColumnData::U32(b)) => a.extend(b),
            (ColumnData::I64(a), ColumnData::I64(b)) => a.extend(b),
            (ColumnData::Bool(a), ColumnData::Bool(b)) => a.extend(b),
            _ => panic!("extend: column types differ (a bug in the caller)"),
        }
    }
}

/// A named column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Branch name.
    pub name: String,
    /// Values.
    pub data: ColumnData,
}

/// Columns of equal length.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ColumnTable {
    /// The columns, in schema order.
    pub columns: Vec<Column>,
}

impl ColumnTable {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// The column with this name.
    pub fn column(&self, name: &str) -> Option<&ColumnData> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.data)
    }

    /// Splits off the rows from `at` on into a new table.
    pub fn split_off(&mut self, at: usize) -> ColumnTable {
        ColumnTable {
            columns: self
                .columns
                .iter_mut()
                .map(|c| Column {
                    name: c.name.clone(),
                    data: c.data.split_off(at),
                })
                .collect(),
        }
    }

    /// `empty` (the columns, without rows) followed by every chunk, in order.
    pub fn concat<E>(
        empty: ColumnTable,
        chunks: impl IntoIterator<Item = Result<ColumnTable, E>>,
    ) -> Result<ColumnTable, E> {
        let mut table = empty;
        for chunk in chunks {
            table.append(chunk?);
        }
        Ok(table)
    }

    /// Adds a column holding `value` in every row.
    pub fn push_constant(&mut self, name: &str, value: f64) {
        let rows = self.rows();
        self.columns.push(Column {
            name: name.to_owned(),
            data: ColumnData::F64(vec![value; rows]),
        });
    }

    /// Appends the rows of `other`, which has the same columns in the same order.
    pub fn append(&mut self, other: ColumnTable) {
        if self.columns.is_empty() {
            *self = other;
            return;
        }
        for (a, b) in self.columns.iter_mut().zip(other.columns) {
            debug_assert_eq!(a.name, b.name);
            a.data.extend(b.data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_values_read_in_place_and_become_owned_when_changed() {
        let values: Vec<f64> = (0..100).map(|i| i as f64 / 3.0).collect();
        let path = std::env::temp_dir().join(format!("searchlight-mapped-{}", std::process::id()));
        let mut bytes = vec![0u8; 64];
        bytes.extend_from_slice(bytemuck::cast_slice(&values));
        std::fs::write(&path, &bytes).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        // SAFETY: the file is this test's own and not changed while mapped.
        let map = Arc::new(unsafe { memmap2::Mmap::map(&file) }.unwrap());
        assert!(MappedF64::new(map.clone(), 60, 10).is_none(), "misaligned");
        assert!(
            MappedF64::new(map.clone(), 64, 101).is_none(),
            "beyond the file"
        );
        assert!(
            MappedF64::new(map.clone(), 64, usize::MAX).is_none(),
            "overflow"
        );
        let mapped = ColumnData::MappedF64(MappedF64::new(map, 64, 100).unwrap());
        assert_eq!(mapped.as_f64(), Some(&values[..]));
        assert_eq!(mapped, ColumnData::F64(values.clone()));
        assert_ne!(mapped, ColumnData::F32(vec![0.0; 100]));
        assert_eq!((mapped.type_name(), mapped.len()), ("f64", 100));
        assert_eq!(mapped.get_f64(3), 1.0);
        assert_eq!(mapped.range_to_f64(3..6), values[3..6]);

        let mut front = mapped.clone();
        let back = front.split_off(40);
        assert!(matches!(front, ColumnData::F64(_)), "owned once changed");
        assert_eq!(
            (front.as_f64(), back.as_f64()),
            (Some(&values[..40]), Some(&values[40..]))
        );
        let mut joined = ColumnData::F64(Vec::new());
        joined.extend(mapped.clone());
        joined.push_f64(7.5);
        assert_eq!(joined.as_f64().unwrap()[..100], values[..]);
        assert_eq!(joined.len(), 101);
        std::fs::remove_file(path).unwrap();
    }
}
