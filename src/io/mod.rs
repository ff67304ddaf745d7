//! Readers and writers of ntuples (ROOT TTree, Parquet, the column cache), with projection
//! to the columns a plan needs. `source` opens either format behind one interface. It knows
//! nothing of analyses.

pub mod column_cache;
pub mod digest;
pub mod error;
pub mod files;
pub mod fresh_read;
pub mod guard;
pub mod parquet;
pub mod point_table;
pub mod regular;
pub mod root;
pub mod sink;
pub mod source;
pub mod stale;
pub mod table;

pub use error::IoError;

/// Storage type of an ntuple column (the branch types basf2 writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// 64-bit float (basf2's default).
    F64,
    /// 32-bit float.
    F32,
    /// 8-bit signed integer.
    I8,
    /// 16-bit signed integer.
    I16,
    /// 32-bit signed integer.
    I32,
    /// 32-bit unsigned integer.
    U32,
    /// 64-bit signed integer.
    I64,
    /// 64-bit unsigned integer.
    U64,
    /// Boolean.
    Bool,
}

impl ColumnType {
    /// True for integer and boolean columns, where `==` is exact.
    pub fn is_discrete(self) -> bool {
        !matches!(self, ColumnType::F64 | ColumnType::F32)
    }

    /// Lower-case name (`f64`, `bool`, …).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::F64 => "f64",
            ColumnType::F32 => "f32",
            ColumnType::I8 => "i8",
            ColumnType::I16 => "i16",
            ColumnType::I32 => "i32",
            ColumnType::U32 => "u32",
            ColumnType::I64 => "i64",
            ColumnType::U64 => "u64",
            ColumnType::Bool => "bool",
        }
    }
}
