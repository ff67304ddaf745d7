//! `searchlight plan --format text`.

use crate::check::sites::visit_resolvable;
use crate::check::{LintContext, Scope, Symbol, grid, sites::sites};
use crate::expr::{ExprKind, format_number, mangle, print};
use crate::spec::{Efficiency, Model, Param, Source, Step, Width};
use std::fmt::Write;

/// A column the analysis reads: as written, and the ntuple branch it resolved to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRead {
    /// The name as written (`daughter(0, M)`).
    pub written: String,
    /// The branch read (`daughter__bo0__cm__spM__bc`).
    pub branch: String,
}

/// Every input column the analysis reads, in order of first use.
pub fn columns_read(ctx: &LintContext) -> Vec<ColumnRead> {
    let mut out: Vec<ColumnRead> = Vec::new();
    for site in sites(ctx.spec)
        .into_iter()
        .filter(|s| s.scope == Scope::Data)
    {
        visit_resolvable(&site.expr.expr, &mut |e| {
            let resolved = match &e.kind {
                ExprKind::Name(n) => ctx.resolve(n, Scope::Data).map(|s| (n.clone(), s)),
                ExprKind::Call(..) => ctx.resolve_call(e).map(|s| (print(e), s)),
                _ => None,
            };
            if let Some((written, Symbol::Column(_) | Symbol::FileColumn(_))) = resolved
                && !out.iter().any(|c| c.written == written)
            {
                out.push(ColumnRead {
                    branch: mangle(&written),
                    written,
                });
            }
        });
    }
    out
}

/// The checked analysis as text.
pub fn describe(ctx: &LintContext) -> String {
    let spec = ctx.spec;
    let mut s = String::new();
    let w = &mut s;
    let _ = writeln!(w, "analysis {}", spec.analysis.name.value);
    if let Some(t) = &spec.analysis.title {
        let _ = writeln!(w, "  title: {}", t.value);
    }
    let _ = writeln!(w, "\ninputs");
    for i in &spec.inputs {
        match &i.source {
            Source::Toy {
                generator,
                events,
                seed,
                params,
            } => {
                let p: Vec<String> = params
                    .iter()
                    .map(|(k, v)| {
                        let values: Vec<String> =
                            v.value.values().iter().map(|x| format_number(*x)).collect();
                        format!("{}={}", k.value, values.join(","))
                    })
                    .collect();
                let _ = writeln!(
                    w,
                    "  {}: toy {} ({} events, seed {}){}",
                    i.name.value,
                    generator.value,
                    events.value,
                    seed.value,
                    if p.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", p.join(" "))
                    }
                );
            }
            Source::Files { files, tree, .. } => {
                let f: Vec<&str> = files.iter().map(|f| f.value.as_str()).collect();
                let _ = writeln!(
                    w,
                    "  {}: files {}{}",
                    i.name.value,
                    f.join(", "),
                    tree.as_ref()
                        .map_or(String::new(), |t| format!(" (tree {})", t.value))
                );
            }
        }
    }
    let columns = columns_read(ctx);
    let _ = writeln!(w, "\ncolumns read ({})", columns.len());
    for c in &columns {
        if c.branch == c.written {
            let _ = writeln!(w, "  {}", c.written);
        } else {
            let _ = writeln!(w, "  {} -> {}", c.written, c.branch);
        }
    }
    if !spec.variables.is_empty() {
        let _ = writeln!(w, "\ndefine");
        for v in &spec.variables {
            let _ = writeln!(w, "  {} = {}", v.name.value, print(&v.expr.expr));
        }
    }
    for m in &spec.mva {
        let f: Vec<String> = m.features.iter().map(|f| print(&f.expr)).collect();
        let _ = writeln!(
            w,
            "\nmva {} = {}({}) [{}] from {}",
            m.name.value,
            m.format.value,
            f.join(", "),
            m.output.value,
            m.model.value
        );
    }
    let _ = writeln!(w, "\nselection (one cutflow row each)");
    for (i, step) in spec.selection.iter().enumerate() {
        match step {
            Step::Cut { name, cut } => {
                let _ = writeln!(
                    w,
                    "  {:>2}. filter  {:<28} {}",
                    i + 1,
                    name.value,
                    print(&cut.expr)
                );
            }
            Step::BestCandidate {
                name,
                by,
                keep,
                count,
            } => {
                let _ = writeln!(
                    w,
                    "  {:>2}. best    {:<28} keep {} {} per event by {}",
                    i + 1,
                    name.value,
                    count.value,
                    keep.value,
                    print(&by.expr)
                );
            }
        }
    }
    if !spec.vetoes.is_empty() {
        let _ = writeln!(w, "\nvetoes (closed windows removed)");
        for v in &spec.vetoes {
            let _ = writeln!(
                w,
                "  {:<12} {} in [{}, {}]",
                v.name.value,
                print(&v.var.expr),
                format_number(v.window.low.value),
                format_number(v.window.high.value)
            );
        }
    }
    if !spec.channels.is_empty() {
        let _ = writeln!(w, "\nchannels");
        for c in &spec.channels {
            let _ = writeln!(w, "  {:<8} {}", c.name.value, print(&c.cut.expr));
        }
    }
    if !spec.histograms.is_empty() {
        let _ = writeln!(
            w,
            "\nhistograms (surviving candidates, per input and channel)"
        );
        for h in &spec.histograms {
            let _ = writeln!(
                w,
                "  {:<12} {} in {} bins over [{}, {})",
                h.name.value,
                print(&h.var.expr),
                h.bins.value,
                format_number(h.range.low.value),
                format_number(h.range.high.value)
            );
        }
    }
    describe_model(ctx, w);
    s
}

