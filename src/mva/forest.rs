//! One in-memory form for every boosted-tree format: all nodes of all trees in one flat
//! array, evaluated a block of rows per tree.
//!
//! A node sends a row to `lo` when its feature is below the threshold and to `hi`
//! otherwise; the flags carry each format's exact rules for equality (`<` or `<=`) and
//! for missing values, so one walk serves XGBoost, LightGBM and TMVA.
//!
//! Speed comes from walking the 64 rows of a block in lockstep, one tree level at a
//! time: leaves point to themselves, so every row takes the same number of steps, the
//! choice of child is arithmetic rather than a branch (tree splits are unpredictable by
//! nature, and a mispredicted branch per level is what a row-by-row walk pays), and the
//! 64 independent walks overlap their memory accesses.

/// Missing (NaN) goes to `lo`.
pub const DEFAULT_LO: u8 = 1;
/// Compare with `<=` (LightGBM) instead of `<` (XGBoost, TMVA).
pub const LESS_EQUAL: u8 = 2;
/// LightGBM missing type "None": NaN is replaced by 0 before comparing.
pub const NAN_AS_ZERO: u8 = 4;
/// LightGBM missing type "Zero": NaN becomes 0, and 0 (|x| ≤ 1e-35) is missing.
pub const ZERO_IS_MISSING: u8 = 8;
/// The node is a leaf.
pub const LEAF: u8 = 16;

/// LightGBM's zero threshold (`kZeroThreshold`).
const ZERO: f64 = 1e-35;

/// A split or a leaf.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TreeNode {
    /// Threshold of a split; value of a leaf.
    pub value: f64,
    /// Feature index (0 for leaves).
    pub feature: u32,
    /// Node taken below the threshold (absolute index; a leaf's own index).
    pub lo: u32,
    /// Node taken otherwise (absolute index; a leaf's own index).
    pub hi: u32,
    /// Split flags (`DEFAULT_LO`, `LESS_EQUAL`, …, `LEAF`).
    pub flags: u8,
}

impl TreeNode {
    /// A leaf holding `value` (its self-links are set by [`Forest::finish`]).
    pub fn leaf(value: f64) -> Self {
        TreeNode {
            value,
            feature: 0,
            lo: 0,
            hi: 0,
            flags: LEAF,
        }
    }

    /// A split on `feature` at `threshold`.
    pub fn split(feature: u32, threshold: f64, lo: u32, hi: u32, flags: u8) -> Self {
        TreeNode {
            value: threshold,
            feature,
            lo,
            hi,
            flags,
        }
    }

    fn is_leaf(&self) -> bool {
        self.flags & LEAF != 0
    }

    /// The next node under XGBoost's and TMVA's rule: `x < t` goes low, NaN by default.
    #[inline(always)]
    fn next_less(&self, x: f64) -> u32 {
        let lo = (x < self.value) | (x.is_nan() & (self.flags & DEFAULT_LO != 0));
        if lo { self.lo } else { self.hi }
    }

