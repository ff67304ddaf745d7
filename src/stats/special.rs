//! The standard normal distribution (CDF and quantile to double precision) and ln Γ.
//!
//! `erfc` and `lgamma_r` are the C library's (glibc's is several times faster than the
//! `libm` crate's software port, and Gaussian normalisations dominate binned fits); the
//! quantile is Wichura's algorithm AS 241 (PPND16, relative error
//! ~1e-16), written out here because it is 40 lines and statrs would bring nalgebra.

mod c {
    unsafe extern "C" {
        /// The C99 complementary error function of the platform's libm, which Rust's
        /// standard library already links.
        pub safe fn erfc(x: f64) -> f64;
        /// ln |Γ(x)|, the thread-safe form (the sign goes to `sign`, not a global).
        pub fn lgamma_r(x: f64, sign: *mut i32) -> f64;
    }
}

/// ln Γ(x) for x > 0 (accurate to a few ulp over the whole range).
pub fn ln_gamma(x: f64) -> f64 {
    let mut sign = 0;
    // SAFETY: `sign` is a valid, exclusive pointer for the duration of the call.
    unsafe { c::lgamma_r(x, &mut sign) }
}

/// erfc(x) = 1 − erf(x), accurate for large x.
pub fn erfc(x: f64) -> f64 {
    c::erfc(x)
}

/// Φ(x), the standard normal CDF, accurate in both tails.
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// 1 − Φ(x) without cancellation for large x.
pub fn normal_sf(x: f64) -> f64 {
    0.5 * erfc(x / std::f64::consts::SQRT_2)
}

/// ln Q(a, x), the regularised upper incomplete gamma function, for a > 0 and x > 0.
pub fn ln_upper_gamma_regularised(a: f64, x: f64) -> f64 {
    // ln(e^−x xᵃ / Γ(a)).
    let ln_prefactor = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        // P(a, x) = e^−x xᵃ / Γ(a + 1) · Σₖ xᵏ / ((a + 1)…(a + k)); P ≤ 0.6 here.
        let (mut term, mut sum, mut ap) = (1.0, 1.0, a);
        for _ in 0..1_000_000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term <= sum * 1e-17 {
                break;
            }
        }
        let p = (ln_prefactor - a.ln() + sum.ln()).exp();
        (-p).ln_1p()
    } else {
        // Q(a, x) = e^−x xᵃ / Γ(a) · 1/(x + 1 − a − 1·(1 − a)/(x + 3 − a − …)), by Lentz.
        const TINY: f64 = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1_000_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < TINY {
                d = TINY;
            }
            c = b + an / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() <= 1e-16 {
                break;
            }
        }
        ln_prefactor + h.ln()
    }
}

/// P(χ² > x) for `dof` degrees of freedom (1 at x ≤ 0).
pub fn chi2_sf(x: f64, dof: usize) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    match dof {
        1 => erfc((0.5 * x).sqrt()),
        _ => ln_upper_gamma_regularised(0.5 * dof as f64, 0.5 * x).exp(),
    }
}

/// Φ⁻¹(p) for p in (0, 1); ±∞ at 0 and 1, NaN outside.
pub fn normal_quantile(p: f64) -> f64 {
    if !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * polynomial(&CENTRAL_NUM, r) / polynomial(&CENTRAL_DEN, r);
    }
    let r = if q < 0.0 { p } else { 1.0 - p };
    let r = (-r.ln()).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        polynomial(&INTERMEDIATE_NUM, r) / polynomial(&INTERMEDIATE_DEN, r)
    } else {
        let r = r - 5.0;
        polynomial(&TAIL_NUM, r) / polynomial(&TAIL_DEN, r)
    };
    if q < 0.0 { -value } else { value }
}

/// Σ cᵢ xⁱ by Horner's rule (coefficients from the constant term up).
fn polynomial(coefficients: &[f64; 8], x: f64) -> f64 {
    coefficients.iter().rev().fold(0.0, |sum, c| sum * x + c)
}

