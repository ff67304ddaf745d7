//! Plots of a scan, as SVG and PNG: the Brazil band (expected limit with its ±1σ/±2σ
//! band, and the observed limit when unblinded) and the local p-value. Text uses the
//! bundled DejaVu Sans through plotters' ab_glyph backend, so a machine without system
//! fonts renders the same pictures. Files are written under temporary names and renamed.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// DejaVu Sans (Bitstream Vera licence, assets/fonts/LICENSE-DejaVu.txt).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

fn register_font() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, FONT)
            .unwrap_or_else(|_| panic!("the bundled font is a valid TrueType file"));
    });
}

/// One hypothesis of a limit plot.
#[derive(Clone, Debug)]
pub struct LimitPoint {
    /// Hypothesis mass.
    pub mass: f64,
    /// Expected limits [−2σ, −1σ, median, +1σ, +2σ].
    pub expected: [f64; 5],
    /// Observed limit, when unblinded.
    pub observed: Option<f64>,
}

/// What a plot shows.
#[derive(Clone, Debug)]
pub struct Labels {
    /// Title above the plot.
    pub title: String,
    /// x axis.
    pub x: String,
    /// y axis.
    pub y: String,
}

const SIZE: (u32, u32) = (900, 600);

/// The caption's font size: `largest`, or smaller so that `title` fits the plot's width
/// (a sans-serif character is about 0.55 of the size wide).
fn caption_size(title: &str, largest: u32) -> u32 {
    let chars = title.chars().count().max(1) as f64;
    let fits = 0.92 * f64::from(SIZE.0) / (0.55 * chars);
    (fits.floor() as u32).clamp(10, largest)
}

/// Runs of points without gaps (vetoed windows, skipped hypotheses): a gap is a step
/// more than three times the one before.
fn segments<T>(points: &[T], mass: impl Fn(&T) -> f64) -> Vec<&[T]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..points.len() {
        let step = mass(&points[i]) - mass(&points[i - 1]);
        let previous = if i >= 2 {
            mass(&points[i - 1]) - mass(&points[i - 2])
        } else {
            step
        };
        if step > 3.0 * previous {
            out.push(&points[start..i]);
            start = i;
        }
    }
    if start < points.len() {
        out.push(&points[start..]);
    }
    out
}

/// Most decades a logarithmic axis spans: its ticks and grid grow with the decades, so
/// a range from the data is bounded (values further below are drawn at the bottom).
const MAX_DECADES: f64 = 30.0;

/// A logarithmic axis range around the finite positive `values`, widened by `margin` on
/// both sides and at most [`MAX_DECADES`] deep; an error when there is none.
fn log_range(
    values: impl Iterator<Item = f64>,
    margin: f64,
) -> Result<std::ops::Range<f64>, String> {
    let (lo, hi) = values
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold((f64::INFINITY, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    if !(lo.is_finite() && hi.is_finite() && hi > 0.0) {
        return Err("no finite positive value to draw".into());
    }
    let lo = lo.max(hi * 10f64.powf(-MAX_DECADES));
    Ok(lo / margin..(hi * margin).min(f64::MAX))
}

/// A linear axis bound that is a finite number, or an error.
fn finite_bound(v: f64) -> Result<f64, String> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(format!("an axis bound came out as {v}"))
    }
}

/// A chart with a linear x axis and a logarithmic y axis, titled and labelled.
fn log_axes<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    labels: &Labels,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<ChartContext<'a, DB, Cartesian2d<RangedCoordf64, LogCoord<f64>>>, String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let mut chart = ChartBuilder::on(root)
        .caption(
            &labels.title,
            ("sans-serif", caption_size(&labels.title, 24)),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(90)
        .build_cartesian_2d(x, y.log_scale())
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(&labels.x)
        .y_desc(&labels.y)
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    Ok(chart)
}