    /// The next node under LightGBM's rules (missing types, `x <= t` goes low).
    #[inline(always)]
    fn next_general(&self, x: f64) -> u32 {
        let to_zero = x.is_nan() & (self.flags & (NAN_AS_ZERO | ZERO_IS_MISSING) != 0);
        let x = if to_zero { 0.0 } else { x };
        let missing = x.is_nan() | ((self.flags & ZERO_IS_MISSING != 0) & (x.abs() <= ZERO));
        let below = if self.flags & LESS_EQUAL != 0 {
            x <= self.value
        } else {
            x < self.value
        };
        let lo = if missing {
            self.flags & DEFAULT_LO != 0
        } else {
            below
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
    pub nodes: Vec<TreeNode>,
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
    /// The output of a row with any NaN feature, instead of walking the trees
    /// (`TMVA::Reader` returns −999 for such events).
    pub missing_output: Option<f64>,
    /// Levels of each tree (set by [`finish`](Self::finish)).
    depths: Vec<u32>,
    /// Every split follows the `x < t` rule (set by [`finish`](Self::finish)).
    simple: bool,
}

/// Rows per block: the block's features and walk positions stay in L1 while each tree is
/// walked.
const BLOCK: usize = 64;
/// Rows walked together with their positions in registers.
const LANES: usize = 8;

/// Most features and output groups a model may declare (far above any real BDT; keeps a
/// corrupt count from allocating gigabytes).
pub const MAX_FEATURES: usize = 1 << 20;
/// See [`MAX_FEATURES`].
pub const MAX_GROUPS: usize = 1 << 12;

/// Checks declared feature and group counts against [`MAX_FEATURES`] and [`MAX_GROUPS`].
pub fn check_sizes(num_features: usize, num_groups: usize) -> Result<(), String> {
    if num_features > MAX_FEATURES || num_groups > MAX_GROUPS || num_groups == 0 {
        return Err(format!(
            "implausible model size: {num_features} features, {num_groups} outputs"
        ));
    }
    Ok(())
}

impl Forest {
    /// An empty forest; loaders push nodes and trees, set the format's options, then call
    /// [`finish`](Self::finish).
    pub fn new(num_features: usize, num_groups: usize, link: Link) -> Self {
        Forest {
            nodes: Vec::new(),
            roots: Vec::new(),
            groups: Vec::new(),
            weights: Vec::new(),
            num_groups,
            num_features,
            base: vec![0.0; num_groups],
            f32_sums: false,
            f32_features: false,
            norm: 1.0,
            link,
            missing_output: None,
            depths: Vec::new(),
            simple: false,
        }
    }

    /// Checks every index (children come after their parent, features and groups in
    /// range, finite leaves, no NaN thresholds), links leaves to themselves and measures
    /// each tree's depth. Evaluation relies on it.
    pub fn finish(&mut self) -> Result<(), String> {
        let n = self.nodes.len() as u32;
        for (i, node) in self.nodes.iter_mut().enumerate() {
            if node.is_leaf() {
                if !node.value.is_finite() {
                    return Err(format!("leaf {i} has the non-finite value {}", node.value));
                }
                (node.lo, node.hi, node.feature) = (i as u32, i as u32, 0);
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
        // Children come after parents: heights from the last node back, in one pass.
        let mut height = vec![0u32; self.nodes.len()];
        for i in (0..self.nodes.len()).rev() {
            let node = &self.nodes[i];
            if !node.is_leaf() {
                height[i] = 1 + height[node.lo as usize].max(height[node.hi as usize]);
            }
        }
        self.depths = self.roots.iter().map(|&r| height[r as usize]).collect();
        self.simple = self
            .nodes
            .iter()
            .all(|n| n.flags & (LESS_EQUAL | NAN_AS_ZERO | ZERO_IS_MISSING) == 0);
        Ok(())
    }

    /// Raw sums (margins) for rows given as feature columns; `out` holds
    /// `rows × num_groups` values, row-major.
    pub fn margins(&self, columns: &[&[f64]], out: &mut [f64]) {
        if self.simple {
            self.margins_with(columns, out, TreeNode::next_less);
        } else {
            self.margins_with(columns, out, TreeNode::next_general);
        }
    }

    #[inline(always)]
    fn margins_with(
        &self,
        columns: &[&[f64]],
        out: &mut [f64],
        next: impl Fn(&TreeNode, f64) -> u32,
    ) {
        let rows = columns.first().map_or(0, |c| c.len());
        let f = self.num_features;
        let g = self.num_groups;
        assert_eq!(columns.len(), f, "one column per feature");
        assert_eq!(out.len(), rows * g, "one output per row and group");
        assert_eq!(self.depths.len(), self.roots.len(), "finish() was called");
        // Rows past the end of the last block stay zero: walked, never summed.
        let mut block = vec![0.0f64; BLOCK * f];
        let mut at = [0u32; BLOCK];
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
            for (t, &root) in self.roots.iter().enumerate() {
                self.walk(root, self.depths[t], &block, &mut at, &next);
                let group = self.groups[t] as usize;
                let weight = self.weights[t];
                for r in 0..n {
                    let leaf = self.nodes[at[r] as usize].value;
                    let s = &mut sums[r * g + group];
                    *s = if self.f32_sums {
                        f64::from(*s as f32 + leaf as f32)
                    } else {
                        *s + weight * leaf
                    };
                }
            }
        }
        if self.norm != 1.0 {
            out.iter_mut().for_each(|s| *s /= self.norm);
        }
    }

    /// Walks `depth` levels from `root` for every row of a block, [`LANES`] rows at a time
    /// with their positions in registers; leaves their final nodes in `at`.
    #[inline(always)]
    fn walk(
        &self,
        root: u32,
        depth: u32,
        block: &[f64],
        at: &mut [u32; BLOCK],
        next: &impl Fn(&TreeNode, f64) -> u32,
    ) {
        let f = self.num_features;
        assert_eq!(block.len(), BLOCK * f);
        for (lane_group, out) in at.chunks_exact_mut(LANES).enumerate() {
            let rows = &block[lane_group * LANES * f..(lane_group + 1) * LANES * f];
            let mut pos = [root; LANES];
            for _ in 0..depth {
                for (k, p) in pos.iter_mut().enumerate() {
                    // SAFETY: `finish` checked that every reachable index (roots, children,
                    // leaves' self-links) is below `nodes.len()` and every split's feature
                    // below `num_features`; leaves use feature 0. `rows` holds LANES rows
                    // of `f` features.
                    unsafe {
                        let node = self.nodes.get_unchecked(*p as usize);
                        let x = *rows.get_unchecked(k * f + node.feature as usize);
                        *p = next(node, x);
                    }
                }
            }
            out.copy_from_slice(&pos);
        }
    }

    /// Bounds of every output of group `group` (or of its margin): each tree adds a value
    /// between its smallest and largest leaf, the link is monotone, and a row with a
    /// missing feature may get [`missing_output`](Self::missing_output). Multi-class
    /// probabilities are only bounded by [0, 1].
    pub fn output_range(&self, group: usize, margin: bool) -> (f64, f64) {
        let mut lo = self.base[group];
        let mut hi = lo;
        for (t, &root) in self.roots.iter().enumerate() {
            if self.groups[t] as usize != group {
                continue;
            }
            let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
            let mut stack = vec![root];
            while let Some(i) = stack.pop() {
                let node = &self.nodes[i as usize];
                if node.is_leaf() {
                    min = min.min(node.value);
                    max = max.max(node.value);
                } else {
                    stack.extend([node.lo, node.hi]);
                }
            }
            let w = self.weights[t];
            lo += (w * min).min(w * max);
            hi += (w * min).max(w * max);
        }
        let (lo, hi) = (lo / self.norm, hi / self.norm);
        let (lo, hi) = match (margin, self.link) {
            (true, _) | (false, Link::Identity) => (lo, hi),
            (false, Link::Sigmoid { scale }) => {
                let s = |x: f64| 1.0 / (1.0 + (-scale * x).exp());
                (s(lo), s(hi))
            }
            (false, Link::TmvaGrad) => {
                let g = |x: f64| 2.0 / (1.0 + (-2.0 * x).exp()) - 1.0;
                (g(lo), g(hi))
            }
            (false, Link::Softmax) => (0.0, 1.0),
        };
        match self.missing_output {
            Some(v) => (lo.min(v), hi.max(v)),
            None => (lo, hi),
        }
    }

    /// The model's output for each row: the linked value of group `group` (for
    /// single-output models, group 0), or the margin when `margin` is set.
    pub fn predict(&self, columns: &[&[f64]], group: usize, margin: bool) -> Vec<f64> {
        let rows = columns.first().map_or(0, |c| c.len());
        let g = self.num_groups;
        let mut sums = vec![0.0; rows * g];
        self.margins(columns, &mut sums);
        let mut out: Vec<f64> = sums
            .chunks_exact(g)
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
            .collect();
        if let Some(value) = self.missing_output {
            for column in columns {
                for (o, x) in out.iter_mut().zip(column.iter()) {
                    if x.is_nan() {
                        *o = value;
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_follow_each_formats_rules_for_ties_and_missing_values() {
        let split = |flags| TreeNode::split(0, 1.0, 1, 2, flags);
        assert_eq!(split(0).next_less(1.0), 2, "XGBoost: x < t goes low");
        assert_eq!(split(0).next_general(1.0), 2);
        assert_eq!(
            split(LESS_EQUAL).next_general(1.0),
            1,
            "LightGBM: x <= t goes low"
        );
        assert_eq!(split(0).next_less(f64::NAN), 2);
        assert_eq!(split(DEFAULT_LO).next_less(f64::NAN), 1);
        assert_eq!(split(DEFAULT_LO).next_general(f64::NAN), 1);
        assert_eq!(
            split(NAN_AS_ZERO | LESS_EQUAL).next_general(f64::NAN),
            1,
            "0 <= 1"
        );
        let zero = TreeNode {
            value: -1.0,
            ..split(ZERO_IS_MISSING | DEFAULT_LO)
        };
        assert_eq!(zero.next_general(0.0), 1, "zero is missing, default low");
        assert_eq!(zero.next_general(f64::NAN), 1);
        assert_eq!(zero.next_general(0.5), 2);
    }

    #[test]
    fn a_stump_forest_sums_and_links() {
        let mut forest = Forest::new(1, 1, Link::Sigmoid { scale: 1.0 });
        forest.nodes = vec![
            TreeNode::split(0, 0.5, 1, 2, 0),
            TreeNode::leaf(-1.0),
            TreeNode::leaf(2.0),
        ];
        forest.roots = vec![0, 0];
        forest.groups = vec![0, 0];
        forest.weights = vec![1.0, 1.0];
        forest.base = vec![0.5];
        let mut bad = forest.clone();
        forest.finish().unwrap();
        let x = [0.0, 1.0];
        assert_eq!(forest.predict(&[&x], 0, true), vec![-1.5, 4.5]);
        let p = forest.predict(&[&x], 0, false);
        assert!((p[1] - 1.0 / (1.0 + (-4.5f64).exp())).abs() < 1e-15);
        assert_eq!(forest.output_range(0, true), (-1.5, 4.5));
        let (lo, hi) = forest.output_range(0, false);
        assert_eq!((lo, hi), (p[0], p[1]), "the extremes are reached here");
        bad.nodes[0].lo = 0;
        assert!(bad.finish().is_err());
    }
}
