//! Belle B → h + invisible with a hadronic tag: Υ(4S) → B_tag B_sig, B_sig → h X. The
//! signal-B frame is built from the reconstructed tag (p_sig = −p_tag in the CM frame), so
//! the resolution of the hadron momentum in that frame follows from the tag's.

use super::detector::{Argus, Collider, exponential, gauss, track};
use super::kinematics::{P4, two_body};
use super::rows::{IS_SIGNAL, Rows};
use super::{Params, Process};
use crate::physics::{constant, experiment};
use rand::Rng;
use rand_pcg::Pcg64Mcg;

/// Hadron channels: decayMode, hadron mass, B mass, share of background.
const CHANNELS: [(f64, &str, &str, f64); 5] = [
    (0.0, "m_pip", "m_Bp", 0.35),
    (1.0, "m_Kp", "m_Bp", 0.30),
    (2.0, "m_p", "m_Bp", 0.10),
    (3.0, "m_Ds", "m_Bp", 0.10),
    (4.0, "m_D0", "m_B0", 0.15),
];

/// The B → h + invisible generators: `signal_only` for `b_to_h_invisible_signal`.
pub struct BToHInvisible {
    collider: Collider,
    signal_only: bool,
    masses: Vec<f64>,
    inject: Option<(f64, u64)>,
    events: u64,
    wrong_tag_mbc: Argus,
}

impl BToHInvisible {
    /// The data-like mixture (`signal_only = false`) or the signal grid.
    pub fn new(signal_only: bool, params: &Params, events: u64) -> Result<Self, String> {
        let collider = Collider::new(experiment("belle").expect("belle is defined"));
        let inject = params.injection()?;
        let e_beam = collider.e_beam();
        Ok(BToHInvisible {
            collider,
            signal_only,
            masses: params
                .many("masses")?
                .unwrap_or_else(|| vec![0.0, 1.0, 2.0, 3.0]),
            inject,
            events,
            wrong_tag_mbc: Argus::new(5.2, e_beam, -15.0),
        })
    }

    /// One B → h X candidate with a tag that is correct with probability `good_tag`.
    fn candidate(
        &self,
        rng: &mut Pcg64Mcg,
        rows: &mut Rows,
        channel: usize,
        m_x: f64,
        good_tag: f64,
        signal: bool,
    ) {
        let (mode, m_h_name, m_b_name, _) = CHANNELS[channel];
        let (m_h, m_b) = (
            constant(m_h_name).expect("mass"),
            constant(m_b_name).expect("mass"),
        );
        if m_h + m_x >= m_b {
            return;
        }
        let collision = self.collider.collision(rng);
        let (tag, sig) = two_body(&collision, m_b, m_b, rng);
        let (hadron, _) = two_body(&sig, m_h, m_x, rng);
        let correct = rng.random::<f64>() < good_tag;
        // The reconstructed tag: a few-MeV momentum and ~20 MeV energy resolution when
        // correct; a poorly measured direction and an ARGUS-like Mbc when not.
        let spread = if correct { 0.012 } else { 0.12 };
        let tag_seen = P4 {
            e: tag.e
                + if correct {
                    0.018 * gauss(rng)
                } else {
                    rng.random_range(-0.3..0.3)
                },
            px: tag.px + spread * gauss(rng),
            py: tag.py + spread * gauss(rng),
            pz: tag.pz + spread * gauss(rng),
        };
        let (mut mbc, de) = self.collider.mbc_de(&tag_seen);
        if !correct {
            mbc = self.wrong_tag_mbc.sample(rng);
        }
        let h = track(&hadron, m_h, rng);
        let tag_cm = self.collider.in_cm(&tag_seen);
        let sig_frame = P4 {
            e: self.collider.e_beam(),
            px: -tag_cm.px,
            py: -tag_cm.py,
            pz: -tag_cm.pz,
        };
        let p_h = self.collider.in_cm(&h).boost(sig_frame.beta()).p();
        let mut row = rows.blank();
        row[rows.index("decayMode")] = mode;
        row[rows.index("daughter(0, Mbc)")] = mbc;
        row[rows.index("daughter(0, deltaE)")] = de.clamp(-0.5, 0.5);
        row[rows.index("daughter(0, sigProb)")] = if correct {
            1.0 - exponential(rng, 0.15).min(1.0)
        } else {
            exponential(rng, 0.03).min(1.0)
        };
        row[rows.index("useTagSideRecoilRestFrame(daughter(1, p), 0)")] = p_h;
        row[rows.index("daughter(1, M)")] = if mode >= 3.0 {
            m_h + 0.006 * gauss(rng)
        } else {
            m_h
        };
        let (extra_tracks, e_extra) = if signal {
            (
                f64::from(u8::from(rng.random::<f64>() > 0.9)),
                exponential(rng, 0.07),
            )
        } else {
            (poisson(rng, 1.2), exponential(rng, 0.45))
        };
        row[rows.index("nRemainingTracksInEvent")] = extra_tracks;
        row[rows.index("roeEextra(cleanMask)")] = e_extra.min(5.0);
        if signal {
            row[rows.index("mcM_X")] = m_x;
            row[IS_SIGNAL] = f64::from(u8::from(correct));
        }
        rows.push(row);
    }

    fn background(&self, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        let mut pick = rng.random::<f64>();
        let channel = CHANNELS.iter().position(|c| {
            pick -= c.3;
            pick < 0.0
        });
        let channel = channel.unwrap_or(0);
        let (m_h, m_b) = (
            constant(CHANNELS[channel].1).expect("mass"),
            constant(CHANNELS[channel].2).expect("mass"),
        );
        let endpoint = m_b - m_h;
        // Peaking: B → h K_L, h D⁰, h D*⁰ with the neutral unseen; otherwise a continuum of
        // unseen systems, mostly heavy (soft hadrons).
        let m_x = match rng.random::<f64>() {
            x if x < 0.08 => constant("m_K0").expect("mass"),
            x if x < 0.14 => constant("m_D0").expect("mass"),
            x if x < 0.19 => constant("m_Dst0").expect("mass"),
            _ => 0.14 + (endpoint - 0.15) * rng.random::<f64>().powf(0.35),
        };
        let continuum = rng.random::<f64>() < 0.3;
        self.candidate(
            rng,
            rows,
            channel,
            m_x,
            if continuum { 0.0 } else { 0.35 },
            false,
        );
    }
}

/// A Poisson deviate with a small mean (inversion).
fn poisson(rng: &mut Pcg64Mcg, mean: f64) -> f64 {
    let (mut k, mut p, limit) = (0.0, 1.0, (-mean).exp());
    loop {
        p *= rng.random::<f64>();
        if p <= limit {
            return k;
        }
        k += 1.0;
    }
}

impl Process for BToHInvisible {
    fn event(&self, n: u64, rng: &mut Pcg64Mcg, rows: &mut Rows) {
        if self.signal_only {
            let k = self.masses.len() as u64;
            let m = self.masses[(n % k) as usize];
            let channel = ((n / k) % CHANNELS.len() as u64) as usize;
            return self.candidate(rng, rows, channel, m, 0.6, true);
        }
        if let Some((m, count)) = self.inject
            && super::is_injected(n, count, self.events)
        {
            return self.candidate(rng, rows, 1, m, 0.6, true);
        }
        self.background(rng, rows);
    }
}
