//! CLs upper limits with the profile-likelihood test statistic q̃μ in the asymptotic
//! approximation of Cowan, Cranmer, Gross and Vitells (Eur. Phys. J. C 71 (2011) 1554),
//! with the ±1σ/±2σ expected band from the Asimov dataset. The conventions are pyhf's:
//! the POI is bounded below by 0 in every fit, the Asimov data are generated at μ = 0
//! with nuisances from the conditional fit to the observed data, and the band is ordered
//! [−2σ, −1σ, median, +1σ, +2σ].

use crate::stats::likelihood::Likelihood;
use crate::stats::minuit::{Bounds, Cost, FitResult, ParamSpec, Settings, Status, minimize};
use crate::stats::quadrature::brent;
use crate::stats::special::{normal_quantile, normal_sf};

/// Bins per fit range for the binned Asimov dataset of an unbinned model: fine enough
/// that q_A changes by < 1e-4 relative for shapes a few bins wide.
const ASIMOV_BINS: usize = 200;

/// A statistical model with its observed data: −ln L (its [`Cost`] value, with a
/// gradient where the model has one), and the same model with Asimov data (expected
/// main and auxiliary data at given parameters).
pub trait Model: Cost {
    /// The model with Asimov data at `p`.
    fn asimov(&self, p: &[f64]) -> Self
    where
        Self: Sized;
}

impl Model for Likelihood {
    fn asimov(&self, p: &[f64]) -> Self {
        Likelihood::asimov(self, p, ASIMOV_BINS)
    }
}

/// A model prepared for CLs: the observed data, its Asimov twin, and the best fits.
pub struct Cls<'a, M: Model> {
    observed: &'a M,
    asimov: M,
    params: Vec<ParamSpec>,
    poi: usize,
    /// The unconditional fit to the observed data (μ ≥ 0).
    pub best: FitResult,
    /// −ln L of the background-only (μ = 0) fit to the observed data.
    pub background_only_nll: f64,
    /// −ln L of the Asimov data at the parameters that generated them (its minimum).
    asimov_minimum: f64,
}

/// Why a CLs computation could not be made.
#[derive(Clone, Debug, PartialEq)]
pub enum ClsError {
    /// A fit did not converge; the limit would silently rest on it.
    FitFailed {
        /// Which fit.
        what: String,
        /// Its status.
        status: Status,
    },
    /// CLs did not cross 1 − CL below the POI's upper bound.
    NoCrossing,
    /// Pseudo-experiments could not give CLs (too many failed fits, too few toys).
    Toys(String),
}

impl std::fmt::Display for ClsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClsError::FitFailed { what, status } => {
                write!(f, "the {what} fit did not converge ({status:?})")
            }
            ClsError::NoCrossing => {
                write!(f, "CLs does not fall below 1 − CL inside the POI range")
            }
            ClsError::Toys(why) => write!(f, "toys: {why}"),
        }
    }
}

/// Observed and expected CLs at one μ.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClsValues {
    /// Observed CLs.
    pub observed: f64,
    /// Expected CLs for the band [−2σ, −1σ, median, +1σ, +2σ].
    pub expected: [f64; 5],
}

/// Upper limits on the POI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpperLimits {
    /// Observed limit.
    pub observed: f64,
    /// Expected limits [−2σ, −1σ, median, +1σ, +2σ].
    pub expected: [f64; 5],
}

/// The band offsets n of pyhf's ordering, giving [−2σ … +2σ] limits.
const BAND: [f64; 5] = [2.0, 1.0, 0.0, -1.0, -2.0];

fn profile_settings() -> Settings {
    Settings {
        hesse: false,
        ..Settings::default()
    }
}

/// `params` with the start values that lie on a two-sided bound moved inside it by a
/// thousandth of the range.
fn inside_bounds(params: &[ParamSpec]) -> Vec<ParamSpec> {
    params
        .iter()
        .map(|p| {
            let mut p = p.clone();
            if let Bounds::Both(lo, hi) = p.bounds {
                let margin = 1e-3 * (hi - lo);
                p.value = p.value.clamp(lo + margin, hi - margin);
            }
            p
        })
        .collect()
}

