//! Belle B → K(*) a, a → γγ: signal with the ALP's flight, peaking B → K(*) π⁰/η/η′, and
//! a parametric continuum and generic-BB̄ background. Mbc, ΔE and m_γγ come out of the
//! kinematics and detector smearing, not from drawn resolutions.

use super::detector::{Argus, Collider, exponential, gauss, photon, track};
use super::kinematics::two_body;
use super::rows::{IS_SIGNAL, Rows};
use super::{Params, Process};
use crate::physics::{constant, experiment};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

/// ħc in GeV·cm, to turn widths into decay lengths.
const HBAR_C: f64 = 1.973_269_8e-14;
/// sin²θ_W, relating g_aγγ to g_aW.
const SIN2_THETA_W: f64 = 0.231;

/// Kaon channels: (decayMode, kaon-system mass, B mass, share of events).
const MODES: [(f64, &str, &str); 4] = [
    (0.0, "m_Kp", "m_Bp"),
    (1.0, "m_K0", "m_B0"),
    (2.0, "m_Kst0", "m_B0"),
    (3.0, "m_Kstp", "m_Bp"),
];

/// What produced a candidate's photon pair.
#[derive(Clone, Copy)]
enum Source {
    /// The ALP, with its mass and proper decay length (cm).
    Alp(f64, f64),
    /// A Standard Model meson of this mass decaying promptly.
    Meson(f64),
}

/// The B → K(*) a generators: `signal_only` for `b_to_k_alp_signal`.
pub struct BToKAlp {
    collider: Collider,
    signal_only: bool,
    masses: Vec<f64>,
    coupling: Option<f64>,
    /// A lifetime grid (cm), walked like the masses, instead of the coupling's lifetime.
    ctaus: Option<Vec<f64>>,
    inject: Option<(f64, u64)>,
    events: u64,
    continuum_mbc: Argus,
    bb_mbc: Argus,
}

impl BToKAlp {
    /// The data-like mixture (`signal_only = false`) or the signal grid.
    pub fn new(signal_only: bool, params: &Params, events: u64) -> Result<Self, String> {
        let collider = Collider::new(experiment("belle").expect("belle is defined"));
        let eb = collider.e_beam();
        let inject = params.injection()?;
        let (coupling, ctaus) = (params.one("coupling")?, params.many("ctau")?);
        if coupling.is_some() && ctaus.is_some() {
            return Err("give `coupling` or a `ctau` grid, not both".into());
        }
        Ok(BToKAlp {
            collider,
            signal_only,
            masses: params
                .many("masses")?
                .unwrap_or_else(|| vec![0.5, 1.0, 2.0, 3.0, 4.0]),
            coupling,
            ctaus,
            inject,
            events,
            continuum_mbc: Argus::new(5.2, eb, -20.0),
            bb_mbc: Argus::new(5.2, eb, -8.0),
        })
    }

    /// Proper decay length cτ of the ALP, cm (0 without a coupling: prompt).
    fn ctau(&self, m: f64) -> f64 {
        self.coupling.map_or(0.0, |g| {
            let g_gamma = g * SIN2_THETA_W;
            HBAR_C / (g_gamma * g_gamma * m.powi(3) / (64.0 * std::f64::consts::PI))
        })
    }

    /// One fully simulated B → K(*) X, X → γγ candidate; `None` when not reconstructed.
    fn decay_chain(
        &self,
        rng: &mut Pcg64Mcg,
        row: &mut [f64],
        rows: &Rows,
        source: Source,
    ) -> Option<()> {
        let mode = MODES[rng.random_range(0..4)];
        let (m_kaon_nominal, m_b) = (
            constant(mode.1).expect("mass"),
            constant(mode.2).expect("mass"),
        );
        let collision = self.collider.collision(rng);
        let (b, _) = two_body(&collision, m_b, m_b, rng);
        // K* are Breit–Wigner resonances; K and K_S are stable here.
        let m_kaon = if mode.0 >= 2.0 {
            k_star_mass(rng, m_kaon_nominal)
        } else {
            m_kaon_nominal
        };
        let (m_x, ctau) = match source {
            Source::Alp(m, ctau) => (m, ctau),
            Source::Meson(m) => (m, 0.0),
        };
        if m_x + m_kaon >= m_b {
            return None;
        }
        let (kaon, x) = two_body(&b, m_kaon, m_x, rng);
        let flight = if ctau > 0.0 {
            exponential(rng, x.p() / m_x * ctau)
        } else {
            0.0
        };
        let d = [x.px / x.p(), x.py / x.p(), x.pz / x.p()];
        let vertex = [flight * d[0], flight * d[1], flight * d[2]];
        let (g1, g2) = two_body(&x, 0.0, 0.0, rng);
        let (g1, g2) = (photon(&g1, vertex, rng)?, photon(&g2, vertex, rng)?);
        let (hard, soft) = if g1.e >= g2.e { (g1, g2) } else { (g2, g1) };
        let k = track(&kaon, m_kaon, rng);
        let k_mass = match mode.0 as i32 {
            1 => m_kaon + 0.003 * gauss(rng),
            2 | 3 => k.mass() + 0.004 * gauss(rng),
            _ => m_kaon,
        };
        let gg = hard.add(&soft);
        let cand = k.add(&gg);
        let (mbc, de) = self.collider.mbc_de(&cand);
        row[rows.index("Mbc")] = mbc;
        row[rows.index("deltaE")] = de;
        row[rows.index("decayMode")] = mode.0;
        row[rows.index("daughter(0, M)")] = k_mass;
        row[rows.index("daughter(1, M)")] = gg.mass();
        row[rows.index("useCMSFrame(daughter(0, p))")] = self.collider.in_cm(&k).p();
        row[rows.index("daughter(1, daughter(0, E))")] = hard.e;
        row[rows.index("daughter(1, daughter(1, E))")] = soft.e;
        row[rows.index("cosHelicityAngleMomentum")] = rng.random_range(-1.0..1.0);
        if let Source::Alp(m, ctau) = source {
            row[rows.index("mcM_a")] = m;
            row[rows.index("mcFlightDistance_a")] = flight;
            row[rows.index("mcCtau_a")] = ctau;
        }
        Some(())
    }

