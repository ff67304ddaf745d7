//! Typed reading of YAML nodes: every conversion reports a coded, located diagnostic and
//! yields `None` instead of failing, so one pass reports every problem in a spec.

use super::keys::{self, Key, Kind};
use super::model::{Interval, Name, SpecExpr, Width};
use super::yaml::{NodeKind, Style, YamlNode};
use crate::diag::{Diagnostic, Span, Spanned, codes, suggestion};
use crate::expr::{self, Origin};
use crate::physics;

/// Collects diagnostics while converting nodes.
#[derive(Default)]
pub struct Ctx {
    /// Everything reported so far.
    pub diags: Vec<Diagnostic>,
    /// `analysis.experiment`, once read: constant quantities may use √s.
    pub experiment: Option<String>,
}

/// A mapping node checked against its key table.
pub struct Map<'n> {
    /// Entries in source order.
    pub entries: &'n [(YamlNode, YamlNode)],
    /// Span of the mapping.
    pub span: Span,
    table: &'static [Key],
}

impl<'n> Map<'n> {
    /// The value of a key of the table, if present.
    pub fn get(&self, key: &str) -> Option<&'n YamlNode> {
        debug_assert!(
            keys::find(self.table, key).is_some(),
            "key `{key}` is missing from its table"
        );
        self.entries
            .iter()
            .find(|(k, _)| k.as_scalar() == Some(key))
            .map(|(_, v)| v)
    }

    /// Entries whose keys are not in the table (the user-named extras of an `Open` kind).
    pub fn extras(&self) -> impl Iterator<Item = &'n (YamlNode, YamlNode)> + '_ {
        self.entries
            .iter()
            .filter(|(k, _)| keys::find(self.table, k.as_scalar().unwrap_or_default()).is_none())
    }
}

/// The characters of a name that reaches files, paths or scripts, as the docs state them.
pub const IDENTIFIER: &str =
    "1 to 64 ASCII letters, digits and `_ - + * .`, starting with a letter or digit";

/// Whether `name` is an identifier ([`IDENTIFIER`]): it cannot leave a directory, start
/// an option, or break out of a quoted word or a script line.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() <= 64
        && chars.all(|c| c.is_ascii_alphanumeric() || "_-+*.".contains(c))
}

