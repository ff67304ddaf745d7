//! Codes of the diagnostics that are not lint rules: reading and structuring a spec.
//!
//! Lint rules own `SL001`–`SL099` (see `check::rules`); spec structure uses `SL1xx`;
//! file and data access `SL2xx`. Codes are stable: never reuse a retired one.

/// The YAML text does not parse.
pub const YAML_SYNTAX: &str = "SL101";
/// A key that the spec format does not know.
pub const UNKNOWN_KEY: &str = "SL102";
/// A value of the wrong kind (e.g. a list where a number is expected).
pub const WRONG_TYPE: &str = "SL103";
/// A required key is absent.
pub const MISSING_KEY: &str = "SL104";
/// Missing or unsupported `searchlight:` schema version.
pub const SCHEMA_VERSION: &str = "SL105";
/// An included file cannot be read.
pub const INCLUDE_NOT_FOUND: &str = "SL106";
/// Files include each other in a cycle.
pub const INCLUDE_CYCLE: &str = "SL107";
/// The same key twice in one mapping, or the same name defined twice across includes.
pub const DUPLICATE_KEY: &str = "SL108";
/// A resource limit: YAML nesting, alias expansion, expression size or depth.
pub const LIMIT_EXCEEDED: &str = "SL109";
/// An expression does not parse.
pub const EXPR_SYNTAX: &str = "SL110";
/// A value outside the allowed set (e.g. an unknown `method`).
pub const INVALID_VALUE: &str = "SL111";
/// A value that must be a constant (a number, optionally with a unit) is not.
pub const NOT_CONSTANT: &str = "SL112";
/// An include path leaves the analysis directory.
pub const INCLUDE_ESCAPE: &str = "SL114";
/// A toy input could not be generated.
pub const TOY: &str = "SL205";
/// A file given on the command line cannot be read.
pub const IO: &str = "SL201";
/// A data file is not a readable Parquet (or ROOT) file, or is corrupt.
pub const NOT_DATA: &str = "SL202";
/// A column the analysis needs is missing from a data file.
pub const MISSING_COLUMN: &str = "SL203";
/// A data file's column has a type or shape ntuples do not use (nested, nulls, …).
pub const UNSUPPORTED_COLUMN: &str = "SL204";
/// The analysis uses something this version cannot execute yet (e.g. toy-based CLs).
pub const NOT_SUPPORTED: &str = "SL206";
/// An output could not be written.
pub const OUTPUT: &str = "SL207";
/// A statistical model file (pyhf workspace) that cannot be used.
pub const BAD_MODEL: &str = "SL208";
/// Partial results of a sharded run that cannot be merged: unreadable, corrupt or
/// truncated, from another spec, input set or searchlight build, duplicate or missing.
pub const PARTIAL: &str = "SL210";
/// No upper limit exists: a counting limit whose inputs admit none, or a scan in which
/// no hypothesis got a limit.
pub const NO_LIMIT: &str = "SL211";
/// An MVA model file that cannot be loaded or evaluated (corrupt, unsupported objective).
pub const BAD_MVA: &str = "SL209";
/// A correction that cannot be used: its file (unreadable, not a valid correctionlib
/// file or table, a changed pinned file), its inputs or keys; or, at run time, a
/// candidate outside a binning with `flow: error`.
pub const BAD_CORRECTION: &str = "SL212";
/// Command-line arguments that do not fit together or with the spec.
pub const USAGE: &str = "SL213";

