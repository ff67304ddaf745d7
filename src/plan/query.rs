//! The executable form of a checked analysis: the columns to read, how every name binds,
//! and the ordered steps, vetoes and channels.

use super::binding::{Binding, Bindings, CorrectionBinding, MvaBinding};
use crate::check::sites::visit_resolvable;
use crate::check::{LintContext, Scope, Symbol, sites::sites};
use crate::diag::{Diagnostic, codes};
use crate::expr::{Expr, ExprKind, mangle, print};
use crate::spec::Step;

/// Bookkeeping columns basf2 writes: event identity and weight. Read when present.
pub use crate::io::source::EVENT_COLUMNS;

/// One selection step.
#[derive(Clone, Debug)]
pub enum StepPlan {
    /// Keep candidates for which the cut is true.
    Filter {
        /// Cutflow label.
        label: String,
        /// The cut.
        cut: Expr,
    },
    /// Keep the best `n` candidates of each event.
    Best {
        /// Cutflow label.
        label: String,
        /// Ranking.
        by: Expr,
        /// Keep the highest (else the lowest).
        highest: bool,
        /// How many per event.
        n: usize,
    },
}

/// What one input adds to the query for itself: its own cuts (run before the selection),
/// its weight, and the columns they read besides the analysis'.
#[derive(Clone, Debug)]
pub struct InputOwn {
    /// Input name.
    pub input: String,
    /// Its cuts, as steps.
    pub steps: Vec<StepPlan>,
    /// Its weight expression.
    pub weight: Option<Expr>,
    /// Branches they name.
    pub columns: Vec<String>,
}

/// A veto window.
#[derive(Clone, Debug)]
pub struct VetoPlan {
    /// Cutflow label.
    pub label: String,
    /// The vetoed variable.
    pub var: Expr,
    /// Lower edge (removed).
    pub low: f64,
    /// Upper edge (removed).
    pub high: f64,
}

/// A histogram of the surviving candidates of each channel.
#[derive(Clone, Debug)]
pub struct HistogramPlan {
    /// Name.
    pub name: String,
    /// The variable.
    pub var: Expr,
    /// The variable as printed.
    pub text: String,
    /// Number of bins.
    pub bins: usize,
    /// Lower edge.
    pub low: f64,
    /// Upper edge (excluded).
    pub high: f64,
    /// Cutflow labels of the cut steps and vetoes left out (N−1); empty for the
    /// selection's survivors.
    pub without: Vec<String>,
    /// The inputs filled (empty: every input).
    pub inputs: Vec<String>,
}

/// The cutflow label of veto `name`.
fn veto_label(name: &str) -> String {
    format!("veto {name}")
}

pub use crate::spec::MAX_N_MINUS_1_STEPS;

/// A channel: its name and membership cut (`None` for the single implicit channel).
#[derive(Clone, Debug)]
pub struct ChannelPlan {
    /// Name.
    pub name: String,
    /// Membership cut.
    pub cut: Option<Expr>,
}

/// What the evaluator runs.
#[derive(Clone, Debug)]
pub struct Query {
    /// Branches to read: the bookkeeping columns and every column the analysis uses.
    pub columns: Vec<String>,
    /// Name bindings.
    pub bindings: Bindings,
    /// Selection steps, in order.
    pub steps: Vec<StepPlan>,
    /// Vetoes, in order.
    pub vetoes: Vec<VetoPlan>,
    /// Channels.
    pub channels: Vec<ChannelPlan>,
    /// Histograms, filled after every step and veto.
    pub histograms: Vec<HistogramPlan>,
    /// The cuts and weights of inputs that have their own (`inputs.<name>.cuts`,
    /// `.weight`).
    pub input_own: Vec<InputOwn>,
    /// Each candidate's weight, when not the `__weight__` column (set per input).
    pub weight: Option<Expr>,
    /// Blinding: the candidates this condition does not rule out (true or undefined) are
    /// left out of the cutflow, the histograms and the candidates handed on as hidden.
    /// Set by the caller for blinded data; `None` hides nothing.
    pub hidden: Option<Expr>,
}

impl Query {
    /// The query with columns replaced, as a column variation runs the selection: each
    /// `(column, value)` binds the column's name to `value`, in which every replaced
    /// column reads its nominal value from the file. Columns the query does not read are
    /// left alone.
    pub fn with_columns(&self, replacements: &[(Expr, Expr)]) -> Query {
        let mut query = self.clone();
        let keys: Vec<String> = replacements
            .iter()
            .map(|(column, _)| print(column))
            .filter(|key| self.bindings.contains_key(key))
            .collect();
        let nominal = |key: &str| format!("{key}#nominal");
        for key in &keys {
            query
                .bindings
                .insert(nominal(key), self.bindings[key].clone());
        }
        for (column, value) in replacements {
            let key = print(column);
            if !keys.contains(&key) {
                continue;
            }
            let value = keys
                .iter()
                .fold(value.clone(), |v, k| rename(&v, k, &nominal(k)));
            query.bindings.insert(key, Binding::Alias(Box::new(value)));
        }
        query
    }

