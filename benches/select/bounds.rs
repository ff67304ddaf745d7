//! Two floors for the benchmark's workload, measured on the same machine and input, so
//! that the ratios to the peers can be read against what is attainable at all:
//! - decompressing the pages of the used columns and nothing else (the parquet crate's
//!   page reader over libzstd, the decompressor Polars uses too): no engine that reads
//!   the file can finish faster;
//! - the query written by hand as one loop over the columns in memory, compiled for this
//!   machine's vector instructions, filling only the histogram (no cutflow, no
//!   interpretation of a spec): what an engine reaches at best from memory.

use parquet::file::reader::{FileReader, SerializedFileReader};
use rayon::prelude::*;
use searchlight::io::table::{ColumnData, ColumnTable};
use std::ops::Range;
use std::path::Path;

/// Decompresses every page of `columns` of the file at `path`, row groups spread over the
/// current rayon pool; returns the decompressed bytes.
pub fn decompress_pages(path: &Path, columns: &[&str]) -> usize {
    let open = || SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let reader = open();
    let schema = reader.metadata().file_metadata().schema_descr_ptr();
    let indices: Vec<usize> = columns
        .iter()
        .map(|name| {
            (0..schema.num_columns())
                .find(|&i| schema.column(i).name() == *name)
                .unwrap()
        })
        .collect();
    (0..reader.num_row_groups())
        .into_par_iter()
        .map_init(open, |reader, g| {
            let group = reader.get_row_group(g).unwrap();
            indices
                .iter()
                .map(|&i| {
                    group
                        .get_column_page_reader(i)
                        .unwrap()
                        .map(|page| page.unwrap().buffer().len())
                        .sum::<usize>()
                })
                .sum::<usize>()
        })
        .sum()
}

const LOW: f64 = -5.0;
const BINS: usize = 100;
/// Rows per block: the masks and bins of a block stay in the first-level cache.
const BLOCK: usize = 4096;

/// The benchmark's query over chunks of rows of a table in memory, by hand, chunks
/// spread over the current rayon pool: the 100-bin histogram of `d3 = x6 + 2 x7` for the
/// rows passing the five cuts.
pub fn hand_written_query(table: &ColumnTable, chunks: &[Range<usize>]) -> Vec<u64> {
    let columns: Vec<&[f64]> = (0..10)
        .map(|i| {
            table
                .column(&format!("x{i}"))
                .and_then(ColumnData::as_f64)
                .unwrap_or_else(|| panic!("x{i} is an f64 column"))
        })
        .collect();
    chunks
        .par_iter()
        .map(|rows| {
            let x: Vec<&[f64]> = columns.iter().map(|c| &c[rows.clone()]).collect();
            let mut counts = vec![0u64; BINS + 1];
            let mut bins = [0u32; BLOCK];
            for start in (0..x[0].len()).step_by(BLOCK) {
                let end = (start + BLOCK).min(x[0].len());
                let block: Vec<&[f64]> = x.iter().map(|c| &c[start..end]).collect();
                let bins = &mut bins[..end - start];
                bin_block(&block, bins);
                for &b in bins.iter() {
                    counts[b as usize] += 1;
                }
            }
            counts.truncate(BINS);
            counts
        })
        .reduce(
            || vec![0; BINS],
            |a, b| a.iter().zip(b).map(|(a, b)| a + b).collect(),
        )
}

/// The bin of each row of a block, `BINS` for rows that fail a cut or fall outside the
/// range; in one loop that vectorises, compiled for the widest vector instructions here.
fn bin_block(x: &[&[f64]], bins: &mut [u32]) {
    #[inline(always)]
    fn body(x: &[&[f64]], bins: &mut [u32]) {
        let n = bins.len();
        let (x0, x1, x2, x3, x4) = (&x[0][..n], &x[1][..n], &x[2][..n], &x[3][..n], &x[4][..n]);
        let (x5, x6, x7, x8, x9) = (&x[5][..n], &x[6][..n], &x[7][..n], &x[8][..n], &x[9][..n]);
        for i in 0..n {
            let d0 = x0[i] * x1[i];
            let d1 = (x2[i] * x2[i] + x3[i] * x3[i]).sqrt();
            let d2 = (x4[i] - x5[i]).abs();
            let d3 = x6[i] + 2.0 * x7[i];
            let pass = (x8[i] > -1.0)
                & (d1 < 2.5)
                & (x9[i] > -1.5)
                & (x9[i] < 1.5)
                & (d2 < 2.0)
                & !(-0.1..=0.1).contains(&d0)
                & (LOW..-LOW).contains(&d3);
            let bin = ((d3 - LOW) / 0.1).floor();
            bins[i] = if pass { bin as u32 } else { BINS as u32 };
        }
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq")]
    fn avx512(x: &[&[f64]], bins: &mut [u32]) {
        body(x, bins)
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn avx2(x: &[&[f64]], bins: &mut [u32]) {
        body(x, bins)
    }
    match searchlight::simd::level() {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `level()` is never above what this machine supports.
        searchlight::simd::Level::Avx512 => unsafe { avx512(x, bins) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        searchlight::simd::Level::Avx2 => unsafe { avx2(x, bins) },
        _ => body(x, bins),
    }
}