fn draw_brazil<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    labels: &Labels,
    points: &[LimitPoint],
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (x0, x1) = (points[0].mass, points[points.len() - 1].mass);
    let values = points
        .iter()
        .flat_map(|p| p.expected.iter().copied().chain(p.observed));
    let mut chart = log_axes(&root, labels, x0..x1, log_range(values, 1.5)?)?;
    let band = |low: usize, high: usize, segment: &[LimitPoint]| -> Vec<(f64, f64)> {
        segment
            .iter()
            .map(|p| (p.mass, p.expected[low]))
            .chain(segment.iter().rev().map(|p| (p.mass, p.expected[high])))
            .collect()
    };
    let yellow = RGBColor(255, 204, 0);
    let green = RGBColor(0, 204, 0);
    let pieces = segments(points, |p| p.mass);
    for (k, segment) in pieces.iter().enumerate() {
        for (low, high, color, label) in [
            (0, 4, yellow, "expected ± 2σ"),
            (1, 3, green, "expected ± 1σ"),
        ] {
            let area = chart
                .draw_series(std::iter::once(Polygon::new(
                    band(low, high, segment),
                    color.filled(),
                )))
                .map_err(e)?;
            if k == 0 {
                area.label(label).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.filled())
                });
            }
        }
    }
    let medians = pieces
        .iter()
        .map(|segment| segment.iter().map(|p| (p.mass, p.expected[2])).collect())
        .collect();
    let observed = pieces
        .iter()
        .filter(|segment| segment.iter().all(|p| p.observed.is_some()))
        .map(|segment| {
            segment
                .iter()
                .map(|p| (p.mass, p.observed.unwrap_or(f64::NAN)))
                .collect()
        })
        .collect();
    limit_lines(chart, medians, observed)?;
    root.present().map_err(e)
}

/// Draws the expected lines dashed and the observed ones solid, labelled once each, and
/// the legend.
fn limit_lines<'a, DB: DrawingBackend + 'a>(
    mut chart: ChartContext<'a, DB, Cartesian2d<RangedCoordf64, LogCoord<f64>>>,
    expected: Vec<Vec<(f64, f64)>>,
    observed: Vec<Vec<(f64, f64)>>,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    for (k, line) in expected.into_iter().enumerate() {
        let median = chart
            .draw_series(DashedLineSeries::new(line, 6, 4, BLACK.stroke_width(2)))
            .map_err(e)?;
        if k == 0 {
            // Dashed in the legend as on the plot, unlike the observed line.
            median.label("expected").legend(|(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (7, 0)], BLACK.stroke_width(2))
                    + PathElement::new(vec![(12, 0), (19, 0)], BLACK.stroke_width(2))
            });
        }
    }
    for (k, line) in observed.into_iter().enumerate() {
        let drawn = chart
            .draw_series(LineSeries::new(line, BLACK.stroke_width(3)))
            .map_err(e)?;
        if k == 0 {
            drawn.label("observed").legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(3))
            });
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    Ok(())
}

fn draw_pvalue<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    labels: &Labels,
    points: &[(f64, f64)],
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let (x0, x1) = (points[0].0, points[points.len() - 1].0);
    let floor = log_range(points.iter().map(|p| p.1).chain([1e-4, 1.0]), 3.0)?.start;
    let mut chart = log_axes(&root, labels, x0..x1, floor..1.0)?;
    for z in 1..=4 {
        let p = crate::stats::special::normal_sf(z as f64);
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, p), (x1, p)],
                4,
                4,
                RED.mix(0.6).stroke_width(1),
            ))
            .map_err(e)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("{z}σ"),
                (x1, p),
                ("sans-serif", 14).into_font().color(&RED),
            )))
            .map_err(e)?;
    }
    for segment in segments(points, |p| p.0) {
        chart
            .draw_series(LineSeries::new(
                segment.iter().copied(),
                BLUE.stroke_width(2),
            ))
            .map_err(e)?;
    }
    root.present().map_err(e)
}