    /// Event shape of a BB̄ event (signal, peaking or generic).
    fn bb_shape(row: &mut [f64], rows: &Rows, rng: &mut Pcg64Mcg) {
        row[rows.index("R2")] = beta(rng, 2.0, 8.0);
        row[rows.index("cosTBTO")] = rng.random::<f64>();
        row[rows.index("cosTBz")] = sin2_cos(rng);
        row[rows.index("thrustOm")] = (0.75 + 0.07 * gauss(rng)).clamp(0.5, 1.0);
        row[rows.index("KSFWVariables(hso02)")] = (0.1 + 0.2 * gauss(rng)).clamp(-1.0, 3.0);
    }

    /// π⁰-veto masses for photons that are not from a π⁰ (most), or are (`from_pi0`).
    fn pi0_veto(row: &mut [f64], rows: &Rows, rng: &mut Pcg64Mcg, from_pi0: bool) {
        let m_pi0 = constant("m_pi0").expect("mass");
        for (i, name) in ["pi0veto_M1", "pi0veto_M2"].into_iter().enumerate() {
            let real = from_pi0 && i == 0 || rng.random::<f64>() < 0.08;
            row[rows.index(name)] = if real {
                m_pi0 + 0.005 * gauss(rng)
            } else {
                rng.random_range(0.0..1.0)
            };
        }
    }

    /// A parametric background candidate (continuum or generic BB̄).
    fn background(&self, row: &mut [f64], rows: &Rows, rng: &mut Pcg64Mcg, continuum: bool) {
        let mode = MODES[rng.random_range(0..4)];
        let eb = self.collider.e_beam();
        row[rows.index("Mbc")] = if continuum {
            self.continuum_mbc.sample(rng)
        } else {
            self.bb_mbc.sample(rng)
        }
        .min(eb);
        row[rows.index("deltaE")] = linear(rng, -0.5, 0.5, if continuum { -0.6 } else { -1.2 });
        row[rows.index("decayMode")] = mode.0;
        let m_k = constant(mode.1).expect("mass");
        row[rows.index("daughter(0, M)")] = match mode.0 as i32 {
            0 => m_k,
            1 if rng.random::<f64>() < 0.6 => m_k + 0.003 * gauss(rng),
            1 => rng.random_range(0.45..0.55),
            _ if rng.random::<f64>() < 0.5 => k_star_mass(rng, m_k),
            _ => rng.random_range(0.64..1.2),
        };
        // Photon pairs: mostly combinatorial, some from real π⁰ and η.
        let u = rng.random::<f64>();
        let (mgg, from_pi0) = if u < 0.25 {
            (constant("m_pi0").expect("mass") + 0.005 * gauss(rng), true)
        } else if u < 0.30 {
            (constant("m_eta").expect("mass") + 0.012 * gauss(rng), false)
        } else {
            (exponential(rng, 0.9).min(4.99), false)
        };
        row[rows.index("daughter(1, M)")] = mgg.max(0.0);
        let e_total = rng.random_range(mgg.max(0.2)..(mgg + 3.0));
        let z = rng.random_range(0.5..1.0);
        row[rows.index("daughter(1, daughter(0, E))")] = z * e_total;
        row[rows.index("daughter(1, daughter(1, E))")] = (1.0 - z) * e_total;
        row[rows.index("useCMSFrame(daughter(0, p))")] = rng.random_range(0.2..2.8);
        row[rows.index("cosHelicityAngleMomentum")] = rng.random_range(-1.0..1.0);
        Self::pi0_veto(row, rows, rng, from_pi0);
        if continuum {
            row[rows.index("R2")] = beta(rng, 4.0, 6.0);
            row[rows.index("cosTBTO")] = (1.0 - (0.25 * gauss(rng)).abs()).max(0.0);
            row[rows.index("cosTBz")] = one_plus_cos2(rng);
            row[rows.index("thrustOm")] = (0.85 + 0.05 * gauss(rng)).clamp(0.5, 1.0);
            row[rows.index("KSFWVariables(hso02)")] = (0.5 + 0.3 * gauss(rng)).clamp(-1.0, 3.0);
        } else {
            Self::bb_shape(row, rows, rng);
        }
    }

