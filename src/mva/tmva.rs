//! TMVA BDT weight files (`dataset/weights/*_BDT.weights.xml`, TMVA ≥ 4) into a
//! [`Forest`].
//!
//! Reproduces what `TMVA::Reader::EvaluateMVA` returns for `MethodBDT`:
//! - inputs become single precision (`Float_t` events), cut values are single precision;
//!   a node sends an event right when `x >= cut`, or when it is not if `cType="0"`, and a
//!   node is a leaf when its `nType` is not 0;
//! - any NaN input gives −999 without walking the trees (the Reader's own rule);
//! - `BoostType=Grad`: the leaf responses (`res`, or the purity for classification-type
//!   trees) are summed and mapped by `2 / (1 + exp(−2·sum)) − 1`;
//! - every other boost type (AdaBoost, RealAdaBoost, Bagging, AdaCost): the average of the
//!   leaves weighted by each tree's `boostWeight` (read in single precision), a leaf
//!   counting ±1 (`nType`) under `UseYesNoLeaf=True` and its purity otherwise
//!   (RealAdaBoost and AdaCost always use the purity); a forest whose boost weights sum to
//!   nothing gives 0.
//!
//! Refused with a message, because the trees alone would give a different answer:
//! input-variable transformations, Fisher-discriminant cuts (`NCoef > 0`), automatic
//! preselection cuts, and regression or multi-class forests.

use super::forest::{Forest, Link, TreeNode};
use roxmltree::{Document, Node as Element};

/// What `TMVA::Reader` returns for an event with a NaN input.
pub const NAN_SCORE: f64 = -999.0;

/// Deepest tree accepted (TMVA's `MaxDepth` is a few; this only stops a hostile file).
const MAX_DEPTH: usize = 64;

/// Parses a weight file; errors say what is wrong with it.
pub fn load(text: &str) -> Result<(Forest, Vec<String>), String> {
    let doc = Document::parse(text).map_err(|e| format!("not a TMVA weight file: {e}"))?;
    let setup = doc.root_element();
    let method = setup.attribute("Method").unwrap_or("");
    if setup.tag_name().name() != "MethodSetup" || !method.starts_with("BDT") {
        return Err(format!(
            "not a TMVA BDT weight file (root <{}> Method=\"{method}\")",
            setup.tag_name().name()
        ));
    }
    let options = Options::read(setup)?;
    let names = variables(setup)?;
    if let Some(t) = child(setup, "Transformations") {
        let n: usize = attribute(t, "NTransformations")?;
        if n > 0 {
            return Err(format!(
                "{n} input-variable transformation(s) (VarTransform) are not supported; \
                 train with VarTransform=None"
            ));
        }
    }
    let weights = child(setup, "Weights").ok_or("no <Weights> element")?;
    if weights.has_attribute("PreselectionLowBkgVar0") {
        return Err("automatic preselection cuts (DoPreselection) are not supported".into());
    }
    let declared: usize = attribute(weights, "NTrees")?;
    let analysis: u32 = match weights.attribute("AnalysisType") {
        Some(_) => attribute(weights, "AnalysisType")?,
        None => attribute(weights, "TreeType")?,
    };
    let leaf = match (analysis, options.grad) {
        (1, true) => Leaf::Response,
        (0, true) => Leaf::Purity,
        (0, false) if options.yes_no_leaf => Leaf::NodeType,
        (0, false) => Leaf::Purity,
        (1, false) => return Err("regression BDTs are not supported".into()),
        (other, _) => {
            return Err(format!(
                "analysis type {other} (multi-class) is not supported"
            ));
        }
    };
    let link = if options.grad {
        Link::TmvaGrad
    } else {
        Link::Identity
    };
    super::forest::check_sizes(names.len(), 1)?;
    let mut forest = Forest::new(names.len(), 1, link);
    forest.f32_features = true;
    forest.missing_output = Some(NAN_SCORE);
    let trees: Vec<Element> = weights.children().filter(Element::is_element).collect();
    if trees.len() != declared {
        return Err(format!(
            "<Weights NTrees=\"{declared}\"> holds {} trees (truncated?)",
            trees.len()
        ));
    }
    for (t, tree) in trees.iter().enumerate() {
        let context = |e: String| format!("tree {t} (line {}): {e}", line(tree));
        let boost: f32 = attribute(*tree, "boostWeight").map_err(context)?;
        let root = child(*tree, "Node").ok_or_else(|| context("no root <Node>".into()))?;
        forest.roots.push(forest.nodes.len() as u32);
        add_node(&mut forest, root, leaf, 0)?;
        forest.groups.push(0);
        forest
            .weights
            .push(if options.grad { 1.0 } else { f64::from(boost) });
    }
    if !options.grad {
        let norm: f64 = forest.weights.iter().sum();
        if norm > f64::EPSILON {
            forest.norm = norm;
        } else {
            forest.weights.iter_mut().for_each(|w| *w = 0.0);
        }
    }
    forest.finish()?;
    Ok((forest, names))
}

