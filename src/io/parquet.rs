//! Parquet files: a writer for tables (the toy and `skim`) and a projecting, streaming
//! reader (one row group at a time).
//!
//! arrow-rs's `parquet` crate does the format work; its low-level column API is used
//! without Arrow, which keeps the build small and the flat numeric columns of ntuples
//! zero-copy into our own vectors.

use super::IoError;
use super::guard;
use super::table::{Column, ColumnData, ColumnTable};
use crate::diag::{codes, did_you_mean};
use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical, ZstdLevel};
use parquet::column::reader::ColumnReader;
use parquet::data_type::{BoolType, DoubleType, FloatType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::reader::{ChunkReader, FileReader, Length, SerializedFileReader};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use std::fs::File;
use std::io::{BufReader, Read};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn corrupt(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::new(
        codes::NOT_DATA,
        format!("{} is not a readable Parquet file: {e}", path.display()),
    )
}

/// Writes tables as row groups of one Parquet file. The file appears under its final name
/// only when [`finish`](Self::finish) succeeds: a failed or interrupted write leaves no
/// file that could be mistaken for a complete one.
pub struct ParquetWriter {
    writer: Option<SerializedFileWriter<File>>,
    temp: PathBuf,
    /// Removes `temp` if the run is interrupted (declared after `writer`: dropped after).
    _partial: crate::interrupt::Partial,
    path: PathBuf,
    rows: u64,
}

fn field(c: &Column) -> Type {
    let (physical, logical) = match c.data {
        ColumnData::F64(_) | ColumnData::MappedF64(_) => (Physical::DOUBLE, None),
        ColumnData::F32(_) => (Physical::FLOAT, None),
        ColumnData::I32(_) => (Physical::INT32, None),
        ColumnData::U32(_) => (Physical::INT32, Some(LogicalType::integer(32, false))),
        ColumnData::I64(_) => (Physical::INT64, None),
        ColumnData::Bool(_) => (Physical::BOOLEAN, None),
    };
    Type::primitive_type_builder(&c.name, physical)
        .with_repetition(Repetition::REQUIRED)
        .with_logical_type(logical)
        .build()
        .expect("a flat required column is a valid Parquet type")
}

impl ParquetWriter {
    /// Starts a zstd-compressed file whose columns are those of `like`.
    pub fn create(path: &Path, like: &ColumnTable) -> Result<Self, IoError> {
        let fields = like.columns.iter().map(|c| Arc::new(field(c))).collect();
        let schema = Type::group_type_builder("schema")
            .with_fields(fields)
            .build()
            .expect("valid group");
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(3).expect("level 3 is valid"),
            ))
            .set_created_by(format!("searchlight {}", env!("CARGO_PKG_VERSION")))
            .build();
        if let Some(dir) = path.parent() {
            super::stale::remove_dead_partials(dir);
        }
        let temp = path.with_extension(format!("partial-{}", std::process::id()));
        let file = File::create(&temp).map_err(|e| {
            IoError::new(codes::IO, format!("cannot create {}: {e}", temp.display()))
        })?;
        let writer = SerializedFileWriter::new(file, Arc::new(schema), Arc::new(props))
            .map_err(|e| corrupt(path, e))?;
        Ok(ParquetWriter {
            writer: Some(writer),
            _partial: crate::interrupt::track(&temp),
            temp,
            path: path.to_path_buf(),
            rows: 0,
        })
    }

    /// Appends a table as one row group.
    pub fn write(&mut self, table: &ColumnTable) -> Result<(), IoError> {
        let path = self.path.clone();
        let err = |e: parquet::errors::ParquetError| {
            IoError::new(codes::IO, format!("cannot write {}: {e}", path.display()))
        };
        let writer = self.writer.as_mut().expect("not finished");
        let mut group = writer.next_row_group().map_err(err)?;
        for c in &table.columns {
            let mut col = group
                .next_column()
                .map_err(err)?
                .expect("one writer per schema column");
            match &c.data {
                ColumnData::F64(v) => col.typed::<DoubleType>().write_batch(v, None, None),
                ColumnData::MappedF64(v) => {
                    col.typed::<DoubleType>()
                        .write_batch(v.as_slice(), None, None)
                }
                ColumnData::F32(v) => col.typed::<FloatType>().write_batch(v, None, None),
                ColumnData::I32(v) => col.typed::<Int32Type>().write_batch(v, None, None),
                ColumnData::U32(v) => {
                    let bits: Vec<i32> = v.iter().map(|&x| x as i32).collect();
                    col.typed::<Int32Type>().write_batch(&bits, None, None)
                }
                ColumnData::I64(v) => col.typed::<Int64Type>().write_batch(v, None, None),
                ColumnData::Bool(v) => col.typed::<BoolType>().write_batch(v, None, None),
            }
            .map_err(err)?;
            col.close().map_err(err)?;
        }
        group.close().map_err(err)?;
        self.rows += table.rows() as u64;
        Ok(())
    }

    /// Completes the file and moves it to its final name; returns the number of rows.
    pub fn finish(mut self) -> Result<u64, IoError> {
        let writer = self.writer.take().expect("finish once");
        writer.close().map_err(|e| {
            IoError::new(
                codes::IO,
                format!("cannot write {}: {e}", self.path.display()),
            )
        })?;
        std::fs::rename(&self.temp, &self.path).map_err(|e| {
            IoError::new(
                codes::IO,
                format!("cannot move {} into place: {e}", self.path.display()),
            )
        })?;
        Ok(self.rows)
    }
}

