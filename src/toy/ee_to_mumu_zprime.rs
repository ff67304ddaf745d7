//! Belle II e⁺e⁻ → μ⁺μ⁻Z′, Z′ → μ⁺μ⁻ (Belle II, PRL 130 (2023) 231801): four tracks whose
//! energies add up to √s, the Z′ a dimuon resonance. The Z′ candidate is the pair the
//! resonance (or the background's virtual photon) decays to. Backgrounds: the QED
//! four-muon continuum, μ⁺μ⁻π⁺π⁻ whose pions are taken for muons (the control region of
//! failed muon identification), J/ψ → μ⁺μ⁻, and events with a lost radiated photon, whose
//! four tracks miss √s. Both continua follow one falling mass spectrum: the control
//! region measures the signal region's background shape.

use super::detector::{Collider, track};
use super::kinematics::{P4, two_body};
use super::rows::{IS_SIGNAL, Rows};
use super::{Params, Process, SignalGrid};
use crate::physics::{constant, experiment};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

/// The e⁺e⁻ → μ⁺μ⁻Z′ generators: `signal_only` for `ee_to_mumu_zprime_signal`.
pub struct EeToMumuZprime {
    collider: Collider,
    grid: SignalGrid,
}

/// The dimuon masses of the continua, GeV: 1/m between these.
const CONTINUUM_START: f64 = 0.22;
const CONTINUUM_END: f64 = 10.2;

/// What decays to the Z′ candidate's two tracks.
#[derive(Clone, Copy, PartialEq)]
enum Pair {
    /// Two muons (the signal, the four-muon continuum, J/ψ).
    Muons,
    /// Two pions taken for muons.
    Pions,
}

impl EeToMumuZprime {
    /// The data-like mixture (`signal_only = false`) or the signal grid.
    pub fn new(signal_only: bool, params: &Params, events: u64) -> Result<Self, String> {
        Ok(EeToMumuZprime {
            collider: Collider::new(experiment("belle2").expect("belle2 is defined")),
            grid: SignalGrid::new(signal_only, params, events, &[0.5, 1.0, 3.0, 6.0, 9.0])?,
        })
    }

    /// e⁺e⁻ → (μ⁺μ⁻)(X), X of mass m → two tracks: the recoiling muon pair's mass leans
    /// low, as for a Z′ radiated off a muon line; `lost` removes part of the recoiling
    /// pair's energy (a radiated photon not reconstructed). Writes a row when all four
    /// tracks are in the drift chamber's acceptance.
    fn event_with(
        &self,
        rng: &mut Pcg64Mcg,
        rows: &mut Rows,
        m: f64,
        pair: Pair,
        signal: bool,
        lost: bool,
    ) {
        let m_mu = constant("m_mu").expect("mass");
        let m_track = match pair {
            Pair::Muons => m_mu,
            Pair::Pions => constant("m_pip").expect("mass"),
        };
        let collision = self.collider.collision(rng);
        let room = collision.mass() - m - 2.0 * m_mu - 0.02;
        if 2.0 * m_track >= m || room <= 0.0 {
            return;
        }
        let m_recoil = 2.0 * m_mu + 0.01 + room * rng.random::<f64>().powi(2);
        let (recoil, x) = two_body(&collision, m_recoil, m, rng);
        let (r1, r2) = two_body(&recoil, m_mu, m_mu, rng);
        let (a, b) = two_body(&x, m_track, m_track, rng);
        let tracks: Vec<P4> = [r1, r2, a, b].iter().map(|p| track(p, m_mu, rng)).collect();
        let in_acceptance = |p: &P4| {
            let cos = p.pz / p.p();
            p.px.hypot(p.py) > 0.1 && (-0.866..0.956).contains(&cos)
        };
        if !tracks.iter().all(in_acceptance) {
            return;
        }
        let scale = if lost {
            rng.random_range(0.5..0.9)
        } else {
            1.0
        };
        let [r1, r2] = [tracks[0], tracks[1]].map(|p| P4 {
            e: p.e * scale,
            px: p.px * scale,
            py: p.py * scale,
            pz: p.pz * scale,
        });
        let candidate = tracks[2].add(&tracks[3]);
        let total = self.collider.in_cm(&r1.add(&r2).add(&candidate));
        let muon_id = |rng: &mut Pcg64Mcg| match pair {
            Pair::Muons if rng.random::<f64>() < 0.96 => rng.random_range(0.9..1.0),
            Pair::Pions if rng.random::<f64>() < 0.04 => rng.random_range(0.9..1.0),
            Pair::Muons => rng.random_range(0.0..0.9),
            Pair::Pions => 0.5 * rng.random::<f64>().powi(2),
        };
        let mut row = rows.blank();
        row[rows.index("decayMode")] = 0.0;
        row[rows.index("M_mumu")] = candidate.mass();
        row[rows.index("M_4trk")] = total.mass();
        row[rows.index("p_total_cm")] = total.p();
        row[rows.index("muonID_min")] = muon_id(rng).min(muon_id(rng));
        if signal {
            row[rows.index("mcM_Zp")] = m;
            row[IS_SIGNAL] = 1.0;
        }
        rows.push(row);
    }

    /// One background event: the four-muon or μ⁺μ⁻π⁺π⁻ continuum, J/ψ → μ⁺μ⁻, or a
    /// continuum event with a lost photon.
    fn background(&self, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        let continuum = |rng: &mut Pcg64Mcg| {
            let (a, b) = (CONTINUUM_START.ln(), CONTINUUM_END.ln());
            rng.random_range(a..b).exp()
        };
        let (m, pair) = match rng.random::<f64>() {
            x if x < 0.01 => (constant("m_Jpsi").expect("mass"), Pair::Muons),
            x if x < 0.45 => (continuum(rng), Pair::Muons),
            _ => (continuum(rng), Pair::Pions),
        };
        let lost = rng.random::<f64>() < 0.1;
        self.event_with(rng, rows, m, pair, false, lost);
    }
}

impl Process for EeToMumuZprime {
    fn event(&self, n: u64, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        match self.grid.mass_of(n) {
            Some(m) => self.event_with(rng, rows, m, Pair::Muons, true, false),
            None => self.background(rng, rows),
        }
    }
}
