//! Probability densities of one observable, each with its integral over any interval so
//! that a likelihood can normalise it over the fit range (minus vetoed windows).
//!
//! Integrals are analytic for the Gaussian, Crystal Ball tails, exponential, Chebychev
//! series and Bernstein polynomials (a primitive of degree n + 1); ARGUS, Breit–Wigner and templates are integrated after a change of
//! variables that removes their endpoint singularity or peak, or exactly bin by bin.
//! Every integral is checked against brute-force quadrature in the tests.

use crate::stats::kernels;
use crate::stats::quadrature::integrate;
use crate::stats::special::normal_cdf;
use crate::stats::vecmath::exp;

/// A density shape; its parameters are passed separately, in the order of
/// [`Shape::parameter_names`].
#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    /// exp(−t²/2), t = (x − mean)/sigma. Parameters: mean, sigma.
    Gaussian,
    /// Gaussian core with a power-law tail below mean − |alpha|·sigma (RooCBShape's
    /// convention; a negative alpha puts the tail above). Parameters: mean, sigma, alpha, n.
    CrystalBall,
    /// Power-law tails on both sides. Parameters: mean, sigma, alpha_low, n_low,
    /// alpha_high, n_high.
    DoubleCrystalBall,
    /// 1 + Σₖ cₖ Tₖ(x′) with x′ the observable mapped from `domain` onto [−1, 1].
    /// Parameters: c1 … c_order.
    Chebychev {
        /// Polynomial order.
        order: usize,
        /// The range mapped onto [−1, 1] (the observable's full range).
        domain: (f64, f64),
    },
    /// Σₖ bₖ C(order, k) uᵏ (1 − u)^(order − k), u the observable mapped from `domain`
    /// onto [0, 1]. Parameters: b0 … b_order.
    Bernstein {
        /// Polynomial order.
        order: usize,
        /// The range mapped onto [0, 1].
        domain: (f64, f64),
    },
    /// exp(slope·x). Parameters: slope.
    Exponential,
    /// x·(1 − x²/m0²)^p·exp(c·(1 − x²/m0²)) below m0 (RooArgusBG). Parameters: m0, c, p.
    Argus,
    /// Relativistic Breit–Wigner 1/((x² − M²)² + M²Γ²). Parameters: mass, width.
    BreitWigner,
    /// A non-relativistic Breit–Wigner of full width Γ convolved with a Gaussian of width
    /// σ (RooVoigtian): Re w(z)/(σ√2π), z = (x − mean + iΓ/2)/(σ√2), w the Faddeeva
    /// function. Parameters: mean, width, sigma.
    Voigtian,
    /// A histogram from a sample, constant or linearly interpolated between bin centres.
    Template(Template),
}

/// A histogram template: equal-width bins over [low, high].
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// Lower edge.
    pub low: f64,
    /// Upper edge.
    pub high: f64,
    /// Bin contents (non-negative).
    pub contents: Vec<f64>,
    /// Linear interpolation between bin centres instead of a step function.
    pub linear: bool,
    /// Sums of squared weights per bin of the sample it was filled from (its statistical
    /// uncertainty); binned likelihoods then apply Barlow–Beeston-lite.
    pub variances: Option<Vec<f64>>,
}

impl Shape {
    /// Parameter names in order.
    pub fn parameter_names(&self) -> Vec<String> {
        let fixed: &[&str] = match self {
            Shape::Gaussian => &["mean", "sigma"],
            Shape::CrystalBall => &["mean", "sigma", "alpha", "n"],
            Shape::DoubleCrystalBall => &[
                "mean",
                "sigma",
                "alpha_low",
                "n_low",
                "alpha_high",
                "n_high",
            ],
            Shape::Exponential => &["slope"],
            Shape::Argus => &["m0", "c", "p"],
            Shape::BreitWigner => &["mass", "width"],
            Shape::Voigtian => &["mean", "width", "sigma"],
            Shape::Template(_) => &[],
            Shape::Chebychev { order, .. } => {
                return (1..=*order).map(|k| format!("c{k}")).collect();
            }
            Shape::Bernstein { order, .. } => {
                return (0..=*order).map(|k| format!("b{k}")).collect();
            }
        };
        fixed.iter().map(|s| (*s).to_owned()).collect()
    }

