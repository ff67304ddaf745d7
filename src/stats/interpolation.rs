//! HistFactory's interpolation of a multiplicative systematic between its −1σ and +1σ
//! variations, as pyhf implements them: code 1 (exponential) and code 4 (exponential
//! beyond ±1σ, a sixth-order polynomial inside that matches value, slope and curvature
//! at ±1σ; pyhf's default for `normsys`).

use crate::stats::linalg::Matrix;

/// Code 1: hi^α for α ≥ 0, lo^(−α) below (hi, lo are ratios to nominal).
pub fn code1(alpha: f64, hi: f64, lo: f64) -> f64 {
    if alpha >= 0.0 {
        hi.powf(alpha)
    } else {
        lo.powf(-alpha)
    }
}

/// Code 4 as a reusable interpolator: the polynomial coefficients are solved once.
#[derive(Clone, Debug, PartialEq)]
pub struct Code4 {
    hi: f64,
    lo: f64,
    coefficients: [f64; 6],
}

impl Code4 {
    /// For ratios `hi` and `lo` to nominal (both > 0).
    pub fn new(hi: f64, lo: f64) -> Self {
        let (l_hi, l_lo) = (hi.ln(), lo.ln());
        // Rows: value, slope and curvature of 1 + Σ cᵢ αⁱ at α = +1 and α = −1.
        let mut a = Matrix::zeros(6);
        for i in 1..=6 {
            let (fi, sign) = (i as f64, if i % 2 == 0 { 1.0 } else { -1.0 });
            a[(0, i - 1)] = 1.0;
            a[(1, i - 1)] = sign;
            a[(2, i - 1)] = fi;
            a[(3, i - 1)] = -fi * sign;
            a[(4, i - 1)] = fi * (fi - 1.0);
            a[(5, i - 1)] = fi * (fi - 1.0) * sign;
        }
        let b = [
            hi - 1.0,
            lo - 1.0,
            l_hi * hi,
            -l_lo * lo,
            l_hi * l_hi * hi,
            l_lo * l_lo * lo,
        ];
        let solved = a.solve(&b).expect("the code-4 matrix is regular");
        let mut coefficients = [0.0; 6];
        coefficients.copy_from_slice(&solved);
        Code4 {
            hi,
            lo,
            coefficients,
        }
    }

    /// The factor at α.
    pub fn at(&self, alpha: f64) -> f64 {
        if alpha.abs() >= 1.0 {
            return code1(alpha, self.hi, self.lo);
        }
        1.0 + self
            .coefficients
            .iter()
            .rev()
            .fold(0.0, |sum, c| (sum + c) * alpha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code4_is_smooth_at_the_junctions_and_matches_pyhf() {
        let c = Code4::new(1.2, 0.8);
        for edge in [-1.0, 1.0] {
            let h = 1e-6;
            let (inside, outside) = (edge * (1.0 - h), edge * (1.0 + h));
            assert!((c.at(inside) - c.at(outside)).abs() < 1e-5);
        }
        assert_eq!(c.at(0.0), 1.0);
        // pyhf 0.7.6, normsys hi 1.2 lo 0.8 at α = 0.3: expected 0.5 → 0.534750… with
        // lumi 1.01 (from model.expected_actualdata).
        assert!((0.5 * c.at(0.3) * 1.01 - (2.049_754_45 - 1.515)).abs() < 1e-8);
    }
}
