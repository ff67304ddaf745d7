//! What the signal toys know about their own truth, for signal efficiencies: which
//! column holds the true mass (and lifetime) of each candidate, and how many events were
//! generated at each grid point in each decay mode — the denominator that the
//! reconstructed rows alone cannot give, since events that are not reconstructed leave
//! no row.

use super::Params;

/// Truth columns of a signal toy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SignalTruth {
    /// Column with the generated mass of the new particle.
    pub mass_column: &'static str,
    /// Column with the generated proper decay length, for grids over lifetimes.
    pub ctau_column: Option<&'static str>,
    /// The lifetime of a sample generated without a `ctau` grid (None: no lifetime axis
    /// then).
    pub default_ctau: Option<f64>,
}

/// The truth columns of signal generator `generator`, if it is one.
pub fn signal_truth(generator: &str) -> Option<SignalTruth> {
    let (mass_column, ctau_column, default_ctau) = match generator {
        // Without a grid, the lifetime follows the `coupling` at each mass.
        "b_to_k_alp_signal" => ("mcM_a", Some("mcCtau_a"), None),
        "b_to_h_invisible_signal" => ("mcM_X", None, None),
        "ee_to_gamma_alp_signal" => ("mcM_a", None, None),
        "ee_to_mumu_zprime_signal" => ("mcM_Zp", None, None),
        "idm_dark_higgs_signal" => ("mcM_hprime", Some("mcCtau_hprime"), Some(1.0)),
        _ => return None,
    };
    Some(SignalTruth {
        mass_column,
        ctau_column,
        default_ctau,
    })
}

/// Events with index n in [0, events) and n mod k = i: how the generators walk a grid.
fn residue_count(events: u64, k: u64, i: u64) -> u64 {
    events / k + u64::from(i < events % k)
}

/// Generated events of `generator` at grid point (`mass`, `ctau`) in decay mode `mode`
/// (the `decayMode` value), for a sample of `events` with `params`. `None` when the
/// point is not on the generator's grid.
pub fn generated(
    generator: &str,
    params: &Params,
    events: u64,
    mass: f64,
    ctau: Option<f64>,
    mode: f64,
) -> Option<f64> {
    let masses = params.many("masses").ok()??;
    let k = masses.len() as u64;
    let i = masses.iter().position(|&m| m == mass)? as u64;
    let at_mass = residue_count(events, k, i);
    match generator {
        // Lifetime (n / k) mod C on a grid; kaon mode drawn uniformly from four.
        "b_to_k_alp_signal" => match (params.many("ctau").ok()?, ctau) {
            (Some(ctaus), Some(t)) => {
                let c = ctaus.iter().position(|&x| x == t)? as u64;
                Some(residue_count(at_mass, ctaus.len() as u64, c) as f64 / 4.0)
            }
            (None, None) => Some(at_mass as f64 / 4.0),
            _ => None,
        },
        // Hadron mode (n / k) mod 5: exact.
        "b_to_h_invisible_signal" => {
            let mode = mode as u64;
            (mode < 5).then(|| residue_count(at_mass, 5, mode) as f64)
        }
        // One mode.
        "ee_to_gamma_alp_signal" | "ee_to_mumu_zprime_signal" => {
            (mode == 0.0).then_some(at_mass as f64)
        }
        // Lifetime (n / k) mod C, then a mode uniformly among those open at the mass.
        "idm_dark_higgs_signal" => {
            let ctaus = params.many("ctau").ok()?.unwrap_or_else(|| vec![1.0]);
            let c = match ctau {
                Some(t) => ctaus.iter().position(|&x| x == t)? as u64,
                None => 0,
            };
            let at_point = residue_count(at_mass, ctaus.len() as u64, c);
            let modes = super::idm_dark_higgs::allowed_modes(mass);
            modes
                .contains(&(mode as usize))
                .then(|| at_point as f64 / modes.len() as f64)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn residue_counts_partition_the_sample() {
        let total: u64 = (0..7).map(|i| residue_count(100, 7, i)).sum();
        assert_eq!(total, 100);
        assert_eq!(residue_count(100, 7, 0), 15);
        assert_eq!(residue_count(100, 7, 2), 14);
    }

    #[test]
    fn denominators_of_each_signal_toy() {
        let params = Params(vec![
            ("masses".into(), vec![0.3, 1.0]),
            ("ctau".into(), vec![1.0, 10.0]),
        ]);
        // B → K a over lifetimes: half the mass's events at each, a quarter per kaon
        // mode; without a grid, every event at the mass.
        assert_eq!(
            generated("b_to_k_alp_signal", &params, 1000, 1.0, Some(10.0), 2.0),
            Some(62.5)
        );
        assert_eq!(
            generated("b_to_k_alp_signal", &params, 1000, 1.0, None, 2.0),
            None
        );
        let prompt = Params(vec![("masses".into(), vec![0.3, 1.0])]);
        assert_eq!(
            generated("b_to_k_alp_signal", &prompt, 1000, 1.0, None, 2.0),
            Some(125.0)
        );
        assert_eq!(
            generated("b_to_h_invisible_signal", &params, 1000, 0.3, None, 4.0),
            Some(100.0)
        );
        // At 0.3 GeV μμ and ππ are open, KK is not.
        assert_eq!(
            generated("idm_dark_higgs_signal", &params, 1000, 0.3, Some(10.0), 0.0),
            Some(125.0)
        );
        assert_eq!(
            generated("idm_dark_higgs_signal", &params, 1000, 0.3, Some(10.0), 2.0),
            None
        );
        assert_eq!(
            generated("b_to_k_alp_signal", &params, 1000, 0.5, None, 0.0),
            None
        );
        assert_eq!(
            generated("ee_to_gamma_alp_signal", &params, 1001, 0.3, None, 0.0),
            Some(501.0)
        );
        assert_eq!(
            generated("ee_to_gamma_alp_signal", &params, 1001, 0.3, None, 1.0),
            None
        );
    }
}
