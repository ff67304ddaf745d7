//! `searchlight skim`: the selected candidates of one input, with every column the
//! analysis reads, its aliases and classifier scores as derived columns and channel
//! flags, as Parquet — for
//! plotting in Python.

use super::Status;
use super::prepare::{prepare, report};
use crate::exec::{self, EventChunks};
use crate::expr::{Expr, ExprKind};
use crate::io::parquet::ParquetWriter;
use crate::io::source::NtupleReader;
use crate::io::table::{Column, ColumnData, Table};
use crate::pipeline::{io_failure, open_input};
use crate::plan::program::Program;
use std::path::PathBuf;

/// Arguments of `skim`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The analysis spec.
    spec: PathBuf,
    /// The input to skim.
    #[arg(long, default_value = "data")]
    input: String,
    /// Keep only candidates of this channel.
    #[arg(long)]
    channel: Option<String>,
    /// Output file (`.parquet`).
    #[arg(short = 'o', long)]
    output: PathBuf,
    /// Allow a spec with `blinding: { unblind: true }` to run.
    #[arg(long)]
    unblind: bool,
}

/// Writes the skim; 1 for analysis errors, 2 for I/O or usage failures.
pub fn run(args: &Args) -> Status {
    let prepared = match prepare(&args.spec, args.unblind) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let (spec, query) = (&prepared.spec, &prepared.query);
    let Some(input) = spec.inputs.iter().find(|i| i.name.value == args.input) else {
        let names: Vec<&str> = spec.inputs.iter().map(|i| i.name.value.as_str()).collect();
        eprintln!(
            "error: the spec has no input `{}`; inputs: {}",
            args.input,
            names.join(", ")
        );
        return Status::Failure;
    };
    let channel = match &args.channel {
        None => None,
        Some(c) => match query.channels.iter().position(|ch| &ch.name == c) {
            Some(i) => Some(i),
            None => {
                let names: Vec<&str> = query.channels.iter().map(|c| c.name.as_str()).collect();
                eprintln!("error: no channel `{c}`; channels: {}", names.join(", "));
                return Status::Failure;
            }
        },
    };
    if args.output.extension().is_none_or(|e| e != "parquet") {
        eprintln!(
            "error: {}: skims are written as Parquet (.parquet)",
            args.output.display()
        );
        return Status::Failure;
    }
    // Outputs: the aliases, then the classifiers' scores.
    let scores: Vec<Expr> = spec
        .mva
        .iter()
        .map(|m| Expr {
            kind: ExprKind::Name(m.name.value.clone()),
            span: m.name.span,
        })
        .collect();
    let outputs: Vec<&Expr> = spec
        .variables
        .iter()
        .map(|v| &v.expr.expr)
        .chain(&scores)
        .collect();
    // Blinded data: the candidates in the signal region are not written.
    let query = &query.for_input(input, prepared.hidden.as_ref());
    let program = Program::compile(query, &outputs);
    let readers = match open_input(input, &program, &query.columns, &prepared.base, false) {
        Ok(o) => o.readers,
        Err(d) => {
            report(&[d], &prepared.sources);
            return Status::Failure;
        }
    };
    let total = readers.iter().map(NtupleReader::rows).sum();
    let mut progress = crate::pipeline::progress::Progress::new(&input.name.value, total);
    let tables = progress.track(
        readers
            .iter()
            .flat_map(|r| crate::shard::slice::owned_events(r, 0..r.chunks())),
    );
    let mut writer: Option<ParquetWriter> = None;
    let outcome = exec::run_with(&program, EventChunks::new(tables), |selected| {
        let keep: Vec<bool> = (0..selected.alive.len())
            .map(|i| {
                selected.alive[i]
                    && channel.is_none_or(|c| selected.members[c][i])
                    && selected.hidden.get(i).is_none_or(|h| !h)
            })
            .collect();
        let mut out = Table::default();
        for c in &selected.piece.table.columns {
            out.columns.push(Column {
                name: c.name.clone(),
                data: filter(&c.data, selected.piece.rows.start, &keep),
            });
        }
        let names = spec
            .variables
            .iter()
            .map(|v| &v.name)
            .chain(spec.mva.iter().map(|m| &m.name));
        for (name, values) in names.zip(selected.outputs) {
            out.columns.push(Column {
                name: name.value.clone(),
                data: filter(&ColumnData::F64(values), 0, &keep),
            });
        }
        for (ch, member) in query.channels.iter().zip(&selected.members) {
            out.columns.push(Column {
                name: format!("in_{}", ch.name),
                data: filter(&ColumnData::Bool(member.clone()), 0, &keep),
            });
        }
        let w = match &mut writer {
            Some(w) => w,
            None => writer.insert(ParquetWriter::create(&args.output, &out)?),
        };
        w.write(&out)
    });
    if let Err(e) = outcome {
        report(&[io_failure(e)], &prepared.sources);
        return Status::Failure;
    }
    match writer.map(ParquetWriter::finish) {
        Some(Ok(rows)) => {
            eprintln!("wrote {rows} candidates to {}", args.output.display());
            Status::Ok
        }
        Some(Err(e)) => {
            report(&[io_failure(e)], &prepared.sources);
            Status::Failure
        }
        None => {
            eprintln!("error: input `{}` has no rows", args.input);
            Status::Failure
        }
    }
}

/// The values where `keep` holds.
/// The values of `data` from row `start` on where `keep` holds (`keep[i]` is row
/// `start + i`).
fn filter(data: &ColumnData, start: usize, keep: &[bool]) -> ColumnData {
    fn pick<T: Copy>(v: &[T], keep: &[bool]) -> Vec<T> {
        v.iter()
            .zip(keep)
            .filter(|(_, k)| **k)
            .map(|(x, _)| *x)
            .collect()
    }
    match data {
        ColumnData::F64(v) => ColumnData::F64(pick(&v[start..], keep)),
        ColumnData::MappedF64(v) => ColumnData::F64(pick(&v.as_slice()[start..], keep)),
        ColumnData::F32(v) => ColumnData::F32(pick(&v[start..], keep)),
        ColumnData::I32(v) => ColumnData::I32(pick(&v[start..], keep)),
        ColumnData::U32(v) => ColumnData::U32(pick(&v[start..], keep)),
        ColumnData::I64(v) => ColumnData::I64(pick(&v[start..], keep)),
        ColumnData::Bool(v) => ColumnData::Bool(pick(&v[start..], keep)),
    }
}