/// min over nuisances of −ln L with the POI fixed at `mu`, started from `start`.
pub(crate) fn conditional<M: Model>(
    likelihood: &M,
    params: &[ParamSpec],
    poi: usize,
    mu: f64,
) -> FitResult {
    let mut fixed = params.to_vec();
    fixed[poi].value = mu;
    fixed[poi].fixed = true;
    minimize(likelihood, &fixed, profile_settings())
}

/// [`conditional`], once more from start values just inside the bounds when it does not
/// converge: a generating point may hold nuisances on their bounds, where the bound
/// transform is flat.
pub(crate) fn conditional_retried<M: Model>(
    likelihood: &M,
    params: &[ParamSpec],
    poi: usize,
    mu: f64,
) -> FitResult {
    let fit = conditional(likelihood, params, poi, mu);
    if fit.status == Status::Converged {
        return fit;
    }
    conditional(likelihood, &inside_bounds(params), poi, mu)
}

/// The POI's upper bound (infinite unless it has both bounds).
pub(crate) fn poi_upper(params: &[ParamSpec], poi: usize) -> f64 {
    match params[poi].bounds {
        Bounds::Both(_, b) => b,
        _ => f64::INFINITY,
    }
}

/// The unconditional fit (μ̂ ≥ 0). q̃μ needs only its minimum: with μ̂ on its lower bound
/// (a deficit, or Asimov data) the bound transform makes the Hessian singular there, so a
/// covariance forced positive is expected and harmless (the POI error is then only a
/// bracketing scale; [`Cls::poi_error`] reports it as unknown).
pub(crate) fn free_fit<M: Model>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
) -> Result<FitResult, ClsError> {
    let best = minimize(model, params, Settings::default());
    let poi_at_bound = match params[poi].bounds {
        Bounds::Both(lo, hi) => best.values[poi] - lo <= 1e-6 * (hi - lo),
        Bounds::Lower(lo) => best.values[poi] - lo <= 1e-6 * (1.0 + lo.abs()),
        _ => false,
    };
    if !(best.status == Status::CovarianceForcedPositive && poi_at_bound) {
        check("unconditional", &best)?;
    }
    Ok(best)
}

/// q̃μ of `model` given its unconditional fit `best` (0 when μ̂ > μ).
pub(crate) fn q_tilde_given<M: Model>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
    best: &FitResult,
    mu: f64,
) -> Result<f64, ClsError> {
    if best.values[poi] > mu {
        return Ok(0.0);
    }
    let fit = conditional(model, params, poi, mu);
    check("conditional", &fit)?;
    Ok((2.0 * (fit.fval - best.fval)).max(0.0))
}

/// The parameters of the best fit with the POI fixed at `mu`.
pub(crate) fn conditional_fit<M: Model>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
    mu: f64,
) -> Result<Vec<f64>, ClsError> {
    let fit = conditional(model, params, poi, mu);
    check("conditional", &fit)?;
    Ok(fit.values)
}

/// The fit at μ = 0. Events where nothing but signal is expected (a window without
/// background) make −ln L infinite at μ = 0 for every nuisance value: that fit is kept
/// (q₀ is then infinite, and Asimov data are built at the nuisances' start values).
pub fn background_only_fit<M: Model>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
) -> Result<FitResult, ClsError> {
    let fit = conditional(model, params, poi, 0.0);
    let impossible_without_signal = fit.status == Status::Failed && fit.fval == f64::INFINITY;
    if !impossible_without_signal {
        check("background-only", &fit)?;
    }
    Ok(fit)
}

/// The discovery test statistic q₀ alone (the unconditional and the μ = 0 fits, no
/// Asimov data), for pseudo-experiments that need no limit; as [`Cls::q0`].
pub fn discovery_q0<M: Model>(
    model: &M,
    params: &[ParamSpec],
    poi: usize,
) -> Result<f64, ClsError> {
    let best = free_fit(model, params, poi)?;
    let background_only = background_only_fit(model, params, poi)?;
    Ok((2.0 * (background_only.fval - best.fval)).max(0.0))
}

