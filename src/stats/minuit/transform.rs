//! MINUIT's transformations between a bounded external parameter and an unbounded
//! internal one, so the minimiser never leaves the allowed range:
//! both bounds `ext = a + (b − a)(sin int + 1)/2`, a lower bound
//! `ext = a − 1 + √(int² + 1)`, an upper bound `ext = b + 1 − √(int² + 1)`.

/// The allowed range of one parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bounds {
    /// Unbounded.
    None,
    /// ext ≥ lower.
    Lower(f64),
    /// ext ≤ upper.
    Upper(f64),
    /// lower ≤ ext ≤ upper.
    Both(f64, f64),
}

impl Bounds {
    /// From optional lower and upper limits.
    pub fn new(lower: Option<f64>, upper: Option<f64>) -> Self {
        match (lower, upper) {
            (None, None) => Bounds::None,
            (Some(a), None) => Bounds::Lower(a),
            (None, Some(b)) => Bounds::Upper(b),
            (Some(a), Some(b)) => Bounds::Both(a, b),
        }
    }

    /// The internal value of an external one (clamped into the range first).
    pub fn to_internal(&self, ext: f64) -> f64 {
        match *self {
            Bounds::None => ext,
            Bounds::Lower(a) => {
                let y = (ext - a + 1.0).max(1.0);
                (y * y - 1.0).sqrt()
            }
            Bounds::Upper(b) => {
                let y = (b - ext + 1.0).max(1.0);
                (y * y - 1.0).sqrt()
            }
            Bounds::Both(a, b) => (2.0 * (ext - a) / (b - a) - 1.0).clamp(-1.0, 1.0).asin(),
        }
    }

    /// The external value of an internal one.
    pub fn to_external(&self, int: f64) -> f64 {
        match *self {
            Bounds::None => int,
            Bounds::Lower(a) => a - 1.0 + (int * int + 1.0).sqrt(),
            Bounds::Upper(b) => b + 1.0 - (int * int + 1.0).sqrt(),
            Bounds::Both(a, b) => a + 0.5 * (b - a) * (int.sin() + 1.0),
        }
    }

    /// d ext / d int at an internal value.
    pub fn derivative(&self, int: f64) -> f64 {
        match *self {
            Bounds::None => 1.0,
            Bounds::Lower(_) => int / (int * int + 1.0).sqrt(),
            Bounds::Upper(_) => -int / (int * int + 1.0).sqrt(),
            Bounds::Both(a, b) => 0.5 * (b - a) * int.cos(),
        }
    }

    /// True when an external value sits at a bound (within 1e-5 of the range, or of 1
    /// for one-sided bounds), where errors are unreliable.
    pub fn at_limit(&self, ext: f64) -> bool {
        match *self {
            Bounds::None => false,
            Bounds::Lower(a) => ext - a < 1e-5 * (1.0 + a.abs()),
            Bounds::Upper(b) => b - ext < 1e-5 * (1.0 + b.abs()),
            Bounds::Both(a, b) => (ext - a).min(b - ext) < 1e-5 * (b - a),
        }
    }

    /// True when `ext` is inside the range.
    pub fn contains(&self, ext: f64) -> bool {
        match *self {
            Bounds::None => true,
            Bounds::Lower(a) => ext >= a,
            Bounds::Upper(b) => ext <= b,
            Bounds::Both(a, b) => (a..=b).contains(&ext),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transformations_round_trip() {
        for bounds in [
            Bounds::None,
            Bounds::Lower(-2.0),
            Bounds::Upper(3.0),
            Bounds::Both(-1.0, 4.0),
        ] {
            for ext in [-0.9, 0.0, 0.5, 2.9] {
                let int = bounds.to_internal(ext);
                assert!(
                    (bounds.to_external(int) - ext).abs() < 1e-12,
                    "{bounds:?} {ext}"
                );
                let h = 1e-6;
                let numeric =
                    (bounds.to_external(int + h) - bounds.to_external(int - h)) / (2.0 * h);
                assert!((numeric - bounds.derivative(int)).abs() < 1e-8);
            }
        }
    }
}
