//! Physical constants shared by the toy Monte Carlo and the checker: PDG 2025 masses and
//! the two B factories' beams. Masses in GeV.

/// A named constant usable in spec expressions (`m_Bp - m_Kp`).
#[derive(Clone, Copy, Debug)]
pub struct Constant {
    /// Name in expressions.
    pub name: &'static str,
    /// Value in base units (GeV, cm, ns).
    pub value: f64,
    /// What it is.
    pub doc: &'static str,
}

const fn c(name: &'static str, value: f64, doc: &'static str) -> Constant {
    Constant { name, value, doc }
}

/// Particle masses (PDG 2025) and derived quantities, by expression name.
pub const CONSTANTS: &[Constant] = &[
    c("m_B0", 5.27972, "B0 mass"),
    c("m_Bp", 5.27941, "B+ mass"),
    c("m_Kp", 0.493677, "K+ mass"),
    c("m_K0", 0.497611, "K0 / K_S0 mass"),
    c("m_Kst0", 0.89555, "K*0 mass"),
    c("m_Kstp", 0.89167, "K*+ mass"),
    c("m_pip", 0.13957039, "pi+ mass"),
    c("m_pi0", 0.1349768, "pi0 mass"),
    c("m_eta", 0.547862, "eta mass"),
    c("m_etap", 0.95778, "eta' mass"),
    c("m_D0", 1.86484, "D0 mass"),
    c("m_Dp", 1.86966, "D+ mass"),
    c("m_Dst0", 2.00685, "D*0 mass"),
    c("m_Dstp", 2.01026, "D*+ mass"),
    c("m_Ds", 1.96835, "D_s+ mass"),
    c("m_p", 0.938272, "proton mass"),
    c("m_Lambda", 1.115683, "Lambda mass"),
    c("m_e", 0.00051099895, "electron mass"),
    c("m_mu", 0.1056583755, "muon mass"),
    c("m_tau", 1.77693, "tau lepton mass"),
    c("m_rho", 0.77526, "rho(770) mass"),
    c("m_omega", 0.78266, "omega(782) mass"),
    c("m_phi", 1.019461, "phi(1020) mass"),
    c("m_etac", 2.9841, "eta_c(1S) mass"),
    c("m_Jpsi", 3.0969, "J/psi mass"),
    c("m_psi2S", 3.686097, "psi(2S) mass"),
    c("m_Y1S", 9.4604, "Upsilon(1S) mass"),
    c("m_Y2S", 10.02326, "Upsilon(2S) mass"),
    c("m_Y3S", 10.3552, "Upsilon(3S) mass"),
    c("m_Y4S", 10.5794, "Upsilon(4S) mass"),
    c("pi", std::f64::consts::PI, "the number pi"),
    c(
        "alpha_em",
        7.297_352_564_3e-3,
        "fine-structure constant at zero momentum transfer",
    ),
    c(
        "fb_per_inv_gev2",
        3.893_793_721e11,
        "(ħc)² in fb GeV²: a cross section in GeV⁻² times this is in fb",
    ),
];

/// The constant of that name.
pub fn constant(name: &str) -> Option<f64> {
    CONSTANTS.iter().find(|c| c.name == name).map(|c| c.value)
}

/// Constants set by the spec's `analysis.experiment`: the beams' centre-of-mass energy.
pub const BEAM_CONSTANTS: &[(&str, &str)] = &[
    (
        "sqrt_s",
        "centre-of-mass energy √s of the experiment's beams",
    ),
    (
        "E_beam_cms",
        "beam energy in the centre-of-mass frame, √s / 2",
    ),
];

/// The constant of that name, the beam constants ([`BEAM_CONSTANTS`]) included when the
/// experiment is known.
pub fn constant_in(name: &str, experiment: Option<&str>) -> Option<f64> {
    let beam = || experiment.and_then(self::experiment).map(|e| e.e_beam_cm);
    match name {
        "sqrt_s" => beam().map(|e| 2.0 * e),
        "E_beam_cms" => beam(),
        _ => constant(name),
    }
}

/// One B factory's collision set-up.
#[derive(Clone, Copy, Debug)]
pub struct Experiment {
    /// Name in specs (`experiment: belle2`).
    pub name: &'static str,
    /// Electron beam energy, GeV.
    pub e_minus: f64,
    /// Positron beam energy, GeV.
    pub e_plus: f64,
    /// Full crossing angle, rad (Belle: the e- beam at 22 mrad; Belle II: 2 × 41.5 mrad).
    pub crossing: f64,
    /// Beam energy in the centre-of-mass frame, GeV (√s / 2); sets Mbc's endpoint.
    pub e_beam_cm: f64,
}

/// The experiments a spec may name.
pub const EXPERIMENTS: &[Experiment] = &[
    Experiment {
        name: "belle",
        e_minus: 7.998213,
        e_plus: 3.499218,
        crossing: 0.022,
        e_beam_cm: 5.290,
    },
    Experiment {
        name: "belle2",
        e_minus: 7.004,
        e_plus: 4.002,
        crossing: 0.083,
        e_beam_cm: 5.2898,
    },
];

/// The experiment of that name.
pub fn experiment(name: &str) -> Option<&'static Experiment> {
    EXPERIMENTS.iter().find(|e| e.name == name)
}

/// Two-body decay momentum p* of daughters with masses `m1`, `m2` in the rest frame of `mass`.
pub fn two_body_momentum(mass: f64, m1: f64, m2: f64) -> f64 {
    let a = mass * mass - (m1 + m2).powi(2);
    let b = mass * mass - (m1 - m2).powi(2);
    (a * b).max(0.0).sqrt() / (2.0 * mass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_body_momentum_matches_known_values() {
        // B+ -> K+ a at m_a = 0: p* = (m_B^2 - m_K^2) / (2 m_B) = 2.6166 GeV (PHYSICS.md: 2.617).
        let p = two_body_momentum(constant("m_Bp").unwrap(), constant("m_Kp").unwrap(), 0.0);
        assert!((p - 2.617).abs() < 5e-4, "{p}");
        assert_eq!(two_body_momentum(1.0, 0.6, 0.6), 0.0);
    }

    #[test]
    fn beam_constants_need_the_experiment() {
        assert_eq!(constant_in("sqrt_s", Some("belle")), Some(10.58));
        assert_eq!(constant_in("E_beam_cms", Some("belle2")), Some(5.2898));
        assert_eq!(constant_in("sqrt_s", None), None);
        assert_eq!(constant_in("m_Bp", None), constant("m_Bp"));
    }
}
