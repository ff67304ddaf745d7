//! Relativistic kinematics for the toy: four-vectors, boosts, two-body decays.

use rand::Rng;
use std::f64::consts::PI;

/// A four-momentum (E, px, py, pz) in GeV.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct P4 {
    /// Energy.
    pub e: f64,
    /// Momentum x (horizontal, in the accelerator plane).
    pub px: f64,
    /// Momentum y (vertical).
    pub py: f64,
    /// Momentum z (along the solenoid axis, electron direction).
    pub pz: f64,
}

impl P4 {
    /// A particle of `mass` with momentum `(px, py, pz)`.
    pub fn from_momentum(mass: f64, px: f64, py: f64, pz: f64) -> P4 {
        P4 {
            e: (mass * mass + px * px + py * py + pz * pz).sqrt(),
            px,
            py,
            pz,
        }
    }

    /// |p|.
    pub fn p(&self) -> f64 {
        (self.px * self.px + self.py * self.py + self.pz * self.pz).sqrt()
    }

    /// Invariant mass (0 for slightly space-like vectors from smearing).
    pub fn mass(&self) -> f64 {
        (self.e * self.e - self.p().powi(2)).max(0.0).sqrt()
    }

    /// Velocity vector β = p / E of this four-vector's frame.
    pub fn beta(&self) -> [f64; 3] {
        [self.px / self.e, self.py / self.e, self.pz / self.e]
    }

    /// This vector seen from a frame moving with velocity `b` (a pure Lorentz boost by −b).
    pub fn boost(&self, b: [f64; 3]) -> P4 {
        let b2 = b[0] * b[0] + b[1] * b[1] + b[2] * b[2];
        if b2 <= 0.0 {
            return *self;
        }
        let gamma = 1.0 / (1.0 - b2).sqrt();
        let bp = b[0] * self.px + b[1] * self.py + b[2] * self.pz;
        let g2 = (gamma - 1.0) / b2;
        P4 {
            e: gamma * (self.e - bp),
            px: self.px + g2 * bp * b[0] - gamma * b[0] * self.e,
            py: self.py + g2 * bp * b[1] - gamma * b[1] * self.e,
            pz: self.pz + g2 * bp * b[2] - gamma * b[2] * self.e,
        }
    }

    /// A vector given in the rest frame of `parent`, expressed in the frame `parent` is given in.
    pub fn from_rest_frame_of(&self, parent: &P4) -> P4 {
        let b = parent.beta();
        self.boost([-b[0], -b[1], -b[2]])
    }

    /// Sum of two four-vectors.
    pub fn add(&self, o: &P4) -> P4 {
        P4 {
            e: self.e + o.e,
            px: self.px + o.px,
            py: self.py + o.py,
            pz: self.pz + o.pz,
        }
    }

    /// Cosine of the polar angle to the z axis.
    pub fn cos_theta(&self) -> f64 {
        let p = self.p();
        if p > 0.0 { self.pz / p } else { 1.0 }
    }
}

/// A unit vector in a uniformly random direction.
pub fn isotropic(rng: &mut impl Rng) -> [f64; 3] {
    let cos: f64 = rng.random_range(-1.0..1.0);
    let phi: f64 = rng.random_range(0.0..2.0 * PI);
    let sin = (1.0 - cos * cos).sqrt();
    [sin * phi.cos(), sin * phi.sin(), cos]
}

/// Isotropic two-body decay of `parent` into masses `m1`, `m2`; daughters in the parent's frame.
pub fn two_body(parent: &P4, m1: f64, m2: f64, rng: &mut impl Rng) -> (P4, P4) {
    let p = crate::physics::two_body_momentum(parent.mass(), m1, m2);
    let d = isotropic(rng);
    let a = P4::from_momentum(m1, p * d[0], p * d[1], p * d[2]);
    let b = P4::from_momentum(m2, -p * d[0], -p * d[1], -p * d[2]);
    (a.from_rest_frame_of(parent), b.from_rest_frame_of(parent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn boosts_and_decays_conserve_four_momentum() {
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(1);
        let parent = P4::from_momentum(5.279, 0.1, -0.2, 2.5);
        for _ in 0..100 {
            let (a, b) = two_body(&parent, 0.4937, 1.2, &mut rng);
            let sum = a.add(&b);
            assert!((sum.e - parent.e).abs() < 1e-12 && (sum.pz - parent.pz).abs() < 1e-12);
            assert!((a.mass() - 0.4937).abs() < 1e-9 && (sum.mass() - 5.279).abs() < 1e-9);
            // Back in the parent's rest frame the daughters have the two-body momentum.
            let rest = a.boost(parent.beta());
            let expected = crate::physics::two_body_momentum(5.279, 0.4937, 1.2);
            assert!((rest.p() - expected).abs() < 1e-9);
        }
    }
}
