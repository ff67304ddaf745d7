use super::*;

/// Brute force: 2000 Gauss–Legendre panels, far more than any shape here needs.
fn brute(shape: &Shape, lo: f64, hi: f64, p: &[f64]) -> f64 {
    integrate(|x| shape.density(x, p), lo, hi, 2000)
}

fn check(shape: Shape, p: &[f64], ranges: &[(f64, f64)], tolerance: f64) {
    for &(lo, hi) in ranges {
        let analytic = shape.integral(lo, hi, p);
        let numeric = brute(&shape, lo, hi, p);
        assert!(
            (analytic - numeric).abs() <= tolerance * numeric.abs(),
            "{shape:?} {p:?} [{lo}, {hi}]: {analytic} vs {numeric}"
        );
    }
}

#[test]
fn gaussian_integral_is_exact_in_core_and_tails() {
    check(
        Shape::Gaussian,
        &[0.135, 0.006],
        &[(0.08, 0.3), (0.14, 0.2), (0.0, 0.13)],
        1e-12,
    );
}

#[test]
fn crystal_ball_integrals_cover_both_tail_conventions() {
    let ranges = [(0.9, 1.2), (0.5, 0.95), (1.01, 1.5), (0.0, 2.0)];
    check(Shape::CrystalBall, &[1.0, 0.02, 1.3, 3.0], &ranges, 1e-10);
    check(Shape::CrystalBall, &[1.0, 0.02, -1.3, 3.0], &ranges, 1e-10);
    check(Shape::CrystalBall, &[1.0, 0.02, 1.3, 1.0], &ranges, 1e-10);
    check(
        Shape::DoubleCrystalBall,
        &[1.0, 0.02, 1.2, 3.0, 1.6, 5.0],
        &ranges,
        1e-10,
    );
}

#[test]
fn crystal_ball_is_continuous_with_continuous_slope_at_the_junction() {
    let p = [0.0, 1.0, 1.5, 4.0];
    let at = |x: f64| Shape::CrystalBall.density(x, &p);
    let h = 1e-7;
    assert!((at(-1.5 - h) - at(-1.5 + h)).abs() < 1e-6);
    let slope = |x: f64| (at(x + h) - at(x - h)) / (2.0 * h);
    assert!((slope(-1.5 - 2e-6) - slope(-1.5 + 2e-6)).abs() < 1e-4);
}

#[test]
fn chebychev_and_bernstein_integrals() {
    let domain = (0.08, 4.7);
    let c = [0.1, -0.2, 0.05, 0.02];
    check(
        Shape::Chebychev { order: 4, domain },
        &c,
        &[(0.08, 4.7), (1.0, 1.3)],
        1e-12,
    );
    check(
        Shape::Chebychev { order: 1, domain },
        &[0.3],
        &[(0.5, 2.0)],
        1e-12,
    );
    let b = [1.0, 0.5, 0.8, 0.2];
    check(
        Shape::Bernstein { order: 3, domain },
        &b,
        &[(0.08, 4.7), (2.0, 2.5)],
        1e-12,
    );
}

#[test]
fn chebychev_recurrence_matches_the_cosine_definition() {
    let x: f64 = 0.3;
    let c = [0.0, 0.0, 1.0]; // T3
    let t3 = (3.0 * x.acos()).cos();
    assert!((chebychev_series(x, &c) - 1.0 - t3).abs() < 1e-14);
}

#[test]
fn exponential_argus_and_breit_wigner_integrals() {
    check(
        Shape::Exponential,
        &[-2.3],
        &[(0.0, 5.1), (1.0, 1.1)],
        1e-12,
    );
    check(Shape::Exponential, &[1e-12], &[(0.0, 5.1)], 1e-12);
    // ARGUS has a square-root endpoint; the brute force is the less accurate side here.
    check(
        Shape::Argus,
        &[5.29, -20.0, 0.5],
        &[(5.2, 5.29), (5.2, 5.3), (5.25, 5.28)],
        1e-7,
    );
    check(Shape::Argus, &[5.29, -5.0, 1.5], &[(5.2, 5.29)], 1e-9);
    check(
        Shape::BreitWigner,
        &[0.775, 0.149],
        &[(0.3, 1.5), (0.7, 0.8)],
        1e-9,
    );
    check(
        Shape::BreitWigner,
        &[1.0195, 0.00426],
        &[(0.99, 1.05)],
        1e-7,
    );
}

#[test]
fn template_integrals_are_exact_for_step_and_linear_shapes() {
    let template = |linear| Template {
        low: 0.0,
        high: 4.0,
        contents: vec![1.0, 3.0, 2.0, 5.0],
        linear,
        variances: None,
    };
    let step = Shape::Template(template(false));
    assert!((step.integral(0.0, 4.0, &[]) - 11.0).abs() < 1e-12);
    assert!((step.integral(0.5, 1.5, &[]) - 2.0).abs() < 1e-12);
    let linear = Shape::Template(template(true));
    // The linear interpolation keeps the flat half bins at the ends; total differs from
    // the sum of contents by the trapezoid corrections, which brute force confirms.
    check(linear.clone(), &[], &[(0.0, 4.0), (0.7, 2.9)], 1e-10);
    assert!((linear.density(1.0, &[]) - 2.0).abs() < 1e-12);
}

#[test]
fn shared_edge_integrals_equal_bin_by_bin_integrals() {
    let mut bins: Vec<(f64, f64)> = (0..300)
        .map(|k| (0.01 * k as f64, 0.01 * (k + 1) as f64))
        .collect();
    bins.push((3.5, 3.6)); // a gap, as vetoes leave
    let chebychev = Shape::Chebychev {
        order: 3,
        domain: (0.0, 3.6),
    };
    for (shape, p) in [
        (Shape::Gaussian, vec![1.2, 0.05]),
        (Shape::Exponential, vec![-2.7]),
        (Shape::Exponential, vec![0.0]),
        (chebychev, vec![0.3, -0.2, 0.1]),
    ] {
        let shared = shape.integrals(&bins, &p);
        for (k, &(lo, hi)) in bins.iter().enumerate() {
            let single = shape.integral(lo, hi, &p);
            assert!(
                (shared[k] - single).abs() <= 1e-12 * single.abs() + 1e-300,
                "{shape:?} bin {k}: {} vs {single}",
                shared[k]
            );
        }
    }
}

#[test]
fn accumulate_adds_scaled_densities() {
    let xs: Vec<f64> = (0..50).map(|i| 5.2 + 0.0018 * i as f64).collect();
    for (shape, p) in [
        (Shape::Gaussian, vec![5.279, 0.003]),
        (Shape::Exponential, vec![-1.5]),
        (Shape::Argus, vec![5.29, -20.0, 0.5]),
        (Shape::Argus, vec![5.29, -20.0, 0.7]),
        (
            Shape::DoubleCrystalBall,
            vec![5.25, 0.01, 1.2, 3.0, 1.6, 5.0],
        ),
    ] {
        let mut out = vec![1.0; xs.len()];
        shape.accumulate(&xs, &p, 2.0, &mut out);
        for (o, &x) in out.iter().zip(&xs) {
            let want = 1.0 + 2.0 * shape.density(x, &p);
            assert!((o - want).abs() <= 1e-13 * want, "{shape:?} at {x}");
        }
    }
}