    /// The unnormalised density at x.
    pub fn density(&self, x: f64, p: &[f64]) -> f64 {
        match self {
            Shape::Gaussian => {
                let t = (x - p[0]) * (1.0 / p[1]);
                exp(-0.5 * t * t)
            }
            Shape::CrystalBall => {
                let t = (x - p[0]) / p[1];
                let t = if p[2] < 0.0 { -t } else { t };
                power_tail(-t, p[2].abs(), p[3])
            }
            Shape::DoubleCrystalBall => {
                let t = (x - p[0]) / p[1];
                if t < 0.0 {
                    power_tail(-t, p[2], p[3])
                } else {
                    power_tail(t, p[4], p[5])
                }
            }
            Shape::Chebychev { domain, .. } => chebychev_series(map_to_unit(x, *domain), p),
            Shape::Bernstein { order, domain } => {
                let u = (x - domain.0) / (domain.1 - domain.0);
                bernstein(*order, u, p)
            }
            Shape::Exponential => exp(p[0] * x),
            Shape::Argus => {
                let scaled = x * (1.0 / p[0]);
                let u = 1.0 - scaled * scaled;
                if u <= 0.0 || x < 0.0 {
                    return 0.0;
                }
                // The usual p = ½ by sqrt: several times faster than powf per event.
                let power = if p[2] == 0.5 { u.sqrt() } else { u.powf(p[2]) };
                x * power * exp(p[1] * u)
            }
            Shape::BreitWigner => {
                let (m2, mg) = (p[0] * p[0], p[0] * p[1]);
                1.0 / ((x * x - m2).powi(2) + mg * mg)
            }
            Shape::Voigtian => voigt_profile(x - p[0], p[1], p[2]),
            Shape::Template(t) => t.density(x),
        }
    }

    /// ∫ density over [lo, hi].
    pub fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        if hi <= lo {
            return 0.0;
        }
        match self {
            Shape::Gaussian => {
                let (a, b) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
                p[1] * SQRT_2PI * gaussian_mass(a, b)
            }
            Shape::CrystalBall => {
                let (a, b) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
                let (a, b) = if p[2] < 0.0 { (-b, -a) } else { (a, b) };
                p[1] * tailed_integral(a, b, p[2].abs(), p[3], f64::INFINITY, 1.0)
            }
            Shape::DoubleCrystalBall => {
                let (a, b) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
                p[1] * tailed_integral(a, b, p[2], p[3], p[4], p[5])
            }
            Shape::Chebychev { domain, .. } => {
                let (a, b) = (map_to_unit(lo, *domain), map_to_unit(hi, *domain));
                0.5 * (domain.1 - domain.0)
                    * (chebychev_primitive(b, p) - chebychev_primitive(a, p))
            }
            Shape::Bernstein { order, domain } => {
                let width = domain.1 - domain.0;
                let unit = |x: f64| (x - domain.0) / width;
                width
                    * (bernstein_primitive(*order, unit(hi), p)
                        - bernstein_primitive(*order, unit(lo), p))
            }
            Shape::Exponential => {
                let s = p[0];
                if (s * (hi - lo)).abs() < 1e-8 {
                    (s * lo).exp() * (hi - lo) * (1.0 + 0.5 * s * (hi - lo))
                } else {
                    (s * lo).exp() * (s * (hi - lo)).exp_m1() / s
                }
            }
            Shape::Argus => argus_integral(lo, hi, p),
            Shape::BreitWigner => breit_wigner_integral(lo, hi, p),
            Shape::Voigtian => voigt_integral(lo, hi, p),
            Shape::Template(t) => t.integral(lo, hi),
        }
    }
}