impl Ctx {
    /// Records a diagnostic.
    pub fn report(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn wrong_type(&mut self, node: &YamlNode, expected: &str, what: &str) {
        self.report(
            Diagnostic::error(
                codes::WRONG_TYPE,
                format!("{what} must be {expected}, found {}", node.describe()),
            )
            .at_labelled(node.span, format!("expected {expected}")),
        );
    }

    /// Checks that `node` is a mapping whose keys are in `kind`'s table (unless `kind` is
    /// open) and that required keys are present.
    pub fn map<'n>(&mut self, node: &'n YamlNode, kind: &Kind, what: &str) -> Option<Map<'n>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(node, "a mapping", what);
            return None;
        };
        let table = keys::fields(kind);
        if let Kind::Object(_) = kind {
            for (k, _) in entries {
                let name = k.as_scalar().unwrap_or_default();
                if keys::find(table, name).is_none() {
                    let allowed: Vec<&str> = table.iter().map(|k| k.name).collect();
                    let help = suggestion(name, allowed.iter().copied())
                        .unwrap_or_else(|| format!("allowed keys here: {}", allowed.join(", ")));
                    self.report(
                        Diagnostic::error(
                            codes::UNKNOWN_KEY,
                            format!("unknown key `{name}` in {what}"),
                        )
                        .at_labelled(k.span, "unknown key")
                        .with_help(help),
                    );
                }
            }
        }
        for key in table.iter().filter(|k| k.required) {
            if !entries.iter().any(|(k, _)| k.as_scalar() == Some(key.name)) {
                self.report(
                    Diagnostic::error(
                        codes::MISSING_KEY,
                        format!("{what} needs the key `{}`", key.name),
                    )
                    .at_labelled(node.span, format!("`{}` missing here", key.name))
                    .with_help(format!("`{}`: {}", key.name, key.doc)),
                );
            }
        }
        Some(Map {
            entries,
            span: node.span,
            table,
        })
    }

    /// Entries of a mapping from user-chosen names.
    pub fn dict<'n>(
        &mut self,
        node: &'n YamlNode,
        what: &str,
    ) -> Option<&'n [(YamlNode, YamlNode)]> {
        match &node.kind {
            NodeKind::Map(entries) => Some(entries),
            _ if node.is_null() => Some(&[]),
            _ => {
                self.wrong_type(node, "a mapping of names", what);
                None
            }
        }
    }

    /// Items of a sequence.
    pub fn list<'n>(&mut self, node: &'n YamlNode, what: &str) -> Option<&'n [YamlNode]> {
        match &node.kind {
            NodeKind::Seq(items) => Some(items),
            _ if node.is_null() => Some(&[]),
            _ => {
                self.wrong_type(node, "a list", what);
                None
            }
        }
    }

    /// The strings of a sequence; an item that is not one is reported and left out.
    pub fn strings(&mut self, node: &YamlNode, what: &str, item: &str) -> Option<Vec<Name>> {
        let items = self.list(node, what)?;
        Some(items.iter().filter_map(|s| self.string(s, item)).collect())
    }

    /// The expressions of a sequence; an item that does not parse is reported and left
    /// out.
    pub fn exprs(&mut self, node: &YamlNode, what: &str, item: &str) -> Option<Vec<SpecExpr>> {
        let items = self.list(node, what)?;
        Some(items.iter().filter_map(|e| self.expr(e, item)).collect())
    }

    /// A scalar as a string.
    pub fn string(&mut self, node: &YamlNode, what: &str) -> Option<Name> {
        match &node.kind {
            NodeKind::Scalar(s, _) if !node.is_null() => Some(Spanned::new(s.clone(), node.span)),
            _ => {
                self.wrong_type(node, "a string", what);
                None
            }
        }
    }

    /// A name that may reach file names, paths or job scripts (the analysis, inputs,
    /// channels, histograms, classifiers, vetoes, nuisances, reinterpretations):
    /// [`IDENTIFIER`]'s characters only.
    pub fn identifier(&mut self, node: &YamlNode, what: &str) -> Option<Name> {
        let s = self.string(node, what)?;
        if is_identifier(&s.value) {
            return Some(s);
        }
        let shown: String = s
            .value
            .chars()
            .take(40)
            .collect::<String>()
            .escape_debug()
            .to_string();
        self.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("{what} \"{shown}\" is not an identifier"),
            )
            .at_labelled(s.span, "not an identifier")
            .with_help(format!("names are {IDENTIFIER}")),
        );
        None
    }

    /// A scalar from a fixed set of words.
    pub fn word(&mut self, node: &YamlNode, allowed: &[&str], what: &str) -> Option<Name> {
        let s = self.string(node, what)?;
        if allowed.contains(&s.value.as_str()) {
            return Some(s);
        }
        let help = suggestion(&s.value, allowed.iter().copied())
            .unwrap_or_else(|| format!("choose one of: {}", allowed.join(", ")));
        self.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("`{}` is not a valid {what}", s.value),
            )
            .at_labelled(s.span, "not allowed here")
            .with_help(help),
        );
        None
    }

    /// `true` or `false`.
    pub fn boolean(&mut self, node: &YamlNode, what: &str) -> Option<Spanned<bool>> {
        match &node.kind {
            NodeKind::Scalar(s, Style::Plain) if s == "true" || s == "false" => {
                Some(Spanned::new(s == "true", node.span))
            }
            _ => {
                self.wrong_type(node, "true or false", what);
                None
            }
        }
    }

    /// An expression of the language.
    pub fn expr(&mut self, node: &YamlNode, what: &str) -> Option<SpecExpr> {
        let NodeKind::Scalar(text, _) = &node.kind else {
            self.wrong_type(node, "an expression", what);
            return None;
        };
        let origin = Origin {
            file: node.span.file,
            verbatim_at: node.verbatim_at,
            fallback: node.span,
        };
        match expr::parse(text, origin) {
            Ok(expr) => Some(SpecExpr {
                text: text.clone(),
                expr,
                span: node.span,
            }),
            Err(d) => {
                // `[clip(x, 0, 1)]` is three YAML items: name the cause.
                let opened = text.matches('(').count();
                let unbalanced = opened != text.matches(')').count();
                let plain = matches!(node.kind, NodeKind::Scalar(_, Style::Plain));
                let d = if unbalanced && plain {
                    d.with_help("YAML splits a `[a, b]` list and a `{ k: v }` map at commas: quote an expression that has commas, `[\"clip(x, 0, 1)\"]`")
                } else {
                    d
                };
                self.report(d);
                None
            }
        }
    }

    /// A constant number in base units: `5.27`, `"20 MeV"`, `"m_Bp - m_Kp"`.
    pub fn quantity(&mut self, node: &YamlNode, what: &str) -> Option<Spanned<f64>> {
        if let NodeKind::Scalar(s, Style::Plain) = &node.kind
            && let Ok(v) = s.parse::<f64>()
        {
            return self.finite(v, node.span, what);
        }
        if !matches!(node.kind, NodeKind::Scalar(..)) || node.is_null() {
            self.wrong_type(node, "a number", what);
            return None;
        }
        let e = self.expr(node, what)?;
        let experiment = self.experiment.clone();
        match expr::eval_const(&e.expr, &|n: &str| {
            physics::constant_in(n, experiment.as_deref())
        }) {
            Ok(v) => self.finite(v, node.span, what),
            Err(err) => {
                self.report(
                    Diagnostic::error(codes::NOT_CONSTANT, format!("{what} must be a constant number: {}", err.message))
                        .at_labelled(err.span, "not a constant")
                        .with_help("write a number, optionally with a unit (`20 MeV`), or arithmetic of particle masses such as `m_Bp - m_Kp`"),
                );
                None
            }
        }
    }

    fn finite(&mut self, v: f64, span: Span, what: &str) -> Option<Spanned<f64>> {
        if v.is_finite() {
            return Some(Spanned::new(v, span));
        }
        self.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("{what} is not a finite number"),
            )
            .at(span),
        );
        None
    }

    /// A constant number in base units (as [`Ctx::quantity`]), or an expression of
    /// something known only later (the scan hypothesis): `(value, None)` for a constant,
    /// `(NaN, Some(expression))` otherwise; names the expression uses are resolved by lint.
    pub fn quantity_or_expr(
        &mut self,
        node: &YamlNode,
        what: &str,
    ) -> Option<(Spanned<f64>, Option<SpecExpr>)> {
        if let NodeKind::Scalar(s, Style::Plain) = &node.kind
            && s.parse::<f64>().is_ok()
        {
            return self.quantity(node, what).map(|v| (v, None));
        }
        if !matches!(node.kind, NodeKind::Scalar(..)) || node.is_null() {
            self.wrong_type(node, "a number or an expression", what);
            return None;
        }
        let e = self.expr(node, what)?;
        let experiment = self.experiment.clone();
        match expr::eval_const(&e.expr, &|n: &str| {
            physics::constant_in(n, experiment.as_deref())
        }) {
            Ok(v) => self.finite(v, node.span, what).map(|v| (v, None)),
            Err(_) => Some((Spanned::new(f64::NAN, node.span), Some(e))),
        }
    }

    /// A whole number ≥ 0 that fits in 64 bits.
    pub fn count(&mut self, node: &YamlNode, what: &str) -> Option<Spanned<u64>> {
        let q = self.quantity(node, what)?;
        if q.value >= 0.0 && q.value.fract() == 0.0 && q.value < 1.8e19 {
            return Some(Spanned::new(q.value as u64, q.span));
        }
        self.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("{what} must be a whole number ≥ 0, found {}", q.value),
            )
            .at(q.span),
        );
        None
    }

    /// A whole number from 0 to `max`.
    pub fn count_at_most(&mut self, node: &YamlNode, what: &str, max: u64) -> Option<Spanned<u64>> {
        let n = self.count(node, what)?;
        if n.value <= max {
            return Some(n);
        }
        self.report(
            Diagnostic::error(
                codes::INVALID_VALUE,
                format!("{what} is {}, more than the {max} allowed", n.value),
            )
            .at(n.span),
        );
        None
    }

    /// `[low, high]`.
    pub fn interval(&mut self, node: &YamlNode, what: &str) -> Option<Interval> {
        let items = match &node.kind {
            NodeKind::Seq(items) if items.len() == 2 => items,
            _ => {
                self.wrong_type(node, "a pair [low, high]", what);
                return None;
            }
        };
        let low = self.quantity(&items[0], what);
        let high = self.quantity(&items[1], what);
        Some(Interval {
            low: low?,
            high: high?,
            span: node.span,
        })
    }

    /// `10 sigma` or an absolute quantity.
    pub fn width(&mut self, node: &YamlNode, what: &str) -> Option<Width> {
        if let Some(text) = node.as_scalar()
            && let Some(multiple) = text.trim_end().strip_suffix("sigma")
        {
            let multiple = multiple.trim();
            let value = multiple
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0);
            return match value {
                Some(v) => Some(Width::Sigma(Spanned::new(v, node.span))),
                None => {
                    self.report(
                        Diagnostic::error(
                            codes::INVALID_VALUE,
                            format!("{what}: `{text}` is not a positive multiple of sigma"),
                        )
                        .at(node.span)
                        .with_help("write e.g. `2 sigma` or an absolute width such as `50 MeV`"),
                    );
                    None
                }
            };
        }
        self.quantity(node, what).map(Width::Absolute)
    }
}
