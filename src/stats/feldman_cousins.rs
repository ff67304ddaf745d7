//! Feldman–Cousins confidence intervals for the signal of a Poisson count, with a known
//! background and efficiency (Feldman & Cousins 1998) or with Gaussian uncertainties on
//! both, integrated into the probability of each count (Cousins–Highland, as in Conrad,
//! Botner, Hallgren & Pérez de los Heros, PRD 67 (2003) 012002).
//!
//! Construction (pinned, as constructions differ at the second decimal for n = 0 and
//! large b): for a signal s the counts k are ranked by P(k|s)/P(k|ŝₖ), with
//! P(k|s) = ∫∫ Poisson(k | εs + b) G(ε) G(b) dε db and ŝₖ ≥ 0 the signal that maximises
//! it (max(0, (k − b)/ε) when both are known), ties to the smaller k, and added until
//! their probability reaches the confidence level; the interval is the set of s whose
//! acceptance region holds the observed n, located on a grid of 0.1/ε and refined by
//! bisection at both edges.

use super::counting::Uncertain;
use super::counting::ln_factorial;
use super::quadrature::gauss_legendre;

/// The interval [lower, upper] on the signal s (before efficiency) at confidence `cl`
/// for `n_observed` events.
pub fn feldman_cousins(
    n_observed: u64,
    background: Uncertain,
    efficiency: Uncertain,
    cl: f64,
) -> (f64, f64) {
    let belt = Belt::new(n_observed, background, efficiency);
    let unit = 1.0 / efficiency.value.max(1e-300);
    let step = 0.1 * unit;
    let top = (n_observed as f64 + 10.0 * (n_observed as f64 + 1.0).sqrt() + 20.0) * unit;
    let inside = |s: f64| belt.accepts(s, cl, n_observed);
    // The interval is connected: scan to its end, then refine both edges.
    let (mut first, mut last) = (None, None);
    let mut k = 0u64;
    while (k as f64) * step <= top {
        let s = k as f64 * step;
        if inside(s) {
            first.get_or_insert(s);
            last = Some(s);
        } else if last.is_some() {
            break;
        }
        k += 1;
    }
    let (Some(first), Some(last)) = (first, last) else {
        return (0.0, 0.0);
    };
    let edge = |mut a: f64, mut b: f64| {
        // `a` is inside, `b` outside.
        for _ in 0..50 {
            let mid = 0.5 * (a + b);
            if inside(mid) { a = mid } else { b = mid }
        }
        0.5 * (a + b)
    };
    let lower = if first == 0.0 {
        0.0
    } else {
        edge(first, first - step)
    };
    (lower, edge(last, last + step))
}

/// What the acceptance regions need: the (ε, b, weight) nodes of the uncertainties, the
/// counts considered, and the best signal's probability for each count.
struct Belt {
    nodes: Vec<(f64, f64, f64)>,
    n_max: u64,
    /// P(k | ŝₖ) for k = 0 … n_max.
    best: Vec<f64>,
}

impl Belt {
    fn new(n_observed: u64, background: Uncertain, efficiency: Uncertain) -> Self {
        // 24 Gauss–Legendre points per uncertainty (576 when both are uncertain): the
        // smearing is then exact to ~1e-9, far below the intervals' two printed decimals.
        let rule = gauss_legendre(24);
        let nodes: Vec<(f64, f64, f64)> = efficiency
            .nodes_with(&rule)
            .iter()
            .flat_map(|&(e, we)| {
                background
                    .nodes_with(&rule)
                    .into_iter()
                    .map(move |(b, wb)| (e, b, we * wb))
            })
            .collect();
        let b_high = background.value + 5.0 * background.sigma;
        let n_max = ((n_observed as f64 + b_high) * 3.0 + 60.0) as u64;
        let known = background.sigma == 0.0 && efficiency.sigma == 0.0;
        let mut belt = Belt {
            nodes,
            n_max,
            best: Vec::new(),
        };
        belt.best = (0..=n_max)
            .map(|k| {
                let s_hat = if known {
                    ((k as f64 - background.value) / efficiency.value).max(0.0)
                } else {
                    belt.most_likely_signal(k, efficiency)
                };
                belt.probabilities(s_hat)[k as usize]
            })
            .collect();
        belt
    }

    /// P(k | s) for k = 0 … n_max, each node's Poisson terms by recurrence.
    fn probabilities(&self, s: f64) -> Vec<f64> {
        let mut out = vec![0.0; self.n_max as usize + 1];
        for &(e, b, w) in &self.nodes {
            let mean = e * s + b;
            let mut p = (-mean).exp();
            for (k, o) in out.iter_mut().enumerate() {
                if k > 0 {
                    p *= mean / k as f64;
                }
                *o += w * p;
            }
        }
        out
    }

    /// The s ≥ 0 maximising P(k | s), by golden-section search (P is unimodal in s).
    fn most_likely_signal(&self, k: u64, efficiency: Uncertain) -> f64 {
        let log_k_factorial = ln_factorial(k);
        let p = |s: f64| -> f64 {
            self.nodes
                .iter()
                .map(|&(e, b, w)| {
                    let mean = e * s + b;
                    let log = if k == 0 {
                        -mean
                    } else {
                        k as f64 * mean.ln() - mean - log_k_factorial
                    };
                    w * log.exp()
                })
                .sum()
        };
        let (mut lo, mut hi) = (
            0.0,
            (k as f64 + 10.0 * (k as f64 + 1.0).sqrt() + 10.0)
                / (efficiency.value - 3.0 * efficiency.sigma).max(0.05 * efficiency.value),
        );
        const GOLDEN: f64 = 0.618_033_988_749_894_9;
        for _ in 0..60 {
            let (a, b) = (hi - GOLDEN * (hi - lo), lo + GOLDEN * (hi - lo));
            if p(a) < p(b) { lo = a } else { hi = b }
        }
        0.5 * (lo + hi)
    }

    /// Whether the acceptance region of s contains n: the counts ranked before n hold
    /// less than `cl` of the probability.
    fn accepts(&self, s: f64, cl: f64, n: u64) -> bool {
        let probabilities = self.probabilities(s);
        let ratio = |k: usize| {
            if self.best[k] > 0.0 {
                probabilities[k] / self.best[k]
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
        before < cl
    }
}
