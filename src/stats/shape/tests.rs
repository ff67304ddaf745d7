use super::{Shape, five_point};
use crate::stats::pdfs::argus::Argus;
use crate::stats::pdfs::bernstein::Bernstein;
use crate::stats::pdfs::breit_wigner::BreitWigner;
use crate::stats::pdfs::chebychev::Chebychev;
use crate::stats::pdfs::crystal_ball::CrystalBall;
use crate::stats::pdfs::double_crystal_ball::DoubleCrystalBall;
use crate::stats::pdfs::exponential::Exponential;
use crate::stats::pdfs::gaussian::Gaussian;
use crate::stats::pdfs::histogram::Template;
use crate::stats::pdfs::voigtian::Voigtian;
use crate::stats::quadrature::integrate;

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
        Shape::new(Gaussian),
        &[0.135, 0.006],
        &[(0.08, 0.3), (0.14, 0.2), (0.0, 0.13)],
        1e-12,
    );
}

#[test]
fn crystal_ball_integrals_cover_both_tail_conventions() {
    let ranges = [(0.9, 1.2), (0.5, 0.95), (1.01, 1.5), (0.0, 2.0)];
    check(
        Shape::new(CrystalBall),
        &[1.0, 0.02, 1.3, 3.0],
        &ranges,
        1e-10,
    );
    check(
        Shape::new(CrystalBall),
        &[1.0, 0.02, -1.3, 3.0],
        &ranges,
        1e-10,
    );
    check(
        Shape::new(CrystalBall),
        &[1.0, 0.02, 1.3, 1.0],
        &ranges,
        1e-10,
    );
    check(
        Shape::new(DoubleCrystalBall),
        &[1.0, 0.02, 1.2, 3.0, 1.6, 5.0],
        &ranges,
        1e-10,
    );
}

#[test]
fn chebychev_and_bernstein_integrals() {
    let domain = (0.08, 4.7);
    let c = [0.1, -0.2, 0.05, 0.02];
    check(
        Shape::new(Chebychev { order: 4, domain }),
        &c,
        &[(0.08, 4.7), (1.0, 1.3)],
        1e-12,
    );
    check(
        Shape::new(Chebychev { order: 1, domain }),
        &[0.3],
        &[(0.5, 2.0)],
        1e-12,
    );
    let b = [1.0, 0.5, 0.8, 0.2];
    check(
        Shape::new(Bernstein { order: 3, domain }),
        &b,
        &[(0.08, 4.7), (2.0, 2.5)],
        1e-12,
    );
}

