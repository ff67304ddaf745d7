//! Shapes against independent implementations: the Voigtian's density and integrals
//! against scipy (`tests/reference/gen/voigt_scipy.py`).

use searchlight::stats::pdfs::voigtian::Voigtian;
use searchlight::stats::shape::Shape;

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string("tests/reference/shapes/voigt.json").unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn voigtian_matches_scipy() {
    let reference = reference();
    let cases = reference["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let p = [
            case["mean"].as_f64().unwrap(),
            case["width"].as_f64().unwrap(),
            case["sigma"].as_f64().unwrap(),
        ];
        let xs = case["x"].as_array().unwrap();
        let densities = case["density"].as_array().unwrap();
        for (x, want) in xs.iter().zip(densities) {
            let (x, want) = (x.as_f64().unwrap(), want.as_f64().unwrap());
            let got = Shape::new(Voigtian).density(x, &p);
            assert!(
                (got - want).abs() <= 1e-12 * want.abs(),
                "{p:?} at {x}: {got} vs scipy {want}"
            );
        }
        for integral in case["integrals"].as_array().unwrap() {
            let (lo, hi) = (
                integral["range"][0].as_f64().unwrap(),
                integral["range"][1].as_f64().unwrap(),
            );
            let want = integral["value"].as_f64().unwrap();
            let got = Shape::new(Voigtian).integral(lo, hi, &p);
            assert!(
                (got - want).abs() <= 1e-9 * want.abs(),
                "{p:?} ∫[{lo}, {hi}]: {got} vs scipy {want}"
            );
        }
    }
}

#[test]
fn voigtian_limits_are_the_gaussian_and_the_lorentzian() {
    // Γ → 0: the normalised Gaussian; σ → 0: the Cauchy density.
    let gaussian = Shape::new(Voigtian).density(0.013, &[0.0, 0.0, 0.01]);
    let want = (-0.5f64 * 1.3 * 1.3).exp() / (0.01 * (2.0 * std::f64::consts::PI).sqrt());
    assert!((gaussian - want).abs() < 1e-12 * want);
    let lorentzian = Shape::new(Voigtian).density(0.3, &[0.0, 0.2, 0.0]);
    let want = 0.1 / std::f64::consts::PI / (0.09 + 0.01);
    assert!((lorentzian - want).abs() < 1e-12 * want);
}
