//! `searchlight plan --format json|dot`: the analysis as a dataflow graph — source columns,
//! derived columns, the ordered filters, vetoes, histograms, the channel split and the statistics
//! stages — for tools (JSON) and for drawing (Graphviz DOT).

use super::dag::NodeId;
use super::program::{Program, Storage};
use super::text::columns_read;
use crate::check::{LintContext, grid};
use crate::expr::print;
use crate::spec::{Model, Step};
use serde_json::{Value, json};

/// The graph as JSON.
pub fn json(ctx: &LintContext) -> Value {
    let spec = ctx.spec;
    let steps: Vec<Value> = spec
        .selection
        .iter()
        .map(|s| match s {
            Step::Cut { name, cut } => {
                json!({"kind": "filter", "label": name.value, "cut": print(&cut.expr)})
            }
            Step::BestCandidate {
                name,
                by,
                keep,
                count,
            } => json!({
                "kind": "best_candidate", "label": name.value, "by": print(&by.expr),
                "keep": keep.value, "n": count.value,
            }),
        })
        .collect();
    let model = spec.model.as_ref().map(|m| {
        let kind = match m {
            Model::Fit(_) => "fit",
            Model::Counting(_) => "counting",
        };
        json!({"kind": kind, "observable": print(&m.observable().var.expr), "poi": m.poi().name.value})
    });
    let scan = spec.scan.as_ref().map(|s| {
        let points = grid::grid(spec).unwrap_or_default();
        json!({
            "parameter": s.parameter.value,
            "hypotheses": points.len(),
            "excluded": points.iter().filter(|&&m| grid::excluded(spec, m)).count(),
            "first": points.first(),
            "last": points.last(),
        })
    });
    json!({
        "analysis": spec.analysis.name.value,
        "inputs": spec.inputs.iter().map(|i| i.name.value.clone()).collect::<Vec<_>>(),
        "columns": columns_read(ctx).iter().map(|c| json!({"written": c.written, "branch": c.branch})).collect::<Vec<_>>(),
        "define": spec.variables.iter().map(|v| json!({"name": v.name.value, "expr": print(&v.expr.expr)})).collect::<Vec<_>>(),
        "steps": steps,
        "vetoes": spec.vetoes.iter().map(|v| json!({
            "name": v.name.value, "var": print(&v.var.expr), "window": [v.window.low.value, v.window.high.value],
        })).collect::<Vec<_>>(),
        "channels": spec.channels.iter().map(|c| json!({"name": c.name.value, "cut": print(&c.cut.expr)})).collect::<Vec<_>>(),
        "histograms": spec.histograms.iter().map(|h| json!({
            "name": h.name.value, "var": print(&h.var.expr), "bins": h.bins.value,
            "range": [h.range.low.value, h.range.high.value],
        })).collect::<Vec<_>>(),
        "model": model,
        "scan": scan,
        "limits": spec.limits.as_ref().map(|l| json!({"cl": l.cl.value, "method": l.method.value})),
    })
}

