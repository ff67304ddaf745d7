//! Parquet