impl Shape {
    /// Adds `scale` × density at each of `xs` to `out`, with the shape decided once:
    /// the per-event loop of unbinned likelihoods. The common shapes are written without
    /// branches or calls so that the loops vectorise; each computes exactly what
    /// [`Shape::density`] does.
    pub fn accumulate(&self, xs: &[f64], p: &[f64], scale: f64, out: &mut [f64]) {
        match self {
            Shape::Gaussian => kernels::gaussian(xs, p[0], 1.0 / p[1], scale, out),
            Shape::Exponential => kernels::exponential(xs, p[0], scale, out),
            Shape::Argus if p[2] == 0.5 => kernels::argus_half(xs, 1.0 / p[0], p[1], scale, out),
            _ => {
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o += scale * self.density(x, p);
                }
            }
        }
    }

    /// ∫ density over each bin, sharing work between neighbouring bins where the shape
    /// allows: the Gaussian's CDF at each shared edge once (in whichever tail is
    /// accurate), the exponential by a geometric recurrence over equal-width runs.
    pub fn integrals(&self, bins: &[(f64, f64)], p: &[f64]) -> Vec<f64> {
        match self {
            Shape::Gaussian => {
                // Φ(t) for t ≤ 0 and 1 − Φ(t) for t > 0: each is accurate on its side.
                let tail = |x: f64| {
                    let t = (x - p[0]) / p[1];
                    if t <= 0.0 {
                        (t, normal_cdf(t))
                    } else {
                        (t, normal_cdf(-t))
                    }
                };
                let mut previous: Option<(f64, (f64, f64))> = None;
                bins.iter()
                    .map(|&(lo, hi)| {
                        let a = match previous {
                            Some((edge, value)) if edge == lo => value,
                            _ => tail(lo),
                        };
                        let b = tail(hi);
                        previous = Some((hi, b));
                        let mass = match (a.0 <= 0.0, b.0 <= 0.0) {
                            (true, true) => b.1 - a.1,
                            (false, false) => a.1 - b.1,
                            _ => (1.0 - b.1) - a.1,
                        };
                        p[1] * SQRT_2PI * mass.max(0.0)
                    })
                    .collect()
            }
            Shape::Exponential => {
                let s = p[0];
                let mut out = Vec::with_capacity(bins.len());
                let mut run: Option<(f64, f64, f64)> = None; // (next edge, width, integral)
                for &(lo, hi) in bins {
                    let width = hi - lo;
                    let value = match run {
                        Some((edge, w, last)) if edge == lo && (w - width).abs() <= 1e-12 * w => {
                            last * (s * width).exp()
                        }
                        _ => self.integral(lo, hi, p),
                    };
                    // Restart the recurrence from an exact value now and then.
                    let value = if out.len() % 64 == 63 {
                        self.integral(lo, hi, p)
                    } else {
                        value
                    };
                    run = Some((hi, width, value));
                    out.push(value);
                }
                out
            }
            Shape::Chebychev { domain, .. } => {
                let scale = 0.5 * (domain.1 - domain.0);
                let primitive = |x: f64| chebychev_primitive(map_to_unit(x, *domain), p);
                let mut previous: Option<(f64, f64)> = None;
                bins.iter()
                    .map(|&(lo, hi)| {
                        let a = match previous {
                            Some((edge, value)) if edge == lo => value,
                            _ => primitive(lo),
                        };
                        let b = primitive(hi);
                        previous = Some((hi, b));
                        scale * (b - a)
                    })
                    .collect()
            }
            _ => bins
                .iter()
                .map(|&(lo, hi)| self.integral(lo, hi, p))
                .collect(),
        }
    }
}

const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// Φ(b) − Φ(a) without cancellation in either tail.
fn gaussian_mass(a: f64, b: f64) -> f64 {
    if a > 0.0 {
        normal_cdf(-a) - normal_cdf(-b)
    } else {
        normal_cdf(b) - normal_cdf(a)
    }
}

/// A Crystal Ball side in units of sigma: exp(−t²/2) for t ≤ alpha, and the power law
/// A·(B + t)^(−n) matched in value and slope beyond, for t = distance from the mean
/// towards the tail.
fn power_tail(t: f64, alpha: f64, n: f64) -> f64 {
    if t <= alpha {
        exp(-0.5 * t * t)
    } else {
        let r = n / alpha;
        exp(-0.5 * alpha * alpha) * (r / (r - alpha + t)).powf(n)
    }
}

/// ∫ over t ∈ [a, b] of the density with a low tail (alpha_low, n_low) and a high tail
/// (alpha_high, n_high; infinite alpha for none), in units of sigma.
fn tailed_integral(
    a: f64,
    b: f64,
    alpha_low: f64,
    n_low: f64,
    alpha_high: f64,
    n_high: f64,
) -> f64 {
    let mut total = 0.0;
    // Low tail: t < −alpha_low, distance d = −t from alpha_low up.
    if a < -alpha_low {
        total += tail_integral(-b.min(-alpha_low), -a, alpha_low, n_low);
    }
    // Core.
    let (c0, c1) = (a.max(-alpha_low), b.min(alpha_high));
    if c1 > c0 {
        total += SQRT_2PI * gaussian_mass(c0, c1);
    }
    if b > alpha_high {
        total += tail_integral(a.max(alpha_high), b, alpha_high, n_high);
    }
    total
}

/// ∫ from d0 to d1 (both ≥ alpha) of A·(B + d)^(−n), with A, B from `power_tail`.
fn tail_integral(d0: f64, d1: f64, alpha: f64, n: f64) -> f64 {
    let r = n / alpha;
    let a = (-0.5 * alpha * alpha).exp() * r.powf(n);
    let (u0, u1) = (r - alpha + d0, r - alpha + d1);
    if (n - 1.0).abs() < 1e-10 {
        a * (u1 / u0).ln()
    } else {
        a * (u0.powf(1.0 - n) - u1.powf(1.0 - n)) / (n - 1.0)
    }
}

