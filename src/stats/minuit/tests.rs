use super::*;

fn free(name: &str, value: f64, step: f64) -> ParamSpec {
    ParamSpec::new(name, value, step, Bounds::None)
}

#[test]
fn correlated_quadratic_gives_exact_minimum_and_covariance() {
    // f = ½ (x−m)ᵀ C⁻¹ (x−m) with C = [[4, 1.2], [1.2, 1]]: errors 2 and 1, ρ = 0.6.
    let (c11, c12, c22) = (4.0, 1.2, 1.0);
    let det = c11 * c22 - c12 * c12;
    let f = move |p: &[f64]| {
        let (a, b) = (p[0] - 3.0, p[1] + 1.0);
        0.5 * (c22 * a * a - 2.0 * c12 * a * b + c11 * b * b) / det
    };
    let result = minimize(
        &f,
        &[free("a", 0.0, 1.0), free("b", 0.0, 1.0)],
        Settings::default(),
    );
    assert_eq!(result.status, Status::Converged, "{result:?}");
    assert!((result.values[0] - 3.0).abs() < 1e-5 && (result.values[1] + 1.0).abs() < 1e-5);
    assert!((result.errors[0] - 2.0).abs() < 1e-4 && (result.errors[1] - 1.0).abs() < 1e-4);
    assert!((result.covariance[(0, 1)] - 1.2).abs() < 1e-4);
}

#[test]
fn rosenbrock_converges_from_the_classic_start() {
    let f = |p: &[f64]| 100.0 * (p[1] - p[0] * p[0]).powi(2) + (1.0 - p[0]).powi(2);
    let settings = Settings {
        up: 1.0,
        ..Settings::default()
    };
    let result = minimize(&f, &[free("x", -1.2, 0.1), free("y", 1.0, 0.1)], settings);
    assert!(result.status.is_valid(), "{result:?}");
    assert!((result.values[0] - 1.0).abs() < 1e-3 && (result.values[1] - 1.0).abs() < 2e-3);
}

#[test]
fn bounded_parameter_stays_inside_and_is_reported_at_its_limit() {
    // Minimum at x = −1 but x ≥ 0 is required.
    let f = |p: &[f64]| (p[0] + 1.0).powi(2) + (p[1] - 2.0).powi(2);
    let params = [
        ParamSpec::new("x", 1.0, 0.5, Bounds::Lower(0.0)),
        ParamSpec::new("y", 0.0, 0.5, Bounds::Both(-5.0, 5.0)),
    ];
    let result = minimize(&f, &params, Settings::default());
    assert!(
        result.values[0] >= 0.0 && result.values[0] < 1e-3,
        "{result:?}"
    );
    assert!((result.values[1] - 2.0).abs() < 1e-5);
    assert_eq!(result.at_limit, vec!["x".to_owned()]);
}

#[test]
fn fixed_parameters_keep_their_value() {
    let f = |p: &[f64]| (p[0] - 1.0).powi(2) + (p[1] - p[0]).powi(2);
    let mut params = [free("a", 5.0, 1.0), free("b", 0.0, 1.0)];
    params[0].fixed = true;
    let result = minimize(&f, &params, Settings::default());
    assert_eq!(result.values[0], 5.0);
    assert_eq!(result.errors[0], 0.0);
    assert!((result.values[1] - 5.0).abs() < 1e-5);
}

#[test]
fn minos_matches_the_exact_interval_of_a_poisson_likelihood() {
    // −ln L(μ) = μ − n ln μ for n = 3: the interval where it rises by ½ is known in
    // closed form only numerically; check the crossings have Δ = ½ and are asymmetric.
    let n = 3.0;
    let nll = move |p: &[f64]| p[0] - n * p[0].ln();
    let params = [ParamSpec::new("mu", 2.0, 1.0, Bounds::Lower(0.0))];
    let best = minimize(&nll, &params, Settings::default());
    assert!((best.values[0] - 3.0).abs() < 1e-5);
    let (low, high) = minos(&nll, &params, Settings::default(), &best, 0);
    let at = |mu: f64| nll(&[mu]) - nll(&[3.0]);
    assert!((at(3.0 + low.error) - 0.5).abs() < 1e-5, "{low:?}");
    assert!((at(3.0 + high.error) - 0.5).abs() < 1e-5, "{high:?}");
    assert!(
        high.error > -low.error,
        "Poisson intervals are longer upwards"
    );
    assert!(low.valid && high.valid && !low.at_limit && !high.at_limit);
}

