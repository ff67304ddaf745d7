//! Feldman–Cousins confidence intervals for the signal of a Poisson count, with a known
//! background and efficiency (Feldman & Cousins 1998) or with uncertainties on both,
//! integrated into the probability of each count (Cousins–Highland, as in Conrad,
//! Botner, Hallgren & Pérez de los Heros, PRD 67 (2003) 012002; the uncertainty shapes are
//! those of `counting.rs`).
//!
//! Construction (pinned, as constructions differ at the second decimal for n = 0 and
//! large b): for a signal s the counts k are ranked by R(k) = P(k|s)/P(k|ŝₖ), with
//! P(k|s) = ∫∫ Poisson(k | εs + b) G(ε) G(b) dε db and ŝₖ ≥ 0 the signal that maximises
//! it (max(0, (k − b)/ε) when both are known), ties to the smaller k, and added until
//! their probability reaches the confidence level; the interval is the set of s whose
//! acceptance region holds the observed n. Its edges are found by bisection outwards from
//! ŝₙ, whose region always holds n.
//!
//! With both known, R is unimodal in k and the counts ranked before n form at most four
//! runs of consecutive counts, found by bisection and summed through the Poisson
//! distribution function: exact to [`super::counting::MAX_COUNT`] events. With
//! uncertainties every count is ranked, which bounds the domain ([`MAX_SMEARED_COUNT`]).

use super::counting::Method;
use super::counting::{Background, CountingError, Efficiency, check_domain as check_counting};
use super::poisson;
use super::quadrature::rule;
use super::special::ln_gamma;

/// Most observed events, and largest background + 5σ, of an interval with uncertainties.
pub const MAX_SMEARED_COUNT: f64 = 1000.0;
/// Largest relative efficiency uncertainty (either shape) of an interval with
/// uncertainties: the range validated against the reference construction.
pub const MAX_SMEARED_RELATIVE: f64 = 0.3;

/// Refuses a smeared construction beyond [`MAX_SMEARED_COUNT`].
pub(crate) fn check_domain(
    observed: u64,
    background: &Background,
    efficiency: &Efficiency,
) -> Result<(), CountingError> {
    let uncertain = background.sigma > 0.0 || efficiency.is_uncertain();
    let reach = (observed as f64).max(background.value + 5.0 * background.sigma);
    if uncertain && reach > MAX_SMEARED_COUNT {
        return Err(CountingError::OutOfDomain(format!(
            "Feldman–Cousins intervals with uncertainties are computed up to {MAX_SMEARED_COUNT} events (observed, or background + 5σ); here {reach:.0}: use cls-exact or give known values"
        )));
    }
    let widest = efficiency.gaussian.max(efficiency.lognormal);
    if widest > MAX_SMEARED_RELATIVE {
        return Err(CountingError::OutOfDomain(format!(
            "Feldman–Cousins intervals take relative efficiency uncertainties up to {MAX_SMEARED_RELATIVE}, not {widest}: use cls-exact"
        )));
    }
    Ok(())
}

/// The interval [lower, upper] on the signal s (before efficiency) at confidence `cl`
/// for `n_observed` events.
pub fn feldman_cousins(
    n_observed: u64,
    background: &Background,
    efficiency: &Efficiency,
    cl: f64,
) -> Result<(f64, f64), CountingError> {
    Ok(feldman_cousins_each(&[n_observed], background, efficiency, cl)?[0])
}

/// The intervals for each of `counts` with the same background and efficiency (an
/// expected band and the observed count), sharing one construction.
pub fn feldman_cousins_each(
    counts: &[u64],
    background: &Background,
    efficiency: &Efficiency,
    cl: f64,
) -> Result<Vec<(f64, f64)>, CountingError> {
    let most = counts.iter().copied().max().unwrap_or(0);
    check_counting(Method::FeldmanCousins, most, background, efficiency, cl)?;
    let ordering: Box<dyn Ordering> = if background.sigma > 0.0 || efficiency.is_uncertain() {
        Box::new(Smeared::new(most, background, efficiency))
    } else {
        Box::new(Known {
            background: background.value,
        })
    };
    counts
        .iter()
        .map(|&n| {
            let (lower, upper) = interval(ordering.as_ref(), n, background.value, cl)?;
            Ok((lower / efficiency.value, upper / efficiency.value))
        })
        .collect()
}

