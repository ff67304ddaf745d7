//! The background function of a scan fit chosen and checked at each hypothesis
//! (`fit.background_choice`): the order of a polynomial by likelihood-ratio tests
//! (F-test-style), an envelope of alternative functions profiled as a discrete nuisance
//! (`stats::envelope`), and the spurious signal each function fits on a background-only
//! sample.

use serde::{Deserialize, Serialize};

use super::{FitScan, ScanPoint};
use crate::spec::{BackgroundChoice, FTest, Fit, Param, Pdf};
use crate::stats::asymptotic::{ProfileTest, upper_limits};
use crate::stats::asymptotic::{check, conditional, poi_upper};
use crate::stats::envelope::{Envelope, Function, unconditional};
use crate::stats::likelihood::Likelihood;
use crate::stats::minuit::{Bounds, ParamSpec, Settings, Status, minimize};
use crate::stats::pdfs;
use crate::stats::special::chi2_sf;

/// What the background choice found at one hypothesis (results.json).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct BackgroundReport {
    /// The component whose function is chosen.
    pub component: String,
    /// The polynomial order the likelihood-ratio tests chose (with `f_test`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<OrderChoice>,
    /// Each function: the component's own first, then the envelope's.
    pub functions: Vec<FunctionReport>,
    /// With an envelope: the function of the best penalised fit (the background-only
    /// fit to the sidebands while blinded, the unconditional fit unblinded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chosen: Option<String>,
}

/// The order chosen by likelihood-ratio tests of nested polynomials.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OrderChoice {
    /// The order used.
    pub chosen: u64,
    /// The orders fitted, lowest first.
    pub tests: Vec<OrderTest>,
}

/// One order's background-only fit, and its test against the next order.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OrderTest {
    /// The polynomial order.
    pub order: u64,
    /// −ln L of the background-only fit (to the sidebands while blinded).
    pub nll: f64,
    /// Its floating parameters.
    pub parameters: usize,
    /// P(χ² > 2 Δ(−ln L)) for the next order, with the added parameters as degrees of
    /// freedom (absent for the last order fitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
}

/// One background function at one hypothesis.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FunctionReport {
    /// The component's name for its own function, the envelope's key for the others.
    pub name: String,
    /// Its floating shape parameters over the channels fitted (what the penalty counts).
    pub parameters: usize,
    /// With an envelope: −ln L of the fit it is chosen by (see `chosen`), without the
    /// penalty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nll: Option<f64>,
    /// With an envelope: the penalty added to `nll`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<f64>,
    /// The spurious-signal test (with `spurious_signal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spurious_signal: Option<SpuriousSignal>,
}

/// The signal a function fits on a background-only sample.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SpuriousSignal {
    /// Fitted signal events, summed over the signal channels (may be negative).
    pub events: f64,
    /// Their statistical uncertainty (HESSE, with the sample weighted to the data).
    pub error: f64,
    /// |events| / error.
    pub ratio: f64,
    /// Whether `ratio` is at most the spec's `max`.
    pub passed: bool,
}

/// A background choice's functions at one hypothesis.
struct Functions {
    /// The chosen component.
    component: String,
    /// Each function's name and the spec's fit with it: the component's own first.
    fits: Vec<(String, Fit)>,
    /// The order test of the component's own function.
    order: Option<OrderChoice>,
}

