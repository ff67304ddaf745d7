//! Exact, mergeable sums of floating-point numbers.
//!
//! Weighted cutflow counts and weighted histogram bins are sums over candidates. With
//! plain `f64` addition their last bits depend on how the candidates were grouped into
//! chunks, and chunks differ between a single-process run and a run split into shards
//! (`run --shard`, then `merge`). An [`ExactSum`] holds the sum without rounding error (as
//! a short list of non-overlapping `f64` partials, Shewchuk's algorithm as used by
//! Python's `math.fsum`), so any grouping and any merge order give the same correctly
//! rounded value, and the partials can be written to a shard's partial result and merged
//! later without loss. Written by hand because the crates that sum exactly either keep a
//! fixed 4 kB accumulator per sum (too large for one per histogram bin) or cannot merge
//! two accumulators.

/// The exact sum of the values added so far.
#[derive(Clone, Debug, Default)]
pub struct ExactSum {
    /// Non-overlapping, non-zero partials in increasing magnitude; their exact sum is
    /// the sum of the finite values added.
    partials: Vec<f64>,
    /// The sum of the non-finite values added (and of finite sums that overflowed): ±inf
    /// or NaN, which absorb everything else; None while there were none.
    special: Option<f64>,
}

impl ExactSum {
    /// A sum of nothing (zero).
    pub fn new() -> Self {
        ExactSum::default()
    }

    /// Adds `x`.
    pub fn add(&mut self, mut x: f64) {
        if !x.is_finite() {
            self.add_special(x);
            return;
        }
        // Zeros change nothing; skipping them also keeps the sign of a zero total from
        // depending on the order (the total of nothing is +0).
        if x == 0.0 {
            return;
        }
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            if !hi.is_finite() {
                self.add_special(hi);
                return;
            }
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        if x != 0.0 {
            self.partials.push(x);
        }
    }

    fn add_special(&mut self, x: f64) {
        self.special = Some(self.special.map_or(x, |s| s + x));
    }

    /// Adds another sum (a later chunk's or another shard's): exact, in any order.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
        if let Some(s) = other.special {
            self.add_special(s);
        }
    }

    /// The sum, correctly rounded to the nearest `f64` (ties to even).
    pub fn value(&self) -> f64 {
        if let Some(s) = self.special {
            return s;
        }
        let p = &self.partials;
        let Some(&last) = p.last() else {
            return 0.0;
        };
        // Sum from the largest partial down until the remainder no longer fits; then
        // correct a half-way case the remaining partials decide (as `math.fsum` does).
        let (mut hi, mut lo) = (last, 0.0);
        let mut n = p.len() - 1;
        while n > 0 {
            let x = hi;
            let y = p[n - 1];
            n -= 1;
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }

    /// The state to store in a partial result: the finite partials, and the non-finite
    /// part if any.
    pub fn parts(&self) -> (&[f64], Option<f64>) {
        (&self.partials, self.special)
    }

    /// Rebuilds a sum from [`parts`](Self::parts) (re-added, so any list of finite values
    /// is accepted, not only a valid partials list).
    pub fn from_parts(partials: &[f64], special: Option<f64>) -> Self {
        let mut sum = ExactSum::new();
        for &p in partials {
            sum.add(p);
        }
        if let Some(s) = special {
            sum.add_special(s);
        }
        sum
    }
}

/// Equal when the exact sums are (the partials representing a sum are not unique).
impl PartialEq for ExactSum {
    fn eq(&self, other: &ExactSum) -> bool {
        match (self.special, other.special) {
            (None, None) => {
                let mut difference = self.clone();
                other.partials.iter().for_each(|&p| difference.add(-p));
                difference.partials.is_empty() && difference.special.is_none()
            }
            (Some(a), Some(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl serde::Serialize for ExactSum {
    /// Serialised as its value.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sum_of(values: &[f64]) -> f64 {
        let mut s = ExactSum::new();
        values.iter().for_each(|&v| s.add(v));
        s.value()
    }

    #[test]
    fn sums_that_plain_addition_gets_wrong() {
        // Python: math.fsum([0.1] * 10) == 1.0, math.fsum([1e100, 1.0, -1e100, 1e-100])
        // == 1.0, math.fsum([1, 1e-16, 1e-16]) == 1.0000000000000002.
        assert_eq!(sum_of(&[0.1; 10]), 1.0);
        assert_ne!([0.1; 10].iter().sum::<f64>(), 1.0);
        assert_eq!(sum_of(&[1e100, 1.0, -1e100, 1e-100]), 1.0);
        assert_eq!(sum_of(&[1.0, 1e-16, 1e-16]), 1.0000000000000002);
        assert_eq!(sum_of(&[]), 0.0);
        assert!(sum_of(&[-0.0]).is_sign_positive());
        assert_eq!(sum_of(&[1.0, f64::INFINITY]), f64::INFINITY);
        assert!(sum_of(&[f64::INFINITY, f64::NEG_INFINITY]).is_nan());
        assert_eq!(sum_of(&[f64::MAX, f64::MAX]), f64::INFINITY);
        // A half-way case decided by a lower partial: 2^53 + 1 + 2^-50 rounds up.
        assert_eq!(
            sum_of(&[9007199254740992.0, 1.0, 2f64.powi(-50)]),
            9007199254740994.0
        );
    }

    proptest! {
        /// Any split into pieces, summed and merged in any order, gives the same bits.
        #[test]
        fn grouping_and_merge_order_do_not_change_the_result(
            values in prop::collection::vec(-1e6f64..1e6, 0..200),
            cut in 0usize..200,
        ) {
            let whole = sum_of(&values);
            let cut = cut.min(values.len());
            let (a, b) = values.split_at(cut);
            let mut left = ExactSum::new();
            a.iter().for_each(|&v| left.add(v));
            let mut right = ExactSum::new();
            b.iter().rev().for_each(|&v| right.add(v));
            let mut merged = right.clone();
            merged.merge(&left);
            prop_assert_eq!(merged.value().to_bits(), whole.to_bits());
            let (p, s) = merged.parts();
            prop_assert_eq!(ExactSum::from_parts(p, s).value().to_bits(), whole.to_bits());
        }
    }
}
