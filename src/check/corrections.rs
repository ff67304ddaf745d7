//! The `corrections:` of a spec resolved against their files: which correction of the
//! file, which of its inputs the listed expressions feed, and the value of each string
//! input — for the expression `NAME` (the entry's keys) and `NAME(VALUE)` (the varied
//! string input set to VALUE). One place for both `lint` (rule `SL038`) and the planner,
//! so that `run` refuses nothing `lint` passed.

use super::LintContext;
use crate::corrections::{Correction, InputKind, TABLE_VARIATIONS};
use crate::diag::{Diagnostic, Span, codes};
use crate::expr::{Expr, ExprKind};
use crate::spec::CorrectionEntry;
use sha2::{Digest, Sha256};

/// A correction ready to evaluate: string inputs fixed, and for each listed input
/// expression (in order) the index of the correction input it feeds.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The correction, string inputs fixed.
    pub correction: Correction,
    /// Correction input index of each listed expression.
    pub slots: Vec<usize>,
}

/// A correction entry's correction, string inputs not fixed, and the correction input
/// each of its listed expressions feeds.
pub type Opened = (Correction, Vec<usize>);

/// The correction of entry `i` of `spec.corrections` and the correction input each of
/// its listed expressions feeds, string inputs not fixed; its file is read and checked
/// once per [`LintContext`] (errors at the entry's keys).
pub fn open<'c>(ctx: &'c LintContext, i: usize) -> Result<&'c Opened, &'c Diagnostic> {
    ctx.corrections
        .get_or_init(|| ctx.spec.corrections.iter().map(|e| read(ctx, e)).collect())[i]
        .as_ref()
}

/// Reads and checks the file of entry `e` and picks its correction.
fn read(ctx: &LintContext, e: &CorrectionEntry) -> Result<Opened, Diagnostic> {
    let fail = |span: Span, m: String| Diagnostic::error(codes::BAD_CORRECTION, m).at(span);
    let path = ctx.base_dir.join(&e.file.value);
    let bytes =
        crate::io::regular::read(&path, crate::io::regular::MAX_WHOLE_FILE).map_err(|err| {
            fail(
                e.file.span,
                format!(
                    "correction `{}`: cannot read {}: {err}",
                    e.name.value, e.file.value
                ),
            )
        })?;
    if let Some(pin) = &e.sha256 {
        let actual = format!("{:x}", Sha256::digest(&bytes));
        if !actual.eq_ignore_ascii_case(pin.value.trim()) {
            return Err(fail(
                pin.span,
                format!(
                    "the file of correction `{}` does not match its pinned sha256",
                    e.name.value
                ),
            )
            .with_help(format!(
                "the file's sha256 is {actual}; if the change is intended, pin the new hash"
            )));
        }
    }
    let all = crate::corrections::parse(&path, &bytes)
        .map_err(|err| fail(e.file.span, format!("correction `{}`: {err}", e.name.value)))?;
    let wanted = e.correction.as_ref().unwrap_or(&e.name);
    let correction = if all.len() == 1 && e.correction.is_none() {
        all.into_iter().next().expect("one")
    } else {
        let names: Vec<String> = all.iter().map(|c| c.name.clone()).collect();
        all.into_iter()
            .find(|c| c.name == wanted.value)
            .ok_or_else(|| {
                fail(
                    wanted.span,
                    format!(
                        "{} has no correction `{}` (it has {})",
                        e.file.value,
                        wanted.value,
                        names.join(", ")
                    ),
                )
                .with_help("name it with `correction:`")
            })?
    };
    let numeric: Vec<usize> = (0..correction.inputs.len())
        .filter(|&i| correction.inputs[i].kind != InputKind::Str)
        .collect();
    if numeric.len() != e.inputs.len() {
        let names: Vec<&str> = numeric
            .iter()
            .map(|&i| correction.inputs[i].name.as_str())
            .collect();
        let span = e.inputs.first().map_or(e.name.span, |i| i.span);
        return Err(fail(
            span,
            format!(
                "correction `{}` takes {} numeric input(s) ({}) but `inputs` lists {}",
                e.name.value,
                numeric.len(),
                names.join(", "),
                e.inputs.len()
            ),
        ));
    }
    Ok((correction, numeric))
}

