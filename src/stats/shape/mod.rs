//! A probability density of one observable with its integral over any interval, so that
//! a likelihood can normalise it over the fit range (minus vetoed windows), and its
//! derivatives in its parameters. Each PDF is one file of `stats::pdfs` implementing
//! [`Density`]; a [`Shape`] holds one of them.

use std::fmt::Debug;
use std::sync::Arc;

use crate::stats::pdfs::histogram::Template;

/// One PDF's mathematics. Parameters are passed in the order of
/// [`Density::parameter_names`]. Only `parameter_names`, `density` and `integral` must be
/// written; the rest have generic forms (loops over `density`, central differences) that
/// a PDF replaces where it knows better.
pub trait Density: Debug + Send + Sync {
    /// Parameter names in order.
    fn parameter_names(&self) -> Vec<String>;

    /// The unnormalised density at x.
    fn density(&self, x: f64, p: &[f64]) -> f64;

    /// ∫ density over [lo, hi], lo < hi.
    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64;

    /// Adds `scale` × density at each of `xs` to `out`: the per-event loop of unbinned
    /// likelihoods. A PDF may write it without branches or calls so that it vectorises,
    /// computing exactly what [`Density::density`] does.
    fn accumulate(&self, xs: &[f64], p: &[f64], scale: f64, out: &mut [f64]) {
        for (o, &x) in out.iter_mut().zip(xs) {
            *o += scale * self.density(x, p);
        }
    }

    /// ∫ density over each bin; a PDF may share work between neighbouring bins.
    fn integrals(&self, bins: &[(f64, f64)], p: &[f64]) -> Vec<f64> {
        bins.iter()
            .map(|&(lo, hi)| guarded(lo, hi, |lo, hi| self.integral(lo, hi, p)))
            .collect()
    }

    /// ∂density/∂p[j] at each event into `out` (densities `values` given) where an
    /// analytic form is known; false otherwise (central differences are used then).
    fn event_derivative(
        &self,
        _xs: &[f64],
        _p: &[f64],
        _j: usize,
        _values: &[f64],
        _out: &mut [f64],
    ) -> bool {
        false
    }

    /// ∂/∂p[j] of ∫ density over [lo, hi], lo < hi, where an analytic form is known.
    fn integral_derivative(&self, _lo: f64, _hi: f64, _p: &[f64], _j: usize) -> Option<f64> {
        None
    }

    /// The histogram, for a template.
    fn as_template(&self) -> Option<&Template> {
        None
    }
}

/// `integral(lo, hi)`, or 0 for an empty interval.
pub(crate) fn guarded(lo: f64, hi: f64, integral: impl FnOnce(f64, f64) -> f64) -> f64 {
    if hi <= lo { 0.0 } else { integral(lo, hi) }
}

/// A density shape: one of the PDFs of `stats::pdfs`, shared cheaply between components.
#[derive(Clone, Debug)]
pub struct Shape(Arc<dyn Density>);

impl Shape {
    /// The shape of one PDF.
    pub fn new(density: impl Density + 'static) -> Self {
        Shape(Arc::new(density))
    }

    /// The histogram, for a template.
    pub fn as_template(&self) -> Option<&Template> {
        self.0.as_template()
    }

    /// Parameter names in order.
    pub fn parameter_names(&self) -> Vec<String> {
        self.0.parameter_names()
    }

    /// The unnormalised density at x.
    pub fn density(&self, x: f64, p: &[f64]) -> f64 {
        self.0.density(x, p)
    }