/// Data points (bin centre, count) with Poisson error bars, labelled `data`.
fn draw_data<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(f64, f64)],
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    chart
        .draw_series(points.iter().map(|&(x, c)| {
            PathElement::new(vec![(x, (c - c.sqrt()).max(0.0)), (x, c + c.sqrt())], BLACK)
        }))
        .map_err(e)?;
    chart
        .draw_series(
            points
                .iter()
                .map(|&(x, c)| Circle::new((x, c), 3, BLACK.filled())),
        )
        .map_err(e)?
        .label("data")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, BLACK.filled()));
    Ok(())
}

/// A binned fit for [`fit`]: data, and the fitted expectation per component.
#[derive(Clone, Debug)]
pub struct BinnedFit<'a> {
    /// Bins (low, high).
    pub bins: &'a [(f64, f64)],
    /// Data counts.
    pub observed: &'a [f64],
    /// Expectation per component.
    pub components: &'a [(String, Vec<f64>)],
}

fn draw_fit<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    labels: &Labels,
    fit: &BinnedFit,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let n = fit.bins.len();
    let total: Vec<f64> = (0..n)
        .map(|b| fit.components.iter().map(|(_, v)| v[b]).sum())
        .collect();
    let (x0, x1) = (fit.bins[0].0, fit.bins[n - 1].1);
    let top = fit
        .observed
        .iter()
        .map(|c| c + c.sqrt())
        .chain(total.iter().copied())
        .fold(1.0f64, f64::max)
        * 1.25;
    let top = finite_bound(top)?;
    let (upper, lower) = root.split_vertically(SIZE.1 * 7 / 10);
    let mut chart = ChartBuilder::on(&upper)
        .caption(
            &labels.title,
            ("sans-serif", caption_size(&labels.title, 22)),
        )
        .margin(15)
        .x_label_area_size(10)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .y_desc(&labels.y)
        .x_labels(0)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    // Each component and the total as steps, per contiguous run of bins.
    let steps = |values: &[f64]| -> Vec<Vec<(f64, f64)>> {
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        for (b, &(lo, hi)) in fit.bins.iter().enumerate() {
            let start_new = b == 0 || fit.bins[b - 1].1 != lo;
            if start_new {
                runs.push(Vec::new());
            }
            let run = runs.last_mut().expect("a run was started");
            run.push((lo, values[b]));
            run.push((hi, values[b]));
        }
        runs
    };
    let styles = [(BLUE, "background"), (RED, "signal")];
    // Components with other names (a plain fit's) take the next colour of these.
    let others = [
        MAGENTA,
        RGBColor(0, 150, 60),
        RGBColor(230, 140, 0),
        RGBColor(0, 170, 200),
        RGBColor(120, 70, 160),
    ];
    let mut other = 0;
    for (name, values) in fit.components {
        let color = match styles.iter().find(|(_, n)| n == name) {
            Some((c, _)) => *c,
            None => {
                other += 1;
                others[(other - 1) % others.len()]
            }
        };
        if values.iter().all(|v| *v <= 0.0) {
            continue;
        }
        for (k, run) in steps(values).into_iter().enumerate() {
            let series = chart
                .draw_series(DashedLineSeries::new(run, 5, 3, color.stroke_width(2)))
                .map_err(e)?;
            if k == 0 {
                series.label(name.as_str()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            }
        }
    }
    for (k, run) in steps(&total).into_iter().enumerate() {
        let series = chart
            .draw_series(LineSeries::new(run, BLACK.stroke_width(2)))
            .map_err(e)?;
        if k == 0 {
            series.label("fit").legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2))
            });
        }
    }
    // Bins without data (blinded) draw no point.
    let centres: Vec<(f64, f64, f64)> = fit
        .bins
        .iter()
        .zip(fit.observed)
        .zip(&total)
        .filter(|((_, c), _)| !c.is_nan())
        .map(|((&(lo, hi), &c), &nu)| (0.5 * (lo + hi), c, nu))
        .collect();
    let points: Vec<(f64, f64)> = centres.iter().map(|&(x, c, _)| (x, c)).collect();
    draw_data(&mut chart, &points)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    // Pulls (n − ν)/√ν.
    let pulls: Vec<(f64, f64)> = centres
        .iter()
        .map(|&(x, n, nu)| (x, if nu > 0.0 { (n - nu) / nu.sqrt() } else { 0.0 }))
        .collect();
    let reach = pulls
        .iter()
        .map(|p| p.1.abs())
        .fold(3.0f64, f64::max)
        .ceil();
    let reach = finite_bound(reach)?;
    let mut pull_chart = ChartBuilder::on(&lower)
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, -reach..reach)
        .map_err(e)?;
    pull_chart
        .configure_mesh()
        .x_desc(&labels.x)
        .y_desc("pull")
        .y_labels(5)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    let half = 0.4 * (fit.bins[0].1 - fit.bins[0].0);
    pull_chart
        .draw_series(pulls.iter().map(|&(x, p)| {
            Rectangle::new(
                [(x - half, 0.0), (x + half, p)],
                RGBColor(90, 90, 90).filled(),
            )
        }))
        .map_err(e)?;
    root.present().map_err(e)
}

