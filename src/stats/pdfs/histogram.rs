//! A histogram template filled from an input's selected candidates.

use super::PdfSignature;
use crate::stats::shape::Density;

pub const SIGNATURE: PdfSignature = PdfSignature {
    name: "histogram",
    required: &["from"],
    optional: &["bins", "interpolation", "sigma"],
    numbered: None,
    defaults: &[],
    example: &[],
    shape: None,
    doc: "template histogram of the fit observable from an input's selected candidates \
          (`sigma`: the resolution, for the fit window and the scan step)",
};

/// A histogram template: equal-width bins over [low, high], constant or linearly
/// interpolated between bin centres. No parameters.
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

impl Density for Template {
    fn parameter_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// The bin content per unit width, or its linear interpolation between bin centres
    /// (flat in the outer half bins).
    fn density(&self, x: f64, _p: &[f64]) -> f64 {
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

    /// Exact: piecewise constant or piecewise linear, integrated between the knots (bin
    /// edges or centres) with the trapezoid rule, which is exact for both.
    fn integral(&self, lo: f64, hi: f64, p: &[f64]) -> f64 {
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
                    0.5 * (k[1] - k[0]) * (self.density(k[0], p) + self.density(k[1], p))
                } else {
                    (k[1] - k[0]) * self.density(0.5 * (k[0] + k[1]), p)
                }
            })
            .sum()
    }

    fn as_template(&self) -> Option<&Template> {
        Some(self)
    }
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
}
