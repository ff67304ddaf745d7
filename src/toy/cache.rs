//! Toy inputs of a spec are generated once and cached on disk under a key of the
//! generator version and every parameter, so a rerun reads instead of regenerating.

use super::{Params, generate};
use crate::io::IoError;
use crate::io::parquet::ParquetWriter;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped whenever any generator's output changes for the same parameters: old cache
/// entries then no longer match.
pub const GENERATOR_VERSION: u32 = 3;

/// The cache directory: `$SEARCHLIGHT_CACHE`, else `$XDG_CACHE_HOME/searchlight`, else
/// `~/.cache/searchlight`.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SEARCHLIGHT_CACHE") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("searchlight")
}

/// The cache key of a toy sample: everything its content depends on.
pub fn key(generator: &str, events: u64, seed: u64, params: &Params) -> String {
    let mut sorted = params.0.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut text =
        format!("searchlight-toy v{GENERATOR_VERSION} {generator} events={events} seed={seed}");
    for (name, values) in &sorted {
        let values: Vec<String> = values
            .iter()
            .map(|v| format!("{:?}", v.to_bits()))
            .collect();
        text.push_str(&format!(" {name}={}", values.join(",")));
    }
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// A cached toy sample.
pub struct Materialized {
    /// The Parquet file.
    pub path: PathBuf,
    /// Whether it was generated now.
    pub fresh: bool,
    /// SHA-256 of the file, for provenance.
    pub sha256: String,
    /// Why a cached copy was not used, if one was found and refused.
    pub refused: Option<String>,
}

/// The Parquet file holding the sample, generated into `dir` first if absent or if the
/// cached copy does not match the checksum written beside it when it was generated (a
/// corrupt entry is a miss). Hashes are remembered in `hashes` by file identity, so a
/// rerun reads an unchanged entry without hashing it again.
pub fn materialize(
    dir: &Path,
    hashes: &Path,
    generator: &str,
    events: u64,
    seed: u64,
    params: &Params,
) -> Result<Materialized, IoError> {
    let path = dir.join(format!(
        "{generator}-{}.parquet",
        &key(generator, events, seed, params)[..20]
    ));
    let sidecar = path.with_extension("parquet.sha256");
    let mut refused = None;
    if path.is_file() {
        let expected = std::fs::read_to_string(&sidecar).ok();
        let actual = crate::io::digest::sha256_file_cached(&path, hashes).ok();
        match (expected, actual) {
            (Some(e), Some(a)) if e.trim() == a => {
                return Ok(Materialized {
                    path,
                    fresh: false,
                    sha256: a,
                    refused: None,
                });
            }
            (None, _) => refused = Some("it has no checksum".to_string()),
            _ => refused = Some("its checksum does not match".to_string()),
        }
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&sidecar);
    }
    std::fs::create_dir_all(dir).map_err(|e| IoError {
        code: crate::diag::codes::IO,
        message: format!("cannot create {}: {e}", dir.display()),
    })?;
    let mut writer: Option<ParquetWriter> = None;
    let outcome = generate(generator, events, seed, params, |table| {
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(ParquetWriter::create(&path, &table)?),
        };
        w.write(&table)
    });
    match outcome {
        Err(e) => return Err(IoError::new(e.code(), e.to_string())),
        Ok(Err(e)) => return Err(e),
        Ok(Ok(())) => {}
    }
    match writer {
        Some(w) => w.finish()?,
        None => {
            return Err(IoError {
                code: crate::diag::codes::TOY,
                message: format!("toy input `{generator}` has no events"),
            });
        }
    };
    let sha256 = crate::io::digest::sha256_file(&path).map_err(|e| {
        IoError::new(
            crate::diag::codes::IO,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    crate::io::stale::write_atomically(&sidecar, format!("{sha256}\n").as_bytes()).map_err(
        |e| {
            IoError::new(
                crate::diag::codes::OUTPUT,
                format!("cannot write {}: {e}", sidecar.display()),
            )
        },
    )?;
    Ok(Materialized {
        path,
        fresh: true,
        sha256,
        refused,
    })
}
