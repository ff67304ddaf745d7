//! `exp` and `ln` written without branches or calls, so that loops over events compile
//! to vector instructions; the platform's libm is one opaque call per element.
//!
//! The algorithms are fdlibm's (`e_exp.c`, `e_log.c`: Cody–Waite range reduction, the
//! same minimax polynomials), with their branches replaced by selects: both stay within
//! one unit in the last place of the correctly rounded result (tested against the
//! standard library over the whole range). A side benefit: likelihood values no longer
//! depend on which libm the machine has. Hand-written because the crates that vectorise
//! these (sleef ports) need nightly `core::simd`, and the approximate ones (`fastapprox`)
//! are far from double precision.

// The constants are written with fdlibm's digits, more than a double holds.
#![allow(clippy::excessive_precision)]

const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const LOG2_E: f64 = std::f64::consts::LOG2_E;
/// 1.5 × 2⁵²: adding it rounds to the nearest integer, which then sits in the low bits.
const ROUNDER: f64 = 6_755_399_441_055_744.0;

/// e^x to within one ulp; 0 below −745.13, +∞ above 709.78, NaN for NaN.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    const P1: f64 = 1.666_666_666_666_660_190_37e-1;
    const P2: f64 = -2.777_777_777_701_559_338_42e-3;
    const P3: f64 = 6.613_756_321_437_934_361_17e-5;
    const P4: f64 = -1.653_390_220_546_525_153_90e-6;
    const P5: f64 = 4.138_136_797_057_238_460_39e-8;
    // Keep the reduction in range; the selects at the end give the limits.
    let clamped = x.clamp(-745.2, 709.8);
    let k = (clamped * LOG2_E + ROUNDER) - ROUNDER;
    let hi = clamped - k * LN2_HI;
    let lo = k * LN2_LO;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // y · 2^k in two factors, so that k down to −1075 (subnormal results) and up to 1024
    // stay representable. Integer work stays in floats and unsigned bits: SSE2 and AVX2
    // have neither 64-bit arithmetic shifts nor 64-bit integer conversions.
    let half = (0.5 * k + ROUNDER) - ROUNDER;
    let value = y * power_of_two(half) * power_of_two(k - half);
    if x.is_nan() {
        x
    } else if x > 709.782_712_893_384 {
        f64::INFINITY
    } else if x < -745.133_219_101_941_1 {
        0.0
    } else {
        value
    }
}

/// 2^e for an integer-valued e in [−1022, 1023].
#[inline(always)]
fn power_of_two(e: f64) -> f64 {
    let integer = (e + ROUNDER)
        .to_bits()
        .wrapping_sub(ROUNDER.to_bits())
        .wrapping_add(1023);
    f64::from_bits(integer << 52)
}

/// ln x to within one ulp; −∞ at 0, NaN below 0 and for NaN, +∞ at +∞.
#[inline(always)]
pub fn ln(x: f64) -> f64 {
    const LG1: f64 = 6.666_666_666_666_735_130e-1;
    const LG2: f64 = 3.999_999_999_940_941_908e-1;
    const LG3: f64 = 2.857_142_874_366_239_149e-1;
    const LG4: f64 = 2.222_219_843_214_978_396e-1;
    const LG5: f64 = 1.818_357_216_161_805_012e-1;
    const LG6: f64 = 1.531_383_769_920_937_332e-1;
    const LG7: f64 = 1.479_819_860_511_658_591e-1;
    // Subnormals are scaled up by 2⁵⁴ first.
    let subnormal = x < f64::MIN_POSITIVE;
    let scaled = if subnormal {
        x * 18_014_398_509_481_984.0
    } else {
        x
    };
    let bits = scaled.to_bits();
    // Mantissa m in [√2/2, √2) and exponent k with x = m·2^k (as a float, by the same
    // bit trick as in `exp`).
    let shifted = bits.wrapping_add(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_0000_0000);
    let biased = f64::from_bits(ROUNDER.to_bits() + (shifted >> 52)) - ROUNDER;
    let dk = biased - if subnormal { 1023.0 + 54.0 } else { 1023.0 };
    let m = f64::from_bits((shifted & 0x000f_ffff_ffff_ffff) + 0x3fe6_a09e_0000_0000);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let half_square = 0.5 * f * f;
    let value = dk * LN2_HI - ((half_square - (s * (half_square + r) + dk * LN2_LO)) - f);
    if x > 0.0 && x < f64::INFINITY {
        value
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite doubles of one sign.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    /// A deterministic spread of arguments: uniform in `[lo, hi]`.
    fn arguments(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        (0..n).map(move |i| lo + (hi - lo) * ((i as f64 * 0.618_033_988_749_894_9) % 1.0))
    }

    #[test]
    fn exp_is_within_one_ulp_of_the_standard_library() {
        let mut worst = 0;
        for x in arguments(-745.0, 709.7, 2_000_000).chain(arguments(-2.0, 2.0, 1_000_000)) {
            let (ours, std) = (exp(x), x.exp());
            if std >= f64::MIN_POSITIVE {
                worst = worst.max(ulps(ours, std));
            } else {
                // Subnormal results: absolute precision of the smallest subnormal.
                assert!((ours - std).abs() <= 2.0 * 5e-324, "{x}: {ours} vs {std}");
            }
        }
        assert!(worst <= 1, "exp: {worst} ulp");
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
    }

    #[test]
    fn ln_is_within_one_ulp_of_the_standard_library() {
        let mut worst = 0;
        let samples = arguments(0.0, 1.0, 1_000_000)
            .map(|u| (u * 1400.0 - 700.0).exp())
            .chain(arguments(0.5, 2.0, 1_000_000))
            .chain(arguments(1e-320, 1e-308, 100_000));
        for x in samples.filter(|&x| x > 0.0) {
            worst = worst.max(ulps(ln(x), x.ln()));
        }
        assert!(worst <= 1, "ln: {worst} ulp");
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::MAX), f64::MAX.ln());
        assert_eq!(ln(5e-324), (5e-324f64).ln());
    }
}
