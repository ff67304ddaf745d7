//! What a run leaves on disk: the outputs of a complete run (figures, systematics.md,
//! cutflow.md, results.json last), or a shard's partial result, and the statistics of a
//! merge of partials.

use super::{Completed, Executed, Prepared, toy_of};
use crate::analysis::{self, InputCandidates};
use crate::diag::Diagnostic;
use crate::io::root::{Th1, write_histograms};
use crate::report::figures;
use crate::report::results::{
    Provenance, cutflow_markdown, systematics_markdown, write_atomically,
};
use crate::shard::Shard;
use crate::shard::merge::Merged;
use crate::shard::partial::{Header, InputPart, Partial};
use crate::spec::Spec;
use std::path::{Path, PathBuf};

/// Removes an earlier results.json from `out`: it would look like the result of this run
/// if this run failed. The new one is written last, when everything worked. The earlier
/// run's figures go too, so none is left beside results of a run that draws other ones.
pub fn remove_previous_results(out: &Path) -> std::io::Result<()> {
    figures::remove_previous(out);
    let _ = std::fs::remove_file(out.join("histograms.root"));
    match std::fs::remove_file(out.join("results.json")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Every histogram of a run as a ROOT `TH1D`, as results.json holds it (selected
/// candidates, unscaled; weighted contents, the under- and overflow as candidate counts):
/// one per input, channel and histogram, named `<histogram>_<input>_<channel>` with
/// characters other than letters, digits and `_` replaced by `_`.
fn root_histograms(cutflows: &[(String, crate::exec::cutflow::Cutflow)]) -> Vec<Th1> {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let mut out = Vec::new();
    for (input, flow) in cutflows {
        for channel in &flow.channels {
            for h in &channel.histograms {
                // The under- and overflow around the bins, as candidate counts.
                let with_flow = |bins: &[crate::exec::exact_sum::ExactSum]| -> Vec<f64> {
                    std::iter::once(h.underflow as f64)
                        .chain(bins.iter().map(|w| w.value()))
                        .chain(std::iter::once(h.overflow as f64))
                        .collect()
                };
                let filled: u64 = h.counts.iter().sum::<u64>() + h.underflow + h.overflow;
                out.push(Th1 {
                    name: format!(
                        "{}_{}_{}",
                        clean(&h.name),
                        clean(input),
                        clean(&channel.name)
                    ),
                    title: format!("{} ({input}, channel {})", h.name, channel.name),
                    x_title: h.var.clone(),
                    low: h.range[0],
                    high: h.range[1],
                    contents: with_flow(&h.weighted),
                    sumw2: with_flow(&h.sumw2),
                    entries: filled as f64,
                });
            }
        }
    }
    out
}

impl Completed {
    /// Writes the outputs into `out` (with `root_histograms`, also every histogram as a
    /// `TH1D` in histograms.root); results.json last, so its presence marks a complete
    /// output directory.
    pub fn write(&self, spec: &Spec, out: &Path, root_histograms: bool) -> std::io::Result<()> {
        std::fs::create_dir_all(out)?;
        if root_histograms {
            write_histograms(
                &out.join("histograms.root"),
                &self::root_histograms(&self.cutflows),
            )
            .map_err(|e| std::io::Error::other(e.message))?;
        }
        let name = &spec.analysis.name.value;
        let title = spec.analysis.display_title();
        if let Some(outcome) = &self.statistics {
            let parameter = spec
                .scan
                .as_ref()
                .map_or("mass", |s| s.parameter.value.as_str());
            figures::write(out, title, &format!("{parameter} [GeV]"), outcome)
                .map_err(std::io::Error::other)?;
        }
        let blinded =
            !self.provenance.unblinded && crate::analysis::blinding::hidden(spec).is_some();
        figures::histograms(out, title, &self.cutflows, &spec.scales(), blinded)
            .map_err(std::io::Error::other)?;
        if let Some(table) = self
            .statistics
            .as_ref()
            .and_then(|outcome| systematics_markdown(name, &spec.systematics, &outcome.efficiency))
        {
            write_atomically(&out.join("systematics.md"), table.as_bytes())?;
        }
        write_atomically(
            &out.join("cutflow.md"),
            cutflow_markdown(name, &self.cutflows, &spec.scales()).as_bytes(),
        )?;
        let json = serde_json::to_string_pretty(&self.results(spec)).expect("results serialise");
        write_atomically(&out.join("results.json"), format!("{json}\n").as_bytes())
    }
}

/// A shard's partial result: its cutflows and candidates with the run's provenance.
pub fn partial(shard: Shard, mut provenance: Provenance, executed: Executed) -> Partial {
    provenance.inputs = executed.records;
    // Candidates are collected for every input, in the cutflows' order, or for none
    // (a spec without a model).
    let mut candidates = executed.candidates.into_iter();
    let inputs = executed
        .cutflows
        .into_iter()
        .map(|(name, cutflow)| InputPart {
            candidates: candidates.next().map(|c| c.candidates).unwrap_or_default(),
            name,
            cutflow,
        })
        .collect();
    Partial {
        header: Header {
            shard: shard.index,
            shards: shard.count,
            layout_sha256: executed.layout_sha256,
            provenance,
        },
        inputs,
    }
}

/// Writes a shard's partial into `out` (`shard-I-of-N.partial`); returns its path.
pub fn write_partial(out: &Path, partial: &Partial) -> std::io::Result<PathBuf> {
    let shard = Shard {
        index: partial.header.shard,
        count: partial.header.shards,
    };
    let path = out.join(crate::shard::partial::file_name(shard));
    std::fs::create_dir_all(out)?;
    write_atomically(&path, &partial.to_bytes())?;
    Ok(path)
}

/// The statistics stage over merged partials: the run a single process would have
/// completed.
pub fn complete_merged(prepared: &Prepared, merged: Merged) -> Result<Completed, Diagnostic> {
    let spec = &prepared.spec;
    let observable = spec.model.is_some();
    // Parts are the spec's inputs and, after the signal sample, its column variations'
    // reruns (named after it).
    let candidates: Vec<InputCandidates> = merged
        .inputs
        .iter()
        .filter(|_| observable)
        .map(|part| InputCandidates {
            name: part.name.clone(),
            candidates: part.candidates.clone(),
            toy: spec
                .inputs
                .iter()
                .find(|i| {
                    part.name == i.name.value
                        || part.name.starts_with(&format!("{} (", i.name.value))
                })
                .and_then(toy_of),
        })
        .collect();
    let statistics = analysis::statistics(
        spec,
        &prepared.base,
        &candidates,
        merged.provenance.unblinded,
    )?;
    Ok(Completed {
        cutflows: merged
            .inputs
            .into_iter()
            .map(|p| (p.name, p.cutflow))
            .collect(),
        statistics,
        provenance: merged.provenance,
        notes: Vec::new(),
    })
}
