//! Histogram accumulators: equal-width bins over [low, high) like ROOT's TH1 (a value
//! equal to `high` is overflow), with underflow, overflow and undefined (NaN) counts,
//! candidate counts, sums of weights and of squared weights. Partials merge by exact
//! addition, so results depend neither on the thread count nor on chunks or shards.

use super::exact_sum::ExactSum;
use serde::Serialize;

/// One histogram of one channel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    /// Name in the spec.
    pub name: String,
    /// The variable, as written.
    pub var: String,
    /// [low, high).
    pub range: [f64; 2],
    /// Candidates per bin.
    pub counts: Vec<u64>,
    /// Sum of weights per bin.
    pub weighted: Vec<ExactSum>,
    /// Sum of squared weights per bin (the weighted bin's variance).
    pub sumw2: Vec<ExactSum>,
    /// Candidates below `low`.
    pub underflow: u64,
    /// Candidates at or above `high` (±inf included).
    pub overflow: u64,
    /// Candidates whose value is NaN.
    pub undefined: u64,
}

impl Histogram {
    /// An empty histogram of `bins` bins over [low, high).
    pub fn new(name: &str, var: &str, bins: usize, low: f64, high: f64) -> Self {
        Histogram {
            name: name.to_owned(),
            var: var.to_owned(),
            range: [low, high],
            counts: vec![0; bins],
            weighted: vec![ExactSum::new(); bins],
            sumw2: vec![ExactSum::new(); bins],
            underflow: 0,
            overflow: 0,
            undefined: 0,
        }
    }

    /// The bin of `x`, None outside [low, high).
    fn bin(&self, x: f64) -> Option<usize> {
        Binning::of(self).bin(x)
    }

    /// Counts one candidate in `bin` (the bin of `x`), or as underflow, overflow or
    /// undefined; returns the bin.
    fn place(&mut self, x: f64, bin: Option<usize>) -> Option<usize> {
        match bin {
            Some(i) => self.counts[i] += 1,
            None if x.is_nan() => self.undefined += 1,
            None if x < self.range[0] => self.underflow += 1,
            None => self.overflow += 1,
        }
        bin
    }

    /// Adds one candidate.
    pub fn fill(&mut self, x: f64, weight: f64) {
        if let Some(i) = self.place(x, self.bin(x)) {
            self.weighted[i].add(weight);
            self.sumw2[i].add(weight * weight);
        }
    }

    /// Adds candidates of weight 1 to the counts only; [`Histogram::with_unit_weights`]
    /// then sets the sums of weights, exactly, from the counts.
    pub fn count(&mut self, values: impl Iterator<Item = f64>) {
        let binning = Binning::of(self);
        for x in values {
            self.place(x, binning.bin(x));
        }
    }

    /// The histogram of candidates added by [`Histogram::count`] only, with its sums of
    /// weights and of squared weights (both the counts).
    pub fn with_unit_weights(mut self) -> Self {
        for (i, &n) in self.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
            self.weighted[i] = ExactSum::new();
            self.weighted[i].add(n as f64);
            self.sumw2[i] = self.weighted[i].clone();
        }
        self
    }

    /// Adds a later chunk's histogram.
    pub fn merge(&mut self, other: &Histogram) {
        for i in 0..self.counts.len() {
            self.counts[i] += other.counts[i];
            self.weighted[i].merge(&other.weighted[i]);
            self.sumw2[i].merge(&other.sumw2[i]);
        }
        self.underflow += other.underflow;
        self.overflow += other.overflow;
        self.undefined += other.undefined;
    }
}

/// Equal-width bins over [low, high), with the constants of the bin search computed once.
#[derive(Clone, Copy)]
struct Binning {
    low: f64,
    high: f64,
    bins: usize,
    width: f64,
    inverse_width: f64,
}

impl Binning {
    fn of(h: &Histogram) -> Binning {
        let [low, high] = h.range;
        let bins = h.counts.len();
        let width = (high - low) / bins as f64;
        Binning {
            low,
            high,
            bins,
            width,
            inverse_width: 1.0 / width,
        }
    }

    /// The bin of `x`, None outside [low, high). The bin is decided by the edges
    /// low + i·(high − low)/bins themselves, as numpy does, so that a value on an edge
    /// lands where the printed edges say; the first guess (a multiplication) is within
    /// one bin of it.
    #[inline(always)]
    fn bin(&self, x: f64) -> Option<usize> {
        if !(self.low <= x && x < self.high) {
            return None;
        }
        let edge = |i: usize| self.low + i as f64 * self.width;
        let mut i = (((x - self.low) * self.inverse_width) as usize).min(self.bins - 1);
        if x < edge(i) {
            i -= 1;
        } else if i + 1 < self.bins && x >= edge(i + 1) {
            i += 1;
        }
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_half_open_and_edges_land_where_printed() {
        let mut h = Histogram::new("h", "x", 10, 0.0, 1.0);
        for x in [
            0.0,
            0.1,
            0.3,
            0.7,
            0.99999,
            1.0,
            -0.1,
            f64::NAN,
            f64::INFINITY,
        ] {
            h.fill(x, 2.0);
        }
        // The computed edges 3·0.1 and 7·0.1 are 0.30000000000000004 and
        // 0.7000000000000001: 0.3 and 0.7 lie below them, in bins 2 and 6, as numpy's
        // `histogram` puts them.
        assert_eq!(h.counts, vec![1, 1, 1, 0, 0, 0, 1, 0, 0, 1]);
        assert_eq!((h.underflow, h.overflow, h.undefined), (1, 2, 1));
        assert_eq!(h.weighted[0].value(), 2.0);
        assert_eq!(h.sumw2[0].value(), 4.0);
    }
}
