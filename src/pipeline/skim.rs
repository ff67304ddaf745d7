//! `skim`: the selected candidates of one input, with every column the analysis reads,
//! its aliases and classifier scores as derived columns and channel flags, written as
//! Parquet or as a ROOT TTree. Blinded data leave out the candidates in the signal region.

use super::{Prepared, io_failure, open_input};
use crate::diag::Diagnostic;
use crate::exec::{self, EventChunks};
use crate::expr::{Expr, ExprKind};
use crate::io::root::Compression;
use crate::io::sink::TableWriter;
use crate::io::source::NtupleReader;
use crate::io::table::{Column, ColumnData, ColumnTable};
use crate::plan::program::Program;
use crate::spec::Input;
use std::path::Path;

/// Writes the selected candidates of `input` (of channel `channel`, an index into the
/// query's channels, when given) to `output`; returns how many, None when the input has
/// no rows at all. Notes from opening the input go to `notes`.
pub fn skim(
    prepared: &Prepared,
    input: &Input,
    channel: Option<usize>,
    output: &Path,
    compression: Compression,
    notes: &mut Vec<String>,
) -> Result<Option<u64>, Diagnostic> {
    let (spec, query) = (&prepared.spec, &prepared.query);
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
    let mut opened = open_input(input, &program, &query.columns, &prepared.base, false)?;
    notes.append(&mut opened.notes);
    let readers = opened.readers;
    let total = readers.iter().map(NtupleReader::rows).sum();
    let mut progress = crate::pipeline::progress::ProgressLine::new(&input.name.value, total);
    let tables = progress.track(
        readers
            .iter()
            .flat_map(|r| crate::shard::slice::owned_events(r, 0..r.chunks())),
    );
    let mut writer: Option<TableWriter> = None;
    let outcome = exec::run_with(&program, EventChunks::new(tables), |selected| {
        let keep: Vec<bool> = (0..selected.alive.len())
            .map(|i| {
                selected.alive[i]
                    && channel.is_none_or(|c| selected.members[c][i])
                    && selected.hidden.get(i).is_none_or(|h| !h)
            })
            .collect();
        let mut out = ColumnTable::default();
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
            None => writer.insert(TableWriter::create(output, &out, compression)?),
        };
        w.write(&out)
    });
    outcome.map_err(io_failure)?;
    writer.map(|w| w.finish().map_err(io_failure)).transpose()
}

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