const CENTRAL_NUM: [f64; 8] = [
    3.387_132_872_796_366_5,
    133.141_667_891_784_38,
    1_971.590_950_306_551_3,
    13_731.693_765_509_46,
    45_921.953_931_549_87,
    67_265.770_927_008_7,
    33_430.575_583_588_13,
    2_509.080_928_730_122_7,
];
const CENTRAL_DEN: [f64; 8] = [
    1.0,
    42.313_330_701_600_91,
    687.187_007_492_057_9,
    5_394.196_021_424_751,
    21_213.794_301_586_597,
    39_307.895_800_092_71,
    28_729.085_735_721_943,
    5_226.495_278_852_545,
];
const INTERMEDIATE_NUM: [f64; 8] = [
    1.423_437_110_749_683_5,
    4.630_337_846_156_546,
    5.769_497_221_460_691,
    3.647_848_324_763_204_5,
    1.270_458_252_452_368_4,
    0.241_780_725_177_450_6,
    0.022_723_844_989_269_184,
    7.745_450_142_783_414e-4,
];
const INTERMEDIATE_DEN: [f64; 8] = [
    1.0,
    2.053_191_626_637_759,
    1.676_384_830_183_803_8,
    0.689_767_334_985_1,
    0.148_103_976_427_480_08,
    0.015_198_666_563_616_457,
    5.475_938_084_995_345e-4,
    1.050_750_071_644_416_9e-9,
];
const TAIL_NUM: [f64; 8] = [
    6.657_904_643_501_103,
    5.463_784_911_164_114,
    1.784_826_539_917_291_3,
    0.296_560_571_828_504_87,
    0.026_532_189_526_576_124,
    0.001_242_660_947_388_078_4,
    2.711_555_568_743_487_6e-5,
    2.010_334_399_292_288_1e-7,
];
const TAIL_DEN: [f64; 8] = [
    1.0,
    0.599_832_206_555_887_9,
    0.136_929_880_922_735_8,
    0.014_875_361_290_850_615,
    7.868_691_311_456_133e-4,
    1.846_318_317_510_054_8e-5,
    1.421_511_758_316_446e-7,
    2.044_263_103_389_939_7e-15,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_inverts_the_cdf_across_both_tails() {
        for &p in &[
            1e-300, 1e-20, 1e-6, 0.01, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999_999,
        ] {
            let x = normal_quantile(p);
            let back = normal_cdf(x);
            assert!((back - p).abs() <= 1e-13 * p, "p={p} x={x} back={back}");
        }
        // scipy.stats.norm.ppf(0.95), norm.ppf(0.975), norm.cdf(1)
        assert!((normal_quantile(0.95) - 1.644_853_626_951_472_2).abs() < 1e-15);
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-15);
        assert!((normal_cdf(1.0) - 0.841_344_746_068_542_9).abs() < 1e-15);
        assert!((normal_sf(10.0) - 7.619_853_024_160_527e-24).abs() < 1e-36);
    }

    #[test]
    fn ln_gamma_matches_factorials_and_stirling() {
        assert_eq!(ln_gamma(1.0), 0.0);
        assert!((ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-13);
        // scipy.special.gammaln(1e5 + 1)
        assert!((ln_gamma(100_001.0) - 1_051_299.221_899_121_8).abs() < 1e-8);
    }

    #[test]
    fn chi2_tail_matches_scipy() {
        // scipy.stats.chi2.sf(x, k), scipy 1.x
        for (x, k, sf) in [
            (3.841_458_820_694_124, 1, 0.049_999_999_999_999_89),
            (0.3, 1, 0.583_882_420_770_365),
            (5.991_464_547_107_979, 2, 0.050_000_000_000_000_07),
            (7.0, 3, 0.071_897_772_496_465_09),
            (0.5, 4, 0.973_500_978_839_256_1),
            (25.0, 5, 0.000_139_333_791_185_626_3),
            (60.0, 2, 9.357_622_968_840_163e-14),
        ] {
            let got = chi2_sf(x, k);
            assert!(
                (got - sf).abs() <= 1e-12 * sf,
                "chi2.sf({x}, {k}) = {sf}, got {got}"
            );
        }
        assert_eq!(chi2_sf(0.0, 3), 1.0);
        assert!(chi2_sf(f64::NAN, 1).is_nan());
    }
}
