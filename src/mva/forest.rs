//! One in-memory form for every boosted-tree format: all nodes of all trees in one flat
//! array, evaluated a block of rows per tree (the rows of a block stay in cache while
//! each tree is walked for all of them, which is what makes 150-tree models fast).
//!
//! A node sends a row to `lo` when its feature is below the threshold and to `hi`
//! otherwise; the flags carry each format's exact rules for equality (`<` or `<=`) and
//! for missing values, so one walk serves XGBoost, LightGBM and TMVA.

/// Marks a leaf in [`Node::feature`].
pub const LEAF: u32 = u32::MAX;

/// Missing (NaN) goes to `lo`.
pub const DEFAULT_LO: u8 = 1;
/// Compare with `<=` (LightGBM) instead of `<` (XGBoost, TMVA).
pub const LESS_EQUAL: u8 = 2;
/// LightGBM missing type "None": NaN is replaced by 0 before comparing.
pub const NAN_AS_ZERO: u8 = 4;
/// LightGBM missing type "Zero": NaN becomes 0, and 0 (|x| ≤ 1e-35) is missing.
pub const ZERO_IS_MISSING: u8 = 8;

/// LightGBM's zero threshold (`kZeroThreshold`).
const ZERO: f64 = 1e-35;

/// A split or a leaf.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Node {
    /// Feature index, or [`LEAF`].
    pub feature: u32,
    /// Split flags (`DEFAULT_LO`, `LESS_EQUAL`, …).
    pub flags: u8,
    /// Threshold of a split; value of a leaf.
    pub value: f64,
    /// Node taken below the threshold (absolute index into the forest).
    pub lo: u32,
    /// Node taken otherwise.
    pub hi: u32,
}

impl Node {
    /// A leaf holding `value`.
    pub fn leaf(value: f64) -> Self {
        Node {
            feature: LEAF,
            flags: 0,
            value,
            lo: 0,
            hi: 0,
        }
    }

    #[inline]
    fn next(&self, x: f64) -> u32 {
        let x = if x.is_nan() && self.flags & (NAN_AS_ZERO | ZERO_IS_MISSING) != 0 {
            0.0
        } else {
            x
        };
        let missing = x.is_nan() || (self.flags & ZERO_IS_MISSING != 0 && x.abs() <= ZERO);
        let lo = if missing {
            self.flags & DEFAULT_LO != 0
        } else if self.flags & LESS_EQUAL != 0 {
            x <= self.value
        } else {
            x < self.value
        };
        if lo { self.lo } else { self.hi }
    }
}

/// How per-tree sums become the model's output.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Link {
    /// The raw sum.
    Identity,
    /// `1 / (1 + exp(-scale · sum))`.
    Sigmoid {
        /// LightGBM's `sigmoid:` parameter (1 for XGBoost).
        scale: f64,
    },
    /// Softmax over the classes (multi-class models).
    Softmax,
    /// TMVA gradient boosting: `2 / (1 + exp(-2 · sum)) - 1`.
    TmvaGrad,
}

/// A boosted forest.
#[derive(Clone, Debug, PartialEq)]
pub struct Forest {
    /// All nodes.
    pub nodes: Vec<Node>,
    /// Root node of each tree.
    pub roots: Vec<u32>,
    /// Output group (class) of each tree.
    pub groups: Vec<u32>,
    /// Weight of each tree's leaf value (TMVA AdaBoost; 1 otherwise).
    pub weights: Vec<f64>,
    /// Number of output groups (1, or the number of classes).
    pub num_groups: usize,
    /// Number of input features.
    pub num_features: usize,
    /// Starting margin of each group.
    pub base: Vec<f64>,
    /// Sum in single precision, as XGBoost does.
    pub f32_sums: bool,
    /// Round features to single precision before comparing, as XGBoost does.
    pub f32_features: bool,
    /// Divide the sum by this (TMVA AdaBoost's total boost weight; 1 otherwise).
    pub norm: f64,
    /// Output transformation.
    pub link: Link,
}

/// Rows per block: the block's features and sums stay in L1 while each tree is walked.
const BLOCK: usize = 64;

impl Forest {
    /// Checks that every child index and feature index is in range and that every tree
    /// is finite (each node is visited at most once per walk, so a child must come after
    /// its parent); loaders call it so evaluation can index without checks failing.
    pub fn validate(&self) -> Result<(), String> {
        let n = self.nodes.len() as u32;
        for (i, node) in self.nodes.iter().enumerate() {
            if node.feature == LEAF {
                if !node.value.is_finite() {
                    return Err(format!("leaf {i} has the non-finite value {}", node.value));
                }
                continue;
            }
            if node.feature as usize >= self.num_features {
                return Err(format!(
                    "node {i} splits on feature {} of {}",
                    node.feature, self.num_features
                ));
            }
            if node.value.is_nan() {
                return Err(format!("node {i} has a NaN threshold"));
            }
            for child in [node.lo, node.hi] {
                if child >= n || child as usize <= i {
                    return Err(format!("node {i} points to node {child}, out of order"));
                }
            }
        }
        if self.roots.iter().any(|&r| r >= n)
            || self.groups.iter().any(|&g| g as usize >= self.num_groups)
        {
            return Err("a tree root or output group is out of range".into());
        }
        if self.roots.len() != self.groups.len() || self.roots.len() != self.weights.len() {
            return Err("trees, groups and weights differ in number".into());
        }
        if self.base.len() != self.num_groups {
            return Err("one base margin per output group is needed".into());
        }
        Ok(())
    }

