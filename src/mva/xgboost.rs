//! XGBoost JSON models (`Booster.save_model("m.json")`, XGBoost ≥ 1.0) into a [`Forest`].
//!
//! Matches XGBoost's prediction exactly: features and thresholds are single precision,
//! a row goes left when `x < threshold`, NaN follows `default_left`, leaf values are
//! summed in single precision onto `base_score`, which is stored as a probability for
//! the logistic objectives (so it enters as its logit) and as a margin otherwise.

use super::forest::{DEFAULT_LO, Forest, Link, TreeNode};
use serde_json::Value;

/// Parses a model; errors say what is wrong with the file.
pub fn load(text: &str) -> Result<(Forest, Vec<String>), String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not XGBoost JSON: {e}"))?;
    let learner = doc
        .get("learner")
        .ok_or("not an XGBoost model: no `learner` object")?;
    let param = &learner["learner_model_param"];
    let num_features: usize = number(&param["num_feature"], "num_feature")?;
    let num_class: usize = number(&param["num_class"], "num_class")?;
    let objective = learner["objective"]["name"]
        .as_str()
        .ok_or("no objective name")?;
    let (link, logistic_base) = match objective {
        "binary:logistic" | "reg:logistic" => (Link::Sigmoid { scale: 1.0 }, true),
        "reg:squarederror" | "binary:logitraw" => (Link::Identity, false),
        "multi:softprob" => (Link::Softmax, false),
        other => return Err(format!("unsupported XGBoost objective `{other}`")),
    };
    let num_groups = num_class.max(1);
    super::forest::check_sizes(num_features, num_groups)?;
    let base = base_score(&param["base_score"], num_groups, logistic_base)?;
    let booster = &learner["gradient_booster"];
    let name = booster["name"].as_str().unwrap_or("");
    if name != "gbtree" {
        return Err(format!(
            "unsupported booster `{name}` (only tree boosters, gbtree)"
        ));
    }
    let model = &booster["model"];
    let trees = model["trees"].as_array().ok_or("no `trees` array")?;
    let info = model["tree_info"]
        .as_array()
        .ok_or("no `tree_info` array")?;
    if info.len() != trees.len() {
        return Err("`tree_info` and `trees` differ in length".into());
    }
    let mut forest = Forest::new(num_features, num_groups, link);
    forest.base = base;
    forest.f32_sums = true;
    forest.f32_features = true;
    for (t, (tree, group)) in trees.iter().zip(info).enumerate() {
        let group = group
            .as_u64()
            .and_then(|g| u32::try_from(g).ok())
            .ok_or_else(|| format!("tree {t}: bad tree_info"))?;
        add_tree(&mut forest, tree).map_err(|e| format!("tree {t}: {e}"))?;
        forest.groups.push(group);
        forest.weights.push(1.0);
    }
    forest.finish()?;
    let names = learner["feature_names"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok((forest, names))
}

/// A count stored as a string (`"150"`).
fn number(v: &Value, what: &str) -> Result<usize, String> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_u64().and_then(|n| usize::try_from(n).ok()))
        .ok_or_else(|| format!("bad or missing `{what}`"))
}

/// `base_score` as margins: `"5E-1"` or `"[3.0025E-1]"` (one value per class in
/// multi-class models), the logit taken for logistic objectives.
fn base_score(v: &Value, groups: usize, logistic: bool) -> Result<Vec<f64>, String> {
    let text = v.as_str().ok_or("no `base_score`")?;
    let values: Vec<f32> = text
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|s| s.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("bad base_score `{text}`"))?;
    let values = match values.len() {
        1 => vec![values[0]; groups],
        n if n == groups => values,
        n => return Err(format!("base_score has {n} values for {groups} outputs")),
    };
    values
        .into_iter()
        .map(|p| {
            if !logistic {
                return Ok(f64::from(p));
            }
            if !(p > 0.0 && p < 1.0) {
                return Err(format!("base_score {p} is not a probability"));
            }
            // XGBoost's ProbToMargin, in single precision.
            Ok(f64::from(-(1.0f32 / p - 1.0f32).ln()))
        })
        .collect()
}

fn array<'a>(tree: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    tree[key]
        .as_array()
        .ok_or_else(|| format!("no `{key}` array"))
}

/// Appends one tree's nodes (indices shifted to the forest).
fn add_tree(forest: &mut Forest, tree: &Value) -> Result<(), String> {
    let left = array(tree, "left_children")?;
    let right = array(tree, "right_children")?;
    let index = array(tree, "split_indices")?;
    let cond = array(tree, "split_conditions")?;
    let default_left = array(tree, "default_left")?;
    let n = left.len();
    if [right.len(), index.len(), cond.len(), default_left.len()]
        .iter()
        .any(|&l| l != n)
        || n == 0
    {
        return Err("node arrays differ in length or are empty".into());
    }
    if let Ok(types) = array(tree, "split_type")
        && types.iter().any(|t| t.as_u64() != Some(0))
    {
        return Err("categorical splits are not supported".into());
    }
    let offset = forest.nodes.len() as u32;
    forest.roots.push(offset);
    for i in 0..n {
        let value = cond[i]
            .as_f64()
            .ok_or_else(|| format!("node {i}: bad split condition"))?;
        // Thresholds and leaves are single precision in XGBoost.
        let value = f64::from(value as f32);
        let l = left[i]
            .as_i64()
            .ok_or_else(|| format!("node {i}: bad child"))?;
        if l == -1 {
            forest.nodes.push(TreeNode::leaf(value));
            continue;
        }
        let r = right[i]
            .as_i64()
            .ok_or_else(|| format!("node {i}: bad child"))?;
        let child = |c: i64| {
            u32::try_from(c)
                .ok()
                .filter(|&c| (c as usize) < n)
                .map(|c| c + offset)
                .ok_or_else(|| format!("node {i}: child {c} out of range"))
        };
        let feature = index[i]
            .as_u64()
            .and_then(|f| u32::try_from(f).ok())
            .ok_or_else(|| format!("node {i}: bad split index"))?;
        let flags =
            if default_left[i].as_u64() == Some(1) || default_left[i].as_bool() == Some(true) {
                DEFAULT_LO
            } else {
                0
            };
        forest
            .nodes
            .push(TreeNode::split(feature, value, child(l)?, child(r)?, flags));
    }
    Ok(())
}