fn width(w: &Width) -> String {
    match w {
        Width::Sigma(k) => format!("{} sigma", format_number(k.value)),
        Width::Absolute(a) => format!("{} GeV", format_number(a.value)),
    }
}

fn describe_model(ctx: &LintContext, w: &mut String) {
    let spec = ctx.spec;
    match &spec.model {
        Some(Model::Fit(f)) => {
            let _ = writeln!(
                w,
                "\nfit {} in [{}, {}]{}",
                print(&f.observable.var.expr),
                format_number(f.observable.range.low.value),
                format_number(f.observable.range.high.value),
                f.window
                    .as_ref()
                    .map_or(String::new(), |x| format!(", window ±{}", width(x)))
            );
            let roles = std::iter::once(("signal", &f.signal)).chain(
                f.backgrounds
                    .iter()
                    .map(|c| (c.name.value.as_str(), &c.pdf)),
            );
            for (role, pdf) in roles {
                let params: Vec<String> = pdf
                    .params
                    .iter()
                    .map(|(n, p)| match p {
                        Param::Fixed(e) => format!("{}={}", n.value, print(&e.expr)),
                        Param::Floating {
                            init,
                            range,
                            shared,
                        } => format!(
                            "{}~{} in [{}, {}]{}",
                            n.value,
                            format_number(init.value),
                            format_number(range.low.value),
                            format_number(range.high.value),
                            if *shared { " shared" } else { "" }
                        ),
                    })
                    .collect();
                let _ = writeln!(w, "  {role}: {}({})", pdf.pdf.value, params.join(", "));
            }
            match &f.efficiency {
                Some(Efficiency::FromInput(i)) => {
                    let _ = writeln!(w, "  efficiency from input {}", i.value);
                }
                Some(Efficiency::Given(e)) => {
                    let _ = writeln!(w, "  efficiency {}", crate::expr::print(&e.expr));
                }
                Some(Efficiency::Table { path, .. }) => {
                    let _ = writeln!(w, "  efficiency from table {}", path.value);
                }
                None => {}
            }
            let _ = writeln!(
                w,
                "  poi {} in [{}, {}]",
                f.poi.name.value,
                format_number(f.poi.range.low.value),
                format_number(f.poi.range.high.value)
            );
        }
        Some(Model::Counting(c)) => {
            let _ = writeln!(
                w,
                "\ncount {} in a ±{} window, sigma = {}",
                print(&c.observable.var.expr),
                width(&c.window),
                print(&c.resolution.expr)
            );
            for sb in &c.sidebands {
                let _ = writeln!(
                    w,
                    "  sideband [{}, {}] sigma",
                    format_number(sb.low.value),
                    format_number(sb.high.value)
                );
            }
        }
        None => {}
    }
    if let Some(scan) = &spec.scan {
        match grid::grid(spec) {
            Ok(points) if !points.is_empty() => {
                let skipped = points.iter().filter(|&&m| grid::excluded(spec, m)).count();
                let _ = writeln!(
                    w,
                    "\nscan {}: {} hypotheses from {:.4} to {:.4} (step {}), {} of them in excluded windows",
                    scan.parameter.value,
                    points.len(),
                    points[0],
                    points[points.len() - 1],
                    print(&scan.step.expr),
                    skipped
                );
            }
            Ok(_) => {
                let _ = writeln!(w, "\nscan {}: no hypotheses", scan.parameter.value);
            }
            Err(e) => {
                let _ = writeln!(
                    w,
                    "\nscan {}: cannot build the grid: {}",
                    scan.parameter.value, e.message
                );
            }
        }
        let excluded: Vec<&str> = scan.exclude.iter().map(|e| e.value.as_str()).collect();
        if !excluded.is_empty() {
            let _ = writeln!(w, "  excluding the windows of {}", excluded.join(", "));
        }
    }
    if let Some(l) = &spec.limits {
        let _ = writeln!(
            w,
            "\nlimits {} CL, {}{}",
            format_number(l.cl.value),
            l.method.value,
            if l.expected.value {
                ", with expected bands"
            } else {
                ""
            }
        );
        for r in &l.reinterpret {
            let _ = writeln!(w, "  {} = {}", r.name.value, print(&r.formula.expr));
        }
        for p in &l.model_plane {
            let _ = writeln!(
                w,
                "  model plane {} in [{}, {}]: ctau = {}, prediction = {}",
                p.coupling.value,
                p.range.low.value,
                p.range.high.value,
                print(&p.ctau.expr),
                print(&p.prediction.expr)
            );
        }
    }
}