impl FitScan<'_> {
    /// The fit and limits at `m` with the background choice of the spec.
    pub(super) fn point_with_choice(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
        seed: u64,
        point: &mut ScanPoint,
    ) -> Result<(), String> {
        let choice = self
            .fit
            .background_choice
            .as_ref()
            .expect("called with a background choice");
        let Functions {
            component,
            fits,
            order,
        } = self.functions(m, sigma, active, choice)?;
        let mut report = BackgroundReport {
            component: component.clone(),
            order,
            ..BackgroundReport::default()
        };
        let scans: Vec<FitScan> = fits.iter().map(|(_, fit)| self.with_fit(fit)).collect();
        for ((name, _), scan) in fits.iter().zip(&scans) {
            let spurious_signal = match &choice.spurious_signal {
                Some(s) => Some(
                    scan.spurious_signal(m, sigma, active, &s.input.value, s.max.value)
                        .map_err(|e| format!("function `{name}`: {e}"))?,
                ),
                None => None,
            };
            report.functions.push(FunctionReport {
                name: name.clone(),
                parameters: 0,
                nll: None,
                penalty: None,
                spurious_signal,
            });
        }
        if scans.len() == 1 {
            // Counted on the model the run may look at (the sidebands' while blinded).
            let (_, params, _) = scans[0].visible_model(m, sigma, active)?;
            report.functions[0].parameters = shape_parameters(&params, &component);
            scans[0].point(m, sigma, active, seed, point)?;
        } else {
            self.envelope_limits(&scans, m, sigma, active, point, &mut report)?;
        }
        point.background_choice = Some(report);
        Ok(())
    }

    /// Limits from the envelope of `scans` (one per function, in the order of
    /// `report.functions`), and what chose among them.
    fn envelope_limits(
        &self,
        scans: &[FitScan],
        m: f64,
        sigma: f64,
        active: &[usize],
        point: &mut ScanPoint,
        report: &mut BackgroundReport,
    ) -> Result<(), String> {
        if self.toys().is_some() {
            return Err("`cls-toys` limits of an envelope are not available".into());
        }
        let component = report.component.clone();
        let component = component.as_str();
        let penalty = self
            .fit
            .background_choice
            .as_ref()
            .map_or(0.0, |c| c.penalty.value);
        // Per function: its model with the data it is fitted to, its parameters, and
        // (blinded) its background-only −ln L on the sidebands.
        let mut models: Vec<(Likelihood, Vec<ParamSpec>, Option<f64>)> = Vec::new();
        if self.common.unblind {
            for scan in scans {
                let (likelihood, params) = scan.model_at(m, sigma, active)?;
                models.push((likelihood, params, None));
            }
        } else {
            // Blinded: the function that fits the sidebands best (penalised) generates
            // the Asimov data of the whole window, and every function is fitted to them.
            let expectations = scans
                .iter()
                .map(|s| s.blinded_expectation(m, sigma, active))
                .collect::<Result<Vec<_>, _>>()?;
            let penalised: Vec<f64> = expectations
                .iter()
                .map(|e| e.sideband_nll + penalty * shape_parameters(&e.params, component) as f64)
                .collect();
            let g = (0..penalised.len())
                .min_by(|&a, &b| penalised[a].total_cmp(&penalised[b]))
                .unwrap_or(0);
            let generator = &expectations[g];
            for (f, e) in expectations.iter().enumerate() {
                let likelihood = if f == g {
                    generator.expected.clone()
                } else {
                    let values: Vec<f64> = e
                        .params
                        .iter()
                        .zip(&e.generating)
                        .map(|(p, &v)| {
                            generator
                                .params
                                .iter()
                                .position(|q| q.name == p.name)
                                .map_or(v, |i| generator.generating[i])
                        })
                        .collect();
                    e.expected.with_data_of(&generator.expected, &values)
                };
                models.push((likelihood, e.params.clone(), Some(e.sideband_nll)));
            }
            report.chosen = Some(report.functions[g].name.clone());
        }
        let functions = models
            .iter()
            .zip(&report.functions)
            .map(|((likelihood, params, _), f)| Function {
                name: f.name.clone(),
                likelihood,
                params: params.clone(),
                penalty: penalty * shape_parameters(params, component) as f64,
            })
            .collect();
        let envelope = Envelope::new(functions, 0).map_err(|e| e.to_string())?;
        let limits = upper_limits(&envelope, self.common.cl, self.common.unblind)
            .map_err(|e| e.to_string())?;
        for ((f, (nll, penalty)), (_, params, sideband)) in report
            .functions
            .iter_mut()
            .zip(envelope.fits().map(|(_, nll, penalty)| (nll, penalty)))
            .zip(&models)
        {
            f.parameters = shape_parameters(params, component);
            f.nll = Some(sideband.unwrap_or(nll));
            f.penalty = Some(penalty);
        }
        point.expected = Some(limits.expected);
        if self.common.unblind {
            report.chosen = Some(report.functions[envelope.best].name.clone());
            point.observed = Some(limits.observed);
            point.fitted_poi = Some(envelope.poi_hat());
            point.fitted_poi_error = envelope.poi_error();
            point.local_significance = Some(envelope.q0().sqrt());
        }
        point.status = "ok".into();
        Ok(())
    }

    /// The fit with the function the background choice takes at `m` (None without a
    /// choice): the component's own at the order its test chooses, or with an envelope
    /// the function of the best penalised fit — the unconditional fit unblinded, the
    /// background-only fit to the sidebands while blinded (as the scan reports it).
    pub fn chosen_fit(&self, m: f64, sigma: f64, active: &[usize]) -> Result<Option<Fit>, String> {
        let Some(choice) = &self.fit.background_choice else {
            return Ok(None);
        };
        let Functions {
            component, fits, ..
        } = self.functions(m, sigma, active, choice)?;
        let mut fits: Vec<Fit> = fits.into_iter().map(|(_, fit)| fit).collect();
        if fits.len() == 1 {
            return Ok(fits.pop());
        }
        let mut best = (f64::INFINITY, 0);
        for (f, fit) in fits.iter().enumerate() {
            let scan = self.with_fit(fit);
            let (nll, params) = if self.common.unblind {
                // The envelope's own rule for its best function.
                let (likelihood, params) = scan.model_at(m, sigma, active)?;
                let fit = unconditional(&likelihood, &params).map_err(|e| e.to_string())?;
                (fit.fval, params)
            } else {
                scan.background_only_nll(m, sigma, active)?
            };
            let penalised =
                nll + choice.penalty.value * shape_parameters(&params, &component) as f64;
            if penalised < best.0 {
                best = (penalised, f);
            }
        }
        Ok(Some(fits.swap_remove(best.1)))
    }

    /// The chosen component's name and its functions at `m` as fits of the spec: its own
    /// (at the order its test chooses, and that test), then the envelope's.
    fn functions(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
        choice: &BackgroundChoice,
    ) -> Result<Functions, String> {
        let k = self.chosen_component(choice)?;
        let component = self.fit.backgrounds[k].name.value.clone();
        let (own, order) = match &choice.f_test {
            Some(test) => {
                let (pdf, order) = self.order_test(m, sigma, active, k, test)?;
                (pdf, Some(order))
            }
            None => (self.fit.backgrounds[k].pdf.clone(), None),
        };
        let fits = std::iter::once((component.clone(), own))
            .chain(
                choice
                    .envelope
                    .iter()
                    .map(|(n, pdf)| (n.value.clone(), pdf.clone())),
            )
            .map(|(name, pdf)| (name, self.with_function(k, pdf)))
            .collect();
        Ok(Functions {
            component,
            fits,
            order,
        })
    }

    /// The index of the background component the choice acts on.
    fn chosen_component(&self, choice: &BackgroundChoice) -> Result<usize, String> {
        match &choice.component {
            Some(name) => self
                .fit
                .backgrounds
                .iter()
                .position(|c| c.name.value == name.value)
                .ok_or_else(|| format!("there is no background component `{}`", name.value)),
            None if self.fit.backgrounds.len() == 1 => Ok(0),
            None => Err("`background_choice` needs `component` with several components".into()),
        }
    }

    /// The spec's fit with component `k`'s function `pdf`, and no background choice.
    fn with_function(&self, k: usize, pdf: Pdf) -> Fit {
        let mut fit = self.fit.clone();
        fit.backgrounds[k].pdf = pdf;
        fit.background_choice = None;
        fit
    }

    /// The order of polynomial component `k` at `m`: from the order it writes up, the
    /// next order is fitted (background only, to the data the scan may look at) while
    /// 2 Δ(−ln L) against the current one has a χ² p-value below the spec's.
    fn order_test(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
        k: usize,
        test: &FTest,
    ) -> Result<(Pdf, OrderChoice), String> {
        let base = &self.fit.backgrounds[k].pdf;
        let written = base.written_order();
        let mut tests: Vec<OrderTest> = Vec::new();
        let mut pdfs = Vec::new();
        let mut order = written;
        // The highest order fitted is kept unless it did not improve on the one before.
        let mut keep_last = true;
        loop {
            let pdf = polynomial_of_order(base, written, order, test)?;
            let fit = self.with_function(k, pdf.clone());
            let scan = self.with_fit(&fit);
            let (nll, params) = scan
                .background_only_nll(m, sigma, active)
                .map_err(|e| format!("order {order}: {e}"))?;
            let parameters = params.iter().filter(|p| !p.fixed).count();
            // Whether this order fits significantly better than the one before.
            let mut improved = true;
            if let Some(last) = tests.last_mut() {
                let statistic = 2.0 * (last.nll - nll);
                let added = parameters.saturating_sub(last.parameters).max(1);
                let p = chi2_sf(statistic, added);
                last.p_value = Some(p);
                improved = p < test.p_value.value;
            }
            tests.push(OrderTest {
                order,
                nll,
                parameters,
                p_value: None,
            });
            pdfs.push(pdf);
            if !improved {
                keep_last = false;
                break;
            }
            if order >= test.max_order.value {
                break;
            }
            order += 1;
        }
        let chosen = tests.len() - if keep_last { 1 } else { 2 };
        Ok((
            pdfs.swap_remove(chosen),
            OrderChoice {
                chosen: tests[chosen].order,
                tests,
            },
        ))
    }

    /// −ln L of the background-only fit at `m` (to the sidebands while blinded) and
    /// its parameters (the POI fixed).
    fn background_only_nll(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
    ) -> Result<(f64, Vec<ParamSpec>), String> {
        let blinded = (!self.common.unblind).then(|| self.blinded_half_width(sigma));
        let (likelihood, params, _) = self.model(m, sigma, active, blinded)?;
        let fit = conditional(&likelihood, &params.specs, 0, 0.0);
        check("background-only", &fit).map_err(|e| e.to_string())?;
        let mut specs = params.specs;
        specs[0].fixed = true;
        Ok((fit.fval, specs))
    }

    /// The signal fitted at `m` on input `input` (a background-only sample, weighted by
    /// its `scale` to the data), over the whole window, the POI free to go negative.
    fn spurious_signal(
        &self,
        m: f64,
        sigma: f64,
        active: &[usize],
        input: &str,
        max: f64,
    ) -> Result<SpuriousSignal, String> {
        let sample = self
            .common
            .inputs
            .iter()
            .find(|i| i.name == input)
            .ok_or_else(|| format!("no input named `{input}`"))?;
        let scale = self.spec.scale_of(input);
        let mut candidates = sample.candidates.clone();
        for channel in &mut candidates.channels {
            channel.weight.iter_mut().for_each(|w| *w *= scale);
        }
        let mut common = self.common.on(&candidates);
        common.weighted = true;
        common.unblind = true;
        let scan = FitScan {
            spec: self.spec,
            fit: self.fit,
            common,
        };
        let (likelihood, mut params) = scan.model_at(m, sigma, active)?;
        let high = poi_upper(&params, 0);
        params[0].bounds = Bounds::Both(-high, high);
        params[0].value = 0.0;
        let fit = minimize(&likelihood, &params, Settings::default());
        if fit.status != Status::Converged {
            return Err(format!(
                "the spurious-signal fit to `{input}` did not converge ({:?})",
                fit.status
            ));
        }
        let per_poi = self.signal_per_poi(m, active);
        let (events, error) = (fit.values[0] * per_poi, fit.errors[0] * per_poi);
        let ratio = events.abs() / error;
        Ok(SpuriousSignal {
            events,
            error,
            ratio,
            passed: ratio <= max,
        })
    }
}

