//! The collider and a simple detector: beams with energy spread, the nominal centre-of-mass
//! frame in which an analysis computes Mbc and ΔE, track and calorimeter smearing, and
//! where photons from displaced decays hit the calorimeter.

use super::kinematics::P4;
use crate::physics::Experiment;
use rand::Rng;
use rand_distr::{Distribution, Exp, Normal};

/// Energy spread of the electron beam, GeV.
const SPREAD_E_MINUS: f64 = 0.00513;
/// Energy spread of the positron beam, GeV.
const SPREAD_E_PLUS: f64 = 0.002375;
/// Inner radius of the electromagnetic calorimeter barrel, cm.
pub const ECL_RADIUS: f64 = 125.0;
/// z of the forward and backward endcap faces, cm (Belle-like geometry).
const ECL_FORWARD_Z: f64 = 196.0;
const ECL_BACKWARD_Z: f64 = -102.0;
/// Inner radii of the endcaps, cm: the calorimeter covers polar angles of about 12°–155°.
const ECL_FORWARD_INNER: f64 = 43.0;
const ECL_BACKWARD_INNER: f64 = 47.0;

/// A beam set-up with its nominal centre-of-mass frame.
#[derive(Clone, Copy, Debug)]
pub struct Collider {
    experiment: &'static Experiment,
    nominal: P4,
}

impl Collider {
    /// The collider of an experiment.
    pub fn new(experiment: &'static Experiment) -> Self {
        let nominal = Self::beams_with(experiment, experiment.e_minus, experiment.e_plus);
        Collider {
            experiment,
            nominal,
        }
    }

    fn beams_with(x: &Experiment, e_minus: f64, e_plus: f64) -> P4 {
        // Belle: the e- beam crosses at 22 mrad, e+ along -z; Belle II: both at 41.5 mrad.
        let (a, b) = if x.name == "belle" {
            (x.crossing, 0.0)
        } else {
            (x.crossing / 2.0, x.crossing / 2.0)
        };
        let minus = P4 {
            e: e_minus,
            px: e_minus * a.sin(),
            py: 0.0,
            pz: e_minus * a.cos(),
        };
        let plus = P4 {
            e: e_plus,
            px: e_plus * b.sin(),
            py: 0.0,
            pz: -e_plus * b.cos(),
        };
        minus.add(&plus)
    }

    /// The e+e- system of one collision, with the beams' energy spread.
    pub fn collision(&self, rng: &mut impl Rng) -> P4 {
        let x = self.experiment;
        let em = x.e_minus + SPREAD_E_MINUS * gauss(rng);
        let ep = x.e_plus + SPREAD_E_PLUS * gauss(rng);
        Self::beams_with(x, em, ep)
    }

    /// A lab-frame vector in the nominal centre-of-mass frame.
    pub fn in_cm(&self, p: &P4) -> P4 {
        p.boost(self.nominal.beta())
    }

    /// Nominal beam energy in the centre-of-mass frame, √s / 2.
    pub fn e_beam(&self) -> f64 {
        self.nominal.mass() / 2.0
    }

    /// Nominal √s.
    pub fn sqrt_s(&self) -> f64 {
        self.nominal.mass()
    }

    /// Mbc and ΔE of a reconstructed B candidate (lab four-vector).
    pub fn mbc_de(&self, b: &P4) -> (f64, f64) {
        let cm = self.in_cm(b);
        let eb = self.e_beam();
        ((eb * eb - cm.p().powi(2)).max(0.0).sqrt(), cm.e - eb)
    }
}

/// A standard normal deviate.
pub fn gauss(rng: &mut impl Rng) -> f64 {
    Normal::new(0.0, 1.0).expect("unit normal").sample(rng)
}

/// An exponential deviate with the given mean.
pub fn exponential(rng: &mut impl Rng, mean: f64) -> f64 {
    Exp::new(1.0 / mean).expect("positive rate").sample(rng)
}

/// A charged track as measured: momentum resolution σp/p = 0.2% · p ⊕ 0.3%, 1 mrad in angle.
pub fn track(p: &P4, mass: f64, rng: &mut impl Rng) -> P4 {
    let mom = p.p();
    let scale = 1.0 + (0.002 * mom).hypot(0.003) * gauss(rng);
    let (dx, dy) = (0.001 * gauss(rng), 0.001 * gauss(rng));
    let (px, py, pz) = (
        p.px * scale + dx * mom,
        p.py * scale + dy * mom,
        p.pz * scale,
    );
    P4::from_momentum(mass, px, py, pz)
}

