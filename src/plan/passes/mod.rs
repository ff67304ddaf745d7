//! The optimizer, run in this order by [`optimize`]: logical passes rewrite the
//! [`LogicalPlan`]'s graph (`fold-constants`, `share-common-subexpressions`,
//! `prune-columns`); `fuse-elementwise` lowers it to a schedule (phases, storage); physical
//! passes refine the schedule (`fuse-cuts`). Each is a named rule that keeps every result
//! identical to the unoptimized graph's, bit for bit: passes only compute at plan time what
//! the evaluator would compute with the same scalar function
//! ([`super::dag::DagNode::scalar`]), merge nodes that compute the same thing, drop what no
//! result reads, and decide where values are stored. In debug builds the plan or program
//! is validated after every pass.

mod fold_constants;
mod fuse_cuts;
mod fuse_elementwise;
mod prune_columns;
mod share_subexpressions;

use super::logical::LogicalPlan;
use super::program::{PassReport, Program};

/// A named rewrite of the logical plan.
pub trait LogicalPass {
    /// The name `searchlight plan` prints.
    const NAME: &'static str;

    /// Rewrites `plan`; returns what changed, in a few words.
    fn run(plan: &mut LogicalPlan) -> String;
}

/// A named refinement of the schedule.
pub trait PhysicalPass {
    /// The name `searchlight plan` prints.
    const NAME: &'static str;

    /// Rewrites `program`; returns what changed, in a few words.
    fn run(program: &mut Program) -> String;
}

/// In debug builds (and so in every test), a pass that leaves an invalid plan or
/// program stops the process naming the pass.
fn checked(pass: &str, valid: Result<(), String>) {
    if cfg!(debug_assertions)
        && let Err(e) = valid
    {
        panic!("optimizer pass {pass} left an invalid program: {e}");
    }
}

fn logical<P: LogicalPass>(plan: &mut LogicalPlan, reports: &mut Vec<PassReport>) {
    let summary = P::run(plan);
    checked(P::NAME, plan.validate());
    reports.push(PassReport {
        pass: P::NAME,
        summary,
    });
}

fn physical<P: PhysicalPass>(program: &mut Program) {
    let summary = P::run(program);
    checked(P::NAME, program.validate());
    program.passes.push(PassReport {
        pass: P::NAME,
        summary,
    });
}

/// Optimises `plan` and schedules it: the logical passes in order, the lowering to a
/// schedule (`fuse-elementwise`), then the physical passes, the result checked after
/// each. With `rewrite` false only what the evaluator needs runs (pruning and
/// scheduling: the graph as lowered, for comparing results with and without the
/// rewrites).
pub fn optimize(mut plan: LogicalPlan, rewrite: bool) -> Program {
    checked("lowering", plan.validate());
    let mut reports = Vec::new();
    if rewrite {
        logical::<fold_constants::FoldConstants>(&mut plan, &mut reports);
        logical::<share_subexpressions::ShareSubexpressions>(&mut plan, &mut reports);
    }
    logical::<prune_columns::PruneColumns>(&mut plan, &mut reports);
    let (mut program, summary) = fuse_elementwise::schedule(plan);
    checked(fuse_elementwise::NAME, program.validate());
    reports.push(PassReport {
        pass: fuse_elementwise::NAME,
        summary,
    });
    program.passes = reports;
    if rewrite {
        physical::<fuse_cuts::FuseCuts>(&mut program);
    }
    program
}

#[cfg(test)]
mod tests {
    use crate::expr::{Expr, parse_text};
    use crate::plan::binding::{Binding, Bindings};
    use crate::plan::dag::{DagNode, Unary};
    use crate::plan::program::{Program, Storage};
    use crate::plan::query::{ChannelPlan, Query, StepPlan};

    fn expr(s: &str) -> Expr {
        parse_text(s).unwrap()
    }

    /// A query over columns x, y, z and the alias `unused: w * 2`.
    fn query(channels: &[&str], steps: &[&str], best: Option<&str>) -> Query {
        let mut bindings: Bindings = ["x", "y", "z", "w"]
            .iter()
            .map(|c| (c.to_string(), Binding::Column(c.to_string())))
            .collect();
        bindings.insert("unused".into(), Binding::Alias(Box::new(expr("w * 2"))));
        let mut steps: Vec<StepPlan> = steps
            .iter()
            .map(|s| StepPlan::Filter {
                label: s.to_string(),
                cut: expr(s),
            })
            .collect();
        if let Some(by) = best {
            steps.insert(
                1,
                StepPlan::Best {
                    label: "best".into(),
                    by: expr(by),
                    highest: true,
                    n: 1,
                },
            );
        }
        Query {
            columns: Vec::new(),
            bindings,
            steps,
            vetoes: Vec::new(),
            channels: channels
                .iter()
                .map(|c| ChannelPlan {
                    name: c.to_string(),
                    cut: Some(expr(c)),
                })
                .collect(),
            histograms: Vec::new(),
            input_own: Vec::new(),
            weight: None,
            hidden: None,
        }
    }

