//! BDT evaluation (XGBoost JSON, LightGBM text, TMVA XML) as a pure function of feature
//! columns. This stage currently reads only model headers, for the linter
//! ([`header`]); evaluation lands with the MVA issue.

pub mod header;
