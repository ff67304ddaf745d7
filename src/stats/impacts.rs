//! Impacts of constrained nuisance parameters on a parameter of interest, as CMS Combine
//! reports them: for each parameter with a constraint term, its pull (θ̂ − θ₀)/σ₀ and
//! constraint σ̂/σ₀, and the shift of the fitted POI when the fit is repeated with the
//! parameter fixed at θ̂ ± σ̂ (post-fit impact) and at θ̂ ± σ₀ (pre-fit impact), every
//! other parameter free. Ranked by the larger post-fit shift.

use serde::Serialize;

use super::likelihood::{Constraint, Likelihood};
use super::minuit::{FitResult, ParamSpec, Settings, Status, minimize};

/// One constrained parameter's pull and impacts.
#[derive(Clone, Debug, Serialize)]
pub struct Impact {
    /// The parameter.
    pub name: String,
    /// Its constraint's centre θ₀.
    pub nominal: f64,
    /// Its constraint's width σ₀ (a log-normal's relative width × θ₀).
    pub prefit_sigma: f64,
    /// Fitted value θ̂.
    pub value: f64,
    /// HESSE error σ̂.
    pub error: f64,
    /// (θ̂ − θ₀)/σ₀.
    pub pull: f64,
    /// σ̂/σ₀.
    pub constraint: f64,
    /// Shift of the POI with the parameter fixed at θ̂ + σ̂ and θ̂ − σ̂.
    pub postfit: [f64; 2],
    /// Shift of the POI with the parameter fixed at θ̂ + σ₀ and θ̂ − σ₀.
    pub prefit: [f64; 2],
}

/// The impacts on one parameter of interest.
#[derive(Clone, Debug, Serialize)]
pub struct Impacts {
    /// The parameter of interest.
    pub poi: String,
    /// Its fitted value.
    pub value: f64,
    /// Its HESSE error.
    pub error: f64,
    /// Every constrained parameter, largest post-fit impact first.
    pub impacts: Vec<Impact>,
}

/// A refit the impacts need did not converge.
#[derive(Clone, Debug, thiserror::Error)]
#[error("the fit{with} did not converge ({status:?})")]
pub struct RefitFailed {
    /// Which parameter was fixed where (empty for the nominal refit).
    pub with: String,
    /// The refit's status.
    pub status: Status,
}

/// The impacts on parameter `poi` of `likelihood`, whose fit `best` (converged, with
/// HESSE errors) starts every refit.
pub fn impacts(
    likelihood: &Likelihood,
    params: &[ParamSpec],
    poi: usize,
    best: &FitResult,
    settings: Settings,
) -> Result<Impacts, RefitFailed> {
    let centre = |c: &Constraint| match *c {
        Constraint::Gaussian { param, mean, sigma } => Some((param, mean, sigma)),
        Constraint::LogNormal {
            param,
            relative,
            nominal,
        } => Some((param, nominal, relative * nominal)),
        Constraint::Poisson { .. } => None,
    };
    // A shift is the difference of two minima: both are found to a thousandth of the
    // usual tolerance, the nominal one again from `best`.
    let tight = Settings {
        hesse: false,
        edm_tolerance: 1e-3 * settings.edm_tolerance,
        ..settings
    };
    let fit_with = |fixed: Option<(usize, f64)>| -> Result<f64, RefitFailed> {
        let mut start: Vec<ParamSpec> = params.to_vec();
        for (p, v) in start.iter_mut().zip(&best.values) {
            p.value = *v;
        }
        if let Some((k, value)) = fixed {
            start[k].value = value;
            start[k].fixed = true;
        }
        let fit = minimize(likelihood, &start, tight);
        if fit.status != Status::Converged {
            return Err(RefitFailed {
                with: fixed.map_or(String::new(), |(k, v)| {
                    format!(" with `{}` fixed at {v}", params[k].name)
                }),
                status: fit.status,
            });
        }
        Ok(fit.values[poi])
    };
    let reference = fit_with(None)?;
    let refit = |k: usize, value: f64| fit_with(Some((k, value))).map(|v| v - reference);
    let mut impacts = likelihood
        .constraints
        .iter()
        .filter_map(centre)
        .filter(|&(k, _, _)| k != poi && !params[k].fixed)
        .map(|(k, nominal, sigma)| {
            let (value, error) = (best.values[k], best.errors[k]);
            Ok(Impact {
                name: params[k].name.clone(),
                nominal,
                prefit_sigma: sigma,
                value,
                error,
                pull: (value - nominal) / sigma,
                constraint: error / sigma,
                postfit: [refit(k, value + error)?, refit(k, value - error)?],
                prefit: [refit(k, value + sigma)?, refit(k, value - sigma)?],
            })
        })
        .collect::<Result<Vec<_>, RefitFailed>>()?;
    let size = |i: &Impact| i.postfit[0].abs().max(i.postfit[1].abs());
    impacts.sort_by(|a, b| size(b).total_cmp(&size(a)).then(a.name.cmp(&b.name)));
    Ok(Impacts {
        poi: params[poi].name.clone(),
        value: reference,
        error: best.errors[poi],
        impacts,
    })
}