    fn count(p: &Program, f: impl Fn(&DagNode) -> bool) -> usize {
        p.plan.dag.nodes.iter().filter(|n| f(n)).count()
    }

    #[test]
    fn the_validator_refuses_broken_schedules() {
        let p = Program::compile(
            &query(
                &["abs(x - y) < 1", "y > 2"],
                &["x + y < 3", "z > 0"],
                Some("z"),
            ),
            &[&expr("x * y")],
        );
        assert_eq!(p.validate(), Ok(()));
        let broken = |what: &str, edit: &dyn Fn(&mut Program)| {
            let mut q = p.clone();
            edit(&mut q);
            assert!(q.validate().is_err(), "{what} passes");
        };
        broken("a node computed before its operands", &|q| {
            let task = q
                .phases
                .iter_mut()
                .flat_map(|p| &mut p.tasks)
                .find(|t| t.compute.len() > 1)
                .unwrap();
            task.compute.reverse();
        });
        broken("a buffer never given back", &|q| {
            let task = q
                .phases
                .iter_mut()
                .flat_map(|p| &mut p.tasks)
                .find(|t| !t.release.is_empty())
                .unwrap();
            task.release.pop();
        });
        broken("steps out of order", &|q| {
            let last = q.phases.len() - 1;
            q.phases.swap(0, last);
        });
        broken("an output not kept", &|q| {
            let o = q.plan.outputs[0];
            q.storage[o] = Storage::Block;
        });
        broken("an operand after its node", &|q| {
            let n = q.plan.dag.nodes.len();
            q.plan.outputs.push(n);
        });
    }

    #[test]
    fn constants_fold_and_squares_are_products() {
        let p = Program::compile(
            &query(&[], &["x < 2 * 0.25 GeV + 500 MeV", "y ** 2 < 4"], None),
            &[],
        );
        assert_eq!(
            count(&p, |n| matches!(n, DagNode::Constant(c) if *c == 1.0)),
            1
        );
        assert_eq!(
            count(&p, |n| matches!(
                n,
                DagNode::Binary(crate::expr::BinOp::Pow, ..)
            )),
            0
        );
        assert_eq!(
            count(
                &p,
                |n| matches!(n, DagNode::Binary(crate::expr::BinOp::Mul, a, b) if a == b)
            ),
            1
        );
        assert_eq!(p.passes[0].pass, "fold-constants");
        assert!(
            p.passes[0].summary.starts_with("2 node(s)"),
            "{}",
            p.passes[0].summary
        );
    }

    #[test]
    fn subexpressions_are_shared_across_channels_and_steps() {
        let p = Program::compile(
            &query(
                &["abs(x) < 1 and y > 0", "abs(x) < 1 and y < 0"],
                &["abs(x) < 1", "z > 0"],
                None,
            ),
            &[],
        );
        assert_eq!(count(&p, |n| matches!(n, DagNode::Unary(Unary::Abs, _))), 1);
        assert_eq!(
            count(&p, |n| matches!(n, DagNode::Column(c) if c == "x")),
            1
        );
        // The shared `abs(x) < 1` is computed by the first channel and read by the step.
        assert_eq!(
            p.plan.steps[0].node(),
            p.plan
                .dag
                .nodes
                .iter()
                .position(|n| matches!(n, DagNode::Compare(..)))
                .unwrap()
        );
    }

    #[test]
    fn unused_aliases_leave_their_columns_unread() {
        let p = Program::compile(&query(&[], &["x > 0"], None), &[]);
        assert!(p.reads("x") && !p.reads("w") && !p.reads("y"));
        assert_eq!(&p.plan.columns[4..], ["x"]);
        let with_output = Program::compile(&query(&[], &["x > 0"], None), &[&expr("unused")]);
        assert!(with_output.reads("w"));
    }

