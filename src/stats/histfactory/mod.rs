//! Binned HistFactory models as pyhf builds them from a JSON workspace: samples of
//! nominal histograms scaled by modifiers (normfactor, normsys with code-4
//! interpolation, histosys with code-4p, shapesys with Poisson constraints, staterror,
//! lumi, shapefactor), Poisson bins and constraint terms. Physicists bring their pyhf
//! workspaces and get the same answers (`searchlight limit workspace`).

mod workspace;

pub use workspace::{WorkspaceError, from_json};

use crate::stats::asymptotic::Model;
use crate::stats::interpolation::Code4;
use crate::stats::likelihood::{Constraint, poisson, poisson_deviance};
use crate::stats::minuit::ParamSpec;

/// How one modifier changes a sample's bins.
#[derive(Clone, Debug)]
pub enum Modifier {
    /// × p (normfactor, lumi).
    Scale(usize),
    /// × code-4 interpolation at α = p.
    NormSys(usize, Code4),
    /// + code-4p interpolation of the bin-wise differences at α = p.
    HistoSys {
        /// α.
        param: usize,
        /// up − nominal per bin.
        up: Vec<f64>,
        /// nominal − down per bin.
        down: Vec<f64>,
    },
    /// × γ_b per bin (shapesys, staterror, shapefactor); `None` bins are not modified.
    PerBin(Vec<Option<usize>>),
}

/// A sample: nominal counts and modifiers.
#[derive(Clone, Debug)]
pub struct Sample {
    /// Name.
    pub name: String,
    /// Nominal counts per bin.
    pub nominal: Vec<f64>,
    /// Modifiers.
    pub modifiers: Vec<Modifier>,
}

/// A channel: samples and observed counts.
#[derive(Clone, Debug)]
pub struct ModelChannel {
    /// Name.
    pub name: String,
    /// Samples.
    pub samples: Vec<Sample>,
    /// Observed counts per bin.
    pub observed: Vec<f64>,
}

/// A HistFactory model with its data.
#[derive(Clone, Debug)]
pub struct HistFactory {
    /// Channels.
    pub channels: Vec<ModelChannel>,
    /// Parameters with pyhf's initial values, bounds and fixed flags.
    pub params: Vec<ParamSpec>,
    /// Index of the POI in `params`.
    pub poi: usize,
    /// Constraint terms with their auxiliary data.
    pub constraints: Vec<Constraint>,
}

/// code-4p: polynomial inside ±1σ matching value, slope and curvature, linear outside.
fn code4p(alpha: f64, up: f64, down: f64) -> f64 {
    if alpha > 1.0 {
        return up * alpha;
    }
    if alpha < -1.0 {
        return down * alpha;
    }
    let s = 0.5 * (up + down);
    let a = 0.0625 * (up - down);
    let a2 = alpha * alpha;
    alpha * (s + alpha * a * (15.0 + a2 * (-10.0 + 3.0 * a2)))
}

impl Sample {
    /// Expected counts per bin at parameters `p`.
    fn expected(&self, p: &[f64], out: &mut [f64]) {
        out.copy_from_slice(&self.nominal);
        for m in &self.modifiers {
            if let Modifier::HistoSys { param, up, down } = m {
                for (o, (u, d)) in out.iter_mut().zip(up.iter().zip(down)) {
                    *o += code4p(p[*param], *u, *d);
                }
            }
        }
        for m in &self.modifiers {
            match m {
                Modifier::Scale(i) => out.iter_mut().for_each(|o| *o *= p[*i]),
                Modifier::NormSys(i, code4) => {
                    let f = code4.at(p[*i]);
                    out.iter_mut().for_each(|o| *o *= f);
                }
                Modifier::PerBin(gammas) => {
                    for (o, g) in out.iter_mut().zip(gammas) {
                        if let Some(g) = g {
                            *o *= p[*g];
                        }
                    }
                }
                Modifier::HistoSys { .. } => {}
            }
        }
    }
}

impl ModelChannel {
    /// Expected counts per bin at parameters `p`.
    pub fn expected(&self, p: &[f64]) -> Vec<f64> {
        let mut total = vec![0.0; self.observed.len()];
        let mut sample = vec![0.0; self.observed.len()];
        for s in &self.samples {
            s.expected(p, &mut sample);
            total.iter_mut().zip(&sample).for_each(|(t, v)| *t += v);
        }
        total
    }
}

impl HistFactory {
    /// A pseudo-experiment at parameters `p`: Poisson counts around the expected bins and
    /// auxiliary measurements drawn from their constraints (as pyhf's `pdf.sample`).
    pub fn sample(&self, p: &[f64], rng: &mut impl rand::Rng) -> HistFactory {
        let channels = self
            .channels
            .iter()
            .map(|c| ModelChannel {
                observed: c.expected(p).into_iter().map(|v| poisson(v, rng)).collect(),
                ..c.clone()
            })
            .collect();
        HistFactory {
            channels,
            constraints: self.constraints.iter().map(|c| c.sampled(p, rng)).collect(),
            ..self.clone()
        }
    }
}

impl crate::stats::minuit::Cost for HistFactory {
    fn value(&self, p: &[f64]) -> f64 {
        let main: f64 = self
            .channels
            .iter()
            .map(|c| {
                c.observed
                    .iter()
                    .zip(c.expected(p))
                    .map(|(&n, nu)| poisson_deviance(n, nu))
                    .sum::<f64>()
            })
            .sum();
        main + self.constraints.iter().map(|c| c.nll(p)).sum::<f64>()
    }
}

impl Model for HistFactory {
    fn asimov(&self, p: &[f64]) -> Self {
        let channels = self
            .channels
            .iter()
            .map(|c| ModelChannel {
                observed: c.expected(p).into_iter().map(|v| v.max(0.0)).collect(),
                ..c.clone()
            })
            .collect();
        HistFactory {
            channels,
            constraints: self.constraints.iter().map(|c| c.at_asimov(p)).collect(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code4p_is_linear_outside_and_smooth_at_the_junctions() {
        let (up, down) = (3.0, 1.0);
        assert_eq!(code4p(2.0, up, down), 6.0);
        assert_eq!(code4p(-2.0, up, down), -2.0);
        assert_eq!(code4p(0.0, up, down), 0.0);
        let h = 1e-7;
        for edge in [-1.0, 1.0] {
            let inside = code4p(edge * (1.0 - h), up, down);
            let outside = code4p(edge * (1.0 + h), up, down);
            assert!((inside - outside).abs() < 1e-5);
        }
    }
}