/// The string input `NAME(VALUE)` varies, by index.
fn varied_input(e: &CorrectionEntry, c: &Correction, at: Span) -> Result<usize, Diagnostic> {
    let strings: Vec<usize> = (0..c.inputs.len())
        .filter(|&i| c.inputs[i].kind == InputKind::Str)
        .collect();
    let fail = |m: String| Diagnostic::error(codes::BAD_CORRECTION, m).at(at);
    match &e.vary {
        Some(v) => strings
            .iter()
            .copied()
            .find(|&i| c.inputs[i].name == v.value)
            .ok_or_else(|| {
                Diagnostic::error(
                    codes::BAD_CORRECTION,
                    format!(
                        "`vary: {}` names no string input of correction `{}`",
                        v.value, e.name.value
                    ),
                )
                .at(v.span)
            }),
        None => match strings[..] {
            [only] => Ok(only),
            [] => Err(fail(format!(
                "correction `{}` has no string input for `{}(…)` to vary",
                e.name.value, e.name.value
            ))),
            _ => Err(fail(format!(
                "correction `{}` has several string inputs: say which one `{}(…)` varies with `vary:`",
                e.name.value, e.name.value
            ))),
        },
    }
}

/// Entry `i` of `spec.corrections` as the expression `use_` (`NAME`, or `NAME(VALUE)`)
/// evaluates it.
pub fn resolve(ctx: &LintContext, i: usize, use_: &Expr) -> Result<Resolved, Diagnostic> {
    let e = &ctx.spec.corrections[i];
    let (correction, slots) = open(ctx, i).map_err(Clone::clone)?;
    let fail = |span: Span, m: String| Diagnostic::error(codes::BAD_CORRECTION, m).at(span);
    // The value of each string input: the call's for the varied one, else `keys`, else
    // a table's `nominal`.
    let variant = match &use_.kind {
        ExprKind::Call(_, args) => match &args[..] {
            [
                Expr {
                    kind: ExprKind::Name(word),
                    ..
                },
            ] => Some((varied_input(e, correction, use_.span)?, word.clone())),
            _ => {
                return Err(fail(
                    use_.span,
                    format!(
                        "`{}(…)` takes one word: the value of the varied string input",
                        e.name.value
                    ),
                ));
            }
        },
        _ => None,
    };
    for (k, _) in &e.keys {
        if !correction
            .inputs
            .iter()
            .any(|i| i.kind == InputKind::Str && i.name == k.value)
        {
            return Err(fail(
                k.span,
                format!(
                    "`{}` is no string input of correction `{}`",
                    k.value, e.name.value
                ),
            ));
        }
    }
    let is_table = correction
        .inputs
        .last()
        .is_some_and(|i| i.name == "variation")
        && !e.file.value.ends_with(".json")
        && !e.file.value.ends_with(".json.gz");
    let mut fixed = correction.clone();
    for (k, input) in correction.inputs.iter().enumerate() {
        if input.kind != InputKind::Str {
            continue;
        }
        let (value, span) = match &variant {
            Some((v, word)) if *v == k => (word.clone(), use_.span),
            _ => match e.keys.iter().find(|(k, _)| k.value == input.name) {
                Some((_, v)) => (v.value.clone(), v.span),
                None if is_table => (TABLE_VARIATIONS[0].to_string(), e.name.span),
                None => {
                    return Err(fail(
                        e.name.span,
                        format!(
                            "correction `{}` needs the value of its string input `{}` in `keys`",
                            e.name.value, input.name
                        ),
                    ));
                }
            },
        };
        fixed = fixed.fix(k, &value).map_err(|m| {
            fail(
                span,
                format!(
                    "string input `{}` of correction `{}` {m}",
                    input.name, e.name.value
                ),
            )
        })?;
    }
    Ok(Resolved {
        correction: fixed,
        slots: slots.clone(),
    })
}