/// The fit plot (data with Poisson errors, fit and components, pulls) at
/// `stem`.svg/.png.
pub fn fit(stem: &Path, labels: &Labels, binned: &BinnedFit) -> Result<Vec<PathBuf>, String> {
    if binned.bins.is_empty() {
        return Ok(Vec::new());
    }
    write_both(
        stem,
        |a| draw_fit(a, labels, binned),
        |a| draw_fit(a, labels, binned),
    )
}

/// Writes `stem.svg` and `stem.png` with `draw`, each under a temporary name first.
fn write_both(
    stem: &Path,
    draw_svg: impl FnOnce(DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
    draw_png: impl FnOnce(DrawingArea<BitMapBackend, Shift>) -> Result<(), String>,
) -> Result<Vec<PathBuf>, String> {
    register_font();
    let svg = stem.with_extension("svg");
    let mut text = String::new();
    draw_svg(SVGBackend::with_string(&mut text, SIZE).into_drawing_area())?;
    super::results::write_atomically(&svg, text.as_bytes()).map_err(|e| e.to_string())?;
    let png = stem.with_extension("png");
    let temp = png.with_file_name(format!(
        ".{}.partial-{}.png",
        stem.file_name().and_then(|n| n.to_str()).unwrap_or("plot"),
        std::process::id()
    ));
    let _partial = crate::interrupt::track(&temp);
    let drawn = draw_png(BitMapBackend::new(&temp, SIZE).into_drawing_area());
    let renamed = drawn.and_then(|()| std::fs::rename(&temp, &png).map_err(|e| e.to_string()));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    renamed.map(|()| vec![svg, png])
}

/// The Brazil plot of `points` (in mass order) at `stem`.svg/.png.
pub fn brazil(stem: &Path, labels: &Labels, points: &[LimitPoint]) -> Result<Vec<PathBuf>, String> {
    if points.len() < 2 {
        return Ok(Vec::new());
    }
    write_both(
        stem,
        |a| draw_brazil(a, labels, points),
        |a| draw_brazil(a, labels, points),
    )
}

/// The exclusion of a model plane at `stem`.svg/.png: the coupling (log axis, `range`)
/// against the hypothesis, the ±1σ (green) and ±2σ (yellow) bands of the expected
/// exclusion's edge, the median expected edge dashed and the observed edge solid.
pub fn model_plane(
    stem: &Path,
    labels: &Labels,
    range: [f64; 2],
    masses: &[crate::analysis::model_plane::PlaneMass],
) -> Result<Vec<PathBuf>, String> {
    if masses.len() < 2 {
        return Ok(Vec::new());
    }
    write_both(
        stem,
        |a| draw_model_plane(a, labels, range, masses),
        |a| draw_model_plane(a, labels, range, masses),
    )
}

fn draw_model_plane<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    labels: &Labels,
    range: [f64; 2],
    masses: &[crate::analysis::model_plane::PlaneMass],
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let n = masses.len();
    let (x0, x1) = (masses[0].mass, masses[n - 1].mass);
    let mut chart = log_axes(&root, labels, x0..x1, range[0]..range[1])?;
    // Each hypothesis's column reaches halfway to its neighbours.
    let column = |k: usize| {
        let left = if k == 0 {
            x0
        } else {
            0.5 * (masses[k - 1].mass + masses[k].mass)
        };
        let right = if k + 1 == n {
            x1
        } else {
            0.5 * (masses[k].mass + masses[k + 1].mass)
        };
        (left, right)
    };
    let yellow = RGBColor(255, 204, 0);
    let green = RGBColor(0, 204, 0);
    // Excluded at −2σ ⊇ −1σ ⊇ +1σ ⊇ +2σ: painted in turn, they leave the bands as rings.
    for (band, color, label) in [
        (0, yellow, Some("expected ± 2σ")),
        (1, green, Some("expected ± 1σ")),
        (3, yellow, None),
        (4, WHITE, None),
    ] {
        let cells = masses.iter().enumerate().flat_map(|(k, m)| {
            let (left, right) = column(k);
            let intervals = m.expected.as_ref().map_or(&[][..], |e| &e[band][..]);
            intervals
                .iter()
                .map(move |[lo, hi]| Rectangle::new([(left, *lo), (right, *hi)], color.filled()))
        });
        let area = chart.draw_series(cells).map_err(e)?;
        if let Some(label) = label {
            area.label(label).legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.filled())
            });
        }
    }
    // An edge: the outer ends of the excluded intervals, broken where none is excluded.
    let edges =
        |intervals: &dyn Fn(&crate::analysis::model_plane::PlaneMass) -> Option<Vec<[f64; 2]>>| {
            let mut lines: Vec<Vec<(f64, f64)>> = Vec::new();
            let mut current: Vec<(f64, f64)> = Vec::new();
            let mut upper: Vec<(f64, f64)> = Vec::new();
            for m in masses {
                match intervals(m).filter(|i| !i.is_empty()) {
                    Some(i) => {
                        current.push((m.mass, i[0][0]));
                        upper.push((m.mass, i[i.len() - 1][1]));
                    }
                    None => {
                        lines.push(std::mem::take(&mut current));
                        lines.push(std::mem::take(&mut upper));
                    }
                }
            }
            lines.push(current);
            lines.push(upper);
            lines.retain(|l| !l.is_empty());
            lines
        };
    let medians = edges(&|m| m.expected.as_ref().map(|e| e[2].clone()));
    limit_lines(chart, medians, edges(&|m| m.observed.clone()))?;
    root.present().map_err(e)
}