/// The floating shape parameters of `component` among `params`: what the envelope's
/// penalty counts (its yield and normalisation are not the function's).
fn shape_parameters(params: &[ParamSpec], component: &str) -> usize {
    let prefix = format!("{component}.");
    params
        .iter()
        .filter(|p| !p.fixed)
        .filter_map(|p| p.name.strip_prefix(&prefix))
        .filter(|rest| !rest.starts_with("yield") && !rest.starts_with("norm"))
        .count()
}

/// Polynomial `base` (which writes order `written`) at order `order` ≥ `written`: the
/// coefficients it writes as written, each added one floating as `test.coefficient`
/// says, or as the highest floating coefficient `base` writes.
fn polynomial_of_order(base: &Pdf, written: u64, order: u64, test: &FTest) -> Result<Pdf, String> {
    if order == written {
        return Ok(base.clone());
    }
    let name = base.pdf.value.as_str();
    let (prefix, _) = pdfs::pdf(name)
        .and_then(|s| s.numbered)
        .ok_or_else(|| format!("`f_test` needs a polynomial, not `{name}`"))?;
    let index = |n: &str| n.strip_prefix(prefix).and_then(|i| i.parse::<u64>().ok());
    let template = match &test.coefficient {
        Some(c) => c.clone(),
        None => base
            .params
            .iter()
            .filter(|(n, p)| index(&n.value).is_some() && matches!(p, Param::Floating { .. }))
            .max_by_key(|(n, _)| index(&n.value))
            .map(|(_, p)| p.clone())
            .ok_or("`f_test` has no floating coefficient to copy: give `coefficient`")?,
    };
    let mut pdf = base.clone();
    // The order is then the highest coefficient.
    pdf.params.retain(|(n, _)| n.value != "order");
    for i in written + 1..=order {
        pdf.params.push((
            crate::diag::Spanned::new(format!("{prefix}{i}"), test.span),
            template.clone(),
        ));
    }
    Ok(pdf)
}