    /// The query as run over `input`: its columns stored in other units than GeV, cm
    /// and ns (its `units`) converted as they are read, and, for blinded data, `hidden`.
    pub fn for_input(&self, input: &crate::spec::Input, hidden: Option<&Expr>) -> Query {
        let mut query = self.clone();
        if let crate::spec::Source::Files { units, .. } = &input.source {
            for (column, unit) in units {
                let Some(factor) = unit.value.map(|u| u.to_base()).filter(|&f| f != 1.0) else {
                    continue;
                };
                for binding in query.bindings.values_mut() {
                    if matches!(binding, Binding::Column(b) if *b == column.value) {
                        *binding = Binding::ScaledColumn(column.value.clone(), factor);
                    }
                }
            }
        }
        if input.name.value == crate::spec::DATA_INPUT {
            query.hidden = hidden.cloned();
        }
        query
            .histograms
            .retain(|h| h.inputs.is_empty() || h.inputs.contains(&input.name.value));
        if let Some(own) = self.input_own.iter().find(|c| c.input == input.name.value) {
            query.steps.splice(0..0, own.steps.iter().cloned());
            query.weight = own.weight.clone();
            for c in &own.columns {
                if !query.columns.contains(c) {
                    query.columns.push(c.clone());
                }
            }
        }
        query
    }
}

/// Loads MVA `i` of the spec for evaluation.
fn mva_binding(ctx: &LintContext, i: usize) -> Result<Binding, Diagnostic> {
    let m = &ctx.spec.mva[i];
    let path = ctx.base_dir.join(&m.model.value);
    let model = crate::mva::load(&path, &m.format.value).map_err(|e| {
        Diagnostic::error(e.code(), format!("MVA `{}`: {e}", m.name.value)).at(m.model.span)
    })?;
    if model.forest.num_groups != 1 {
        return Err(Diagnostic::error(
            codes::NOT_SUPPORTED,
            format!(
                "MVA `{}` is a {}-class model; specs use single-output classifiers",
                m.name.value, model.forest.num_groups
            ),
        )
        .at(m.model.span)
        .with_help(
            "train a binary classifier per class, or use its raw margins in a one-vs-rest model",
        ));
    }
    if model.forest.num_features != m.features.len() {
        return Err(Diagnostic::error(
            codes::BAD_MVA,
            format!(
                "MVA `{}` lists {} features but its model expects {}",
                m.name.value,
                m.features.len(),
                model.forest.num_features
            ),
        )
        .at(m.model.span));
    }
    Ok(Binding::Mva(std::sync::Arc::new(MvaBinding {
        forest: model.forest,
        features: m.features.iter().map(|f| f.expr.clone()).collect(),
        margin: m.output.value == "margin",
    })))
}