/// Every code above with what it means and what to do, for `lint --explain`: a code
/// without an entry fails `tests` (`every_code_is_explained`).
pub const EXPLANATIONS: &[(&str, &str)] = &[
    (
        YAML_SYNTAX,
        "The file is not valid YAML for a spec: a syntax error, a second document (`---`), tabs for indentation, or a YAML tag (`!include …`; other files come in through `include:`). Fix the text at the location shown.",
    ),
    (
        UNKNOWN_KEY,
        "A key the spec format does not have, often a misspelling; the message suggests the nearest key. `searchlight schema` and docs/spec.md list every key.",
    ),
    (
        WRONG_TYPE,
        "A value of the wrong kind: a list where a number is expected, a mapping where a string is. The message says what was expected.",
    ),
    (
        MISSING_KEY,
        "A required key is absent (e.g. `analysis.name`, a step's `cut`, a toy's `seed`). Add it.",
    ),
    (
        SCHEMA_VERSION,
        "The file does not start with `searchlight: 1`, or names a version this release does not read.",
    ),
    (
        INCLUDE_NOT_FOUND,
        "A file in `include:` cannot be read: missing, unreadable, not a regular file, or larger than a spec may be (16 MiB).",
    ),
    (
        INCLUDE_CYCLE,
        "Included files include each other in a cycle. Break the cycle.",
    ),
    (
        DUPLICATE_KEY,
        "The same key twice in one mapping, or the same name defined in two included files. Keep one.",
    ),
    (
        LIMIT_EXCEEDED,
        "A resource limit: YAML nesting (64), alias expansion (100 000 nodes), expression size (10 000 bytes) or depth (64), more than 64 cut steps with N−1 histograms, more histogram bins than allowed. Simplify the spec.",
    ),
    (
        EXPR_SYNTAX,
        "An expression does not parse; the message points at the offending token.",
    ),
    (
        INVALID_VALUE,
        "A value outside the allowed set or domain: an unknown method, a name that is not an identifier, a count above its limit, a number the statistics refuse (`limit counting`). The message gives the allowed values.",
    ),
    (
        NOT_CONSTANT,
        "Where a number is expected (windows, ranges, `bf_daughter`, `cl`), the expression reads data or names something that is not a constant.",
    ),
    (
        INCLUDE_ESCAPE,
        "An include path leaves the analysis repository (the nearest directory with `.git`). Move the file in, or pass `--allow-outside-includes`.",
    ),
    (
        IO,
        "A file named on the command line or in the spec cannot be read: missing, unreadable, not a regular file (a pipe or device), or too large to read whole.",
    ),
    (
        NOT_DATA,
        "A data file is neither a readable ROOT (TTree) nor Parquet file, or it is corrupt or truncated. The message says where reading stopped.",
    ),
    (
        MISSING_COLUMN,
        "A column the analysis reads is missing from a data file (every file of every input must have it).",
    ),
    (
        UNSUPPORTED_COLUMN,
        "A column has a type or shape ntuples of this version do not use (nested, jagged, nulls), or its type differs between the files of one input.",
    ),
    (
        TOY,
        "A toy input could not be generated (its parameters, or its cache could not be written).",
    ),
    (
        NOT_SUPPORTED,
        "The analysis asks for something this version cannot execute: a scan whose efficiency or signal template cannot be built, a multi-class classifier. The help says what works.",
    ),
    (
        OUTPUT,
        "An output could not be written: a full disk, a read-only directory, a file-size limit. Nothing partial is left.",
    ),
    (
        BAD_MODEL,
        "A statistical model file (pyhf workspace) cannot be used: malformed JSON, an unknown modifier, inconsistent samples.",
    ),
    (
        BAD_MVA,
        "An MVA model file cannot be loaded or evaluated: corrupt, truncated, an unsupported objective, or features that do not match the spec.",
    ),
    (
        PARTIAL,
        "Partial results of a sharded run cannot be merged: unreadable, corrupt, from another spec, input set or build, a duplicate or a missing shard.",
    ),
    (
        NO_LIMIT,
        "No upper limit exists: the counting inputs admit none at this confidence level, or no hypothesis of the scan got a limit (the message gives the most common reason).",
    ),
    (
        BAD_CORRECTION,
        "A data/MC correction (`corrections:`) that cannot be used. At lint time: its file is missing, unreadable, not a correctionlib schema-v2 file or a Belle II table (the message names the node or line at fault), or differs from its pinned sha256; the file has no correction of that name; `inputs` does not list one expression per numeric input; a string input has no value in `keys`, or a value its categories lack. At run time: a candidate's inputs fall outside a binning with `flow: error`, or hit a category key the correction lacks; limit the inputs (`clip(p, 0.2, 4.99)`) or use a correction with `flow: clamp`.",
    ),
    (
        USAGE,
        "Command-line arguments that contradict each other or the spec: an option of scan fits given for a plain fit, a hypothesis missing where the spec has no grid, an input or channel the spec does not have, a count that must be positive. The message names the argument; `searchlight <command> --help` lists them.",
    ),
];

#[cfg(test)]
mod tests {
    /// Every code this file defines is explained, once.
    #[test]
    fn every_code_is_explained() {
        let text = include_str!("codes.rs");
        let defined: Vec<&str> = text
            .lines()
            .filter_map(|l| {
                l.strip_prefix("pub const ")?
                    .split_once(": &str = \"")
                    .map(|(_, r)| &r[..5])
            })
            .collect();
        assert!(defined.len() > 20);
        for code in &defined {
            let n = super::EXPLANATIONS
                .iter()
                .filter(|(c, _)| c == code)
                .count();
            assert_eq!(n, 1, "{code}");
        }
        assert_eq!(defined.len(), super::EXPLANATIONS.len());
    }
}
