//! Reading a pyhf JSON workspace (schema 1.0.0: channels, observations, measurements)
//! into a [`HistFactory`] model with pyhf's parameter defaults: normfactor and
//! shapefactor start at 1 in [0, 10]; normsys and histosys α at 0 in [−5, 5] with a unit
//! Gaussian constraint; lumi from the measurement's `auxdata`/`sigmas`; staterror γ per
//! bin with σ = √Σδ² / Σnominal over the channel's samples; shapesys γ per bin with a
//! Poisson constraint of τ = (nominal/δ)²; bins without an uncertainty are not modified.

use std::collections::HashMap;

use serde_json::Value;

use super::{HistFactory, ModelChannel, Modifier, Sample};
use crate::stats::interpolation::Code4;
use crate::stats::likelihood::Constraint;
use crate::stats::minuit::{Bounds, ParamSpec};

fn numbers(v: &Value, what: &str) -> Result<Vec<f64>, String> {
    v.as_array()
        .ok_or_else(|| format!("{what} must be a list of numbers"))?
        .iter()
        .map(|x| {
            x.as_f64()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("{what} must hold finite numbers"))
        })
        .collect()
}

fn text<'a>(v: &'a Value, key: &str, what: &str) -> Result<&'a str, String> {
    v[key]
        .as_str()
        .ok_or_else(|| format!("{what} needs a `{key}` string"))
}

/// Parameters by name, as they are created.
#[derive(Default)]
struct Registry {
    params: Vec<ParamSpec>,
    by_name: HashMap<String, Vec<usize>>,
    constraints: Vec<Constraint>,
}

impl Registry {
    /// The scalar parameter `name`, created with `make` on first use.
    fn scalar(&mut self, name: &str, make: impl FnOnce(&mut Self, usize) -> ParamSpec) -> usize {
        if let Some(ids) = self.by_name.get(name) {
            return ids[0];
        }
        let index = self.params.len();
        let spec = make(self, index);
        self.params.push(spec);
        self.by_name.insert(name.to_owned(), vec![index]);
        index
    }

    /// The per-bin parameters `name[b]` for the bins where `active` is true.
    fn vector(&mut self, name: &str, active: &[bool], bounds: Bounds) -> Vec<Option<usize>> {
        if let Some(ids) = self.by_name.get(name) {
            let ids = ids.clone();
            return active
                .iter()
                .zip(ids)
                .map(|(&a, i)| a.then_some(i))
                .collect();
        }
        let ids: Vec<usize> = (0..active.len())
            .map(|b| {
                self.params
                    .push(ParamSpec::new(&format!("{name}[{b}]"), 1.0, 0.1, bounds));
                self.params.len() - 1
            })
            .collect();
        self.by_name.insert(name.to_owned(), ids.clone());
        active
            .iter()
            .zip(ids)
            .map(|(&a, i)| a.then_some(i))
            .collect()
    }
}

/// The settings of a parameter in the measurement's config.
fn setting<'a>(config: &'a Value, name: &str) -> Option<&'a Value> {
    config["parameters"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
}

/// Why a workspace cannot be used (`SL208`).
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// The text is not JSON.
    #[error("not JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The JSON is not a pyhf workspace this engine can build: what is missing or
    /// inconsistent, where.
    #[error("{0}")]
    Invalid(String),
}

/// Reads a pyhf workspace; `measurement` picks one by name (default: the first).
pub fn from_json(
    text_json: &str,
    measurement: Option<&str>,
) -> Result<HistFactory, WorkspaceError> {
    let ws: Value = serde_json::from_str(text_json)?;
    build(&ws, measurement).map_err(WorkspaceError::Invalid)
}

