//! Every expression in a spec, with the scope it is evaluated in and the type it must have.

use super::symbols::Scope;
use crate::expr::{Expr, ExprKind, function};
use crate::spec::{Model, Param, Spec, SpecExpr, Step};

/// The type an expression site requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Want {
    /// A condition (cuts).
    Bool,
    /// A number (observables, features, rankings, parameters).
    Num,
    /// Either (aliases).
    Any,
}

/// One expression in the spec.
#[derive(Clone, Copy, Debug)]
pub struct Site<'a> {
    /// The expression.
    pub expr: &'a SpecExpr,
    /// Names it may use.
    pub scope: Scope,
    /// Type it must have.
    pub want: Want,
    /// What it is, for messages ("the cut of step `x`").
    pub role: &'static str,
}

/// Every expression site, in spec order.
pub fn sites(spec: &Spec) -> Vec<Site<'_>> {
    let data = |expr, want, role| Site {
        expr,
        scope: Scope::Data,
        want,
        role,
    };
    let model = |expr, sigma, poi, role| Site {
        expr,
        scope: Scope::Model { sigma, poi },
        want: Want::Num,
        role,
    };
    let mut out = Vec::new();
    for (i, input) in spec.inputs.iter().enumerate() {
        out.extend(input.cuts.iter().map(|cut| Site {
            expr: cut,
            scope: Scope::Input(i),
            want: Want::Bool,
            role: "a cut of one input",
        }));
        out.extend(input.weight.iter().map(|weight| Site {
            expr: weight,
            scope: Scope::Input(i),
            want: Want::Num,
            role: "the weight of one input",
        }));
    }
    // Weight variations are evaluated on the signal sample's candidates.
    let signal = spec.efficiency_input().map_or(Scope::Data, Scope::Input);
    for (_, up, down) in spec.weight_variations() {
        out.extend([up, down].map(|expr| Site {
            expr,
            scope: signal,
            want: Want::Num,
            role: "a varied weight",
        }));
    }
    for (_, up, down) in spec.column_variations() {
        for (column, value) in up.iter().chain(down) {
            out.push(Site {
                expr: column,
                scope: signal,
                want: Want::Num,
                role: "a varied column",
            });
            out.push(Site {
                expr: value,
                scope: signal,
                want: Want::Num,
                role: "a column's varied value",
            });
        }
    }
    out.extend(
        spec.variables
            .iter()
            .map(|v| data(&v.expr, Want::Any, "a variable")),
    );
    for m in &spec.mva {
        out.extend(
            m.features
                .iter()
                .map(|f| data(f, Want::Num, "an MVA feature")),
        );
    }
    for c in &spec.corrections {
        out.extend(
            c.inputs
                .iter()
                .map(|f| data(f, Want::Num, "a correction input")),
        );
    }
    for step in &spec.selection {
        match step {
            Step::Cut { cut, .. } => out.push(data(cut, Want::Bool, "a selection cut")),
            Step::BestCandidate { by, .. } => {
                out.push(data(by, Want::Num, "a best-candidate ranking"))
            }
        }
    }
    out.extend(
        spec.vetoes
            .iter()
            .map(|v| data(&v.var, Want::Num, "a vetoed variable")),
    );
    out.extend(
        spec.histograms
            .iter()
            .map(|h| data(&h.var, Want::Num, "a histogrammed variable")),
    );
    out.extend(
        spec.channels
            .iter()
            .map(|c| data(&c.cut, Want::Bool, "a channel cut")),
    );
    if let Some(region) = &spec.blinding.signal_region {
        out.push(data(region, Want::Bool, "the signal region"));
    }
    match &spec.model {
        Some(Model::Fit(f)) => {
            out.push(data(&f.observable.var, Want::Num, "the fit observable"));
        }
        Some(Model::Counting(c)) => {
            out.push(data(&c.observable.var, Want::Num, "the counted observable"));
            out.push(model(&c.resolution, false, false, "the resolution"));
        }
        None => {}
    }
    if let Some(plain) = &spec.plain_fit {
        out.push(data(&plain.observable.var, Want::Num, "the fit observable"));
    }
    for pdf in spec.fit_pdfs() {
        for (name, p) in &pdf.params {
            if let Param::Fixed(e) = p
                && !matches!(name.value.as_str(), "from" | "interpolation")
            {
                out.push(model(e, false, false, "a PDF parameter"));
            }
        }
    }
    if let Some(crate::spec::Efficiency::Given(e)) = spec.model.as_ref().and_then(Model::efficiency)
    {
        out.push(model(e, false, false, "the efficiency"));
    }
    let nuisances = match &spec.model {
        Some(Model::Fit(f)) => f.nuisances.as_slice(),
        Some(Model::Counting(c)) => c.nuisances.as_slice(),
        None => &[],
    };
    for n in nuisances {
        out.extend(
            n.relative_at
                .iter()
                .map(|e| model(e, false, false, "a nuisance's relative width")),
        );
    }
    if let Some(scan) = &spec.scan {
        out.push(model(&scan.step, true, false, "the scan step"));
    }
    if let Some(limits) = &spec.limits {
        out.extend(
            limits
                .reinterpret
                .iter()
                .flat_map(|r| std::iter::once(&r.formula).chain(r.channels.iter().map(|(_, f)| f)))
                .map(|f| model(f, false, true, "a reinterpretation formula")),
        );
        out.extend(limits.model_plane.iter().flat_map(|p| {
            let predictions =
                std::iter::once(&p.prediction).chain(p.channels.iter().map(|(_, f)| f));
            std::iter::once(model(&p.ctau, false, true, "a model plane's lifetime"))
                .chain(predictions.map(|f| model(f, false, true, "a model plane's prediction")))
        }));
    }
    out
}

/// Visits the nodes of `e` whose names are resolved against the spec: everything except
/// the arguments of basf2 variables (`daughter(0, M)` names a column as a whole).
pub fn visit_resolvable<'a>(e: &'a Expr, f: &mut impl FnMut(&'a Expr)) {
    f(e);
    match &e.kind {
        ExprKind::Call(name, _) if function(name).is_none() => {}
        ExprKind::Number(..) | ExprKind::Name(_) | ExprKind::Raw(_) => {}
        ExprKind::Call(_, args) => args.iter().for_each(|a| visit_resolvable(a, f)),
        ExprKind::Unary(_, x) => visit_resolvable(x, f),
        ExprKind::Binary(_, a, b) => {
            visit_resolvable(a, f);
            visit_resolvable(b, f);
        }
        ExprKind::Compare(first, rest) => {
            visit_resolvable(first, f);
            rest.iter().for_each(|(_, x)| visit_resolvable(x, f));
        }
        ExprKind::Window {
            value, low, high, ..
        } => {
            visit_resolvable(value, f);
            visit_resolvable(low, f);
            visit_resolvable(high, f);
        }
    }
}
