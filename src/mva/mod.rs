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
use std::path::{Path, PathBuf};

/// A loaded model.
#[derive(Clone, Debug)]
pub struct Model {
    /// The trees.
    pub forest: Forest,
    /// Feature names stored in the model (may be empty).
    pub feature_names: Vec<String>,
}

/// Why a model cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MvaError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The model file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not text.
    #[error("{} is not a text model file", path.display())]
    NotText {
        /// The model file.
        path: PathBuf,
    },
    /// The format is not one this build evaluates.
    #[error("model format `{0}` cannot be evaluated")]
    UnknownFormat(String),
    /// The file is not a valid model of its format (or not text at all).
    #[error("{}: {message}", path.display())]
    Invalid {
        /// The model file.
        path: PathBuf,
        /// What is wrong, where.
        message: String,
    },
}

impl MvaError {
    /// The diagnostic code: `SL201` for a file that cannot be read, `SL209` otherwise.
    pub fn code(&self) -> &'static str {
        match self {
            MvaError::Read { .. } => crate::diag::codes::IO,
            _ => crate::diag::codes::BAD_MVA,
        }
    }
}

/// Loads a model file of `format` (`xgboost`, `lightgbm`, `tmva`).
pub fn load(path: &Path, format: &str) -> Result<Model, MvaError> {
    let bytes =
        crate::io::regular::read(path, crate::io::regular::MAX_WHOLE_FILE).map_err(|source| {
            MvaError::Read {
                path: path.to_path_buf(),
                source,
            }
        })?;
    let invalid = |message: String| MvaError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let text = String::from_utf8(bytes).map_err(|_| MvaError::NotText {
        path: path.to_path_buf(),
    })?;
    let (forest, feature_names) = match format {
        "xgboost" => xgboost::load(&text),
        "lightgbm" => lightgbm::load(&text),
        "tmva" => tmva::load(&text),
        other => return Err(MvaError::UnknownFormat(other.to_string())),
    }
    .map_err(invalid)?;
    Ok(Model {
        forest,
        feature_names,
    })
}
