//! An in-memory column table: what readers produce, the toy generates, and writers store.

use super::ColumnType;

/// The values of one column.
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnData {
    /// 64-bit floats.
    F64(Vec<f64>),
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
            ColumnData::F64(_) => "f64",
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
            ColumnData::F32(v) => v.len(),
            ColumnData::I32(v) => v.len(),
            ColumnData::U32(v) => v.len(),
            ColumnData::I64(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a value given as f64, converted to the column's type (the toy builds rows
    /// as numbers; integer columns receive integral values).
    pub fn push_f64(&mut self, v: f64) {
        match self {
            ColumnData::F64(c) => c.push(v),
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
            ColumnData::F32(c) => f64::from(c[i]),
            ColumnData::I32(c) => f64::from(c[i]),
            ColumnData::U32(c) => f64::from(c[i]),
            ColumnData::I64(c) => c[i] as f64,
            ColumnData::Bool(c) => f64::from(u8::from(c[i])),
        }
    }

    /// Splits off the values from `at` on.
    pub fn split_off(&mut self, at: usize) -> ColumnData {
        match self {
            ColumnData::F64(c) => ColumnData::F64(c.split_off(at)),
            ColumnData::F32(c) => ColumnData::F32(c.split_off(at)),
            ColumnData::I32(c) => ColumnData::I32(c.split_off(at)),
            ColumnData::U32(c) => ColumnData::U32(c.split_off(at)),
            ColumnData::I64(c) => ColumnData::I64(c.split_off(at)),
            ColumnData::Bool(c) => ColumnData::Bool(c.split_off(at)),
        }
    }

    /// Appends all values of another column of the same type.
    pub fn extend(&mut self, other: ColumnData) {
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
pub struct Table {
    /// The columns, in schema order.
    pub columns: Vec<Column>,
}

impl Table {
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
    pub fn split_off(&mut self, at: usize) -> Table {
        Table {
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
        empty: Table,
        chunks: impl IntoIterator<Item = Result<Table, E>>,
    ) -> Result<Table, E> {
        let mut table = empty;
        for chunk in chunks {
            table.append(chunk?);
        }
        Ok(table)
    }

    /// Appends the rows of `other`, which has the same columns in the same order.
    pub fn append(&mut self, other: Table) {
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