pub(crate) fn check(what: &str, result: &FitResult) -> Result<(), ClsError> {
    match result.status {
        Status::Converged => Ok(()),
        status => Err(ClsError::FitFailed {
            what: what.to_owned(),
            status,
        }),
    }
}

impl<'a, M: Model> Cls<'a, M> {
    /// Fits the observed data (free and with μ = 0) and builds the Asimov data.
    /// `params[poi]` must have a lower bound of 0.
    pub fn new(observed: &'a M, params: &[ParamSpec], poi: usize) -> Result<Self, ClsError> {
        let best = free_fit(observed, params, poi)?;
        let background_only = background_only_fit(observed, params, poi)?;
        let asimov = observed.asimov(&background_only.values);
        let asimov_minimum = asimov.value(&background_only.values);
        let mut params = params.to_vec();
        for (p, v) in params.iter_mut().zip(&background_only.values) {
            p.value = *v;
        }
        Ok(Cls {
            observed,
            asimov,
            params,
            poi,
            best,
            background_only_nll: background_only.fval,
            asimov_minimum,
        })
    }

    /// A model prepared for expected limits alone, on Asimov data generated at
    /// `generating` with μ = 0 (blinded runs, whose observed data are not looked at).
    /// The generating point is those data's best fit by construction, so nothing is
    /// fitted here; the POI's step stands for its error as the scale of the root search.
    pub fn expected_only(
        asimov: &'a M,
        params: &[ParamSpec],
        poi: usize,
        generating: &[f64],
    ) -> Self {
        let asimov_minimum = asimov.value(generating);
        let mut params = params.to_vec();
        for (p, v) in params.iter_mut().zip(generating) {
            p.value = *v;
        }
        let best = FitResult {
            values: generating.to_vec(),
            errors: params.iter().map(|p| p.step).collect(),
            covariance: crate::stats::linalg::Matrix::zeros(params.len()),
            fval: asimov_minimum,
            edm: 0.0,
            calls: 0,
            status: Status::Converged,
            at_limit: Vec::new(),
        };
        Cls {
            observed: asimov,
            asimov: asimov.asimov(generating),
            params,
            poi,
            best,
            background_only_nll: asimov_minimum,
            asimov_minimum,
        }
    }

    /// The HESSE error of μ̂, None when the covariance is not accurate.
    pub fn poi_error(&self) -> Option<f64> {
        self.best
            .status
            .is_valid()
            .then(|| self.best.errors[self.poi])
    }

    /// q̃μ on the observed data (0 when μ̂ > μ).
    pub fn q_tilde(&self, mu: f64) -> Result<f64, ClsError> {
        q_tilde_given(self.observed, &self.params, self.poi, &self.best, mu)
    }

    /// q_{μ,A}: the test statistic on the background-only Asimov data, whose best fit
    /// is the generating point.
    pub fn q_asimov(&self, mu: f64) -> Result<f64, ClsError> {
        let fit = conditional_retried(&self.asimov, &self.params, self.poi, mu);
        check("Asimov", &fit)?;
        Ok((2.0 * (fit.fval - self.asimov_minimum)).max(0.0))
    }

    /// Observed and expected CLs at `mu`.
    pub fn cls(&self, mu: f64) -> Result<ClsValues, ClsError> {
        let q_a = self.q_asimov(mu)?;
        let q = self.q_tilde(mu)?;
        Ok(ClsValues {
            observed: cls_observed(q, q_a),
            expected: BAND.map(|n| cls_expected(n, q_a)),
        })
    }

    /// The discovery test statistic q₀ = 2(−ln L(0) + ln L(μ̂)), 0 when μ̂ = 0; its square
    /// root is the local significance.
    pub fn q0(&self) -> f64 {
        (2.0 * (self.background_only_nll - self.best.fval)).max(0.0)
    }