/// The interval on t = ε₀ s for `n` events under `ordering`.
fn interval(
    ordering: &dyn Ordering,
    n: u64,
    background: f64,
    cl: f64,
) -> Result<(f64, f64), CountingError> {
    let inside = |t: f64| ordering.accepts(t, cl, n);
    let mut step = 10.0 * (n as f64 + background + 1.0).sqrt() + 20.0;
    // t̂ₙ ranks n first unless ties put smaller counts before it: then look nearby.
    let best = ordering.best_signal(n);
    let Some(t_hat) = std::iter::once(best)
        .chain((0..=400).map(|i| (best + step) * f64::from(i) / 400.0))
        .find(|&t| inside(t))
    else {
        return Err(CountingError::NoLimit(format!(
            "no signal's acceptance region holds {n} events at this confidence level"
        )));
    };
    let lower = if inside(0.0) {
        0.0
    } else {
        ordering.lowest_accepted(edge(&inside, t_hat, 0.0), cl, n)
    };
    while inside(t_hat + step) {
        step *= 2.0;
        if !step.is_finite() {
            return Err(CountingError::NoLimit(
                "no upper edge of the interval was found".into(),
            ));
        }
    }
    let upper = ordering.highest_accepted(edge(&inside, t_hat, t_hat + step), cl, n);
    Ok((lower, upper))
}

/// The boundary between an accepted `a` and a rejected `b`, by bisection to 1e-12
/// relative.
fn edge(inside: &dyn Fn(f64) -> bool, mut a: f64, mut b: f64) -> f64 {
    for _ in 0..200 {
        let mid = 0.5 * (a + b);
        if inside(mid) {
            a = mid
        } else {
            b = mid
        }
        if (b - a).abs() <= 1e-12 * a.abs().max(b.abs()).max(1e-300) {
            break;
        }
    }
    0.5 * (a + b)
}

/// The last accepted signal of `pieces` (consecutive [from, to] in order of distance
/// from the first edge), each sampled at `samples` + 1 points and refined by bisection;
/// `edge0` when none holds one.
fn farthest_accepted(
    inside: &dyn Fn(f64) -> bool,
    edge0: f64,
    pieces: &[(f64, f64)],
    samples: usize,
) -> f64 {
    let mut farthest = edge0;
    for &(from, to) in pieces {
        // Both ends just inside the piece (the ranking may change at them), and between.
        let at = |i: usize| {
            let f = (i as f64 / samples as f64).clamp(1e-9, 1.0 - 1e-9);
            from + (to - from) * f
        };
        // Sample from the far end back: the first accepted sample is the farthest.
        if let Some(i) = (0..=samples).rev().find(|&i| inside(at(i))) {
            farthest = if i == samples {
                to
            } else {
                edge(inside, at(i), at(i + 1))
            };
        }
    }
    farthest
}

/// An ordering of the counts for a signal t = ε₀ s.
trait Ordering {
    /// Whether the acceptance region of t holds n.
    fn accepts(&self, t: f64, cl: f64, n: u64) -> bool;
    /// The t ≥ 0 that makes n most probable.
    fn best_signal(&self, n: u64) -> f64;
    /// The largest accepted t at or above `edge`, the first rejected signal above t̂: the
    /// accepted set need not be connected (discreteness), and the interval is its hull,
    /// as TFeldmanCousins and the R package fcci take it.
    fn highest_accepted(&self, edge: f64, cl: f64, n: u64) -> f64;
    /// The smallest accepted t at or below `edge`, likewise.
    fn lowest_accepted(&self, edge: f64, cl: f64, n: u64) -> f64;
}

/// Known background and efficiency: ln R(k) = k ln(μ/mₖ) + mₖ − μ with μ = t + b and
/// mₖ = max(k, b), nondecreasing up to the mode and decreasing after it.
struct Known {
    background: f64,
}

impl Known {
    fn ln_ratio(&self, k: u64, mu: f64) -> f64 {
        let m = (k as f64).max(self.background);
        if k == 0 {
            return m - mu;
        }
        k as f64 * (mu.ln() - m.ln()) + m - mu
    }

    /// The means μ at which count k and count n swap places in the ranking, between
    /// `lo` and `hi` (ascending): ln R(k) − ln R(n) = (k − n) ln μ − (cₖ − cₙ) with
    /// cⱼ = j ln mⱼ − mⱼ vanishes at one μ per k. The set ranked before n, and so whether
    /// n is accepted, changes nowhere else but where its probability crosses the CL.
    fn crossings(&self, n: u64, lo: f64, hi: f64) -> Vec<f64> {
        let c = |j: u64| {
            let m = (j as f64).max(self.background);
            if j == 0 { -m } else { j as f64 * m.ln() - m }
        };
        let c_n = c(n);
        // Crossings of k > n lie below max(k, b), and above about k / e.
        let last = (std::f64::consts::E * hi.max(self.background)) as u64 + n + 10;
        let mut points: Vec<f64> = (0..=last)
            .filter(|&k| k != n)
            .map(|k| ((c(k) - c_n) / (k as f64 - n as f64)).exp())
            .filter(|&mu| mu > lo && mu < hi)
            .collect();
        points.sort_by(f64::total_cmp);
        points
    }