impl Drop for ParquetWriter {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// The column a flat Parquet column is read into, and whether it is an unsigned 64-bit
/// one (refused above 2^63 when read); nested and unsupported columns are errors.
fn column_kind(
    desc: &parquet::schema::types::ColumnDescriptor,
    name: &str,
    path: &Path,
) -> Result<(ColumnData, bool), IoError> {
    let unsigned = matches!(desc.logical_type_ref(), Some(LogicalType::Integer(t)) if !t.is_signed);
    let empty = match (desc.physical_type(), unsigned) {
        // Optional flat columns are fine (pyarrow and polars write them); nulls in them
        // are refused when read. Nested columns are not ntuple columns.
        _ if desc.max_rep_level() > 0 || desc.max_def_level() > 1 => {
            return Err(IoError::new(
                codes::UNSUPPORTED_COLUMN,
                format!(
                    "column `{name}` of {} is nested (a list or struct), which flat ntuples do not use",
                    path.display()
                ),
            ));
        }
        (Physical::DOUBLE, _) => ColumnData::F64(Vec::new()),
        (Physical::FLOAT, _) => ColumnData::F32(Vec::new()),
        (Physical::INT32, false) => ColumnData::I32(Vec::new()),
        (Physical::INT32, true) => ColumnData::U32(Vec::new()),
        (Physical::INT64, _) => ColumnData::I64(Vec::new()),
        (Physical::BOOLEAN, _) => ColumnData::Bool(Vec::new()),
        (other, _) => {
            return Err(IoError::new(
                codes::UNSUPPORTED_COLUMN,
                format!(
                    "column `{name}` of {} has the unsupported type {other}",
                    path.display()
                ),
            ));
        }
    };
    Ok((empty, unsigned && desc.physical_type() == Physical::INT64))
}

/// A file read by position (`pread`), so that row groups can be decoded on several
/// threads at once: `File`'s own `ChunkReader` seeks the one file offset its clones
/// share, and concurrent readers then read each other's bytes.
struct PositionalFile(Arc<File>);

/// A reader from a position of a [`PositionalFile`].
struct PositionalRead {
    file: Arc<File>,
    at: u64,
}

impl Read for PositionalRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(buf, self.at)?;
        self.at += n as u64;
        Ok(n)
    }
}

impl Length for PositionalFile {
    fn len(&self) -> u64 {
        self.0.metadata().map_or(0, |m| m.len())
    }
}