/// The local p-value of `points` (mass, p) at `stem`.svg/.png, with 1σ–4σ guides.
pub fn local_pvalue(
    stem: &Path,
    labels: &Labels,
    points: &[(f64, f64)],
) -> Result<Vec<PathBuf>, String> {
    if points.len() < 2 {
        return Ok(Vec::new());
    }
    write_both(
        stem,
        |a| draw_pvalue(a, labels, points),
        |a| draw_pvalue(a, labels, points),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Limits from 1e-13 to 1e301 (an FC scan once gave both) draw on at most 30 decades,
    /// and nothing drawable is an error, not an axis without end.
    #[test]
    fn long_captions_get_a_smaller_font() {
        assert_eq!(caption_size("B -> K a", 24), 24);
        let long =
            "B -> K(*) a(-> gamma gamma), K*+ at m_a = 1.5000 (background-only fit, blinded)";
        let size = caption_size(long, 22);
        assert!(size < 22 && 0.55 * f64::from(size) * long.len() as f64 <= 0.92 * 900.0);
    }

    #[test]
    fn logarithmic_axes_are_bounded() {
        let range = log_range([3.5e-13, 0.05, 3.5e301].into_iter(), 1.5).unwrap();
        assert!((range.end / range.start).log10() <= MAX_DECADES + 1.0);
        assert!(log_range([f64::NAN, 0.0, -1.0, f64::INFINITY].into_iter(), 1.5).is_err());
        assert!(finite_bound(f64::INFINITY).is_err());
    }
}

/// A histogram of data against stacked normalised samples for [`stacked`].
#[derive(Clone, Debug)]
pub struct Stack<'a> {
    /// Bins (low, high), contiguous.
    pub bins: &'a [(f64, f64)],
    /// Samples in stacking order (bottom first): name and expected events per bin.
    pub samples: &'a [(String, Vec<f64>)],
    /// Data counts per bin, if the data fill this histogram (NaN: a bin not drawn).
    pub data: Option<&'a [f64]>,
}