    /// The pieces between crossing points from `edge` outwards over √μ + 10, in t (a
    /// count leaving the ranked set drops its probability by at most one term, so the
    /// accepted set's holes lie within a few units of its first edge).
    fn pieces(&self, edge: f64, n: u64, upwards: bool) -> Vec<(f64, f64)> {
        let mu = edge + self.background;
        let reach = (mu + 1.0).sqrt() + 10.0;
        let (lo, hi) = if upwards {
            (mu, mu + reach)
        } else {
            (self.background.max(mu - reach), mu)
        };
        let mut bounds = vec![lo];
        bounds.extend(self.crossings(n, lo, hi));
        bounds.push(hi);
        let mut pieces: Vec<(f64, f64)> = bounds
            .windows(2)
            .map(|w| (w[0] - self.background, w[1] - self.background))
            .collect();
        if !upwards {
            pieces = pieces.into_iter().rev().map(|(a, b)| (b, a)).collect();
        }
        pieces
    }

    /// P(k₁ ≤ N ≤ k₂ | μ), 0 for an empty run.
    fn probability(lo: u64, hi: u64, mu: f64) -> f64 {
        if lo > hi {
            return 0.0;
        }
        let below = if lo == 0 {
            0.0
        } else {
            poisson::cdf(lo - 1, mu)
        };
        (poisson::cdf(hi, mu) - below).max(0.0)
    }
}

/// The first k in [lo, hi] where `pred` holds, for `pred` false then true; hi + 1 if none.
fn first_true(mut lo: u64, hi: u64, pred: impl Fn(u64) -> bool) -> u64 {
    let mut end = hi + 1;
    while lo < end {
        let mid = lo + (end - lo) / 2;
        if pred(mid) { end = mid } else { lo = mid + 1 }
    }
    lo
}

impl Ordering for Known {
    fn best_signal(&self, n: u64) -> f64 {
        (n as f64 - self.background).max(0.0)
    }

    fn highest_accepted(&self, edge: f64, cl: f64, n: u64) -> f64 {
        let inside = |t: f64| self.accepts(t, cl, n);
        farthest_accepted(&inside, edge, &self.pieces(edge, n, true), 8)
    }

    fn lowest_accepted(&self, edge: f64, cl: f64, n: u64) -> f64 {
        let inside = |t: f64| self.accepts(t, cl, n);
        farthest_accepted(&inside, edge, &self.pieces(edge, n, false), 8)
    }

    fn accepts(&self, t: f64, cl: f64, n: u64) -> bool {
        let mu = t + self.background;
        if mu <= 0.0 {
            // Only k = 0 is possible.
            return n == 0;
        }
        let lr = |k: u64| self.ln_ratio(k, mu);
        let v = lr(n);
        let floor = mu.floor() as u64;
        let mode = if lr(floor + 1) > lr(floor) {
            floor + 1
        } else {
            floor
        };
        // Rising side [0, mode]: the counts above v, and those equal to v below n.
        let above = first_true(0, mode, |k| lr(k) > v);
        let equal = first_true(0, mode, |k| lr(k) >= v);
        let mut before = Self::probability(above, mode, mu)
            + Self::probability(equal, above.min(n).saturating_sub(1).min(mode), mu)
                * f64::from(u8::from(equal < above.min(n)));
        // Falling side (mode, ∞): strictly decreasing, so a run above v then at most one
        // count equal to v.
        let mut reach = 1u64;
        while lr(mode + reach) > v {
            reach *= 2;
        }
        let end_above = first_true(mode + 1, mode + reach, |k| lr(k) <= v);
        before += Self::probability(mode + 1, end_above - 1, mu);
        if end_above < n && lr(end_above) == v {
            before += Self::probability(end_above, end_above, mu);
        }
        before < cl
    }
}

/// Uncertain background or efficiency: every count up to `n_max` ranked numerically.
struct Smeared {
    /// (efficiency factor, background, weight) nodes.
    nodes: Vec<(f64, f64, f64)>,
    n_max: u64,
    /// ln k! for k = 0 … n_max.
    ln_factorial: Vec<f64>,
    /// P(k | t̂ₖ) for k = 0 … n_max.
    best: Vec<f64>,
}