/// The options that change what the trees mean.
struct Options {
    grad: bool,
    yes_no_leaf: bool,
}

impl Options {
    fn read(setup: Element) -> Result<Options, String> {
        let option = |name: &str| {
            child(setup, "Options").and_then(|o| {
                o.children()
                    .find(|c| c.has_tag_name("Option") && c.attribute("name") == Some(name))
                    .map(|c| c.text().unwrap_or("").trim().to_string())
            })
        };
        let boost = option("BoostType").unwrap_or_else(|| "AdaBoost".into());
        let yes_no_leaf = match option("UseYesNoLeaf") {
            None => true,
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "true" | "t" | "1" => true,
                "false" | "f" | "0" => false,
                _ => return Err(format!("option UseYesNoLeaf has the value `{v}`")),
            },
        };
        match boost.as_str() {
            "Grad" => Ok(Options {
                grad: true,
                yes_no_leaf: false,
            }),
            "AdaBoost" | "Bagging" => Ok(Options {
                grad: false,
                yes_no_leaf,
            }),
            "RealAdaBoost" | "AdaCost" => Ok(Options {
                grad: false,
                yes_no_leaf: false,
            }),
            other => Err(format!("unsupported BoostType `{other}`")),
        }
    }
}

/// What a leaf contributes.
#[derive(Clone, Copy)]
enum Leaf {
    /// `nType`, ±1 (AdaBoost with `UseYesNoLeaf`).
    NodeType,
    /// `purity`, S/(S+B) of the training events in the leaf.
    Purity,
    /// `res`, the regression response (gradient boosting).
    Response,
}

/// The variable names (their expressions) in `VarIndex` order.
fn variables(setup: Element) -> Result<Vec<String>, String> {
    let list = child(setup, "Variables").ok_or("no <Variables> element")?;
    let count: usize = attribute(list, "NVar")?;
    let mut names = vec![None; count];
    for v in list.children().filter(|c| c.has_tag_name("Variable")) {
        let index: usize = attribute(v, "VarIndex")?;
        let slot = names
            .get_mut(index)
            .ok_or_else(|| format!("VarIndex {index} of NVar=\"{count}\" (line {})", line(&v)))?;
        *slot = Some(v.attribute("Expression").unwrap_or("").to_string());
    }
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| n.ok_or_else(|| format!("variable {i} of NVar=\"{count}\" is not listed")))
        .collect()
}

/// Appends `node` and its subtree in pre-order (children after their parent, as
/// [`Forest::finish`] requires).
fn add_node(forest: &mut Forest, node: Element, leaf: Leaf, depth: usize) -> Result<(), String> {
    let here = || format!("node at line {}", line(&node));
    if depth > MAX_DEPTH {
        return Err(format!("{}: tree deeper than {MAX_DEPTH} levels", here()));
    }
    let node_type: i32 = attribute(node, "nType").map_err(|e| format!("{}: {e}", here()))?;
    if node_type != 0 {
        let value: f32 = match leaf {
            Leaf::NodeType => Ok(node_type as f32),
            Leaf::Purity => attribute(node, "purity"),
            Leaf::Response => attribute(node, "res"),
        }
        .map_err(|e| format!("{}: {e}", here()))?;
        forest.nodes.push(TreeNode::leaf(f64::from(value)));
        return Ok(());
    }
    if node.attribute("NCoef").is_some_and(|n| n.trim() != "0") {
        return Err(format!(
            "{}: Fisher-discriminant cuts are not supported",
            here()
        ));
    }
    let feature: u32 = attribute(node, "IVar").map_err(|e| format!("{}: {e}", here()))?;
    let cut: f32 = attribute(node, "Cut").map_err(|e| format!("{}: {e}", here()))?;
    if !cut.is_finite() {
        return Err(format!("{}: non-finite cut {cut}", here()));
    }
    let signal_right = match node.attribute("cType").map(str::trim) {
        Some("1") => true,
        Some("0") => false,
        other => return Err(format!("{}: cType is {other:?}", here())),
    };
    let daughter = |pos: &str| {
        node.children()
            .find(|c| c.has_tag_name("Node") && c.attribute("pos") == Some(pos))
            .ok_or_else(|| format!("{}: inner node without a `{pos}` daughter", here()))
    };
    let (left, right) = (daughter("l")?, daughter("r")?);
    let at = forest.nodes.len();
    forest.nodes.push(TreeNode::leaf(0.0));
    let left_at = forest.nodes.len() as u32;
    add_node(forest, left, leaf, depth + 1)?;
    let right_at = forest.nodes.len() as u32;
    add_node(forest, right, leaf, depth + 1)?;
    // Right means `x >= cut` (cType 1) or `!(x >= cut)` (cType 0); the forest sends
    // `x < cut` to `lo`. NaN never reaches the trees (`missing_output`).
    let (lo, hi) = if signal_right {
        (left_at, right_at)
    } else {
        (right_at, left_at)
    };
    forest.nodes[at] = TreeNode::split(feature, f64::from(cut), lo, hi, 0);
    Ok(())
}