/// The stacked histogram (samples filled, data points with Poisson errors) at
/// `stem`.svg/.png.
pub fn stacked(stem: &Path, labels: &Labels, stack: &Stack) -> Result<Vec<PathBuf>, String> {
    if stack.bins.is_empty() {
        return Ok(Vec::new());
    }
    write_both(
        stem,
        |a| draw_stacked(a, labels, stack),
        |a| draw_stacked(a, labels, stack),
    )
}

fn draw_stacked<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    labels: &Labels,
    stack: &Stack,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let n = stack.bins.len();
    // Cumulative sums, bottom first.
    let mut tops: Vec<Vec<f64>> = Vec::new();
    for (_, values) in stack.samples {
        let below = tops.last().cloned().unwrap_or_else(|| vec![0.0; n]);
        tops.push(
            below
                .iter()
                .zip(values)
                .map(|(a, b)| a + b.max(0.0))
                .collect(),
        );
    }
    let (x0, x1) = (stack.bins[0].0, stack.bins[n - 1].1);
    let top = tops
        .last()
        .into_iter()
        .flatten()
        .copied()
        .chain(stack.data.into_iter().flatten().map(|c| c + c.sqrt()))
        .filter(|v| v.is_finite())
        .fold(1.0f64, f64::max)
        * 1.25;
    let top = finite_bound(top)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            &labels.title,
            ("sans-serif", caption_size(&labels.title, 22)),
        )
        .margin(15)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(&labels.x)
        .y_desc(&labels.y)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    let palette = [
        RGBColor(100, 143, 255),
        RGBColor(255, 176, 0),
        RGBColor(120, 94, 240),
        RGBColor(254, 97, 0),
        RGBColor(220, 38, 127),
        RGBColor(0, 170, 120),
    ];
    // Top of the stack first, so lower samples are drawn over it.
    for (k, ((name, _), upper)) in stack.samples.iter().zip(&tops).enumerate().rev() {
        let color = palette[k % palette.len()];
        let lower = if k == 0 { None } else { Some(&tops[k - 1]) };
        chart
            .draw_series(stack.bins.iter().enumerate().map(|(b, &(lo, hi))| {
                let bottom = lower.map_or(0.0, |l| l[b]);
                Rectangle::new([(lo, bottom), (hi, upper[b])], color.mix(0.8).filled())
            }))
            .map_err(e)?
            .label(name.as_str())
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 6), (x + 20, y + 6)], color.mix(0.8).filled())
            });
    }
    if let Some(data) = stack.data {
        let centres: Vec<(f64, f64)> = stack
            .bins
            .iter()
            .zip(data)
            .filter(|(_, c)| !c.is_nan())
            .map(|(&(lo, hi), &c)| (0.5 * (lo + hi), c))
            .collect();
        draw_data(&mut chart, &centres)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", 15))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    root.present().map_err(e)
}

/// Impacts at `stem`.svg/.png: per constrained nuisance (largest first, at most
/// [`IMPACT_ROWS`]), its pull (θ̂ − θ₀)/σ₀ with the constraint σ̂/σ₀ as error bar on the
/// left, and the POI's shifts with the nuisance fixed at θ̂ ± σ̂ as bars on the right.
pub fn impacts(
    stem: &Path,
    title: &str,
    impacts: &crate::stats::impacts::Impacts,
) -> Result<Vec<PathBuf>, String> {
    if impacts.impacts.is_empty() {
        return Ok(Vec::new());
    }
    write_both(
        stem,
        |a| draw_impacts(a, title, impacts),
        |a| draw_impacts(a, title, impacts),
    )
}

