//! Templates of the fit observable from an input's selected candidates (the `histogram`
//! PDF): per channel, over the fit window, with the sums of squared weights kept as the
//! template's statistical uncertainty.
//!
//! For a signal toy generated at several masses, the template at hypothesis m is made of
//! the candidates generated at the grid mass nearest to m, shifted by the difference
//! (the shape's width is taken from the nearest mass; `docs/spec.md` says so).

use super::collect::ChannelCandidates;
use super::pdf::HistogramSource;
use crate::stats::pdfs::histogram::Template;

/// The template of `source` for one channel's `candidates` at hypothesis `m` (NaN:
/// none), binned
/// over `domain` (the fit window's outer edges).
pub fn fill(
    source: &HistogramSource,
    candidates: &ChannelCandidates,
    m: f64,
    domain: (f64, f64),
) -> Result<Template, String> {
    // Signal samples: the grid mass nearest m, and the shift that moves it onto m
    // (without a hypothesis, a plain fit's, every candidate where it is).
    let nearest = candidates
        .mass
        .iter()
        .copied()
        .filter(|_| m.is_finite())
        .min_by(|a, b| (a - m).abs().total_cmp(&(b - m).abs()));
    let (low, high) = domain;
    let width = (high - low) / source.bins as f64;
    let mut contents = vec![0.0; source.bins];
    let mut variances = vec![0.0; source.bins];
    for (i, (&x, &w)) in candidates.x.iter().zip(&candidates.weight).enumerate() {
        let x = match nearest {
            Some(grid) if candidates.mass[i] != grid => continue,
            Some(grid) => x + (m - grid),
            None => x,
        };
        if !(low..=high).contains(&x) {
            continue;
        }
        let bin = (((x - low) / width) as usize).min(source.bins - 1);
        contents[bin] += w;
        variances[bin] += w * w;
    }
    if contents.iter().sum::<f64>() <= 0.0 || contents.iter().any(|c| *c < 0.0) {
        return Err(format!(
            "the histogram from `{}` has no positive content in the fit window [{low}, {high}]",
            source.input
        ));
    }
    Ok(Template {
        low,
        high,
        contents,
        linear: source.linear,
        variances: Some(variances),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source() -> HistogramSource {
        HistogramSource {
            input: "signal".into(),
            bins: 4,
            linear: false,
        }
    }

    #[test]
    fn fills_weights_and_squared_weights_in_the_window() {
        let candidates = ChannelCandidates {
            x: vec![0.1, 0.3, 0.35, 0.9, 1.5],
            weight: vec![1.0, 2.0, 0.5, 1.0, 1.0],
            ..Default::default()
        };
        let t = fill(&source(), &candidates, 0.0, (0.0, 1.0)).unwrap();
        assert_eq!(t.contents, vec![1.0, 2.5, 0.0, 1.0]);
        assert_eq!(t.variances, Some(vec![1.0, 4.25, 0.0, 1.0]));
    }

    #[test]
    fn signal_toys_use_the_nearest_mass_shifted_onto_the_hypothesis() {
        let candidates = ChannelCandidates {
            x: vec![1.01, 1.06, 2.0, 1.98],
            weight: vec![1.0; 4],
            mass: vec![1.0, 1.0, 2.0, 2.0],
            ..Default::default()
        };
        // At 1.2 the candidates generated at 1.0 move up by 0.2.
        let t = fill(&source(), &candidates, 1.2, (1.1, 1.3)).unwrap();
        assert_eq!(t.contents, vec![0.0, 0.0, 1.0, 1.0]);
        assert!(fill(&source(), &candidates, 1.2, (1.5, 1.6)).is_err());
    }
}
