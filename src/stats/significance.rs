//! The global significance of the largest local excess in a scan, by the upcrossing
//! method of Gross and Vitells (Eur. Phys. J. C 70 (2010) 525): for a test statistic
//! q₀ distributed as χ²₁ locally, p_global ≈ p_local + ⟨N(u)⟩ with
//! ⟨N(u)⟩ = N(u₀)·exp(−(u − u₀)/2), N(u₀) the upcrossings of q₀ over a low reference
//! level u₀ counted along the scan.

use crate::stats::special::{normal_quantile, normal_sf};

/// Reference level of q₀ (Z = 1) where upcrossings are counted.
const REFERENCE_Q0: f64 = 1.0;

/// Global significance for local significances `z` along a scan in hypothesis order
/// (one-sided, Z ≥ 0); 0 when there is no excess.
pub fn global_significance(z: &[f64]) -> f64 {
    (-normal_quantile(global_p_value(z))).max(0.0)
}

/// The global p-value of the largest of the local significances `z` (in hypothesis
/// order): p_local + N(u₀)·exp(−(q_max − u₀)/2), at most 1; 1 when there is no excess.
pub fn global_p_value(z: &[f64]) -> f64 {
    let Some(z_max) = z.iter().copied().filter(|v| v.is_finite()).reduce(f64::max) else {
        return 1.0;
    };
    if z_max <= 0.0 {
        return 1.0;
    }
    let level = REFERENCE_Q0.sqrt();
    let upcrossings = z
        .windows(2)
        .filter(|w| w[0] < level && w[1] >= level)
        .count()
        + usize::from(z.first().is_some_and(|&v| v >= level));
    let q_max = z_max * z_max;
    (normal_sf(z_max) + upcrossings as f64 * (-(q_max - REFERENCE_Q0) / 2.0).exp()).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_elsewhere_reduces_the_significance() {
        // One excess of 4σ among a scan with three upcrossings of Z = 1.
        let z = [0.0, 1.2, 0.3, 0.0, 1.5, 0.2, 4.0, 0.5];
        let global = global_significance(&z);
        let expected_p = normal_sf(4.0) + 3.0 * (-(16.0 - 1.0) / 2.0f64).exp();
        assert!((global - normal_quantile(1.0 - expected_p)).abs() < 1e-12);
        assert!(global < 4.0 && global > 2.5);
        assert_eq!(global_significance(&[0.0, 0.0]), 0.0);
    }
}