    /// Raw sums (margins) for rows given as feature columns; `out` holds
    /// `rows × num_groups` values, row-major.
    pub fn margins(&self, columns: &[&[f64]], out: &mut [f64]) {
        let rows = columns.first().map_or(0, |c| c.len());
        let f = self.num_features;
        let g = self.num_groups;
        debug_assert_eq!(columns.len(), f);
        debug_assert_eq!(out.len(), rows * g);
        let mut block = vec![0.0f64; BLOCK * f];
        let mut leaves = vec![0.0f64; BLOCK];
        for start in (0..rows).step_by(BLOCK) {
            let n = BLOCK.min(rows - start);
            for (j, col) in columns.iter().enumerate() {
                for r in 0..n {
                    let x = col[start + r];
                    block[r * f + j] = if self.f32_features {
                        f64::from(x as f32)
                    } else {
                        x
                    };
                }
            }
            let sums = &mut out[start * g..(start + n) * g];
            for r in 0..n {
                sums[r * g..(r + 1) * g].copy_from_slice(&self.base);
            }
            for ((&root, &group), &weight) in self.roots.iter().zip(&self.groups).zip(&self.weights)
            {
                for (r, leaf) in leaves.iter_mut().enumerate().take(n) {
                    let row = &block[r * f..(r + 1) * f];
                    let mut node = &self.nodes[root as usize];
                    while node.feature != LEAF {
                        node = &self.nodes[node.next(row[node.feature as usize]) as usize];
                    }
                    *leaf = node.value;
                }
                let group = group as usize;
                if self.f32_sums {
                    for r in 0..n {
                        let s = &mut sums[r * g + group];
                        *s = f64::from(*s as f32 + leaves[r] as f32);
                    }
                } else {
                    for r in 0..n {
                        sums[r * g + group] += weight * leaves[r];
                    }
                }
            }
        }
        if self.norm != 1.0 {
            out.iter_mut().for_each(|s| *s /= self.norm);
        }
    }

    /// The model's output for each row: the linked value of group `group` (for
    /// single-output models, group 0), or the margin when `margin` is set.
    pub fn predict(&self, columns: &[&[f64]], group: usize, margin: bool) -> Vec<f64> {
        let rows = columns.first().map_or(0, |c| c.len());
        let g = self.num_groups;
        let mut sums = vec![0.0; rows * g];
        self.margins(columns, &mut sums);
        sums.chunks_exact(g)
            .map(|s| {
                if margin {
                    return s[group];
                }
                match self.link {
                    Link::Identity => s[group],
                    Link::Sigmoid { scale } => 1.0 / (1.0 + (-scale * s[group]).exp()),
                    Link::TmvaGrad => 2.0 / (1.0 + (-2.0 * s[group]).exp()) - 1.0,
                    Link::Softmax => {
                        let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let total: f64 = s.iter().map(|v| (v - max).exp()).sum();
                        (s[group] - max).exp() / total
                    }
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_follow_each_formats_rules_for_ties_and_missing_values() {
        let split = |flags| Node {
            feature: 0,
            flags,
            value: 1.0,
            lo: 1,
            hi: 2,
        };
        assert_eq!(split(0).next(1.0), 2, "XGBoost: x < t goes low");
        assert_eq!(split(LESS_EQUAL).next(1.0), 1, "LightGBM: x <= t goes low");
        assert_eq!(split(0).next(f64::NAN), 2);
        assert_eq!(split(DEFAULT_LO).next(f64::NAN), 1);
        assert_eq!(split(NAN_AS_ZERO | LESS_EQUAL).next(f64::NAN), 1, "0 <= 1");
        let zero = Node {
            value: -1.0,
            ..split(ZERO_IS_MISSING | DEFAULT_LO)
        };
        assert_eq!(zero.next(0.0), 1, "zero is missing, default low");
        assert_eq!(zero.next(f64::NAN), 1);
        assert_eq!(zero.next(0.5), 2);
    }

    #[test]
    fn a_stump_forest_sums_and_links() {
        let nodes = vec![
            Node {
                feature: 0,
                flags: 0,
                value: 0.5,
                lo: 1,
                hi: 2,
            },
            Node::leaf(-1.0),
            Node::leaf(2.0),
        ];
        let forest = Forest {
            nodes,
            roots: vec![0, 0],
            groups: vec![0, 0],
            weights: vec![1.0, 1.0],
            num_groups: 1,
            num_features: 1,
            base: vec![0.5],
            f32_sums: false,
            f32_features: false,
            norm: 1.0,
            link: Link::Sigmoid { scale: 1.0 },
        };
        forest.validate().unwrap();
        let x = [0.0, 1.0];
        assert_eq!(forest.predict(&[&x], 0, true), vec![-1.5, 4.5]);
        let p = forest.predict(&[&x], 0, false);
        assert!((p[1] - 1.0 / (1.0 + (-4.5f64).exp())).abs() < 1e-15);
        let mut bad = forest.clone();
        bad.nodes[0].lo = 0;
        assert!(bad.validate().is_err());
    }
}
