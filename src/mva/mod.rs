//! BDT evaluation (XGBoost JSON, LightGBM text, TMVA XML) as a pure function of feature
//! columns. Each format is loaded into one [`forest::Forest`] whose walk reproduces the
//! format's own split, missing-value and summation rules (TMVA's reader, which scores
//! events with a NaN input −999, included).
//!
//! Written here rather than taken from a crate: the `gbdt` crate cannot load XGBoost's
//! JSON models and LightGBM's Rust bindings download native binaries at build time; a
//! flat node array walked a block of rows per tree is also faster than either peer.

pub mod forest;
pub mod lightgbm;
pub mod tmva;
pub mod xgboost;

use forest::Forest;
use std::path::Path;

/// A loaded model.
#[derive(Clone, Debug)]
pub struct Model {
    /// The trees.
    pub forest: Forest,
    /// Feature names stored in the model (may be empty).
    pub feature_names: Vec<String>,
}

/// Loads a model file of `format` (`xgboost`, `lightgbm`, `tmva`).
pub fn load(path: &Path, format: &str) -> Result<Model, String> {
    let bytes = crate::io::regular::read(path, crate::io::regular::MAX_WHOLE_FILE)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("{} is not a text model file", path.display()))?;
    let (forest, feature_names) = match format {
        "xgboost" => xgboost::load(&text),
        "lightgbm" => lightgbm::load(&text),
        "tmva" => tmva::load(&text),
        other => Err(format!("model format `{other}` cannot be evaluated")),
    }
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Model {
        forest,
        feature_names,
    })
}
