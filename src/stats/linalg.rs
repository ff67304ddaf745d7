//! Dense symmetric matrices of the small size fits have (a few to a few dozen
//! parameters): Cholesky factorisation and inversion. Written here because ndarray has no
//! inversion without a LAPACK backend, which would not build on a fresh machine.

/// A square matrix stored row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    n: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// The n × n zero matrix.
    pub fn zeros(n: usize) -> Self {
        Matrix {
            n,
            data: vec![0.0; n * n],
        }
    }

    /// The diagonal matrix with `diagonal` on its diagonal.
    pub fn diagonal(diagonal: &[f64]) -> Self {
        let mut m = Matrix::zeros(diagonal.len());
        for (i, d) in diagonal.iter().enumerate() {
            m[(i, i)] = *d;
        }
        m
    }

    /// Its size n.
    pub fn size(&self) -> usize {
        self.n
    }

    /// M·v.
    pub fn times(&self, v: &[f64]) -> Vec<f64> {
        (0..self.n)
            .map(|i| (0..self.n).map(|j| self[(i, j)] * v[j]).sum())
            .collect()
    }

    /// vᵀ·M·v.
    pub fn quadratic_form(&self, v: &[f64]) -> f64 {
        self.times(v).iter().zip(v).map(|(a, b)| a * b).sum()
    }

    /// The lower-triangular L with M = L·Lᵀ, or `None` when M is not positive definite.
    pub fn cholesky(&self) -> Option<Matrix> {
        let n = self.n;
        let mut l = Matrix::zeros(n);
        for j in 0..n {
            let mut d = self[(j, j)];
            for k in 0..j {
                d -= l[(j, k)] * l[(j, k)];
            }
            if d.is_nan() || d <= 0.0 || d.is_infinite() {
                return None;
            }
            let d = d.sqrt();
            l[(j, j)] = d;
            for i in j + 1..n {
                let mut s = self[(i, j)];
                for k in 0..j {
                    s -= l[(i, k)] * l[(j, k)];
                }
                l[(i, j)] = s / d;
            }
        }
        Some(l)
    }

    /// M⁻¹ for a symmetric positive-definite M, or `None` when M is not.
    pub fn inverse_positive_definite(&self) -> Option<Matrix> {
        let n = self.n;
        let l = self.cholesky()?;
        // L⁻¹ by forward substitution, then M⁻¹ = L⁻ᵀ·L⁻¹.
        let mut inv_l = Matrix::zeros(n);
        for i in 0..n {
            inv_l[(i, i)] = 1.0 / l[(i, i)];
            for j in 0..i {
                let s: f64 = (j..i).map(|k| l[(i, k)] * inv_l[(k, j)]).sum();
                inv_l[(i, j)] = -s / l[(i, i)];
            }
        }
        let mut inverse = Matrix::zeros(n);
        for i in 0..n {
            for j in 0..=i {
                let s: f64 = (i..n).map(|k| inv_l[(k, i)] * inv_l[(k, j)]).sum();
                inverse[(i, j)] = s;
                inverse[(j, i)] = s;
            }
        }
        Some(inverse)
    }

    /// x with M·x = b by Gaussian elimination with partial pivoting, or `None` when M
    /// is singular.
    pub fn solve(&self, b: &[f64]) -> Option<Vec<f64>> {
        let n = self.n;
        let mut a = self.clone();
        let mut x = b.to_vec();
        for col in 0..n {
            let pivot =
                (col..n).max_by(|&i, &j| a[(i, col)].abs().total_cmp(&a[(j, col)].abs()))?;
            if a[(pivot, col)] == 0.0 {
                return None;
            }
            for k in 0..n {
                let t = a[(col, k)];
                a[(col, k)] = a[(pivot, k)];
                a[(pivot, k)] = t;
            }
            x.swap(col, pivot);
            for row in col + 1..n {
                let factor = a[(row, col)] / a[(col, col)];
                for k in col..n {
                    a[(row, k)] -= factor * a[(col, k)];
                }
                x[row] -= factor * x[col];
            }
        }
        for row in (0..n).rev() {
            let s: f64 = (row + 1..n).map(|k| a[(row, k)] * x[k]).sum();
            x[row] = (x[row] - s) / a[(row, row)];
        }
        Some(x)
    }

    /// The rows, for serialisation.
    pub fn rows(&self) -> Vec<Vec<f64>> {
        self.data
            .chunks(self.n.max(1))
            .map(<[f64]>::to_vec)
            .collect()
    }
}

impl std::ops::Index<(usize, usize)> for Matrix {
    type Output = f64;
    fn index(&self, (i, j): (usize, usize)) -> &f64 {
        &self.data[i * self.n + j]
    }
}

impl std::ops::IndexMut<(usize, usize)> for Matrix {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut f64 {
        &mut self.data[i * self.n + j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_a_positive_definite_matrix() {
        let mut m = Matrix::zeros(3);
        let values = [[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]];
        for (i, row) in values.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                m[(i, j)] = *v;
            }
        }
        let inverse = m.inverse_positive_definite().unwrap();
        for i in 0..3 {
            for j in 0..3 {
                let product: f64 = (0..3).map(|k| m[(i, k)] * inverse[(k, j)]).sum();
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((product - expected).abs() < 1e-14);
            }
        }
        m[(2, 2)] = -1.0;
        assert!(m.inverse_positive_definite().is_none());
    }
}