/// x mapped from `domain` onto [−1, 1].
fn map_to_unit(x: f64, domain: (f64, f64)) -> f64 {
    (2.0 * x - domain.0 - domain.1) / (domain.1 - domain.0)
}

/// 1 + Σₖ cₖ Tₖ(x), by the three-term recurrence.
fn chebychev_series(x: f64, c: &[f64]) -> f64 {
    let (mut previous, mut current) = (1.0, x);
    let mut sum = 1.0;
    for (k, ck) in c.iter().enumerate() {
        if k > 0 {
            (previous, current) = (current, 2.0 * x * current - previous);
        }
        sum += ck * current;
    }
    sum
}

/// A primitive of 1 + Σₖ cₖ Tₖ: ∫T₀ = T₁, ∫T₁ = T₂/4 (+ const), and for k ≥ 2
/// ∫Tₖ = T_{k+1}/(2(k+1)) − T_{k−1}/(2(k−1)).
fn chebychev_primitive(x: f64, c: &[f64]) -> f64 {
    // Rolling T_{k−1}, T_k, T_{k+1}; no allocation, as this runs per bin edge per call.
    let (mut below, mut at, mut above) = (1.0, x, 2.0 * x * x - 1.0);
    let mut sum = x;
    for (index, ck) in c.iter().enumerate() {
        let k = index + 1;
        sum += ck
            * if k == 1 {
                0.25 * above
            } else {
                above / (2.0 * (k as f64 + 1.0)) - below / (2.0 * (k as f64 - 1.0))
            };
        (below, at, above) = (at, above, 2.0 * x * above - at);
    }
    sum
}

/// Σₖ bₖ C(n, k) uᵏ (1 − u)^(n − k).
fn bernstein(order: usize, u: f64, b: &[f64]) -> f64 {
    let mut binomial = 1.0;
    let mut sum = 0.0;
    for (k, bk) in b.iter().enumerate().take(order + 1) {
        if k > 0 {
            binomial *= (order - k + 1) as f64 / k as f64;
        }
        sum += bk * binomial * u.powi(k as i32) * (1.0 - u).powi((order - k) as i32);
    }
    sum
}

/// The primitive of Σₖ bₖ C(n, k) uᵏ (1 − u)^(n − k) that vanishes at u = 0: the
/// degree-(n + 1) Bernstein polynomial with coefficients (b₀ + … + b_{j−1}) / (n + 1).
fn bernstein_primitive(order: usize, u: f64, b: &[f64]) -> f64 {
    let mut sums = Vec::with_capacity(order + 2);
    sums.push(0.0);
    for k in 0..=order {
        sums.push(sums[k] + b.get(k).copied().unwrap_or(0.0));
    }
    bernstein(order + 1, u, &sums) / (order + 1) as f64
}

/// ARGUS integral: with u = 1 − x²/m0², x dx = −m0²/2 du, and v = √u removes the
/// square-root endpoint: ∫ = m0² ∫ v^(2p+1) e^(c v²) dv over the mapped range.
fn argus_integral(lo: f64, hi: f64, p: &[f64]) -> f64 {
    let (m0, c, power) = (p[0], p[1], p[2]);
    let (lo, hi) = (lo.max(0.0), hi.min(m0));
    if hi <= lo {
        return 0.0;
    }
    let v = |x: f64| (1.0 - (x / m0).powi(2)).max(0.0).sqrt();
    let (v_hi, v_lo) = (v(lo), v(hi));
    m0 * m0
        * integrate(
            |v| v.powf(2.0 * power + 1.0) * (c * v * v).exp(),
            v_lo,
            v_hi,
            4,
        )
}

/// Breit–Wigner integral over [lo, hi] ∩ [0, ∞), in closed form.
fn breit_wigner_integral(lo: f64, hi: f64, p: &[f64]) -> f64 {
    let (m, gamma) = (p[0], p[1]);
    // 1/((x² − m²)² + m²Γ²) = Im[1/(x² − a)]/(mΓ) with a = m² + i·mΓ, whose antiderivative
    // is −artanh(x/√a)/√a: continuous for real x, since x/√a never meets the cuts.
    let root = num_complex::Complex64::new(m * m, m * gamma).sqrt();
    let antiderivative = |x: f64| {
        -((num_complex::Complex64::from(x.max(0.0)) / root).atanh() / root).im / (m * gamma)
    };
    antiderivative(hi) - antiderivative(lo)
}