    /// Expected CLs only: no fit of the signal region of the data (for blinded runs).
    pub fn cls_expected(&self, mu: f64) -> Result<[f64; 5], ClsError> {
        let q_a = self.q_asimov(mu)?;
        Ok(BAND.map(|n| cls_expected(n, q_a)))
    }

    /// Upper limits at confidence level `cl` ([`upper_limits`]).
    pub fn upper_limits(&self, cl: f64, observed: bool) -> Result<UpperLimits, ClsError> {
        upper_limits(self, cl, observed)
    }
}

impl<M: Model> ProfileTest for Cls<'_, M> {
    fn q_tilde(&self, mu: f64) -> Result<f64, ClsError> {
        Cls::q_tilde(self, mu)
    }

    fn q_asimov(&self, mu: f64) -> Result<f64, ClsError> {
        Cls::q_asimov(self, mu)
    }

    fn poi_hat(&self) -> f64 {
        self.best.values[self.poi]
    }

    fn poi_scale(&self) -> f64 {
        self.best.errors[self.poi]
    }

    fn poi_high(&self) -> f64 {
        poi_upper(&self.params, self.poi)
    }
}

/// What asymptotic CLs limits are computed from: q̃μ on the observed data, q_{μ,A} on the
/// background-only Asimov data, and the POI's best fit, scale and upper bound — of one
/// model ([`Cls`]) or of several profiled as a discrete choice (an envelope).
pub trait ProfileTest {
    /// q̃μ on the observed data (0 when μ̂ > μ).
    fn q_tilde(&self, mu: f64) -> Result<f64, ClsError>;
    /// q_{μ,A} on the background-only Asimov data.
    fn q_asimov(&self, mu: f64) -> Result<f64, ClsError>;
    /// μ̂ on the observed data.
    fn poi_hat(&self) -> f64;
    /// The POI's scale (its HESSE error on the data), to bracket roots with.
    fn poi_scale(&self) -> f64;
    /// The POI's upper bound.
    fn poi_high(&self) -> f64;
}

/// Upper limits at confidence level `cl` from `test`: observed when `observed` is true
/// (else NaN), and the expected band.
pub fn upper_limits(
    test: &impl ProfileTest,
    cl: f64,
    observed: bool,
) -> Result<UpperLimits, ClsError> {
    let alpha = 1.0 - cl;
    let high = test.poi_high();
    let mu_hat = test.poi_hat();
    // The POI's scale: its Hesse error on the data.
    let scale = test.poi_scale().max(1e-300);
    // Expected CLs at band n depends on μ only through √q_A(μ), so each band's limit
    // solves √q_A(μ) = Φ⁻¹(1 − α·Φ(−n)) − n. √q_A is increasing and nearly linear in
    // μ: its values are kept and shared by the five solves, which then bracket
    // tightly and need a few Asimov fits each.
    let known = std::cell::RefCell::new(Vec::<(f64, f64)>::new());
    let sqrt_q_a = |mu: f64| -> Result<f64, ClsError> {
        if let Some(&(_, v)) = known.borrow().iter().find(|(m, _)| *m == mu) {
            return Ok(v);
        }
        let v = test.q_asimov(mu)?.sqrt();
        known.borrow_mut().push((mu, v));
        Ok(v)
    };
    let mut expected = [f64::NAN; 5];
    for (k, n) in BAND.iter().enumerate() {
        let target = normal_quantile(1.0 - alpha * normal_sf(*n)) - n;
        expected[k] = solve_increasing(mu_hat, high, scale, target, &known, &sqrt_q_a)?;
    }
    let observed = if observed {
        solve(mu_hat, high, scale, |mu| {
            Ok(cls_observed(test.q_tilde(mu)?, test.q_asimov(mu)?) - alpha)
        })?
    } else {
        f64::NAN
    };
    Ok(UpperLimits { observed, expected })
}