    /// ∫ density over [lo, hi] (0 for an empty interval).
    pub fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
        guarded(lo, hi, |lo, hi| self.0.integral(lo, hi, p))
    }

    /// Adds `scale` × density at each of `xs` to `out`.
    pub fn accumulate(&self, xs: &[f64], p: &[f64], scale: f64, out: &mut [f64]) {
        self.0.accumulate(xs, p, scale, out);
    }

    /// ∫ density over each bin.
    pub fn integrals(&self, bins: &[(f64, f64)], p: &[f64]) -> Vec<f64> {
        self.0.integrals(bins, p)
    }

    /// The density at each of `xs` into `values`, and ∂density/∂p[wanted[m]] at each
    /// event into `gradients[m·xs.len() ..][..xs.len()]`: analytic where the PDF knows
    /// the form, central differences per event with a step of 10⁻⁶ of the parameter's
    /// magnitude otherwise.
    pub fn density_gradients(
        &self,
        xs: &[f64],
        p: &[f64],
        wanted: &[usize],
        values: &mut [f64],
        gradients: &mut [f64],
    ) {
        let n = xs.len();
        values.fill(0.0);
        self.accumulate(xs, p, 1.0, values);
        for (m, &j) in wanted.iter().enumerate() {
            let out = &mut gradients[m * n..(m + 1) * n];
            if !self.0.event_derivative(xs, p, j, values, out) {
                let h = step(p[j]);
                let (mut up, mut down) = (p.to_vec(), p.to_vec());
                up[j] += h;
                down[j] -= h;
                for (o, &x) in out.iter_mut().zip(xs) {
                    *o = (self.density(x, &up) - self.density(x, &down)) / (2.0 * h);
                }
            }
        }
    }

    /// ∂/∂p[j] of ∫ density over [lo, hi]: analytic where the PDF knows the form, the
    /// five-point stencil otherwise (error fourth order in the step).
    pub fn integral_derivative(&self, lo: f64, hi: f64, p: &[f64], j: usize) -> f64 {
        if hi <= lo {
            return 0.0;
        }
        if let Some(derivative) = self.0.integral_derivative(lo, hi, p, j) {
            return derivative;
        }
        five_point(p, j, step(p[j]), |q| self.integral(lo, hi, q))
    }
}

/// ∂f/∂p[j] by the five-point stencil with step h (error O(h⁴)).
pub(crate) fn five_point(p: &[f64], j: usize, h: f64, f: impl Fn(&[f64]) -> f64) -> f64 {
    let at = |offset: f64| {
        let mut q = p.to_vec();
        q[j] += offset;
        f(&q)
    };
    (at(-2.0 * h) - 8.0 * at(-h) + 8.0 * at(h) - at(2.0 * h)) / (12.0 * h)
}

/// Step for numerical derivatives in parameter `value`.
fn step(value: f64) -> f64 {
    1e-6 * value.abs().max(1.0)
}

/// out[i] = d(x[i], f[i]) for the events `xs` with densities `values`: a PDF's analytic
/// per-event derivative, inlined per PDF so that the loop vectorises.
pub(crate) fn each_event(out: &mut [f64], xs: &[f64], values: &[f64], d: impl Fn(f64, f64) -> f64) {
    for ((o, &x), &f) in out.iter_mut().zip(xs).zip(values) {
        *o = d(x, f);
    }
}

/// Derivatives of a location–scale PDF, f = g((x − mean)/sigma) with mean and sigma its
/// first two parameters, from `slope` = dg/dt.
pub(crate) mod location_scale {
    use super::{Density, each_event};

    /// ∂mean f = −g′/σ, ∂σ f = −t g′/σ at each event; false for the other parameters.
    pub fn event_derivative(
        xs: &[f64],
        p: &[f64],
        j: usize,
        values: &[f64],
        out: &mut [f64],
        slope: impl Fn(f64) -> f64,
    ) -> bool {
        if j > 1 {
            return false;
        }
        let (mean, sigma) = (p[0], p[1]);
        each_event(out, xs, values, |x, _| {
            let t = (x - mean) / sigma;
            if j == 0 {
                -slope(t) / sigma
            } else {
                -t * slope(t) / sigma
            }
        });
        true
    }

    /// ∂mean ∫ g dx = g(a) − g(b); ∂σ ∫ g dx = I/σ − t_b g(b) + t_a g(a); None for the
    /// other parameters.
    pub fn integral_derivative(
        pdf: &dyn Density,
        lo: f64,
        hi: f64,
        p: &[f64],
        j: usize,
    ) -> Option<f64> {
        if j > 1 {
            return None;
        }
        let (f_lo, f_hi) = (pdf.density(lo, p), pdf.density(hi, p));
        Some(if j == 0 {
            f_lo - f_hi
        } else {
            let (t_lo, t_hi) = ((lo - p[0]) / p[1], (hi - p[0]) / p[1]);
            pdf.integral(lo, hi, p) / p[1] - t_hi * f_hi + t_lo * f_lo
        })
    }
}

#[cfg(test)]
mod tests;