#[test]
fn a_function_that_is_nan_at_the_start_is_reported_failed() {
    let f = |_: &[f64]| f64::NAN;
    let result = minimize(&f, &[free("a", 0.0, 1.0)], Settings::default());
    assert_eq!(result.status, Status::Failed);
}

/// The correlated quadratic of the first test, with its gradient.
struct Quadratic {
    /// Scale applied to the reported gradient (1: exact; −1: pointing uphill).
    gradient_sign: f64,
}

impl Quadratic {
    const C: (f64, f64, f64) = (4.0, 1.2, 1.0);

    fn shifted(p: &[f64]) -> (f64, f64) {
        (p[0] - 3.0, p[1] + 1.0)
    }
}

impl Cost for Quadratic {
    fn value(&self, p: &[f64]) -> f64 {
        let (c11, c12, c22) = Self::C;
        let (a, b) = Self::shifted(p);
        0.5 * (c22 * a * a - 2.0 * c12 * a * b + c11 * b * b) / (c11 * c22 - c12 * c12)
    }

    fn value_and_gradient(&self, p: &[f64]) -> Option<(f64, Vec<f64>)> {
        let (c11, c12, c22) = Self::C;
        let (a, b) = Self::shifted(p);
        let det = c11 * c22 - c12 * c12;
        let g = [(c22 * a - c12 * b) / det, (c11 * b - c12 * a) / det];
        Some((
            self.value(p),
            g.iter().map(|v| v * self.gradient_sign).collect(),
        ))
    }

    fn has_gradient(&self) -> bool {
        true
    }
}

#[test]
fn analytic_gradient_gives_the_same_minimum_in_fewer_calls() {
    let params = [free("a", 0.0, 1.0), free("b", 0.0, 1.0)];
    let exact = Quadratic { gradient_sign: 1.0 };
    let numerical = |p: &[f64]| exact.value(p);
    let with = minimize(&exact, &params, Settings::default());
    let without = minimize(&numerical, &params, Settings::default());
    assert_eq!(with.status, Status::Converged, "{with:?}");
    for i in 0..2 {
        assert!((with.values[i] - without.values[i]).abs() < 1e-6);
        assert!((with.errors[i] - without.errors[i]).abs() < 1e-4);
    }
    assert!((with.covariance[(0, 1)] - 1.2).abs() < 1e-6);
    assert!(
        with.calls < without.calls,
        "{} vs {}",
        with.calls,
        without.calls
    );
}

#[test]
fn a_gradient_that_leads_nowhere_falls_back_to_finite_differences() {
    let params = [free("a", 0.0, 1.0), free("b", 0.0, 1.0)];
    let wrong = Quadratic {
        gradient_sign: -1.0,
    };
    let result = minimize(&wrong, &params, Settings::default());
    assert_eq!(result.status, Status::Converged, "{result:?}");
    assert!((result.values[0] - 3.0).abs() < 1e-5 && (result.values[1] + 1.0).abs() < 1e-5);
    assert!((result.errors[0] - 2.0).abs() < 1e-4);
}

/// A parameter whose range reaches 1e200: the internal transform's derivatives are no
/// numbers far from the minimum, and the line search must stop there, not panic
/// (a POI range of [0, 1e200] once did).
#[test]
fn a_range_beyond_what_doubles_resolve_does_not_panic() {
    let f = |p: &[f64]| p[0] - 3.0 * p[0].ln();
    for (start, step) in [(3e-6, 1e-6), (1.0, 0.1), (1e100, 1e99), (5e199, 1e198)] {
        let spec = ParamSpec::new("x", start, step, Bounds::Both(0.0, 1e200));
        let result = minimize(&f, &[spec], Settings::default());
        assert!(result.values[0].is_finite() || result.status == Status::Failed);
    }
}
