//! Belle II dark Higgs + inelastic dark matter: e+e- → h′ χ₁ χ₂ with a displaced
//! h′ → x⁺x⁻ vertex and χ₂ → χ₁ e⁺e⁻, against long-lived Standard Model particles
//! (K⁰_S → ππ, Λ → pπ), photon conversions in the detector material and fake vertices.

use super::detector::{Collider, exponential, gauss, track};
use super::kinematics::{P4, two_body};
use super::rows::{IS_SIGNAL, Rows};
use super::{Params, Process};
use crate::physics::{constant, experiment};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

/// Toy dark-matter masses, GeV: m(χ₁), m(χ₂).
const M_CHI1: f64 = 0.8;
const M_CHI2: f64 = 1.2;
/// Toy proper decay length of χ₂, cm.
const CTAU_CHI2: f64 = 1.0;
/// Radii of material (beam pipe, PXD, SVD, CDC wall), cm.
const MATERIAL: [f64; 8] = [1.0, 1.4, 2.2, 3.9, 8.0, 10.4, 13.5, 16.0];
/// Outer radius where a displaced vertex can still be reconstructed, cm.
const TRACKING_RADIUS: f64 = 100.0;

/// A two-track vertex before reconstruction.
struct Vertex {
    /// The decaying particle (lab).
    parent: P4,
    /// Its two daughters (lab).
    daughters: (P4, P4),
    /// Flight distance from the interaction point, cm.
    flight: f64,
    /// Channel hypothesis (decayMode).
    mode: usize,
}

/// The dark Higgs generators: `signal_only` for `idm_dark_higgs_signal`.
pub struct IdmDarkHiggs {
    collider: Collider,
    signal_only: bool,
    masses: Vec<f64>,
    ctaus: Vec<f64>,
    inject: Option<(f64, u64)>,
    events: u64,
}

/// The decay modes (decayMode 0 μμ, 1 ππ, 2 KK) open at dark Higgs mass `m`; the signal
/// toy chooses among them with equal probability.
pub(super) fn allowed_modes(m: f64) -> Vec<usize> {
    (0..3)
        .filter(|&i| m > 2.0 * daughter_mass(i) + 1e-3)
        .collect()
}

/// Channel masses by decayMode: μ, π, K.
fn daughter_mass(mode: usize) -> f64 {
    constant(["m_mu", "m_pip", "m_Kp"][mode]).expect("mass")
}

impl IdmDarkHiggs {
    /// The data-like background (`signal_only = false`) or the signal grid.
    pub fn new(signal_only: bool, params: &Params, events: u64) -> Result<Self, String> {
        let inject = params.injection()?;
        Ok(IdmDarkHiggs {
            collider: Collider::new(experiment("belle2").expect("belle2 is defined")),
            signal_only,
            masses: params
                .many("masses")?
                .unwrap_or_else(|| vec![0.5, 1.0, 2.0, 3.0]),
            ctaus: params.many("ctau")?.unwrap_or_else(|| vec![1.0]),
            inject,
            events,
        })
    }

    /// Fills the h′-vertex columns from the two daughters (true lab four-vectors) of a
    /// vertex at `flight` along the parent direction; `None` outside the tracker.
    fn vertex(&self, row: &mut [f64], rows: &Rows, rng: &mut Pcg64Mcg, v: &Vertex) -> Option<()> {
        let (parent, d, flight, mode) = (&v.parent, v.daughters, v.flight, v.mode);
        let dir = [
            parent.px / parent.p(),
            parent.py / parent.p(),
            parent.pz / parent.p(),
        ];
        let pos = [flight * dir[0], flight * dir[1], flight * dir[2]];
        let dr = pos[0].hypot(pos[1]);
        if dr > TRACKING_RADIUS {
            return None;
        }
        let m_x = daughter_mass(mode);
        let (a, b) = (track(&d.0, m_x, rng), track(&d.1, m_x, rng));
        let with = |m1: f64, m2: f64| {
            P4::from_momentum(m1, a.px, a.py, a.pz)
                .add(&P4::from_momentum(m2, b.px, b.py, b.pz))
                .mass()
        };
        let (m_pi, m_p) = (
            constant("m_pip").expect("mass"),
            constant("m_p").expect("mass"),
        );
        let proton_first = a.p() >= b.p();
        let sum = a.add(&b);
        let sigma = 0.02 + 0.002 * dr;
        let seen = [
            pos[0] + sigma * gauss(rng),
            pos[1] + sigma * gauss(rng),
            pos[2] + sigma * gauss(rng),
        ];
        let seen_len = (seen[0].powi(2) + seen[1].powi(2) + seen[2].powi(2))
            .sqrt()
            .max(1e-9);
        let cos = (seen[0] * sum.px + seen[1] * sum.py + seen[2] * sum.pz) / (seen_len * sum.p());
        row[rows.index("decayMode")] = mode as f64;
        row[rows.index("M")] = sum.mass();
        row[rows.index("M_pionHypothesis")] = with(m_pi, m_pi);
        row[rows.index("M_protonPionHypothesis")] = if proton_first {
            with(m_p, m_pi)
        } else {
            with(m_pi, m_p)
        };
        row[rows.index("dr")] = seen[0].hypot(seen[1]);
        row[rows.index("cosAngleBetweenMomentumAndVertexVector")] = cos.clamp(-1.0, 1.0);
        Some(())
    }

