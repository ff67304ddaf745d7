//! LightGBM text models (`Booster.save_model("m.txt")`) into a [`Forest`].
//!
//! Matches LightGBM's numerical decisions exactly: double precision, `x <= threshold`
//! goes left, and per split the missing type of `decision_type` (bits 2–3): *None*
//! turns NaN into 0, *Zero* treats NaN and 0 as missing, *NaN* treats NaN as missing;
//! missing values follow the default-left bit (bit 1). Sums are in double precision.

use super::forest::{DEFAULT_LO, Forest, LESS_EQUAL, Link, NAN_AS_ZERO, TreeNode, ZERO_IS_MISSING};

/// Parses a model; errors say what is wrong with the file.
pub fn load(text: &str) -> Result<(Forest, Vec<String>), String> {
    let mut lines = text.lines();
    if lines.next().map(str::trim) != Some("tree") {
        return Err("not a LightGBM text model (it does not start with `tree`)".into());
    }
    let header: Vec<&str> = text
        .lines()
        .take_while(|l| !l.starts_with("Tree="))
        .collect();
    let field = |key: &str| {
        header
            .iter()
            .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
    };
    let num_features = field("max_feature_idx")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .and_then(|v| v.checked_add(1))
        .ok_or("no valid max_feature_idx")?;
    let per_iteration: usize = field("num_tree_per_iteration")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
        .max(1);
    super::forest::check_sizes(num_features, per_iteration)?;
    let objective = field("objective").ok_or("no objective")?;
    let link = objective_link(objective)?;
    let names = field("feature_names")
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let mut forest = Forest::new(num_features, per_iteration, link);
    let body = text.split("end of trees").next().ok_or("no trees")?;
    for (count, block) in body.split("\nTree=").skip(1).enumerate() {
        add_tree(&mut forest, block).map_err(|e| format!("tree {count}: {e}"))?;
        forest.groups.push((count % per_iteration) as u32);
        forest.weights.push(1.0);
    }
    if !text.contains("end of trees") {
        return Err("truncated model: no `end of trees` line".into());
    }
    forest.finish()?;
    Ok((forest, names))
}

/// The output link of an objective line such as `binary sigmoid:1`.
fn objective_link(objective: &str) -> Result<Link, String> {
    let mut words = objective.split_whitespace();
    let name = words.next().unwrap_or("");
    let sigmoid = words
        .find_map(|w| w.strip_prefix("sigmoid:"))
        .map(|v| v.parse::<f64>().map_err(|_| format!("bad sigmoid `{v}`")))
        .transpose()?;
    Ok(match name {
        "binary" => Link::Sigmoid {
            scale: sigmoid.unwrap_or(1.0),
        },
        "cross_entropy" | "xentropy" => Link::Sigmoid { scale: 1.0 },
        "regression" | "regression_l1" | "huber" | "fair" | "quantile" | "mape" => Link::Identity,
        "multiclass" => Link::Softmax,
        other => return Err(format!("unsupported LightGBM objective `{other}`")),
    })
}

fn values<T: std::str::FromStr>(block: &str, key: &str) -> Result<Vec<T>, String> {
    let line = block
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .ok_or_else(|| format!("no `{key}` line"))?;
    line.split_whitespace()
        .map(|v| v.parse().map_err(|_| format!("bad `{key}` value `{v}`")))
        .collect()
}

/// Appends one tree: internal nodes first, then leaves (so children follow parents).
fn add_tree(forest: &mut Forest, block: &str) -> Result<(), String> {
    let leaves: Vec<f64> = values(block, "leaf_value")?;
    let num_leaves: usize = values::<usize>(block, "num_leaves")?
        .first()
        .copied()
        .ok_or("no leaf count")?;
    if leaves.len() != num_leaves || num_leaves == 0 {
        return Err("leaf values do not match num_leaves".into());
    }
    if values::<usize>(block, "num_cat").is_ok_and(|c| c.first().copied().unwrap_or(0) > 0) {
        return Err("categorical splits are not supported".into());
    }
    if values::<u8>(block, "is_linear").is_ok_and(|v| v.first() == Some(&1)) {
        return Err("linear trees are not supported".into());
    }
    let offset = forest.nodes.len() as u32;
    forest.roots.push(offset);
    let internal = num_leaves - 1;
    if internal == 0 {
        forest.nodes.push(TreeNode::leaf(leaves[0]));
        return Ok(());
    }
    let feature: Vec<u32> = values(block, "split_feature")?;
    let threshold: Vec<f64> = values(block, "threshold")?;
    let decision: Vec<u8> = values(block, "decision_type")?;
    let left: Vec<i64> = values(block, "left_child")?;
    let right: Vec<i64> = values(block, "right_child")?;
    if [
        feature.len(),
        threshold.len(),
        decision.len(),
        left.len(),
        right.len(),
    ]
    .iter()
    .any(|&l| l != internal)
    {
        return Err("split arrays do not match num_leaves".into());
    }
    let child = |c: i64| -> Result<u32, String> {
        let index = if c < 0 {
            usize::try_from(!c)
                .ok()
                .filter(|&l| l < num_leaves)
                .map(|l| internal + l)
        } else {
            usize::try_from(c).ok().filter(|&i| i < internal)
        };
        index
            .map(|i| offset + i as u32)
            .ok_or_else(|| format!("child {c} out of range"))
    };
    for i in 0..internal {
        let d = decision[i];
        if d & 1 != 0 {
            return Err("categorical splits are not supported".into());
        }
        let mut flags = LESS_EQUAL;
        if d & 2 != 0 {
            flags |= DEFAULT_LO;
        }
        flags |= match (d >> 2) & 3 {
            0 => NAN_AS_ZERO,
            1 => ZERO_IS_MISSING,
            2 => 0,
            other => return Err(format!("unknown missing type {other}")),
        };
        forest.nodes.push(TreeNode::split(
            feature[i],
            threshold[i],
            child(left[i])?,
            child(right[i])?,
            flags,
        ));
    }
    forest.nodes.extend(leaves.into_iter().map(TreeNode::leaf));
    Ok(())
}
