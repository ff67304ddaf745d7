//! `searchlight generate`: write a toy Monte Carlo sample to a Parquet or ROOT file.

use super::{Status, fail};
use crate::diag::codes;
use crate::io::sink::TableWriter;
use crate::toy::{self, GENERATORS, Params};
use std::path::PathBuf;

/// Arguments of `generate`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Generator: b_to_k_alp, b_to_k_alp_signal, idm_dark_higgs, idm_dark_higgs_signal,
    /// b_to_h_invisible, b_to_h_invisible_signal, ee_to_gamma_alp, ee_to_gamma_alp_signal,
    /// ee_to_mumu_zprime, ee_to_mumu_zprime_signal.
    toy: String,
    /// Number of events.
    #[arg(short = 'n', long = "events")]
    events: u64,
    /// Random seed; the same seed gives a byte-identical file for any thread count.
    #[arg(long)]
    seed: u64,
    /// A generator parameter, `name=value` or `name=v1,v2,…` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUES")]
    params: Vec<String>,
    /// Output file: `.parquet`, or `.root` (a TTree `variables`).
    #[arg(short = 'o', long)]
    output: PathBuf,
    /// Compression of `.root` output.
    #[arg(long, value_enum, default_value = "zlib")]
    compression: super::RootCompression,
}

fn parse_params(list: &[String]) -> Result<Params, String> {
    let mut out = Vec::new();
    for p in list {
        let (name, values) = p
            .split_once('=')
            .ok_or_else(|| format!("`--set {p}`: expected NAME=VALUES"))?;
        let values = values
            .split(',')
            .map(|v| {
                v.trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("`--set {p}`: `{v}` is not a number"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        out.push((name.trim().to_string(), values));
    }
    Ok(Params(out))
}

/// Generates the sample; exit 2 on bad arguments or I/O failure.
pub fn run(args: &Args) -> Status {
    let usage = |message: String| fail(codes::USAGE, message);
    if toy::generator(&args.toy).is_none() {
        let names: Vec<&str> = GENERATORS.iter().map(|g| g.name).collect();
        return usage(format!(
            "unknown toy `{}`; generators: {}",
            args.toy,
            names.join(", ")
        ));
    }
    if let Err(e) = crate::io::sink::check_output(&args.output) {
        return fail(e.code, e.message);
    }
    let params = match parse_params(&args.params) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let start = std::time::Instant::now();
    let mut writer: Option<TableWriter> = None;
    let result = toy::generate(&args.toy, args.events, args.seed, &params, |table| {
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(TableWriter::create(
                &args.output,
                &table,
                args.compression.into(),
            )?),
        };
        w.write(&table)
    });
    let rows = match result {
        Err(e) => return fail(e.code(), e.to_string()),
        Ok(Err(e)) => return fail(e.code, e.message),
        Ok(Ok(())) => match writer {
            Some(w) => match w.finish() {
                Ok(rows) => rows,
                Err(e) => return fail(e.code, e.message),
            },
            None => return usage("no events requested".into()),
        },
    };
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "{}: {} events, {rows} candidates in {secs:.2} s ({:.0} events/s)",
        args.output.display(),
        args.events,
        args.events as f64 / secs.max(1e-9)
    );
    Status::Ok
}