/// Builds the query of a lint-clean analysis.
pub fn build(ctx: &LintContext) -> Result<Query, Diagnostic> {
    let spec = ctx.spec;
    let mut bindings = Bindings::new();
    let columns = ctx.data_columns();
    for site in sites(spec)
        .into_iter()
        .filter(|s| matches!(s.scope, Scope::Data | Scope::Input(_)))
    {
        let mut failure = None;
        visit_resolvable(&site.expr.expr, &mut |e: &Expr| {
            let (key, symbol) = match &e.kind {
                ExprKind::Name(n) => (n.clone(), ctx.resolve(n, site.scope)),
                ExprKind::Call(..) if ctx.resolve_call_in(e, site.scope).is_some() => {
                    (print(e), ctx.resolve_call_in(e, site.scope))
                }
                _ => return,
            };
            if bindings.contains_key(&key) {
                return;
            }
            let binding = match symbol {
                Some(Symbol::Column(_) | Symbol::FileColumn(_)) => Binding::Column(mangle(&key)),
                Some(Symbol::Alias(i)) => {
                    Binding::Alias(Box::new(spec.variables[i].expr.expr.clone()))
                }
                Some(Symbol::Constant(c)) => Binding::Constant(c),
                Some(Symbol::Mva(i)) => match mva_binding(ctx, i) {
                    Ok(b) => b,
                    Err(d) => {
                        failure = Some(d);
                        return;
                    }
                },
                Some(Symbol::Correction(i)) => {
                    match crate::check::corrections::resolve(ctx, i, e) {
                        Ok(r) => Binding::Correction(std::sync::Arc::new(CorrectionBinding::new(
                            key.clone(),
                            r.correction,
                            spec.corrections[i]
                                .inputs
                                .iter()
                                .map(|x| x.expr.clone())
                                .collect(),
                            r.slots,
                        ))),
                        Err(d) => {
                            failure = Some(d);
                            return;
                        }
                    }
                }
                _ => return,
            };
            bindings.insert(key, binding);
        });
        if let Some(d) = failure {
            return Err(d);
        }
    }
    // Classifiers no expression uses are still outputs a caller may ask for (`skim`).
    for (i, m) in spec.mva.iter().enumerate() {
        if !bindings.contains_key(&m.name.value) {
            bindings.insert(m.name.value.clone(), mva_binding(ctx, i)?);
        }
    }
    let steps = spec
        .selection
        .iter()
        .map(|s| match s {
            Step::Cut { name, cut } => StepPlan::Filter {
                label: name.value.clone(),
                cut: cut.expr.clone(),
            },
            Step::BestCandidate {
                name,
                by,
                keep,
                count,
            } => StepPlan::Best {
                label: name.value.clone(),
                by: by.expr.clone(),
                highest: keep.value == "highest",
                n: usize::try_from(count.value).unwrap_or(usize::MAX),
            },
        })
        .collect();
    let vetoes = spec
        .vetoes
        .iter()
        .map(|v| VetoPlan {
            label: veto_label(&v.name.value),
            var: v.var.expr.clone(),
            low: v.window.low.value,
            high: v.window.high.value,
        })
        .collect();
    let channels = if spec.channels.is_empty() {
        vec![ChannelPlan {
            name: "all".into(),
            cut: None,
        }]
    } else {
        spec.channels
            .iter()
            .map(|c| ChannelPlan {
                name: c.name.value.clone(),
                cut: Some(c.cut.expr.clone()),
            })
            .collect()
    };
    let histograms = spec
        .histograms
        .iter()
        .map(|h| HistogramPlan {
            name: h.name.value.clone(),
            var: h.var.expr.clone(),
            text: print(&h.var.expr),
            bins: h.bins.value as usize,
            low: h.range.low.value,
            high: h.range.high.value,
            without: h
                .without
                .iter()
                .map(|n| {
                    let is_step = spec.selection.iter().any(|s| s.name().value == n.value);
                    if is_step {
                        n.value.clone()
                    } else {
                        veto_label(&n.value)
                    }
                })
                .collect(),
            inputs: h.inputs.iter().map(|n| n.value.clone()).collect(),
        })
        .collect::<Vec<HistogramPlan>>();
    let input_own = spec
        .inputs
        .iter()
        .enumerate()
        .filter(|(i, _)| spec.has_own_expressions(*i))
        .map(|(i, input)| InputOwn {
            input: input.name.value.clone(),
            steps: input
                .cuts
                .iter()
                .map(|cut| StepPlan::Filter {
                    label: format!("{}: {}", input.name.value, print(&cut.expr)),
                    cut: cut.expr.clone(),
                })
                .collect(),
            weight: input.weight.as_ref().map(|w| w.expr.clone()),
            columns: ctx.columns_of(Scope::Input(i)),
        })
        .collect();
    Ok(Query {
        columns,
        bindings,
        steps,
        vetoes,
        channels,
        histograms,
        input_own,
        weight: None,
        hidden: None,
    })
}

/// `e` with every occurrence of the name or basf2 call `key` (canonical text) renamed `to`.
fn rename(e: &Expr, key: &str, to: &str) -> Expr {
    if e.name_key().as_deref() == Some(key) {
        return Expr {
            kind: ExprKind::Name(to.to_string()),
            span: e.span,
        };
    }
    let r = |x: &Expr| Box::new(rename(x, key, to));
    let kind = match &e.kind {
        ExprKind::Number(..) | ExprKind::Name(_) | ExprKind::Raw(_) => e.kind.clone(),
        ExprKind::Call(name, args) => ExprKind::Call(
            name.clone(),
            args.iter().map(|a| rename(a, key, to)).collect(),
        ),
        ExprKind::Unary(op, x) => ExprKind::Unary(*op, r(x)),
        ExprKind::Binary(op, a, b) => ExprKind::Binary(*op, r(a), r(b)),
        ExprKind::Compare(first, rest) => ExprKind::Compare(
            r(first),
            rest.iter()
                .map(|(op, x)| (*op, rename(x, key, to)))
                .collect(),
        ),
        ExprKind::Window {
            value,
            low,
            high,
            negated,
        } => ExprKind::Window {
            value: r(value),
            low: r(low),
            high: r(high),
            negated: *negated,
        },
    };
    Expr { kind, span: e.span }
}