/// The first child element named `name`.
fn child<'a, 'i>(node: Element<'a, 'i>, name: &str) -> Option<Element<'a, 'i>> {
    node.children().find(|c| c.has_tag_name(name))
}

/// An attribute parsed as `T` (as `std::istream >> T` would, for the values TMVA writes).
fn attribute<T: std::str::FromStr>(node: Element, name: &str) -> Result<T, String> {
    let raw = node
        .attribute(name)
        .ok_or_else(|| format!("<{}> without `{name}`", node.tag_name().name()))?;
    raw.trim()
        .parse()
        .map_err(|_| format!("`{name}=\"{raw}\"` is not a valid value"))
}

/// 1-based line of an element, for messages.
fn line(node: &Element) -> u32 {
    node.document().text_pos_at(node.range().start).row
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A weight file with `trees` (XML of `<BinaryTree>` elements) over variables x, y.
    fn model(boost: &str, yes_no: &str, analysis: u32, trees: &[&str]) -> String {
        format!(
            r#"<?xml version="1.0"?>
<MethodSetup Method="BDT::BDT">
  <Options>
    <Option name="BoostType" modified="Yes">{boost}</Option>
    <Option name="UseYesNoLeaf" modified="No">{yes_no}</Option>
  </Options>
  <Variables NVar="2">
    <Variable VarIndex="1" Expression="y" Type="F"/>
    <Variable VarIndex="0" Expression="x" Type="F"/>
  </Variables>
  <Transformations NTransformations="0"/>
  <Weights NTrees="{}" AnalysisType="{analysis}">{}</Weights>
</MethodSetup>"#,
            trees.len(),
            trees.concat()
        )
    }

    /// One split on `var` at `cut` with cut type `c`; leaves (nType, purity, res).
    fn stump(
        weight: f64,
        var: u32,
        cut: &str,
        c: u8,
        l: (i32, f64, f64),
        r: (i32, f64, f64),
    ) -> String {
        let leaf = |pos: &str, (t, p, res): (i32, f64, f64)| {
            format!(
                r#"<Node pos="{pos}" depth="1" NCoef="0" IVar="-1" Cut="0" cType="1" res="{res}" rms="0" purity="{p}" nType="{t}"/>"#
            )
        };
        format!(
            r#"<BinaryTree type="DecisionTree" boostWeight="{weight}" itree="0">
<Node pos="s" depth="0" NCoef="0" IVar="{var}" Cut="{cut}" cType="{c}" res="0" rms="0" purity="0.5" nType="0">{}{}</Node></BinaryTree>"#,
            leaf("l", l),
            leaf("r", r)
        )
    }

    fn predict(text: &str, x: &[f64], y: &[f64]) -> Vec<f64> {
        let (forest, names) = load(text).unwrap();
        assert_eq!(names, ["x", "y"]);
        forest.predict(&[x, y], 0, false)
    }

    #[test]
    fn adaboost_averages_yes_no_leaves_by_boost_weight() {
        let text = model(
            "AdaBoost",
            "True",
            0,
            &[
                &stump(0.75, 0, "1.5", 1, (-1, 0.2, 0.0), (1, 0.9, 0.0)),
                &stump(0.25, 1, "0", 0, (-1, 0.3, 0.0), (1, 0.6, 0.0)),
            ],
        );
        // x ≥ 1.5 goes right (+1) in tree 0; y ≥ 0 goes *left* (−1) in tree 1 (cType 0).
        let got = predict(&text, &[2.0, 2.0, 1.0, 1.5], &[1.0, -1.0, -1.0, 0.0]);
        assert_eq!(got, [0.5, 1.0, -0.5, 0.5]);
        // The same forest with purities (Real-AdaBoost).
        let real = text.replace(">True<", ">False<");
        let got = predict(&real, &[2.0], &[-1.0]);
        let (p0, p1) = (f64::from(0.9f32), f64::from(0.6f32));
        assert_eq!(got, [(0.75 * p0 + 0.25 * p1) / 1.0]);
        let forced = text.replace(">AdaBoost<", ">RealAdaBoost<");
        assert_eq!(
            predict(&forced, &[2.0], &[-1.0]),
            got,
            "RealAdaBoost uses purities"
        );
    }

    #[test]
    fn gradient_boosting_sums_responses_through_its_link() {
        let text = model(
            "Grad",
            "True",
            1,
            &[
                &stump(1.0, 0, "0", 1, (-99, 0.0, -0.5), (-99, 0.0, 0.25)),
                &stump(1.0, 1, "0", 1, (-99, 0.0, -0.125), (-99, 0.0, 0.5)),
            ],
        );
        let got = predict(&text, &[1.0], &[-1.0]);
        let sum: f64 = 0.25 - 0.125;
        assert_eq!(got, [2.0 / (1.0 + (-2.0 * sum).exp()) - 1.0]);
    }

    #[test]
    fn inputs_are_single_precision_and_nan_scores_minus_999() {
        let text = model(
            "AdaBoost",
            "True",
            0,
            &[&stump(1.0, 0, "1.5", 1, (-1, 0.0, 0.0), (1, 1.0, 0.0))],
        );
        // 1.5 − 1e-9 rounds to 1.5 in single precision: on the cut, so right.
        let below = 1.5 - 1e-9;
        assert_eq!(predict(&text, &[below, 1.4999], &[0.0, 0.0]), [1.0, -1.0]);
        assert_eq!(
            predict(&text, &[f64::NAN, 2.0], &[0.0, f64::NAN]),
            [NAN_SCORE; 2]
        );
        // The cut itself is read in single precision.
        let text = text.replace("Cut=\"1.5\"", "Cut=\"0.1\"");
        assert_eq!(predict(&text, &[f64::from(0.1f32)], &[0.0]), [1.0]);
    }

    #[test]
    fn what_the_trees_cannot_reproduce_is_refused() {
        let tree = stump(1.0, 0, "1.5", 1, (-1, 0.0, 0.0), (1, 1.0, 0.0));
        let ok = model("AdaBoost", "True", 0, &[&tree]);
        let refuse = |text: String, needle: &str| {
            let e = load(&text).expect_err(needle);
            assert!(e.contains(needle), "{e}");
        };
        refuse(
            ok.replace("NTransformations=\"0\"", "NTransformations=\"1\""),
            "transformation",
        );
        refuse(
            ok.replace("NCoef=\"0\" IVar=\"0\"", "NCoef=\"2\" IVar=\"0\""),
            "Fisher",
        );
        refuse(ok.replace(">AdaBoost<", ">AdaBoostR2<"), "AdaBoostR2");
        refuse(
            ok.replace("AnalysisType=\"0\"", "AnalysisType=\"2\""),
            "multi-class",
        );
        refuse(
            ok.replace("AnalysisType=\"0\"", "AnalysisType=\"1\""),
            "regression",
        );
        refuse(ok.replace("IVar=\"0\"", "IVar=\"7\""), "feature 7");
        refuse(ok.replace("Cut=\"1.5\"", "Cut=\"nan\""), "non-finite");
        refuse(ok.replace("Cut=\"1.5\"", "Cut=\"1e99\""), "non-finite");
        refuse(ok.replace("NTrees=\"1\"", "NTrees=\"2\""), "truncated");
        refuse(ok.replace("pos=\"r\"", "pos=\"x\""), "`r` daughter");
        refuse(ok[..ok.len() / 2].to_string(), "not a TMVA weight file");
        refuse(ok.replace("BDT::BDT", "MLP::MLP"), "not a TMVA BDT");
        refuse(ok.replace("VarIndex=\"1\"", "VarIndex=\"5\""), "VarIndex 5");
    }
}