impl Smeared {
    fn new(n_observed: u64, background: &Background, efficiency: &Efficiency) -> Self {
        // 24 Gauss–Legendre points per uncertainty: the smearing is then exact to ~1e-9,
        // far below the intervals' two printed decimals.
        let backgrounds = background.nodes(rule(24));
        let nodes: Vec<(f64, f64, f64)> = efficiency
            .factors(24)
            .iter()
            .flat_map(|&(f, wf)| backgrounds.iter().map(move |&(b, wb)| (f, b, wf * wb)))
            .collect();
        let b_high = background.value + 5.0 * background.sigma;
        let n_max = ((n_observed as f64 + b_high) * 3.0 + 60.0) as u64;
        let mut smeared = Smeared {
            nodes,
            n_max,
            ln_factorial: (0..=n_max).map(|k| ln_gamma(k as f64 + 1.0)).collect(),
            best: Vec::new(),
        };
        smeared.best = (0..=n_max)
            .map(|k| smeared.probability(k, smeared.best_signal(k)))
            .collect();
        smeared
    }

    /// P(k | t).
    fn probability(&self, k: u64, t: f64) -> f64 {
        let ln_factorial = self.ln_factorial[k as usize];
        self.nodes
            .iter()
            .map(|&(f, b, w)| {
                let mean = f * t + b;
                let power = if k == 0 { 0.0 } else { k as f64 * mean.ln() };
                w * (power - mean - ln_factorial).exp()
            })
            .sum()
    }

    /// P(k | t) for k = 0 … n_max, each node's terms by recurrence from its mode.
    fn probabilities(&self, t: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.n_max as usize + 1];
        for &(f, b, w) in &self.nodes {
            let mean = f * t + b;
            let mode = (mean.floor() as u64).min(self.n_max);
            let first = w * poisson::ln_pmf(mode, mean).exp();
            let mut p = first;
            for k in mode + 1..=self.n_max {
                p *= mean / k as f64;
                out[k as usize] += p;
            }
            p = first;
            out[mode as usize] += p;
            for k in (0..mode).rev() {
                p *= (k + 1) as f64 / mean;
                out[k as usize] += p;
            }
        }
        out
    }
}

impl Smeared {
    /// Pieces of a quarter standard deviation from `edge` outwards over three (the
    /// smearing leaves the accepted set smoother than with known values).
    fn pieces(&self, edge: f64, upwards: bool) -> Vec<(f64, f64)> {
        let width = 0.25 * (edge + 1.0).sqrt();
        (0..12)
            .map(|i| {
                let (a, b) = (i as f64 * width, (i + 1) as f64 * width);
                if upwards {
                    (edge + a, edge + b)
                } else {
                    ((edge - a).max(0.0), (edge - b).max(0.0))
                }
            })
            .collect()
    }
}

impl Ordering for Smeared {
    fn highest_accepted(&self, edge: f64, cl: f64, n: u64) -> f64 {
        let inside = |t: f64| self.accepts(t, cl, n);
        farthest_accepted(&inside, edge, &self.pieces(edge, true), 4)
    }

    fn lowest_accepted(&self, edge: f64, cl: f64, n: u64) -> f64 {
        let inside = |t: f64| self.accepts(t, cl, n);
        farthest_accepted(&inside, edge, &self.pieces(edge, false), 4)
    }

    /// Golden-section search (P is unimodal in t).
    fn best_signal(&self, k: u64) -> f64 {
        let lowest = self.nodes.iter().map(|n| n.0).fold(f64::INFINITY, f64::min);
        let (mut lo, mut hi) = (
            0.0,
            (k as f64 + 10.0 * (k as f64 + 1.0).sqrt() + 10.0) / lowest.max(0.05),
        );
        const GOLDEN: f64 = 0.618_033_988_749_894_9;
        for _ in 0..50 {
            let (a, b) = (hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo));
            if self.probability(k, a) < self.probability(k, b) {
                lo = a
            } else {
                hi = b
            }
        }
        let t = 0.5 * (lo + hi);
        if self.probability(k, t) >= self.probability(k, 0.0) {
            t
        } else {
            0.0
        }
    }

    fn accepts(&self, t: f64, cl: f64, n: u64) -> bool {
        let probabilities = self.probabilities(t);
        // P(k | t̂ₖ) is a numerical maximum: a ratio is at most 1 whatever its precision.
        let ratio = |k: usize| {
            if self.best[k] > 0.0 {
                (probabilities[k] / self.best[k]).min(1.0)
            } else {
                0.0
            }
        };
        let r_n = ratio(n as usize);
        let before: f64 = (0..probabilities.len())
            .filter(|&k| k != n as usize)
            .filter(|&k| {
                let r = ratio(k);
                r > r_n || (r == r_n && k < n as usize)
            })
            .map(|k| probabilities[k])
            .sum();
        // Counts above n_max (reached only far above the interval) rank before n.
        let beyond = (1.0 - probabilities.iter().sum::<f64>()).max(0.0);
        before + beyond < cl
    }
}