#[test]
fn exponential_argus_and_breit_wigner_integrals() {
    check(
        Shape::new(Exponential),
        &[-2.3],
        &[(0.0, 5.1), (1.0, 1.1)],
        1e-12,
    );
    check(Shape::new(Exponential), &[1e-12], &[(0.0, 5.1)], 1e-12);
    // ARGUS has a square-root endpoint; the brute force is the less accurate side here.
    check(
        Shape::new(Argus),
        &[5.29, -20.0, 0.5],
        &[(5.2, 5.29), (5.2, 5.3), (5.25, 5.28)],
        1e-7,
    );
    check(Shape::new(Argus), &[5.29, -5.0, 1.5], &[(5.2, 5.29)], 1e-9);
    check(
        Shape::new(BreitWigner),
        &[0.775, 0.149],
        &[(0.3, 1.5), (0.7, 0.8)],
        1e-9,
    );
    check(
        Shape::new(BreitWigner),
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
    let step = Shape::new(template(false));
    assert!((step.integral(0.0, 4.0, &[]) - 11.0).abs() < 1e-12);
    assert!((step.integral(0.5, 1.5, &[]) - 2.0).abs() < 1e-12);
    let linear = Shape::new(template(true));
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
    let chebychev = Shape::new(Chebychev {
        order: 3,
        domain: (0.0, 3.6),
    });
    for (shape, p) in [
        (Shape::new(Gaussian), vec![1.2, 0.05]),
        (Shape::new(Exponential), vec![-2.7]),
        (Shape::new(Exponential), vec![0.0]),
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
        (Shape::new(Gaussian), vec![5.279, 0.003]),
        (Shape::new(Exponential), vec![-1.5]),
        (Shape::new(Argus), vec![5.29, -20.0, 0.5]),
        (Shape::new(Argus), vec![5.29, -20.0, 0.7]),
        (
            Shape::new(DoubleCrystalBall),
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

/// Every parameter of every shape: per-event derivatives and integral derivatives
/// against a five-point stencil with a step chosen per parameter.
#[test]
fn derivatives_match_finite_differences() {
    let cases: Vec<(Shape, Vec<f64>, (f64, f64))> = vec![
        (Shape::new(Gaussian), vec![0.135, 0.006], (0.10, 0.18)),
        (
            Shape::new(CrystalBall),
            vec![0.135, 0.006, 1.3, 4.0],
            (0.09, 0.18),
        ),
        (
            Shape::new(CrystalBall),
            vec![0.135, 0.006, -1.1, 2.5],
            (0.09, 0.18),
        ),
        (
            Shape::new(DoubleCrystalBall),
            vec![1.5, 0.02, 1.2, 3.0, 1.6, 5.0],
            (1.35, 1.7),
        ),
        (Shape::new(Exponential), vec![-3.2], (0.5, 2.0)),
        (Shape::new(Exponential), vec![0.0], (0.5, 2.0)),
        (Shape::new(Exponential), vec![0.2], (0.5, 2.0)),
        (Shape::new(Exponential), vec![-0.001], (-1.0, 3.0)),
        (
            Shape::new(Chebychev {
                order: 3,
                domain: (0.0, 4.0),
            }),
            vec![0.2, -0.1, 0.05],
            (0.3, 3.5),
        ),
        (
            Shape::new(Bernstein {
                order: 2,
                domain: (0.0, 4.0),
            }),
            vec![1.0, 0.6, 0.3],
            (0.3, 3.5),
        ),
        (Shape::new(Argus), vec![5.29, -20.0, 0.5], (5.2, 5.289)),
        (Shape::new(Argus), vec![5.29, -15.0, 0.7], (5.2, 5.289)),
        (Shape::new(BreitWigner), vec![0.775, 0.149], (0.4, 1.2)),
        (Shape::new(Voigtian), vec![0.775, 0.149, 0.02], (0.5, 1.1)),
        (
            Shape::new(Voigtian),
            vec![1.02, 0.0043, 0.003],
            (0.99, 1.05),
        ),
    ];
    for (shape, p, (lo, hi)) in cases {
        let xs: Vec<f64> = (0..23)
            .map(|k| lo + (hi - lo) * (k as f64 + 0.37) / 23.0)
            .collect();
        let wanted: Vec<usize> = (0..p.len()).collect();
        let mut values = vec![0.0; xs.len()];
        let mut gradients = vec![0.0; xs.len() * p.len()];
        shape.density_gradients(&xs, &p, &wanted, &mut values, &mut gradients);
        for j in 0..p.len() {
            // A step small against the parameter's own scale of influence: the
            // width for a location–scale shape's mean and width.
            let names = shape.parameter_names();
            let location_scale = names.len() > 1 && names[..2] == ["mean", "sigma"] && j < 2;
            let h = 1e-6
                * if location_scale {
                    p[1]
                } else {
                    p[j].abs().max(0.1)
                };
            let stencil = |f: &dyn Fn(&[f64]) -> f64| five_point(&p, j, h, f);
            for (i, &x) in xs.iter().enumerate() {
                assert_eq!(values[i], shape.density(x, &p));
                let numeric = stencil(&|q| shape.density(x, q));
                let analytic = gradients[j * xs.len() + i];
                assert!(
                    (analytic - numeric).abs() <= 1e-6 * numeric.abs().max(values[i].abs()),
                    "{shape:?} p[{j}] at {x}: {analytic} vs {numeric}"
                );
            }
            let numeric = stencil(&|q| shape.integral(lo, hi, q));
            let analytic = shape.integral_derivative(lo, hi, &p, j);
            assert!(
                (analytic - numeric).abs() <= 1e-6 * numeric.abs().max(shape.integral(lo, hi, &p)),
                "{shape:?} ∫ p[{j}]: {analytic} vs {numeric}"
            );
        }
    }
}
