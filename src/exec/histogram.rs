//! Histogram accumulators: equal-width bins over [low, high) like ROOT's TH1 (a value
//! equal to `high` is overflow), with underflow, overflow and undefined (NaN) counts,
//! candidate counts, sums of weights and of squared weights. Partials merge by exact
//! addition, so results depend neither on the thread count nor on chunks or shards.

use super::exact_sum::ExactSum;
use crate::simd::multiversioned;
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

    /// Adds the candidates `i` of `values` for which `keep[i]` holds, with weight 1, to
    /// the counts only; [`Histogram::with_unit_weights`] then sets the sums of weights,
    /// exactly, from the counts. Every value gets a slot code without branches (a bin,
    /// underflow, overflow, undefined, or not kept), then the slots are tallied: a
    /// branch per value would be mispredicted whenever the selection is not sorted.
    pub fn count(&mut self, values: &[f64], keep: &[bool]) {
        let bins = self.counts.len();
        let [underflow, overflow, undefined] = [bins, bins + 1, bins + 2];
        let tally = tally_slots(Binning::of(self), values, keep);
        for (count, n) in self.counts.iter_mut().zip(&tally) {
            *count += n;
        }
        self.underflow += tally[underflow];
        self.overflow += tally[overflow];
        self.undefined += tally[undefined];
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

/// Interleaved tables of [`tally_slots`]: value `k` of a run of 256 adds to table
/// `k % TABLES`, so that runs of equal slots do not wait on each other's increments.
const TABLES: usize = 8;

multiversioned! {
    /// How many candidates fall in each of the `bins + 4` slots (bins, then underflow,
    /// overflow, undefined, not kept), counted in [`TABLES`] interleaved tables and summed.
    /// Every slot, its table's offset included, is found with selects and arithmetic on
    /// f64 lanes, so that the loop vectorises and the tally is one increment per value;
    /// slot numbers are small integers, exact in f64. Compiled for each vector
    /// instruction set ([`crate::simd`]).
    fn tally_slots(binning: Binning, values: &[f64], keep: &[bool]) -> Vec<u64> {
        let bins = binning.bins;
        let width = bins + 4;
        let mut tally = vec![0u64; TABLES * width];
        let (underflow, skipped) = (bins, bins + 3);
        let select = |m: bool, a: f64, b: f64| if m { a } else { b };
        let slot = |x: f64| {
            // Below: underflow; at or above high: overflow; NaN: one further, undefined.
            let outside =
                underflow as f64 + select(x < binning.low, 0.0, 1.0) + select(x.is_nan(), 1.0, 0.0);
            select(binning.inside(x), binning.index(x), outside)
        };
        for (values, keep) in values.chunks(256).zip(keep.chunks(256)) {
            let mut slots = [0i32; 256];
            for (k, ((s, &x), &keep)) in slots.iter_mut().zip(values).zip(keep).enumerate() {
                let table = ((k % TABLES) * width) as f64;
                let s_ = table + select(keep, slot(x), skipped as f64);
                // SAFETY: a slot is an integer in [0, TABLES · (bins + 4)), within i32
                // (`Binning::of`).
                *s = unsafe { s_.to_int_unchecked::<i32>() };
            }
            for &s in &slots[..values.len()] {
                tally[s as usize] += 1;
            }
        }
        (0..width)
            .map(|s| (0..TABLES).map(|t| tally[t * width + s]).sum())
            .collect()
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
        // Specs allow at most 100 000 bins; slots (with their table's offset) and bins
        // are converted through i32.
        assert!(TABLES * (bins + 4) < i32::MAX as usize);
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
        self.inside(x).then(|| self.index(x) as usize)
    }

    /// Whether `x` is in [low, high).
    #[inline(always)]
    fn inside(&self, x: f64) -> bool {
        (self.low <= x) & (x < self.high)
    }

    /// The bin of `x` if it is inside (anything otherwise), as an integer-valued f64:
    /// every step is a select or arithmetic on f64 lanes, with no branch, so that a loop
    /// over values vectorises.
    #[inline(always)]
    fn index(&self, x: f64) -> f64 {
        let select = |m: bool, a: f64, b: f64| if m { a } else { b };
        let last = (self.bins - 1) as f64;
        let guess = (x - self.low) * self.inverse_width;
        // Clamped to [0, bins − 1], NaN to 0: the conversion cannot overflow.
        let guess = select(guess >= 0.0, guess, 0.0).min(last);
        // SAFETY: `guess` is finite and within [0, bins − 1], an i32 (asserted in
        // `Binning::of`), which converts from f64 in vector lanes.
        let guess = f64::from(unsafe { guess.to_int_unchecked::<i32>() });
        let below = x < self.low + guess * self.width;
        let above = !below & (guess < last) & (x >= self.low + (guess + 1.0) * self.width);
        guess - select(below, 1.0, 0.0) + select(above, 1.0, 0.0)
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