    #[test]
    fn values_read_after_a_best_candidate_step_are_kept_for_the_chunk() {
        let p = Program::compile(&query(&[], &["x + y > 0", "x + y < 3"], Some("z")), &[]);
        assert_eq!(p.phases.len(), 2);
        assert_eq!(p.phases[0].then_best, Some(1));
        let sum = p
            .plan
            .dag
            .nodes
            .iter()
            .position(|n| matches!(n, DagNode::Binary(crate::expr::BinOp::Add, ..)))
            .unwrap();
        assert_eq!(p.storage[sum], Storage::Chunk, "{}", p.text());
        // Without a later reader a value lives in a block buffer.
        let p = Program::compile(&query(&[], &["x + y > 0"], None), &[]);
        let sum = p
            .plan
            .dag
            .nodes
            .iter()
            .position(|n| matches!(n, DagNode::Binary(..)))
            .unwrap();
        assert_eq!(p.storage[sum], Storage::Block);
    }

    /// Columns x, y, z, w of 81 rows with NaN, ±inf and 0.
    fn table() -> crate::io::table::ColumnTable {
        use crate::io::table::{Column, ColumnData, ColumnTable};
        let values = [
            0.0,
            1.0,
            -2.5,
            f64::NAN,
            f64::INFINITY,
            0.5,
            -0.0,
            3.0,
            1e300,
        ];
        let column =
            |k: usize| ColumnData::F64((0..81).map(|i| values[(i * (k + 1) + k) % 9]).collect());
        ColumnTable {
            columns: ["x", "y", "z", "w"]
                .iter()
                .enumerate()
                .map(|(k, c)| Column {
                    name: c.to_string(),
                    data: column(k),
                })
                .collect(),
        }
    }

    /// Values of the outputs `exprs` over [`table`].
    fn outputs(exprs: &[Expr], rewrite: bool) -> Vec<Vec<u64>> {
        let refs: Vec<&Expr> = exprs.iter().collect();
        let program = Program::compile_with(&query(&[], &[], None), &refs, rewrite);
        let mut out: Vec<Vec<u64>> = Vec::new();
        crate::exec::run_with(
            &program,
            std::iter::once(Ok(crate::exec::Piece::whole(table()))),
            |s| {
                out = s
                    .outputs
                    .iter()
                    .map(|v| v.iter().map(|x| x.to_bits()).collect())
                    .collect();
                Ok(())
            },
        )
        .unwrap();
        assert!(out.len() == exprs.len() && out.iter().all(|v| v.len() == 81));
        out
    }

