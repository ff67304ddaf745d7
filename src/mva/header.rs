//! What the linter needs from a model file without evaluating it: its format's feature
//! count and feature names.

use std::path::Path;

/// Facts read from a model file's header.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelHeader {
    /// Number of input features the model expects.
    pub num_features: usize,
    /// Feature names stored in the model, when it stores them.
    pub feature_names: Vec<String>,
}

/// Reads the feature count and names of a model: XGBoost and LightGBM models are loaded
/// whole (so a corrupt or unsupported model is reported by the linter too); TMVA weight
/// files are read up to their variable list.
pub fn read(path: &Path, format: &str) -> Result<ModelHeader, String> {
    if format == "tmva" {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        return tmva(&text);
    }
    let model = super::load(path, format)?;
    Ok(ModelHeader {
        num_features: model.forest.num_features,
        feature_names: model.feature_names,
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
    fn reads_the_tmva_variable_list() {
        let t =
            tmva(r#"<Variables NVar="1"><Variable VarIndex="0" Expression="R2" /></Variables>"#)
                .unwrap();
        assert_eq!(t.num_features, 1);
        assert_eq!(t.feature_names, ["R2"]);
        assert!(tmva("<MethodSetup/>").is_err());
    }
}