/// A photon as measured by the calorimeter (barrel and endcaps), when it reaches it: the
/// direction is taken from the interaction point to the shower position (wrong for
/// displaced decays, as in a real reconstruction), the energy has noise, stochastic and
/// constant terms and a low tail from leakage.
pub fn photon(p: &P4, vertex: [f64; 3], rng: &mut impl Rng) -> Option<P4> {
    let e = p.e;
    if e <= 0.0 {
        return None;
    }
    let dir = [p.px / e, p.py / e, p.pz / e];
    // Where the photon meets the cylinder r = ECL_RADIUS.
    let (a, b) = (
        dir[0].powi(2) + dir[1].powi(2),
        vertex[0] * dir[0] + vertex[1] * dir[1],
    );
    let c = vertex[0].powi(2) + vertex[1].powi(2) - ECL_RADIUS.powi(2);
    if c >= 0.0 || a <= 0.0 {
        return None; // decayed outside the calorimeter, or along the beam
    }
    let t = (-b + (b * b - a * c).sqrt()) / a;
    let mut hit = [
        vertex[0] + t * dir[0],
        vertex[1] + t * dir[1],
        vertex[2] + t * dir[2],
    ];
    if !(ECL_BACKWARD_Z..=ECL_FORWARD_Z).contains(&hit[2]) {
        // Past the barrel: the photon meets an endcap face, unless it escapes down the beam pipe.
        let (z, inner) = if dir[2] > 0.0 {
            (ECL_FORWARD_Z, ECL_FORWARD_INNER)
        } else {
            (ECL_BACKWARD_Z, ECL_BACKWARD_INNER)
        };
        let s = (z - vertex[2]) / dir[2];
        hit = [vertex[0] + s * dir[0], vertex[1] + s * dir[1], z];
        if s <= 0.0 || hit[0].hypot(hit[1]) < inner {
            return None;
        }
    }
    let pos = [
        hit[0] + 0.5 * gauss(rng),
        hit[1] + 0.5 * gauss(rng),
        hit[2] + 0.5 * gauss(rng),
    ];
    let r = (pos[0].powi(2) + pos[1].powi(2) + pos[2].powi(2)).sqrt();
    // Belle ECL: σE/E = 0.066%/E ⊕ 0.81%/E^¼ ⊕ 1.34% (E in GeV).
    let rel = (0.0066 / e).hypot(0.0081 / e.powf(0.25)).hypot(0.0134);
    let mut measured = e * (1.0 + rel * gauss(rng));
    if rng.random::<f64>() < 0.2 {
        measured *= 1.0 - exponential(rng, 0.03).min(0.5);
    }
    if measured < 0.05 {
        return None; // below the reconstruction threshold
    }
    Some(P4 {
        e: measured,
        px: measured * pos[0] / r,
        py: measured * pos[1] / r,
        pz: measured * pos[2] / r,
    })
}

/// The ARGUS distribution f(m) ∝ m √(1 − m²/m0²) exp(c (1 − m²/m0²)) on [low, m0],
/// sampled by accept–reject under a bound found once.
#[derive(Clone, Copy, Debug)]
pub struct Argus {
    low: f64,
    m0: f64,
    c: f64,
    bound: f64,
}

impl Argus {
    /// The distribution with endpoint `m0` and shape `c`, truncated below at `low`.
    pub fn new(low: f64, m0: f64, c: f64) -> Self {
        let mut a = Argus {
            low,
            m0,
            c,
            bound: 0.0,
        };
        let max = (0..=400)
            .map(|i| a.density(low + (m0 - low) * f64::from(i) / 400.0))
            .fold(0.0, f64::max);
        a.bound = 1.2 * max;
        a
    }

    fn density(&self, m: f64) -> f64 {
        let x = 1.0 - (m / self.m0).powi(2);
        if x <= 0.0 {
            0.0
        } else {
            m * x.sqrt() * (self.c * x).exp()
        }
    }

    /// One value.
    pub fn sample(&self, rng: &mut impl Rng) -> f64 {
        loop {
            let m = rng.random_range(self.low..self.m0);
            if rng.random::<f64>() * self.bound < self.density(m) {
                return m;
            }
        }
    }
}