    fn signal(&self, rng: &mut Pcg64Mcg, rows: &mut Rows, m: f64, ctau: f64) {
        let collision = self.collider.collision(rng);
        let sqrt_s = collision.mass();
        let modes = allowed_modes(m);
        if modes.is_empty() || m + M_CHI1 + M_CHI2 >= sqrt_s {
            return;
        }
        let mode = modes[rng.random_range(0..modes.len())];
        let m_y = rng.random_range(M_CHI1 + M_CHI2..(sqrt_s - m));
        let (h, y) = two_body(&collision, m, m_y, rng);
        let (_chi1, chi2) = two_body(&y, M_CHI1, M_CHI2, rng);
        let m_ee = rng.random_range(2.0 * constant("m_e").expect("mass")..0.9 * (M_CHI2 - M_CHI1));
        let (_, ee) = two_body(&chi2, M_CHI1, m_ee, rng);
        let flight = exponential(rng, h.p() / m * ctau);
        let daughters = two_body(&h, daughter_mass(mode), daughter_mass(mode), rng);
        let mut row = rows.blank();
        let v = Vertex {
            parent: h,
            daughters,
            flight,
            mode,
        };
        if self.vertex(&mut row, rows, rng, &v).is_none() {
            return;
        }
        let ee_flight = exponential(rng, chi2.p() / M_CHI2 * CTAU_CHI2);
        let seen_ee = ee.mass() + 0.003 * gauss(rng);
        let visible = self.collider.in_cm(&h).e + self.collider.in_cm(&ee).e;
        row[rows.index("ee_M")] = seen_ee.max(0.0);
        row[rows.index("ee_dr")] = ee_flight * (chi2.px.hypot(chi2.py) / chi2.p());
        row[rows.index("missingEnergyOfEventCMS")] =
            (self.collider.sqrt_s() - visible + 0.05 * gauss(rng)).max(0.0);
        row[rows.index("nTracks")] = if rng.random::<f64>() < 0.95 { 4.0 } else { 5.0 };
        row[rows.index("mcM_hprime")] = m;
        row[rows.index("mcFlightDistance_hprime")] = flight * (h.px.hypot(h.py) / h.p());
        row[rows.index("mcCtau_hprime")] = ctau;
        row[IS_SIGNAL] = 1.0;
        rows.push(row);
    }

    fn background(&self, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        let collision = self.collider.collision(rng);
        let u = rng.random::<f64>();
        let mode = match rng.random::<f64>() {
            x if x < 0.3 => 0,
            x if x < 0.9 => 1,
            _ => 2,
        };
        // The decaying neutral: (mass, daughters' true masses, decay radius).
        let (m_pi, m_p, m_e) = (
            constant("m_pip").expect("mass"),
            constant("m_p").expect("mass"),
            constant("m_e").expect("mass"),
        );
        let p = exponential(rng, 1.2).max(0.05);
        let d = super::kinematics::isotropic(rng);
        let (mass, m1, m2, flight) = if u < 0.35 {
            let m = constant("m_K0").expect("mass");
            (m, m_pi, m_pi, exponential(rng, p / m * 2.684))
        } else if u < 0.5 {
            let m = constant("m_Lambda").expect("mass");
            (m, m_p, m_pi, exponential(rng, p / m * 7.89))
        } else if u < 0.7 {
            // A photon converting in the material: flight to a material radius.
            let r = MATERIAL[rng.random_range(0..MATERIAL.len())] + 0.05 * gauss(rng);
            let sin = d[0].hypot(d[1]).max(0.1);
            (2.0 * m_e + exponential(rng, 0.01), m_e, m_e, r / sin)
        } else {
            // Two unrelated tracks that happen to form a vertex.
            let m = 2.0 * daughter_mass(mode) + exponential(rng, 0.5);
            (
                m,
                daughter_mass(mode),
                daughter_mass(mode),
                exponential(rng, 0.15),
            )
        };
        let parent =
            P4::from_momentum(mass, p * d[0], p * d[1], p * d[2]).from_rest_frame_of(&collision);
        let daughters = two_body(&parent, m1, m2, rng);
        let mut row = rows.blank();
        let v = Vertex {
            parent,
            daughters,
            flight,
            mode,
        };
        if self.vertex(&mut row, rows, rng, &v).is_none() {
            return;
        }
        if u >= 0.7 {
            // Fake vertices point anywhere.
            row[rows.index("cosAngleBetweenMomentumAndVertexVector")] =
                (1.0 - exponential(rng, 0.3)).max(-1.0);
        }
        let (ee_m, ee_dr) = if rng.random::<f64>() < 0.7 {
            (
                exponential(rng, 0.005),
                MATERIAL[rng.random_range(0..MATERIAL.len())] + 0.05 * gauss(rng),
            )
        } else {
            (exponential(rng, 0.05), exponential(rng, 0.05))
        };
        row[rows.index("ee_M")] = ee_m;
        row[rows.index("ee_dr")] = ee_dr.max(0.0);
        row[rows.index("missingEnergyOfEventCMS")] = exponential(rng, 0.8).min(10.0);
        row[rows.index("nTracks")] = [2.0, 3.0, 4.0, 4.0, 5.0, 6.0][rng.random_range(0..6)];
        rows.push(row);
    }
}

impl Process for IdmDarkHiggs {
    fn event(&self, n: u64, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        if self.signal_only {
            let k = self.masses.len() as u64;
            let m = self.masses[(n % k) as usize];
            let ctau = self.ctaus[((n / k) % self.ctaus.len() as u64) as usize];
            return self.signal(rng, rows, m, ctau);
        }
        if let Some((m, count)) = self.inject
            && super::is_injected(n, count, self.events)
        {
            return self.signal(rng, rows, m, self.ctaus[0]);
        }
        self.background(rng, rows);
    }
}
