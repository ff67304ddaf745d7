//! Combining the partial results of all shards of one run into what a single-process
//! run would have selected: cutflows added exactly, candidates concatenated in shard
//! order (which is input order), file hashes gathered from the shard that took each.
//! A set that is not exactly the shards of one run is refused.

use super::partial::{InputPart, Partial};
use crate::report::results::{InputRecord, Provenance};

/// The merged selection.
#[derive(Debug)]
pub struct Merged {
    /// The run's provenance with every input record complete.
    pub provenance: Provenance,
    /// Inputs in spec order.
    pub inputs: Vec<InputPart>,
}

/// "missing shards 2, 5 of 8": at most ten listed, however many are missing.
fn missing_shards(indices: impl Iterator<Item = usize>, missing: usize, count: usize) -> String {
    let listed: Vec<String> = indices.take(10).map(|i| i.to_string()).collect();
    let more = missing.saturating_sub(listed.len());
    format!(
        "missing shard{} {}{} of {count}",
        if missing > 1 { "s" } else { "" },
        listed.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Merges `partials` (each with the file it was read from, for messages).
pub fn merge(partials: Vec<(String, Partial)>) -> Result<Merged, super::PartialError> {
    merge_checked(partials).map_err(super::PartialError)
}

fn merge_checked(partials: Vec<(String, Partial)>) -> Result<Merged, String> {
    let Some((first_file, first)) = partials.first() else {
        return Err("no partial results given".into());
    };
    let (first_file, first) = (first_file.clone(), first.clone());
    let count = first.header.shards;
    if count == 0 {
        return Err(format!("{first_file}: a run of zero shards"));
    }
    // The count comes from a file: allocate by the partials given, not by it.
    if count > partials.len() {
        let given: std::collections::BTreeSet<usize> =
            partials.iter().map(|(_, p)| p.header.shard).collect();
        return Err(missing_shards(
            (1..=count).filter(|i| !given.contains(i)),
            count - given.iter().filter(|&&i| (1..=count).contains(&i)).count(),
            count,
        ));
    }
    let mut by_shard: Vec<Option<(String, Partial)>> = vec![None; count];
    for (file, p) in partials {
        let h = &p.header;
        let differs = |what: &str| {
            Err(format!(
                "{file} and {first_file} are not shards of the same run: {what} differ"
            ))
        };
        if h.shards != count {
            return differs("their shard counts");
        }
        if h.provenance.searchlight_version != first.header.provenance.searchlight_version
            || h.provenance.searchlight_commit != first.header.provenance.searchlight_commit
            || h.provenance.platform != first.header.provenance.platform
        {
            return differs("the searchlight builds (version, commit or platform)");
        }
        if h.provenance.spec_sha256 != first.header.provenance.spec_sha256
            || h.provenance.spec != first.header.provenance.spec
        {
            return differs("their specs");
        }
        if h.layout_sha256 != first.header.layout_sha256 {
            return differs("their inputs (files or their chunks)");
        }
        let mut a = h.provenance.clone();
        let mut b = first.header.provenance.clone();
        a.inputs.clear();
        b.inputs.clear();
        if a != b {
            return differs("their provenance (repository state, MVA models or blinding)");
        }
        let index = h.shard;
        match index.checked_sub(1).and_then(|i| by_shard.get_mut(i)) {
            Some(Some((other, _))) => {
                return Err(format!("{file} and {other} are both shard {index}/{count}"));
            }
            Some(slot) => *slot = Some((file, p)),
            None => return Err(format!("{file}: shard {index} of {count} is out of range")),
        }
    }
    let missing = by_shard.iter().filter(|s| s.is_none()).count();
    if missing > 0 {
        let indices = by_shard
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| i + 1);
        return Err(missing_shards(indices, missing, count));
    }
    let mut shards = by_shard.into_iter().flatten();
    let (_, mut merged) = shards.next().expect("at least one shard");
    for (file, p) in shards {
        for (x, y) in merged.inputs.iter_mut().zip(p.inputs) {
            if x.name != y.name {
                return Err(format!(
                    "{file}: input `{}` where `{}` was expected",
                    y.name, x.name
                ));
            }
            x.cutflow.merge(y.cutflow);
            for (a, b) in x.candidates.channels.iter_mut().zip(y.candidates.channels) {
                a.x.extend(b.x);
                a.weight.extend(b.weight);
                a.mass.extend(b.mass);
                a.ctau.extend(b.ctau);
                a.mode.extend(b.mode);
                // A shard that selected nothing of the input has no varied weights.
                if a.variations.len() < b.variations.len() {
                    a.variations.resize(b.variations.len(), Vec::new());
                }
                for (u, v) in a.variations.iter_mut().zip(b.variations) {
                    u.extend(v);
                }
            }
        }
        for (name, record) in p.header.provenance.inputs {
            let into = merged
                .header
                .provenance
                .inputs
                .get_mut(&name)
                .ok_or_else(|| format!("{file}: unexpected input `{name}`"))?;
            combine_records(into, record).map_err(|e| format!("{file}: input `{name}`: {e}"))?;
        }
    }
    for (name, record) in &merged.header.provenance.inputs {
        if let InputRecord::Files { files } = record
            && let Some(f) = files.iter().find(|f| f.sha256.is_none())
        {
            return Err(format!(
                "input `{name}`: no shard recorded the hash of \"{}\"",
                f.path
            ));
        }
    }
    Ok(Merged {
        provenance: merged.header.provenance,
        inputs: merged.inputs,
    })
}

/// Fills the file hashes `into` lacks from `other`; any other difference is an error.
fn combine_records(into: &mut InputRecord, other: InputRecord) -> Result<(), String> {
    if let (InputRecord::Files { files: a }, InputRecord::Files { files: b }) = (&mut *into, &other)
        && a.len() == b.len()
    {
        for (x, y) in a.iter_mut().zip(b) {
            if x.path != y.path {
                return Err(format!("files \"{}\" and \"{}\" differ", x.path, y.path));
            }
            match (&x.sha256, &y.sha256) {
                (None, Some(_)) => x.sha256.clone_from(&y.sha256),
                (Some(p), Some(q)) if p != q => {
                    return Err(format!("two hashes of \"{}\"", x.path));
                }
                _ => {}
            }
        }
        return Ok(());
    }
    if *into != other {
        return Err("the shards recorded different inputs".into());
    }
    Ok(())
}