/// The model of a parsed workspace.
fn build(ws: &Value, measurement: Option<&str>) -> Result<HistFactory, String> {
    let measurements = ws["measurements"]
        .as_array()
        .ok_or("the workspace has no `measurements` list")?;
    let chosen = match measurement {
        Some(name) => measurements
            .iter()
            .find(|m| m["name"] == name)
            .ok_or_else(|| format!("no measurement named `{name}`"))?,
        None => measurements
            .first()
            .ok_or("the workspace has no measurement")?,
    };
    let config = &chosen["config"];
    let poi_name = text(config, "poi", "the measurement's config")?.to_owned();
    let observations = ws["observations"]
        .as_array()
        .ok_or("the workspace has no `observations` list")?;
    let mut registry = Registry::default();
    let mut channels = Vec::new();
    // Staterror: per modifier name, Σδ² and Σnominal per bin, resolved after all samples.
    let mut staterror: HashMap<String, (Vec<f64>, Vec<f64>)> = HashMap::new();
    for channel in ws["channels"]
        .as_array()
        .ok_or("the workspace has no `channels` list")?
    {
        let channel_name = text(channel, "name", "a channel")?;
        let observed = observations
            .iter()
            .find(|o| o["name"] == channel_name)
            .ok_or_else(|| format!("channel `{channel_name}` has no observation"))?;
        let observed = numbers(
            &observed["data"],
            &format!("the observation of `{channel_name}`"),
        )?;
        let bins = observed.len();
        let mut samples = Vec::new();
        for sample in channel["samples"]
            .as_array()
            .ok_or_else(|| format!("channel `{channel_name}` has no samples"))?
        {
            let sample_name = text(sample, "name", "a sample")?;
            let what = format!("sample `{sample_name}` of channel `{channel_name}`");
            let nominal = numbers(&sample["data"], &what)?;
            if nominal.len() != bins {
                return Err(format!(
                    "{what} has {} bins, the observation {bins}",
                    nominal.len()
                ));
            }
            let mut modifiers = Vec::new();
            for m in sample["modifiers"]
                .as_array()
                .ok_or_else(|| format!("{what} has no modifiers list"))?
            {
                let name = text(m, "name", &what)?;
                let kind = text(m, "type", &what)?;
                let data = &m["data"];
                let per_bin = |key: Option<&str>| -> Result<Vec<f64>, String> {
                    let v = key.map_or(data, |k| &data[k]);
                    let values = numbers(v, &format!("modifier `{name}` of {what}"))?;
                    if values.len() == bins {
                        Ok(values)
                    } else {
                        Err(format!(
                            "modifier `{name}` of {what} has {} bins, not {bins}",
                            values.len()
                        ))
                    }
                };
                let alpha = |registry: &mut Registry| {
                    registry.scalar(name, |r, index| {
                        r.constraints.push(Constraint::Gaussian {
                            param: index,
                            mean: 0.0,
                            sigma: 1.0,
                        });
                        ParamSpec::new(name, 0.0, 1.0, Bounds::Both(-5.0, 5.0))
                    })
                };
                modifiers.push(match kind {
                    "normfactor" => Modifier::Scale(registry.scalar(name, |_, _| {
                        ParamSpec::new(name, 1.0, 0.1, Bounds::Both(0.0, 10.0))
                    })),
                    "lumi" => {
                        let lumi = setting(config, name).ok_or_else(|| {
                            format!("the measurement sets no `auxdata`/`sigmas` for lumi `{name}`")
                        })?;
                        let aux = lumi["auxdata"][0].as_f64().unwrap_or(1.0);
                        let sigma = lumi["sigmas"][0]
                            .as_f64()
                            .filter(|s| *s > 0.0 && s.is_finite())
                            .ok_or_else(|| {
                                format!("lumi `{name}` needs a positive `sigmas` entry")
                            })?;
                        if !aux.is_finite() {
                            return Err(format!("lumi `{name}` has a non-finite `auxdata`"));
                        }
                        Modifier::Scale(registry.scalar(name, |r, index| {
                            r.constraints.push(Constraint::Gaussian {
                                param: index,
                                mean: aux,
                                sigma,
                            });
                            ParamSpec::new(name, aux, sigma, Bounds::Both(0.0, 10.0))
                        }))
                    }
                    "normsys" => {
                        let (hi, lo) = (data["hi"].as_f64(), data["lo"].as_f64());
                        let (Some(hi), Some(lo)) = (hi, lo) else {
                            return Err(format!("normsys `{name}` of {what} needs `hi` and `lo`"));
                        };
                        if hi <= 0.0 || lo <= 0.0 {
                            return Err(format!(
                                "normsys `{name}` of {what} needs positive `hi` and `lo`"
                            ));
                        }
                        Modifier::NormSys(alpha(&mut registry), Code4::new(hi, lo))
                    }
                    "histosys" => {
                        let (hi, lo) = (per_bin(Some("hi_data"))?, per_bin(Some("lo_data"))?);
                        Modifier::HistoSys {
                            param: alpha(&mut registry),
                            up: hi.iter().zip(&nominal).map(|(h, n)| h - n).collect(),
                            down: lo.iter().zip(&nominal).map(|(l, n)| n - l).collect(),
                        }
                    }
                    "shapefactor" => Modifier::PerBin(registry.vector(
                        name,
                        &vec![true; bins],
                        Bounds::Both(0.0, 10.0),
                    )),
                    "shapesys" => {
                        let uncertainty = per_bin(None)?;
                        let active: Vec<bool> = nominal
                            .iter()
                            .zip(&uncertainty)
                            .map(|(n, u)| *n > 0.0 && *u > 0.0)
                            .collect();
                        let gammas = registry.vector(name, &active, Bounds::Both(1e-10, 10.0));
                        for ((g, n), u) in gammas.iter().zip(&nominal).zip(&uncertainty) {
                            if let Some(g) = g {
                                let tau = (n / u).powi(2);
                                registry.constraints.push(Constraint::Poisson {
                                    param: *g,
                                    tau,
                                    aux: tau,
                                });
                            }
                        }
                        Modifier::PerBin(gammas)
                    }
                    "staterror" => {
                        let uncertainty = per_bin(None)?;
                        let entry = staterror
                            .entry(name.to_owned())
                            .or_insert_with(|| (vec![0.0; bins], vec![0.0; bins]));
                        for b in 0..bins {
                            entry.0[b] += uncertainty[b].powi(2);
                            entry.1[b] += nominal[b];
                        }
                        Modifier::PerBin(registry.vector(
                            name,
                            &vec![true; bins],
                            Bounds::Both(1e-10, 10.0),
                        ))
                    }
                    other => {
                        return Err(format!(
                            "modifier type `{other}` of {what} is not supported"
                        ));
                    }
                });
            }
            samples.push(Sample {
                name: sample_name.to_owned(),
                nominal,
                modifiers,
            });
        }
        channels.push(ModelChannel {
            name: channel_name.to_owned(),
            samples,
            observed,
        });
    }
    // Staterror constraints, now that every sample's contribution is known.
    let mut names: Vec<&String> = staterror.keys().collect();
    names.sort();
    for name in names {
        let (squares, nominal) = &staterror[name];
        for (b, &index) in registry.by_name[name].iter().enumerate() {
            let sigma = if nominal[b] > 0.0 {
                squares[b].sqrt() / nominal[b]
            } else {
                0.0
            };
            if sigma > 0.0 {
                registry.constraints.push(Constraint::Gaussian {
                    param: index,
                    mean: 1.0,
                    sigma,
                });
                registry.params[index].step = sigma;
            } else {
                registry.params[index].fixed = true;
            }
        }
    }
    // The measurement's parameter settings.
    for p in config["parameters"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let name = text(p, "name", "a measurement parameter")?;
        let Some(ids) = registry.by_name.get(name) else {
            continue;
        };
        for (k, &index) in ids.iter().enumerate() {
            let spec = &mut registry.params[index];
            if let Some(v) = p["inits"].get(k).and_then(Value::as_f64) {
                spec.value = v;
            }
            if let Some(b) = p["bounds"].get(k)
                && let (Some(lo), Some(hi)) = (b[0].as_f64(), b[1].as_f64())
            {
                spec.bounds = Bounds::Both(lo, hi);
            }
            if p["fixed"].as_bool() == Some(true) {
                spec.fixed = true;
            }
        }
    }
    let poi = *registry
        .by_name
        .get(&poi_name)
        .and_then(|ids| ids.first())
        .ok_or_else(|| format!("the POI `{poi_name}` is not a parameter of the model"))?;
    Ok(HistFactory {
        channels,
        params: registry.params,
        poi,
        constraints: registry.constraints,
    })
}
