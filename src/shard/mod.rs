//! Scale-out: a run split into deterministic shards that a batch system runs, and the
//! exact merge of their partial results.
//!
//! What shards divide is the [`Layout`]: every chunk (ROOT cluster, Parquet row group) of
//! every file of every input, in spec order, with its row count. Shard `I` of `N` takes
//! the contiguous run of chunks whose middle row falls in the `I`-th of `N` equal slices
//! of all rows (balanced by rows, the unit of work), and owns the *events* that start in
//! those chunks ([`slice`]: an event whose candidates straddle a shard boundary is read
//! whole by the shard it starts in). Each shard writes a [`partial`] result; merging the
//! partials in shard order gives exactly the selection of a single-process run (cutflow
//! sums are exact, candidate tables are concatenated in input order), so the statistics
//! stage run after the merge writes a byte-identical `results.json`.

pub mod batch;
pub mod merge;
pub mod partial;
pub mod slice;

use sha2::{Digest, Sha256};
use std::ops::Range;

/// Partial results that cannot be read or merged (`SL210`): unreadable, corrupt or
/// truncated, from another spec, input set or build, duplicate or missing; the message
/// says which and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PartialError(pub String);

impl PartialError {
    /// The diagnostic code, `SL210`.
    pub fn code(&self) -> &'static str {
        crate::diag::codes::PARTIAL
    }
}

/// Shard `index` (1-based) of `count`; `1/1` is a whole run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// 1 ≤ index ≤ count.
    pub index: usize,
    /// Number of shards.
    pub count: usize,
}

impl Shard {
    /// The whole run as one shard.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// Parses `I/N` with 1 ≤ I ≤ N (`--shard 3/4` is the third of four).
    fn from_str(s: &str) -> Result<Self, String> {
        let (i, n) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` is not I/N (e.g. 1/4 for the first of four shards)"))?;
        let parse = |x: &str| x.trim().parse::<usize>().ok();
        match (parse(i), parse(n)) {
            (Some(index), Some(count)) if count >= 1 && (1..=count).contains(&index) => {
                Ok(Shard { index, count })
            }
            _ => Err(format!(
                "`{s}` is not I/N with 1 ≤ I ≤ N (shards are numbered from 1)"
            )),
        }
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One file of an input: its path as opened and the rows of each chunk.
#[derive(Clone, Debug, PartialEq)]
pub struct FileLayout {
    /// The path, as resolved from the spec.
    pub path: String,
    /// Rows of each chunk, in order.
    pub chunk_rows: Vec<u64>,
}

/// The files of one input.
#[derive(Clone, Debug, PartialEq)]
pub struct InputLayout {
    /// Input name.
    pub name: String,
    /// Files in order.
    pub files: Vec<FileLayout>,
}

/// Everything a run reads, chunk by chunk: what shards divide.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Layout {
    /// Inputs in spec order.
    pub inputs: Vec<InputLayout>,
}

/// What one shard does with one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileWork {
    /// The chunks whose events this shard owns.
    pub chunks: Range<usize>,
    /// Whether this shard records the file's SHA-256 (exactly one shard does).
    pub hash: bool,
}

impl Layout {
    /// Total rows.
    pub fn rows(&self) -> u64 {
        self.files().flat_map(|f| &f.chunk_rows).sum()
    }

    fn files(&self) -> impl Iterator<Item = &FileLayout> {
        self.inputs.iter().flat_map(|i| &i.files)
    }

    /// A fingerprint of the layout: shards of one run must agree on it.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for input in &self.inputs {
            h.update(format!("input {:?}\n", input.name));
            for f in &input.files {
                h.update(format!("file {:?} {:?}\n", f.path, f.chunk_rows));
            }
        }
        format!("{:x}", h.finalize())
    }

    /// The work of `shard`: per input, per file.
    pub fn assign(&self, shard: Shard) -> Vec<Vec<FileWork>> {
        let total = self.rows();
        let n = shard.count as u128;
        // The shard a position (in half rows, so a chunk's middle is exact) falls in.
        let shard_of = |half_rows: u128| -> usize {
            if total == 0 {
                return 1;
            }
            ((half_rows * n / (2 * total as u128)).min(n - 1) + 1) as usize
        };
        let mut start = 0u128;
        self.inputs
            .iter()
            .map(|input| {
                input
                    .files
                    .iter()
                    .map(|file| {
                        let hash = shard_of(2 * start) == shard.index;
                        let mut first = None;
                        let mut end = 0;
                        for (c, &rows) in file.chunk_rows.iter().enumerate() {
                            if shard_of(2 * start + rows as u128) == shard.index {
                                first.get_or_insert(c);
                                end = c + 1;
                            }
                            start += rows as u128;
                        }
                        let chunks = first.map_or(0..0, |f| f..end);
                        FileWork { chunks, hash }
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(files: &[&[u64]]) -> Layout {
        Layout {
            inputs: vec![InputLayout {
                name: "data".into(),
                files: files
                    .iter()
                    .enumerate()
                    .map(|(i, rows)| FileLayout {
                        path: format!("f{i}.parquet"),
                        chunk_rows: rows.to_vec(),
                    })
                    .collect(),
            }],
        }
    }

    #[test]
    fn shards_parse_from_one() {
        assert_eq!("2/4".parse(), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "1", "a/b", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_chunk_and_every_file_hash_has_exactly_one_shard() {
        let l = layout(&[&[100, 100, 100], &[], &[50, 250, 10], &[1000]]);
        for count in 1..=12 {
            let works: Vec<_> = (1..=count)
                .map(|index| l.assign(Shard { index, count }))
                .collect();
            for (f, file) in l.inputs[0].files.iter().enumerate() {
                let hashes = works.iter().filter(|w| w[0][f].hash).count();
                assert_eq!(hashes, 1, "file {f}, {count} shards");
                let mut owners = vec![0; file.chunk_rows.len()];
                for w in &works {
                    for c in w[0][f].chunks.clone() {
                        owners[c] += 1;
                    }
                }
                assert!(owners.iter().all(|&o| o == 1), "{owners:?}");
            }
        }
    }

    #[test]
    fn shards_are_balanced_by_rows() {
        let l = layout(&[&[100; 40]]);
        let rows: Vec<u64> = (1..=4)
            .map(|index| {
                let w = &l.assign(Shard { index, count: 4 })[0][0];
                w.chunks
                    .clone()
                    .map(|c| l.inputs[0].files[0].chunk_rows[c])
                    .sum()
            })
            .collect();
        assert_eq!(rows, vec![1000; 4]);
    }
}
