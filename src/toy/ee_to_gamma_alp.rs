//! Belle II e⁺e⁻ → γ a, a → γγ (Belle II, PRL 125 (2020) 161806): three photons whose
//! energies add up to √s, the ALP a diphoton resonance recoiling against a photon of
//! energy (s − m²)/(2√s). Backgrounds: the QED three-photon continuum (a smoothly falling
//! diphoton mass), e⁺e⁻ → γP with P = π⁰, η, η′ → γγ (peaks the analysis vetoes), and
//! events with a photon from beam background or a lost photon, whose energy sum misses √s.

use super::detector::{Collider, photon};
use super::kinematics::{P4, two_body};
use super::rows::{IS_SIGNAL, Rows};
use super::{Params, Process, SignalGrid};
use crate::physics::{constant, experiment};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

/// The e⁺e⁻ → γ a generators: `signal_only` for `ee_to_gamma_alp_signal`.
pub struct EeToGammaAlp {
    collider: Collider,
    grid: SignalGrid,
}

/// The diphoton masses of the continuum, GeV.
const CONTINUUM_START: f64 = 0.05;
const CONTINUUM_END: f64 = 10.3;

impl EeToGammaAlp {
    /// The data-like mixture (`signal_only = false`) or the signal grid.
    pub fn new(signal_only: bool, params: &Params, events: u64) -> Result<Self, String> {
        Ok(EeToGammaAlp {
            collider: Collider::new(experiment("belle2").expect("belle2 is defined")),
            grid: SignalGrid::new(signal_only, params, events, &[0.5, 1.0, 3.0, 6.0, 9.0])?,
        })
    }

    /// e⁺e⁻ → γ X(m), X → γγ, with the recoil photon's angle following 1 + cos²θ in the
    /// centre-of-mass frame; `fake` replaces one photon by a softer beam-background one.
    /// Writes a row when all three photons are reconstructed.
    fn event_with(&self, rng: &mut Pcg64Mcg, rows: &mut Rows, m: f64, signal: bool, fake: bool) {
        let collision = self.collider.collision(rng);
        if m >= collision.mass() {
            return;
        }
        let (recoil, x) = loop {
            let (recoil, x) = two_body(&collision, 0.0, m, rng);
            let cos = self.collider.in_cm(&recoil).cos_theta();
            if rng.random::<f64>() * 2.0 < 1.0 + cos * cos {
                break (recoil, x);
            }
        };
        let (g1, g2) = two_body(&x, 0.0, 0.0, rng);
        let origin = [0.0; 3];
        let (Some(r), Some(mut a), Some(b)) = (
            photon(&recoil, origin, rng),
            photon(&g1, origin, rng),
            photon(&g2, origin, rng),
        ) else {
            return;
        };
        if fake {
            let scale = rng.random_range(0.2..0.9);
            a = P4 {
                e: a.e * scale,
                px: a.px * scale,
                py: a.py * scale,
                pz: a.pz * scale,
            };
        }
        let (r_cm, a_cm, b_cm) = (
            self.collider.in_cm(&r),
            self.collider.in_cm(&a),
            self.collider.in_cm(&b),
        );
        let mut row = rows.blank();
        row[rows.index("decayMode")] = 0.0;
        row[rows.index("M_gg")] = a.add(&b).mass();
        row[rows.index("E_gamma_recoil")] = r_cm.e;
        row[rows.index("E_total")] = r_cm.e + a_cm.e + b_cm.e;
        row[rows.index("cos_theta_recoil")] = r_cm.cos_theta();
        row[rows.index("E_gamma_min")] = a.e.min(b.e);
        if signal {
            row[rows.index("mcM_a")] = m;
            row[IS_SIGNAL] = 1.0;
        }
        rows.push(row);
    }

    /// One background event: the three-photon continuum, a γP event, or either with a
    /// beam-background photon.
    fn background(&self, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        let m = match rng.random::<f64>() {
            x if x < 0.04 => constant("m_pi0").expect("mass"),
            x if x < 0.06 => constant("m_eta").expect("mass"),
            x if x < 0.07 => constant("m_etap").expect("mass"),
            // Falling with the diphoton mass, with a flat floor.
            _ if rng.random::<f64>() < 0.85 => {
                let slope = 1.0 / 1.6;
                let span = CONTINUUM_END - CONTINUUM_START;
                let u = rng.random::<f64>() * (1.0 - (-slope * span).exp());
                CONTINUUM_START - (1.0 - u).ln() / slope
            }
            _ => rng.random_range(CONTINUUM_START..CONTINUUM_END),
        };
        let fake = rng.random::<f64>() < 0.3;
        self.event_with(rng, rows, m, false, fake);
    }
}

impl Process for EeToGammaAlp {
    fn event(&self, n: u64, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        match self.grid.mass_of(n) {
            Some(m) => self.event_with(rng, rows, m, true, false),
            None => self.background(rng, rows),
        }
    }
}