    /// A B → K(*) X event: the true candidate when it is reconstructed, plus sometimes a
    /// combinatorial one from the same event.
    fn peaking_event(&self, rng: &mut Pcg64Mcg, rows: &mut Rows, source: Source) {
        let mut row = rows.blank();
        if self.decay_chain(rng, &mut row, rows, source).is_some() {
            row[IS_SIGNAL] = f64::from(u8::from(matches!(source, Source::Alp(..))));
            Self::bb_shape(&mut row, rows, rng);
            Self::pi0_veto(&mut row, rows, rng, false);
            rows.push(row);
        }
        if rng.random::<f64>() < 0.2 {
            let mut extra = rows.blank();
            self.background(&mut extra, rows, rng, false);
            rows.push(extra);
        }
    }
}

/// A K* mass from its Breit–Wigner (Γ ≈ 50 MeV), within the K π mass range reconstructed.
fn k_star_mass(rng: &mut Pcg64Mcg, nominal: f64) -> f64 {
    loop {
        let m = nominal + 0.025 * (std::f64::consts::PI * (rng.random::<f64>() - 0.5)).tan();
        if (0.64..1.2).contains(&m) {
            return m;
        }
    }
}

/// Beta(a, b) from two gamma deviates.
fn beta(rng: &mut Pcg64Mcg, a: f64, b: f64) -> f64 {
    use rand_distr::{Distribution, Gamma};
    let x = Gamma::new(a, 1.0).expect("shape").sample(rng);
    let y = Gamma::new(b, 1.0).expect("shape").sample(rng);
    x / (x + y)
}

/// |cos θ| with density ∝ 1 + cos²θ (continuum thrust axis).
fn one_plus_cos2(rng: &mut Pcg64Mcg) -> f64 {
    loop {
        let c: f64 = rng.random();
        if rng.random::<f64>() * 2.0 < 1.0 + c * c {
            return c;
        }
    }
}

/// |cos θ| with density ∝ 1 − cos²θ (BB̄ thrust axis).
fn sin2_cos(rng: &mut Pcg64Mcg) -> f64 {
    loop {
        let c: f64 = rng.random();
        if rng.random::<f64>() < 1.0 - c * c {
            return c;
        }
    }
}

/// A value on [lo, hi] with a linear density of relative slope `slope` (density ∝ 1 + slope·x).
fn linear(rng: &mut Pcg64Mcg, lo: f64, hi: f64, slope: f64) -> f64 {
    loop {
        let x = rng.random_range(lo..hi);
        if rng.random::<f64>() * (1.0 + slope.abs() * hi.abs().max(lo.abs())) < 1.0 + slope * x {
            return x;
        }
    }
}

impl Process for BToKAlp {
    fn event(&self, n: u64, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        if self.signal_only {
            let k = self.masses.len() as u64;
            let m = self.masses[(n % k) as usize];
            let ctau = match &self.ctaus {
                Some(grid) => grid[((n / k) % grid.len() as u64) as usize],
                None => self.ctau(m),
            };
            return self.peaking_event(rng, rows, Source::Alp(m, ctau));
        }
        if let Some((m, count)) = self.inject
            && super::is_injected(n, count, self.events)
        {
            return self.peaking_event(rng, rows, Source::Alp(m, self.ctau(m)));
        }
        let u = rng.random::<f64>();
        if u < 0.02 {
            let meson = match rng.random::<f64>() {
                x if x < 0.6 => "m_pi0",
                x if x < 0.85 => "m_eta",
                _ => "m_etap",
            };
            return self.peaking_event(rng, rows, Source::Meson(constant(meson).expect("mass")));
        }
        let continuum = u < 0.72;
        let count =
            1 + usize::from(rng.random::<f64>() < 0.35) + usize::from(rng.random::<f64>() < 0.1);
        for _ in 0..count {
            let mut row = rows.blank();
            self.background(&mut row, rows, rng, continuum);
            rows.push(row);
        }
    }
}