/// The μ in (0, high] where the increasing `g` reaches `target`, bracketed from the
/// values of `g` already `known`, then by doubling from above μ̂, then by Brent's method.
fn solve_increasing(
    mu_hat: f64,
    high: f64,
    scale: f64,
    target: f64,
    known: &std::cell::RefCell<Vec<(f64, f64)>>,
    g: &dyn Fn(f64) -> Result<f64, ClsError>,
) -> Result<f64, ClsError> {
    let (mut lower, mut upper) = (0.0, f64::NAN);
    for &(mu, v) in known.borrow().iter() {
        if v < target && mu > lower {
            lower = mu;
        }
        if v >= target && (upper.is_nan() || mu < upper) {
            upper = mu;
        }
    }
    if upper.is_nan() {
        upper = (lower.max(mu_hat.max(0.0)) + 2.0 * scale).min(high);
        while g(upper)? < target {
            if upper >= high {
                return Err(ClsError::NoCrossing);
            }
            lower = upper;
            upper = (upper * 2.0).min(high);
        }
    }
    fallible_root(|mu| g(mu).map(|v| v - target), lower, upper)
}

/// The μ in (0, high] where `f` (decreasing) crosses zero.
fn solve(
    mu_hat: f64,
    high: f64,
    scale: f64,
    f: impl Fn(f64) -> Result<f64, ClsError>,
) -> Result<f64, ClsError> {
    let mut upper = (mu_hat.max(0.0) + 2.0 * scale).min(high);
    let mut lower = 0.0;
    loop {
        if f(upper)? < 0.0 {
            break;
        }
        if upper >= high {
            return Err(ClsError::NoCrossing);
        }
        lower = upper;
        upper = (upper * 2.0).min(high);
    }
    fallible_root(f, lower, upper)
}

/// Brent's root of `f` in [lower, upper] to 1e-5 relative, where evaluating `f` runs fits
/// that may fail: the first failure is returned instead of a root.
fn fallible_root(
    f: impl Fn(f64) -> Result<f64, ClsError>,
    lower: f64,
    upper: f64,
) -> Result<f64, ClsError> {
    let error = std::cell::Cell::new(None);
    let root = brent(
        |mu| {
            f(mu).unwrap_or_else(|e| {
                error.set(Some(e));
                0.0
            })
        },
        lower,
        upper,
        1e-5 * upper,
    );
    match error.take() {
        Some(e) => Err(e),
        None => root.ok_or(ClsError::NoCrossing),
    }
}

/// Observed CLs from q̃μ and q_{μ,A} (CCGV eq. 65–66 for q̃μ).
pub fn cls_observed(q: f64, q_a: f64) -> f64 {
    let (sq, sq_a) = (q.sqrt(), q_a.sqrt());
    let t = if sq <= sq_a {
        sq - sq_a
    } else {
        (q - q_a) / (2.0 * sq_a)
    };
    let cls_b = normal_sf(t);
    let cls_sb = normal_sf(t + sq_a);
    if cls_b > 0.0 { cls_sb / cls_b } else { 1.0 }
}

/// Expected CLs at band offset n: the background-only median shifted by n σ.
pub fn cls_expected(n: f64, q_a: f64) -> f64 {
    normal_sf(n + q_a.sqrt()) / normal_sf(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::special::normal_quantile;

    #[test]
    fn expected_band_equals_the_closed_form() {
        // With q_A = (μ/σ)² the median 95% CL limit is σ·Φ⁻¹(1 − α/2) = 1.96σ and the
        // band is σ(Φ⁻¹(1 − αΦ(N)) + N).
        let sigma = 1.0;
        let alpha = 0.05;
        for (k, n) in BAND.iter().enumerate() {
            let big_n = -n;
            let closed = sigma
                * (normal_quantile(1.0 - alpha * crate::stats::special::normal_cdf(big_n)) + big_n);
            let root = brent(
                |mu| cls_expected(*n, (mu / sigma).powi(2)) - alpha,
                1e-6,
                10.0,
                1e-12,
            )
            .unwrap();
            assert!((root - closed).abs() < 1e-9, "band {k}: {root} vs {closed}");
        }
        let median = brent(|mu| cls_expected(0.0, mu * mu) - alpha, 1e-6, 10.0, 1e-12).unwrap();
        assert!((median - 1.959_963_984_540_054).abs() < 1e-9);
    }
}