/// The Voigt profile at distance `d` from its centre: Re w(z)/(σ√2π) with
/// z = (d + iΓ/2)/(σ√2), by the Faddeeva package's algorithm (the `errorfunctions` crate,
/// a port of the code scipy's `voigt_profile` uses). A width σ of zero is the Lorentzian.
fn voigt_profile(d: f64, gamma: f64, sigma: f64) -> f64 {
    use errorfunctions::ComplexErrorFunctions;
    let half = 0.5 * gamma.max(0.0);
    if sigma <= 0.0 {
        return half / std::f64::consts::PI / (d * d + half * half);
    }
    let scale = 1.0 / (sigma * std::f64::consts::SQRT_2);
    let w = num_complex::Complex64::new(d * scale, half * scale).w();
    w.re / (sigma * SQRT_2PI)
}

/// ∫ of the Voigt profile over [lo, hi]: 64-point Gauss–Legendre panels whose edges sit
/// at the centre ± (½, 1, 2, 4, …) × the profile's scale, so that each panel sees a
/// smooth, slowly varying piece of the peak or of its Lorentzian tails.
fn voigt_integral(lo: f64, hi: f64, p: &[f64]) -> f64 {
    let (mean, gamma, sigma) = (p[0], p[1], p[2]);
    let scale = (0.5 * gamma).max(sigma).max(1e-300);
    let mut edges = vec![lo, hi];
    let mut offset = 0.5 * scale;
    while offset < (hi - lo).abs() + (mean - lo).abs() + (mean - hi).abs() {
        for edge in [mean - offset, mean + offset] {
            if edge > lo && edge < hi {
                edges.push(edge);
            }
        }
        offset *= 2.0;
    }
    edges.sort_by(f64::total_cmp);
    edges
        .windows(2)
        .map(|e| integrate(|x| voigt_profile(x - mean, gamma, sigma), e[0], e[1], 1))
        .sum()
}

impl Template {
    /// The variance of the template's content in [lo, hi] from its sample's statistics:
    /// Σⱼ (fraction of bin j inside)² × variance of bin j. None without variances.
    pub fn variance_in(&self, lo: f64, hi: f64) -> Option<f64> {
        let variances = self.variances.as_ref()?;
        let w = self.width();
        Some(
            variances
                .iter()
                .enumerate()
                .map(|(j, v)| {
                    let (a, b) = (self.low + j as f64 * w, self.low + (j + 1) as f64 * w);
                    let inside = (b.min(hi) - a.max(lo)).max(0.0) / w;
                    inside * inside * v
                })
                .sum(),
        )
    }

    fn width(&self) -> f64 {
        (self.high - self.low) / self.contents.len() as f64
    }

    /// Density at x: the bin content per unit width, or its linear interpolation
    /// between bin centres (flat in the outer half bins).
    fn density(&self, x: f64) -> f64 {
        if !(self.low..=self.high).contains(&x) || self.contents.is_empty() {
            return 0.0;
        }
        let w = self.width();
        let n = self.contents.len();
        if !self.linear {
            let bin = (((x - self.low) / w) as usize).min(n - 1);
            return self.contents[bin] / w;
        }
        let position = (x - self.low) / w - 0.5;
        if position <= 0.0 {
            return self.contents[0] / w;
        }
        let left = position.floor() as usize;
        if left + 1 >= n {
            return self.contents[n - 1] / w;
        }
        let f = position - left as f64;
        ((1.0 - f) * self.contents[left] + f * self.contents[left + 1]) / w
    }

    /// Exact integral: piecewise constant or piecewise linear, integrated between the
    /// knots (bin edges or centres) with the trapezoid rule, which is exact for both.
    fn integral(&self, lo: f64, hi: f64) -> f64 {
        let (lo, hi) = (lo.max(self.low), hi.min(self.high));
        if hi <= lo {
            return 0.0;
        }
        let w = self.width();
        let mut knots = vec![lo, hi];
        for k in 0..=self.contents.len() {
            for knot in [self.low + k as f64 * w, self.low + (k as f64 + 0.5) * w] {
                if knot > lo && knot < hi {
                    knots.push(knot);
                }
            }
        }
        knots.sort_by(f64::total_cmp);
        knots
            .windows(2)
            .map(|k| {
                if self.linear {
                    0.5 * (k[1] - k[0]) * (self.density(k[0]) + self.density(k[1]))
                } else {
                    (k[1] - k[0]) * self.density(0.5 * (k[0] + k[1]))
                }
            })
            .sum()
    }
}

mod derivative;

#[cfg(test)]
mod tests;
