//! The Nelder–Mead simplex, MIGRAD's fallback when a quasi-Newton step finds no
//! decrease (a non-smooth or badly scaled start). It needs no derivatives; MIGRAD is
//! restarted from its best point.

use super::objective::Objective;

/// Best internal point and value after a simplex search from `x` with `steps`, stopping
/// when the spread of values is below `tolerance` or after `max_calls` calls.
pub(super) fn search(
    objective: &Objective,
    x: &[f64],
    steps: &[f64],
    tolerance: f64,
    max_calls: usize,
) -> (Vec<f64>, f64) {
    let n = x.len();
    let mut vertices: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    vertices.push((x.to_vec(), objective.value(x)));
    for k in 0..n {
        let mut v = x.to_vec();
        v[k] += steps[k];
        let f = objective.value(&v);
        vertices.push((v, f));
    }
    let start_calls = objective.calls();
    while objective.calls() - start_calls < max_calls {
        vertices.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (vertices[0].1, vertices[n].1);
        if worst - best < tolerance {
            break;
        }
        let centroid: Vec<f64> = (0..n)
            .map(|k| vertices[..n].iter().map(|v| v.0[k]).sum::<f64>() / n as f64)
            .collect();
        let along = |t: f64| -> Vec<f64> {
            (0..n)
                .map(|k| centroid[k] + t * (vertices[n].0[k] - centroid[k]))
                .collect()
        };
        let reflected = along(-1.0);
        let f_reflected = objective.value(&reflected);
        if f_reflected < best {
            let expanded = along(-2.0);
            let f_expanded = objective.value(&expanded);
            vertices[n] = if f_expanded < f_reflected {
                (expanded, f_expanded)
            } else {
                (reflected, f_reflected)
            };
        } else if f_reflected < vertices[n - 1].1 {
            vertices[n] = (reflected, f_reflected);
        } else {
            let contracted = along(0.5);
            let f_contracted = objective.value(&contracted);
            if f_contracted < worst {
                vertices[n] = (contracted, f_contracted);
            } else {
                // Shrink towards the best vertex.
                let anchor = vertices[0].0.clone();
                for vertex in vertices.iter_mut().skip(1) {
                    for (coordinate, a) in vertex.0.iter_mut().zip(&anchor) {
                        *coordinate = a + 0.5 * (*coordinate - a);
                    }
                    vertex.1 = objective.value(&vertex.0);
                }
            }
        }
    }
    vertices.sort_by(|a, b| a.1.total_cmp(&b.1));
    vertices.swap_remove(0)
}
