//! A run's provenance: the spec's bytes and canonical meaning (SHA-256), the analysis
//! repository's commit and dirty state, the hashes of the MVA models, correction files and tables, the searchlight version
//! and platform; the inputs' records are added by [`super::execute`].

use super::file_hash;
use crate::diag::{Diagnostic, SourceMap};
use crate::report::results::{CorrectionFile, ModelFile, Provenance};
use crate::spec::Spec;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

/// The provenance of a run of the prepared spec read from `path`, without its inputs.
pub fn provenance(path: &Path, prepared: &super::Prepared) -> Result<Provenance, Diagnostic> {
    let (spec, sources, base) = (&*prepared.spec, &prepared.sources, &*prepared.base);
    let unblind = prepared.unblinded;
    let read = |p: &Path| {
        crate::io::regular::read_to_string(p, crate::spec::MAX_SPEC_BYTES)
            .map_err(|e| e.to_string())
    };
    let canonical = crate::spec::canonical::tree(path, &read)
        .map(|tree| format!("{:x}", Sha256::digest(tree.to_string().as_bytes())))
        .unwrap_or_default();
    Ok(Provenance {
        spec: path.display().to_string(),
        spec_sha256: spec_hash(spec, sources),
        canonical_sha256: canonical,
        analysis_repository: repository_state(base),
        unblinded: unblind,
        mva: file_hashes(
            base,
            spec.mva.iter().map(|m| (&m.name.value, &m.model.value)),
            |model, sha256| ModelFile { model, sha256 },
        )?,
        corrections: file_hashes(
            base,
            spec.corrections
                .iter()
                .map(|c| (&c.name.value, &c.file.value)),
            |file, sha256| CorrectionFile { file, sha256 },
        )?,
        tables: spec
            .table_files()
            .into_iter()
            .map(|file| Ok((file.to_string(), file_hash(&base.join(file))?)))
            .collect::<Result<_, Diagnostic>>()?,
        searchlight_version: env!("CARGO_PKG_VERSION").into(),
        searchlight_commit: env!("SEARCHLIGHT_GIT_COMMIT").into(),
        platform: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        inputs: BTreeMap::new(),
    })
}

/// The commit and dirty state of the git repository holding `dir`, or null.
fn repository_state(dir: &Path) -> Value {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    match (git(&["rev-parse", "HEAD"]), git(&["status", "--porcelain"])) {
        (Some(commit), Some(status)) => json!({ "commit": commit, "dirty": !status.is_empty() }),
        _ => Value::Null,
    }
}

/// Each named file (as written in the spec) and its SHA-256 as `record` makes them: the
/// MVA models, the correction files.
fn file_hashes<'a, R>(
    base: &Path,
    files: impl Iterator<Item = (&'a String, &'a String)>,
    record: impl Fn(String, String) -> R,
) -> Result<BTreeMap<String, R>, Diagnostic> {
    files
        .map(|(name, file)| {
            let hash = file_hash(&base.join(file))?;
            Ok((name.clone(), record(file.clone(), hash)))
        })
        .collect()
}

/// SHA-256 of the spec's bytes followed by each included fragment's.
pub fn spec_hash(spec: &Spec, sources: &SourceMap) -> String {
    let mut h = Sha256::new();
    for id in std::iter::once(spec.root).chain(spec.includes.iter().copied()) {
        h.update(sources.file(id).text.as_bytes());
    }
    format!("{:x}", h.finalize())
}