/// The most nuisances an impact plot shows.
const IMPACT_ROWS: usize = 30;

fn draw_impacts<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    impacts: &crate::stats::impacts::Impacts,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let rows: Vec<&crate::stats::impacts::Impact> =
        impacts.impacts.iter().take(IMPACT_ROWS).collect();
    let n = rows.len() as f64;
    let root = root
        .titled(title, ("sans-serif", caption_size(title, 20)))
        .map_err(e)?;
    let (left, right) = root.split_horizontally(SIZE.0 * 11 / 20);
    let reach = rows
        .iter()
        .map(|r| (r.pull.abs() + r.constraint).max(1.0))
        .fold(1.0f64, f64::max)
        .ceil();
    let reach = finite_bound(reach)?;
    let y_label = |y: &f64| {
        let k = (n - 0.5 - y).round();
        if (y - (n - 0.5 - k)).abs() < 1e-6 && k >= 0.0 && (k as usize) < rows.len() {
            rows[k as usize].name.clone()
        } else {
            String::new()
        }
    };
    let mut pulls = ChartBuilder::on(&left)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(190)
        .build_cartesian_2d(-reach..reach, 0.0..n)
        .map_err(e)?;
    pulls
        .configure_mesh()
        .x_desc("pull (θ − θ₀)/σ₀, constraint σ/σ₀")
        .y_labels(rows.len() * 2 + 1)
        .y_label_formatter(&y_label)
        .label_style(("sans-serif", 13))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    for band in [2.0, 1.0] {
        let shade = if band == 2.0 { 0.12 } else { 0.2 };
        pulls
            .draw_series(std::iter::once(Rectangle::new(
                [(-band, 0.0), (band, n)],
                BLACK.mix(shade).filled(),
            )))
            .map_err(e)?;
    }
    for (k, r) in rows.iter().enumerate() {
        let y = n - 0.5 - k as f64;
        pulls
            .draw_series(std::iter::once(PathElement::new(
                vec![(r.pull - r.constraint, y), (r.pull + r.constraint, y)],
                BLACK.stroke_width(2),
            )))
            .map_err(e)?;
        pulls
            .draw_series(std::iter::once(Circle::new((r.pull, y), 4, BLACK.filled())))
            .map_err(e)?;
    }
    let largest = rows
        .iter()
        .flat_map(|r| r.postfit.iter().chain(&r.prefit))
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let largest = finite_bound(if largest > 0.0 { 1.1 * largest } else { 1.0 })?;
    let mut shifts = ChartBuilder::on(&right)
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(10)
        .build_cartesian_2d(-largest..largest, 0.0..n)
        .map_err(e)?;
    shifts
        .configure_mesh()
        .x_desc(format!(
            "Δ{} with the nuisance at ±1σ post-fit (red +, blue −; boxes pre-fit)",
            impacts.poi
        ))
        .x_labels(5)
        .x_label_formatter(&|v: &f64| match v.abs() < 1e-9 * largest {
            true => "0".into(),
            false => format!("{v:.1e}"),
        })
        .y_labels(0)
        .label_style(("sans-serif", 13))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    for (k, r) in rows.iter().enumerate() {
        let y = n - 0.5 - k as f64;
        for (shift, color) in [(r.postfit[0], RED), (r.postfit[1], BLUE)] {
            shifts
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.3), (shift, y + 0.3)],
                    color.mix(0.6).filled(),
                )))
                .map_err(e)?;
        }
        for shift in r.prefit {
            shifts
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y - 0.35), (shift, y + 0.35)],
                    BLACK.stroke_width(1),
                )))
                .map_err(e)?;
        }
    }
    root.present().map_err(e)
}