impl ChunkReader for PositionalFile {
    type T = BufReader<PositionalRead>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<Self::T> {
        Ok(BufReader::new(PositionalRead {
            file: self.0.clone(),
            at: start,
        }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        Ok(super::fresh_read::read_values_at::<u8>(&self.0, start, length)?.into())
    }
}

/// Opens a file and parses its footer, with decoder panics contained.
fn file_reader(path: &Path) -> Result<SerializedFileReader<PositionalFile>, IoError> {
    let file = super::regular::open(path)
        .map_err(|e| IoError::new(codes::IO, format!("cannot open {}: {e}", path.display())))?;
    let file = PositionalFile(Arc::new(file));
    guard::contain(|| SerializedFileReader::new(file))
        .map_err(|panic| corrupt(path, panic))?
        .map_err(|e| corrupt(path, e))
}

/// A Parquet file opened for reading a projection of its columns, row group by row group.
pub struct ParquetReader {
    reader: SerializedFileReader<PositionalFile>,
    path: PathBuf,
    /// (column index in the file, name, storage type, unsigned 64-bit) of each projected column.
    projection: Vec<(usize, String, ColumnData, bool)>,
}

impl ParquetReader {
    /// Opens `path`, projecting onto `columns` (all columns when `None`). Unknown columns
    /// and types that are not flat numbers or booleans are errors naming the column.
    pub fn open(path: &Path, columns: Option<&[&str]>) -> Result<Self, IoError> {
        let reader = file_reader(path)?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let available: Vec<String> = schema.columns().iter().map(|c| c.path().string()).collect();
        let wanted: Vec<String> = match columns {
            Some(cols) => cols.iter().map(|c| c.to_string()).collect(),
            None => available.clone(),
        };
        let mut projection = Vec::new();
        for name in wanted {
            // A nested column's leaves are `name.list.element` and the like: found by
            // their top-level name, and refused below as nested.
            let position = available.iter().position(|a| *a == name).or_else(|| {
                available
                    .iter()
                    .position(|a| a.split('.').next() == Some(name.as_str()))
            });
            let Some(i) = position else {
                let hint = did_you_mean(&name, available.iter().map(String::as_str))
                    .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return Err(IoError::new(
                    codes::MISSING_COLUMN,
                    format!("{} has no column `{name}`{hint}", path.display()),
                ));
            };
            let (empty, u64_column) = column_kind(&schema.column(i), &name, path)?;
            projection.push((i, name, empty, u64_column));
        }
        Ok(ParquetReader {
            reader,
            path: path.to_path_buf(),
            projection,
        })
    }

    /// Every top-level column of a file with what it holds (its storage type, or why it
    /// cannot be read), from one read of the footer (for editors).
    pub fn describe_columns(path: &Path) -> Result<Vec<(String, String)>, IoError> {
        let reader = file_reader(path)?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        let leaves: Vec<String> = schema.columns().iter().map(|c| c.path().string()).collect();
        Ok(schema
            .root_schema()
            .get_fields()
            .iter()
            .map(|f| {
                let name = f.name().to_string();
                let leaf = leaves
                    .iter()
                    .position(|a| *a == name || a.split('.').next() == Some(name.as_str()));
                let what = match leaf.map(|i| column_kind(&schema.column(i), &name, path)) {
                    Some(Ok((data, _))) => data.type_name().to_string(),
                    Some(Err(e)) => format!("not readable: {}", e.message),
                    None => "not readable: no values".into(),
                };
                (name, what)
            })
            .collect())
    }

    /// Every top-level column of a file, by name (for checking a spec against its input;
    /// nested ones are listed too, so that using one is refused by name when read).
    pub fn column_names(path: &Path) -> Result<Vec<String>, IoError> {
        let reader = file_reader(path)?;
        let schema = reader.metadata().file_metadata().schema_descr_ptr();
        Ok(schema
            .root_schema()
            .get_fields()
            .iter()
            .map(|f| f.name().to_string())
            .collect())
    }

    /// The projected columns with their storage types, to compare files of one input.
    pub fn signature(&self) -> Vec<(&str, &'static str)> {
        self.projection
            .iter()
            .map(|(_, name, data, _)| (name.as_str(), data.type_name()))
            .collect()
    }

    /// Number of rows in the file.
    pub fn rows(&self) -> u64 {
        self.reader.metadata().file_metadata().num_rows().max(0) as u64
    }

    /// Number of row groups (the unit of streaming).
    pub fn row_groups(&self) -> usize {
        self.reader.num_row_groups()
    }

    /// Number of rows of row group `g`.
    pub fn row_group_rows(&self, g: usize) -> u64 {
        self.reader.metadata().row_group(g).num_rows().max(0) as u64
    }

    /// The projected columns of row group `g`.
    pub fn read_row_group(&self, g: usize) -> Result<ColumnTable, IoError> {
        guard::contain(|| self.decode_row_group(g)).map_err(|panic| corrupt(&self.path, panic))?
    }

    fn decode_row_group(&self, g: usize) -> Result<ColumnTable, IoError> {
        let group = self
            .reader
            .get_row_group(g)
            .map_err(|e| corrupt(&self.path, e))?;
        let rows = usize::try_from(group.metadata().num_rows()).unwrap_or(0);
        let mut columns = Vec::with_capacity(self.projection.len());
        for (i, name, empty, u64_column) in &self.projection {
            let reader = group
                .get_column_reader(*i)
                .map_err(|e| corrupt(&self.path, e))?;
            let data = read_column(reader, empty, rows).map_err(|e| {
                let e = e.to_string();
                if e.contains(NULLS) {
                    IoError::new(
                        codes::UNSUPPORTED_COLUMN,
                        format!("column `{name}` of {} has {NULLS}", self.path.display()),
                    )
                } else {
                    corrupt(&self.path, format!("column `{name}`: {e}"))
                }
            })?;
            // Unsigned 64-bit values are held as i64: exact below 2^63, refused above.
            if *u64_column && matches!(&data, ColumnData::I64(v) if v.iter().any(|&x| x < 0)) {
                return Err(IoError::new(
                    codes::UNSUPPORTED_COLUMN,
                    format!(
                        "column `{name}` of {} holds unsigned values of 2^63 or more",
                        self.path.display()
                    ),
                ));
            }
            if data.len() != rows {
                return Err(corrupt(
                    &self.path,
                    format!("column `{name}` has {} of {rows} values", data.len()),
                ));
            }
            columns.push(Column {
                name: name.clone(),
                data,
            });
        }
        Ok(ColumnTable { columns })
    }

    /// All projected rows (small files and tests; analyses stream row groups).
    pub fn read_all(&self) -> Result<ColumnTable, IoError> {
        let empty = ColumnTable {
            columns: self
                .projection
                .iter()
                .map(|(_, n, e, _)| Column {
                    name: n.clone(),
                    data: e.clone(),
                })
                .collect(),
        };
        ColumnTable::concat(
            empty,
            (0..self.row_groups()).map(|g| self.read_row_group(g)),
        )
    }
}

/// The message `read_column` gives for null values.
const NULLS: &str = "null values, which ntuple columns cannot hold";

fn read_column(
    reader: ColumnReader,
    like: &ColumnData,
    rows: usize,
) -> parquet::errors::Result<ColumnData> {
    macro_rules! read {
        ($r:expr, $t:ty) => {{
            let mut r = $r;
            let mut values: Vec<$t> = Vec::with_capacity(rows);
            let mut levels: Vec<i16> = Vec::with_capacity(rows);
            let mut records = 0;
            while records < rows {
                let (n, _, _) =
                    r.read_records(rows - records, Some(&mut levels), None, &mut values)?;
                if n == 0 {
                    break;
                }
                records += n;
            }
            if values.len() < records {
                return Err(parquet::errors::ParquetError::General(NULLS.into()));
            }
            values
        }};
    }
    Ok(match (reader, like) {
        (ColumnReader::DoubleColumnReader(r), _) => ColumnData::F64(read!(r, f64)),
        (ColumnReader::FloatColumnReader(r), _) => ColumnData::F32(read!(r, f32)),
        (ColumnReader::Int32ColumnReader(r), ColumnData::U32(_)) => {
            ColumnData::U32(read!(r, i32).into_iter().map(|v| v as u32).collect())
        }
        (ColumnReader::Int32ColumnReader(r), _) => ColumnData::I32(read!(r, i32)),
        (ColumnReader::Int64ColumnReader(r), _) => ColumnData::I64(read!(r, i64)),
        (ColumnReader::BoolColumnReader(r), _) => ColumnData::Bool(read!(r, bool)),
        _ => {
            return Err(parquet::errors::ParquetError::General(
                "unexpected column reader".into(),
            ));
        }
    })
}
