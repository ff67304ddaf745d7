//! What the linter needs from a model file without evaluating it: its format's feature
//! count and feature names. Full loading and evaluation land with the MVA issue.

use std::path::Path;

/// Facts read from a model file's header.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelHeader {
    /// Number of input features the model expects.
    pub num_features: usize,
    /// Feature names stored in the model, when it stores them.
    pub feature_names: Vec<String>,
}

/// Reads the header of an XGBoost JSON, LightGBM text or TMVA XML model.
pub fn read(path: &Path, format: &str) -> Result<ModelHeader, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    match format {
        "xgboost" => xgboost(&text),
        "lightgbm" => lightgbm(&text),
        "tmva" => tmva(&text),
        other => Err(format!("unknown model format `{other}`")),
    }
}

fn xgboost(text: &str) -> Result<ModelHeader, String> {
    let doc: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not XGBoost JSON: {e}"))?;
    let learner = &doc["learner"];
    let num = learner["learner_model_param"]["num_feature"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or("XGBoost JSON without learner.learner_model_param.num_feature")?;
    let names = learner["feature_names"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    Ok(ModelHeader {
        num_features: num,
        feature_names: names,
    })
}

fn lightgbm(text: &str) -> Result<ModelHeader, String> {
    let field = |key: &str| text.lines().find_map(|l| l.strip_prefix(key));
    let max_idx: usize = field("max_feature_idx=")
        .and_then(|v| v.trim().parse().ok())
        .ok_or("LightGBM model without max_feature_idx")?;
    let names = field("feature_names=")
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    Ok(ModelHeader {
        num_features: max_idx + 1,
        feature_names: names,
    })
}

fn tmva(text: &str) -> Result<ModelHeader, String> {
    let count = text
        .split("<Variables NVar=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .and_then(|n| n.parse().ok())
        .ok_or("TMVA weight file without <Variables NVar=…>")?;
    let names = text
        .split("<Variable ")
        .skip(1)
        .filter_map(|v| {
            v.split("Expression=\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
        })
        .map(str::to_string)
        .collect();
    Ok(ModelHeader {
        num_features: count,
        feature_names: names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_headers_of_each_format() {
        let x = xgboost(
            r#"{"learner":{"feature_names":["a","b"],"learner_model_param":{"num_feature":"2"}}}"#,
        );
        assert_eq!(
            x.unwrap(),
            ModelHeader {
                num_features: 2,
                feature_names: vec!["a".into(), "b".into()]
            }
        );
        let l = lightgbm("tree\nversion=v4\nmax_feature_idx=2\nfeature_names=x y z\n").unwrap();
        assert_eq!(l.num_features, 3);
        assert_eq!(l.feature_names, ["x", "y", "z"]);
        let t =
            tmva(r#"<Variables NVar="1"><Variable VarIndex="0" Expression="R2" /></Variables>"#)
                .unwrap();
        assert_eq!(t.feature_names, ["R2"]);
        assert!(xgboost("{").is_err());
    }
}
