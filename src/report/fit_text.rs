//! `fit`'s report as text: the fit's status, each parameter with its errors, the
//! correlations, the profile, impacts and goodness of fit (`fit --json` prints the
//! reports themselves).

use crate::analysis::plain_fit::PlainFitReport;
use crate::analysis::{self, FitReport};
use std::fmt::Write;

/// The impacts as a table, largest first.
fn impacts(out: &mut String, impacts: &crate::stats::impacts::Impacts, asimov: Option<f64>) {
    let on = match asimov {
        Some(mu) => format!(
            " (Asimov data with {} = {mu:.4e}, the median expected limit)",
            impacts.poi
        ),
        None => String::new(),
    };
    writeln!(
        out,
        "  impacts on {} = {:.4e} ± {:.4e}{on}:",
        impacts.poi, impacts.value, impacts.error
    )
    .expect("a String takes text");
    writeln!(
        out,
        "    {:<28} {:>7} {:>7} {:>23} {:>23}",
        "nuisance", "pull", "constr", "post-fit +1σ / −1σ", "pre-fit +1σ / −1σ"
    )
    .expect("a String takes text");
    for i in &impacts.impacts {
        writeln!(
            out,
            "    {:<28} {:>+7.3} {:>7.3} {:>+11.3e} {:>+11.3e} {:>+11.3e} {:>+11.3e}",
            i.name, i.pull, i.constraint, i.postfit[0], i.postfit[1], i.prefit[0], i.prefit[1]
        )
        .expect("a String takes text");
    }
}

/// One line per parameter (value, HESSE error, MINOS interval when computed), then the
/// parameters that ended at a bound.
fn parameters(
    out: &mut String,
    order: &[String],
    parameters: &std::collections::BTreeMap<String, analysis::FittedParameter>,
    at_limit: &[String],
) {
    for name in order {
        let p = &parameters[name];
        let minos = p.minos.map_or(String::new(), |[lo, hi]| {
            format!("  minos [{lo:+.4e}, {hi:+.4e}]")
        });
        writeln!(
            out,
            "  {name:<28} {:>14.6e} ± {:<12.4e}{minos}",
            p.value, p.error
        )
        .expect("a String takes text");
    }
    if !at_limit.is_empty() {
        writeln!(out, "  at a bound: {}", at_limit.join(", ")).expect("a String takes text");
    }
}

/// A plain fit's report as text.
pub fn plain_fit(fitted: &PlainFitReport) -> String {
    let mut out = String::new();
    let out = &mut out;
    writeln!(
        out,
        "fit of {} ({}): {} candidates (sum of weights {}), {:?}, EDM {:.2e}, -2 ln L = {:.6}",
        fitted.input,
        fitted.channel,
        fitted.events,
        fitted.sum_of_weights,
        fitted.status,
        fitted.edm,
        fitted.minus_two_ln_l
    )
    .expect("a String takes text");
    parameters(out, &fitted.order, &fitted.parameters, &fitted.at_limit);
    if fitted.order.len() > 1 {
        writeln!(out, "  correlations:").expect("a String takes text");
        for (name, row) in fitted.order.iter().zip(&fitted.correlation) {
            let cells: Vec<String> = row.iter().map(|c| format!("{c:+.3}")).collect();
            writeln!(out, "    {name:<26} {}", cells.join(" ")).expect("a String takes text");
        }
    }
    if let Some(found) = &fitted.impacts {
        impacts(out, found, None);
    }
    gof(out, fitted.goodness_of_fit.as_ref());
    std::mem::take(out)
}

/// The goodness-of-fit line, when computed.
fn gof(out: &mut String, gof: Option<&crate::stats::gof::GoodnessOfFit>) {
    if let Some(g) = gof {
        writeln!(out,
            "  goodness of fit: saturated deviance {:.3} on {} bins, p = {:.3} from {} pseudo-experiments{}",
            g.statistic,
            g.bins,
            g.p_value,
            g.toys,
            match g.failed {
                0 => String::new(),
                n => format!(" ({n} failed fits left out)"),
            }
        ).expect("a String takes text");
    }
}

/// A scan fit's report at one hypothesis as text.
pub fn scan_fit(fitted: &FitReport) -> String {
    let mut out = String::new();
    let out = &mut out;
    writeln!(
        out,
        "fit at {} over {}: {:?}, -ln L = {:.6}{}",
        fitted.mass,
        fitted.channels.join(", "),
        fitted.status,
        fitted.nll,
        if fitted.blinded {
            " (blinded: signal yield held at 0, background fitted to the sidebands)"
        } else {
            ""
        }
    )
    .expect("a String takes text");
    parameters(out, &fitted.order, &fitted.parameters, &fitted.at_limit);
    if !fitted.profile.is_empty() {
        writeln!(out, "  profile of {}: value, Δ(−ln L)", fitted.order[0])
            .expect("a String takes text");
        for point in &fitted.profile {
            let note = if point.valid {
                ""
            } else {
                "  (fit not converged)"
            };
            writeln!(
                out,
                "    {:>14.6e} {:>10.4}{note}",
                point.value, point.delta
            )
            .expect("a String takes text");
        }
    }
    if let Some(report) = &fitted.impacts {
        impacts(out, &report.impacts, report.asimov);
    }
    gof(out, fitted.goodness_of_fit.as_ref());
    std::mem::take(out)
}
