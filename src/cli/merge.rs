//! `searchlight merge`: combine the partial results of a sharded run, then run the
//! statistics stage and write the outputs exactly as a single-process `run` would.

use super::prepare::{prepare, report, thread_pool};
use super::run::{clear, finish};
use super::{Status, fail};
use crate::diag::codes;
use crate::pipeline::outputs::complete_merged;
use crate::pipeline::provenance::spec_hash;
use crate::shard::merge::merge;
use crate::shard::partial::Partial;
use std::path::{Path, PathBuf};

/// Arguments of `merge`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The partial results of every shard (`shard-I-of-N.partial`), in any order.
    #[arg(required = true)]
    partials: Vec<PathBuf>,
    /// Output directory (default: results/<analysis name>/).
    #[arg(short = 'o', long = "output")]
    output: Option<PathBuf>,
    /// The spec, when it is no longer where the shards ran it from (its hash must match).
    #[arg(long)]
    spec: Option<PathBuf>,
    /// Worker threads for the statistics stage (default: all cores); results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Also write every histogram as a ROOT TH1D into OUTDIR/histograms.root.
    #[arg(long)]
    root_histograms: bool,
}

fn refuse(message: impl std::fmt::Display) -> Status {
    fail(codes::PARTIAL, message.to_string())
}

/// Merges the partials; 1 for analysis errors, 2 for unusable partials or I/O failures.
pub fn run(args: &Args) -> Status {
    let mut partials = Vec::new();
    for path in &args.partials {
        let name = path.display().to_string();
        let bytes = match crate::io::regular::read(path, crate::io::regular::MAX_WHOLE_FILE) {
            Ok(b) => b,
            Err(e) => return refuse(format!("cannot read {name}: {e}")),
        };
        match Partial::from_bytes(&bytes) {
            Ok(p) => partials.push((name, p)),
            Err(e) => return refuse(format!("{name}: {e}")),
        }
    }
    let merged = match merge(partials) {
        Ok(m) => m,
        Err(e) => return refuse(e),
    };
    let recorded = PathBuf::from(&merged.provenance.spec);
    let spec_path = args.spec.clone().unwrap_or_else(|| recorded.clone());
    if !spec_path.is_file() {
        return refuse(format!(
            "the shards ran {}, which is not there now (run merge from the directory the shards ran in, or give --spec)",
            spec_path.display()
        ));
    }
    let prepared = match prepare(&spec_path, merged.provenance.unblinded) {
        Ok(p) => p,
        Err(status) => return status,
    };
    if spec_hash(&prepared.spec, &prepared.sources) != merged.provenance.spec_sha256 {
        return refuse(format!(
            "{} has changed since the shards ran (its SHA-256 differs from the partials')",
            spec_path.display()
        ));
    }
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| Path::new("results").join(&prepared.spec.analysis.name.value));
    if let Err(status) = clear(&out) {
        return status;
    }
    let pool = match thread_pool(args.threads) {
        Ok(p) => p,
        Err(status) => return status,
    };
    match pool.install(|| complete_merged(&prepared, merged)) {
        Ok(completed) => finish(&prepared.spec, &out, &completed, args.root_histograms),
        Err(d) => {
            report(&[d], &prepared.sources);
            Status::Failure
        }
    }
}
