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