/// A DOT string literal; line breaks become DOT's `\n`.
fn quote(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

/// The graph in Graphviz DOT.
pub fn dot(ctx: &LintContext, program: &Program) -> String {
    let spec = ctx.spec;
    let mut out = String::from(
        "digraph analysis {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\"];\n",
    );
    let edge = |out: &mut String, a: &str, b: &str| out.push_str(&format!("  {a} -> {b};\n"));
    let columns: Vec<String> = columns_read(ctx).into_iter().map(|c| c.written).collect();
    let inputs: Vec<&str> = spec.inputs.iter().map(|i| i.name.value.as_str()).collect();
    out.push_str(&format!(
        "  source [shape=cylinder, label={}];\n",
        quote(&format!(
            "inputs: {}\ncolumns: {}",
            inputs.join(", "),
            columns.join(", ")
        ))
    ));
    let mut previous = "source".to_string();
    for (i, v) in spec.variables.iter().enumerate() {
        let id = format!("define{i}");
        out.push_str(&format!(
            "  {id} [shape=ellipse, label={}];\n",
            quote(&format!("{} = {}", v.name.value, print(&v.expr.expr)))
        ));
        edge(&mut out, &previous, &id);
        previous = id;
    }
    // The selection's nodes in order, each with the node before it and its name.
    let mut chain: Vec<(String, String)> = Vec::new();
    for (i, s) in spec.selection.iter().enumerate() {
        let id = format!("step{i}");
        chain.push((previous.clone(), s.name().value.clone()));
        let label = match s {
            Step::Cut { name, cut } => format!("{}\n{}", name.value, print(&cut.expr)),
            Step::BestCandidate { name, .. } => name.value.clone(),
        };
        out.push_str(&format!("  {id} [label={}];\n", quote(&label)));
        edge(&mut out, &previous, &id);
        previous = id;
    }
    for (i, v) in spec.vetoes.iter().enumerate() {
        let id = format!("veto{i}");
        chain.push((previous.clone(), v.name.value.clone()));
        let label = format!(
            "veto {}\n{} in [{}, {}]",
            v.name.value,
            print(&v.var.expr),
            v.window.low.value,
            v.window.high.value
        );
        out.push_str(&format!(
            "  {id} [style=dashed, label={}];\n",
            quote(&label)
        ));
        edge(&mut out, &previous, &id);
        previous = id;
    }
    // Histograms hang off the last selection node: filled per channel in the same pass.
    for (i, h) in spec.histograms.iter().enumerate() {
        let id = format!("histogram{i}");
        let label = format!(
            "histogram {}\n{}: {} bins [{}, {})",
            h.name.value,
            print(&h.var.expr),
            h.bins.value,
            h.range.low.value,
            h.range.high.value
        );
        out.push_str(&format!("  {id} [shape=note, label={}];\n", quote(&label)));
        // An N−1 histogram leaves the selection before the first step it leaves out
        // (and is filled after every other step).
        match chain
            .iter()
            .find(|(_, name)| h.without.iter().any(|w| &w.value == name))
        {
            Some((before, _)) => {
                let left_out: Vec<&str> = h.without.iter().map(|w| w.value.as_str()).collect();
                out.push_str(&format!(
                    "  {before} -> {id} [style=dashed, label={}];\n",
                    quote(&format!("every later step but {}", left_out.join(", ")))
                ));
            }
            None => edge(&mut out, &previous, &id),
        }
    }
    let stats = spec.model.as_ref().map(|m| match m {
        Model::Fit(_) => "fit",
        Model::Counting(_) => "count",
    });
    for (i, c) in spec.channels.iter().enumerate() {
        let id = format!("channel{i}");
        out.push_str(&format!(
            "  {id} [shape=hexagon, label={}];\n",
            quote(&format!("{}\n{}", c.name.value, print(&c.cut.expr)))
        ));
        edge(&mut out, &previous, &id);
        if stats.is_some() {
            edge(&mut out, &id, "model");
        }
    }
    if let Some(kind) = stats {
        out.push_str(&format!(
            "  model [shape=doubleoctagon, label={}];\n",
            quote(kind)
        ));
        if spec.channels.is_empty() {
            edge(&mut out, &previous, "model");
        }
        if let Some(s) = &spec.scan {
            out.push_str(&format!(
                "  scan [label={}];\n",
                quote(&format!("scan {}", s.parameter.value))
            ));
            edge(&mut out, "model", "scan");
        }
        if let Some(l) = &spec.limits {
            out.push_str(&format!(
                "  limits [label={}];\n",
                quote(&format!("{} CL {}", l.cl.value, l.method.value))
            ));
            edge(
                &mut out,
                if spec.scan.is_some() { "scan" } else { "model" },
                "limits",
            );
        }
    }
    values(&mut out, ctx, program);
    out.push_str("}\n");
    out
}

/// The optimised graph of per-candidate values the evaluator computes (after folding,
/// sharing, pruning and fusing), each value drawn once however many results read it,
/// with an edge from each value to the step, veto, channel or histogram that reads it.
fn values(out: &mut String, ctx: &LintContext, program: &Program) {
    let plan = &program.plan;
    out.push_str(
        "  subgraph cluster_values {\n    label=\"values per candidate (optimised)\";\n    style=dotted;\n",
    );
    for id in 0..plan.dag.nodes.len() {
        let (shape, style) = match program.storage[id] {
            Storage::Column => ("cylinder", "solid"),
            Storage::Constant => ("plaintext", "solid"),
            Storage::Fused => ("ellipse", "dashed"),
            Storage::Block | Storage::Chunk => ("ellipse", "solid"),
        };
        out.push_str(&format!(
            "    v{id} [shape={shape}, style={style}, label={}];\n",
            quote(&format!("%{id} = {}", plan.dag.describe(id)))
        ));
    }
    out.push_str("  }\n");
    for (id, node) in plan.dag.nodes.iter().enumerate() {
        for o in node.operands() {
            out.push_str(&format!("  v{o} -> v{id};\n"));
        }
    }
    let selection = ctx.spec.selection.len();
    let reader = |out: &mut String, value: NodeId, target: String| {
        out.push_str(&format!("  v{value} -> {target} [color=gray];\n"));
    };
    for (k, step) in plan.steps.iter().enumerate() {
        let target = if k < selection {
            format!("step{k}")
        } else {
            format!("veto{}", k - selection)
        };
        reader(out, step.node(), target);
    }
    for (c, (_, cut)) in plan.channels.iter().enumerate() {
        if let Some(cut) = cut {
            reader(out, *cut, format!("channel{c}"));
        }
    }
    for (h, histogram) in plan.histograms.iter().enumerate() {
        reader(out, histogram.value, format!("histogram{h}"));
    }
}