    fn arbitrary_expr() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            prop::sample::select(vec![
                "x", "y", "z", "unused", "0", "1", "2", "0.5", "-3", "1 MeV"
            ])
            .prop_map(str::to_string),
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec![
                        "+", "-", "*", "/", "**", "<", ">=", "==", "and", "or"
                    ]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
                (
                    prop::sample::select(vec!["abs", "sqrt", "log", "exp", "isnan", "not"]),
                    inner.clone()
                )
                    .prop_map(|(f, a)| if f == "not" {
                        format!("not ({a})")
                    } else {
                        format!("{f}({a})")
                    }),
                (
                    prop::sample::select(vec!["min", "max", "atan2"]),
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
                (inner.clone(), inner.clone(), inner.clone())
                    .prop_map(|(a, b, c)| format!("ifelse({a}, {b}, {c})")),
                (inner.clone(), inner.clone(), inner)
                    .prop_map(|(a, b, c)| format!("({a}) in [({b}), ({c})]")),
            ]
        })
    }

    /// Cuts comparing each of `texts` against numbers, a column, a window, bounds.
    fn cuts_of(texts: &[String]) -> Vec<String> {
        texts
            .iter()
            .flat_map(|t| {
                [
                    format!("({t}) < 1"),
                    format!("0.5 <= ({t})"),
                    format!("({t}) > x"),
                    format!("({t}) not in [0, 2]"),
                    format!("-1 < ({t}) < y"),
                    format!("-2 < ({t}) <= 2"),
                    format!("3 > ({t}) >= -2"),
                ]
            })
            .collect()
    }

    /// The cutflow over [`table`] of `cuts` in sequence, and how many nodes were fused.
    fn cutflow(cuts: &[String], rewrite: bool) -> (crate::exec::cutflow::Cutflow, usize) {
        let cuts: Vec<&str> = cuts.iter().map(String::as_str).collect();
        let mut query = query(&[], &cuts, None);
        // Every candidate, as a spec without channels has.
        query.channels.push(ChannelPlan {
            name: "all".into(),
            cut: None,
        });
        let program = Program::compile_with(&query, &[], rewrite);
        let fused = program
            .storage
            .iter()
            .filter(|&&s| s == Storage::Fused)
            .count();
        let flow = crate::exec::run(
            &program,
            std::iter::once(Ok(crate::exec::Piece::whole(table()))),
        )
        .unwrap();
        assert_eq!(flow.channels[0].rows.len(), cuts.len() + 1, "a row per cut");
        (flow, fused)
    }

    #[test]
    fn hidden_candidates_leave_the_cutflow_and_histograms_and_are_flagged() {
        use crate::plan::query::HistogramPlan;
        let mut query = query(&[], &["y > -10"], None);
        query.channels.push(ChannelPlan {
            name: "all".into(),
            cut: None,
        });
        query.histograms.push(HistogramPlan {
            name: "x".into(),
            var: expr("x"),
            text: "x".into(),
            bins: 4,
            low: -3.0,
            high: 5.0,
            without: Vec::new(),
            inputs: Vec::new(),
        });
        let run = |hidden: Option<&str>| {
            let query = Query {
                hidden: hidden.map(expr),
                ..query.clone()
            };
            let program = Program::compile(&query, &[]);
            let mut flags = Vec::new();
            let flow = crate::exec::run_with(
                &program,
                std::iter::once(Ok(crate::exec::Piece::whole(table()))),
                |s| {
                    flags.extend(s.hidden);
                    Ok(())
                },
            )
            .unwrap();
            (flow, flags)
        };
        let (open, none) = run(None);
        assert!(none.is_empty(), "nothing hidden, no flags");
        // Hidden: x in [0, 1], and where that is undefined (x NaN).
        let (blinded, flags) = run(Some("x in [0, 1]"));
        let x: Vec<f64> = table().column("x").unwrap().to_f64_vec();
        let expected: Vec<bool> = x
            .iter()
            .map(|&v| v.is_nan() || (0.0..=1.0).contains(&v))
            .collect();
        assert_eq!(flags, expected);
        let hidden = expected.iter().filter(|&&h| h).count() as u64;
        assert!(hidden > 0 && x.iter().any(|v| v.is_nan()));
        let (o, b) = (&open.channels[0], &blinded.channels[0]);
        assert_eq!(b.rows[0].candidates, o.rows[0].candidates - hidden);
        assert!(b.rows[1].candidates < o.rows[1].candidates);
        // No histogram entry, not even an undefined one, from a hidden candidate.
        assert_eq!(b.histograms[0].undefined, 0);
        assert!(o.histograms[0].undefined > 0);
        let total = |h: &crate::exec::histogram::Histogram| {
            h.counts.iter().sum::<u64>() + h.underflow + h.overflow + h.undefined
        };
        assert_eq!(total(&b.histograms[0]), b.rows[1].candidates);
    }

    proptest::proptest! {
        /// Folding and sharing change no bit of any value.
        #[test]
        fn rewrites_keep_every_value(texts in proptest::collection::vec(arbitrary_expr(), 1..4)) {
            let exprs: Vec<Expr> = texts.iter().map(|t| expr(t)).collect();
            proptest::prop_assert_eq!(outputs(&exprs, true), outputs(&exprs, false));
        }

        /// Cuts evaluated inside their update count every candidate (passed, failed,
        /// undefined) as the unfused ones do.
        #[test]
        fn fused_cuts_keep_every_cutflow(texts in proptest::collection::vec(arbitrary_expr(), 1..3)) {
            let cuts = cuts_of(&texts);
            let (fused, n) = cutflow(&cuts, true);
            let (plain, none) = cutflow(&cuts, false);
            // Alone too: in sequence, few candidates reach the later cuts.
            for cut in &cuts {
                let alone = std::slice::from_ref(cut);
                proptest::prop_assert_eq!(cutflow(alone, true).0, cutflow(alone, false).0);
            }
            // Cuts sharing a comparison (equal texts) are not fused, so `n` may be 0; a
            // fused range is three nodes.
            proptest::prop_assert!(n <= 13 * texts.len() && none == 0);
            proptest::prop_assert_eq!(fused, plain);
        }
    }

    #[test]
    fn comparisons_windows_and_ranges_read_by_one_cut_are_fused() {
        let (_, fused) = cutflow(&cuts_of(&["x * y".to_string()]), true);
        // Four single nodes, three ranges of three nodes each.
        assert_eq!(fused, 4 + 3 * 3);
    }
}
