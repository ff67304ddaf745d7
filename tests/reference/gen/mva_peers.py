"""Reference models and predictions for the BDT evaluator (tests/it/mva.rs).

Trains small XGBoost and LightGBM models on data with NaN and exact zeros (so that
default directions and every LightGBM missing type occur), saves them in their own
formats, and records the peers' own predictions (probability and raw margin) on a test
set that also holds NaN and zeros.

Run: /tmp/peers/bin/python tests/reference/gen/mva_peers.py
"""

import json
import pathlib

import lightgbm as lgb
import numpy as np
import xgboost as xgb

OUT = pathlib.Path(__file__).resolve().parents[1] / "mva"
FEATURES = ["R2", "cosTBTO", "thrustOm", "m_gg", "E9E21"]


def data(rng, n):
    x = rng.normal(size=(n, len(FEATURES)))
    x[:, 3] = np.round(x[:, 3], 1)  # ties at thresholds
    x[rng.random(n) < 0.1, 1] = np.nan
    x[rng.random(n) < 0.1, 2] = 0.0
    x[rng.random(n) < 0.05, 4] = np.nan
    signal = x[:, 0] + 0.5 * np.nan_to_num(x[:, 1]) - 0.3 * x[:, 3] + rng.normal(size=n) > 0.3
    return x, signal.astype(int)


def main():
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(7)
    x, y = data(rng, 4000)
    test, _ = data(rng, 600)
    test[:5] = np.nan
    test[5:10] = 0.0
    test.astype("<f8").tofile(OUT / "test.f64")
    reference = {"rows": len(test), "features": FEATURES, "models": {}}

    regression_target = x[:, 0] * 2.0 + np.nan_to_num(x[:, 1]) + rng.normal(size=len(x)) * 0.1
    xgb_models = {
        "xgb_binary": ({"objective": "binary:logistic"}, y),
        "xgb_reglogistic": ({"objective": "reg:logistic"}, (y * 0.8 + 0.1)),
        "xgb_regression": ({"objective": "reg:squarederror"}, regression_target),
        "xgb_multi": ({"objective": "multi:softprob", "num_class": 3}, (y + (x[:, 2] > 0.5)).astype(int)),
    }
    for name, (params, label) in xgb_models.items():
        params = dict(params, max_depth=4, eta=0.3, seed=1, nthread=1)
        booster = xgb.train(params, xgb.DMatrix(x, label=label, feature_names=FEATURES), num_boost_round=20)
        path = OUT / f"{name}.json"
        booster.save_model(path)
        dtest = xgb.DMatrix(test, feature_names=FEATURES)
        reference["models"][name] = {
            "format": "xgboost",
            "file": path.name,
            "prediction": booster.predict(dtest).astype(float).tolist(),
            "margin": booster.predict(dtest, output_margin=True).astype(float).tolist(),
        }

    lgb_models = {
        "lgb_binary": ({"objective": "binary"}, y),
        "lgb_binary_zero": ({"objective": "binary", "zero_as_missing": True}, y),
        "lgb_binary_nonan": ({"objective": "binary", "use_missing": False}, y),
        "lgb_regression": ({"objective": "regression"}, regression_target),
        "lgb_multi": ({"objective": "multiclass", "num_class": 3}, (y + (x[:, 2] > 0.5)).astype(int)),
    }
    for name, (params, label) in lgb_models.items():
        params = dict(params, num_leaves=15, learning_rate=0.2, seed=1, num_threads=1, verbose=-1)
        booster = lgb.train(params, lgb.Dataset(x, label=label, feature_name=FEATURES), num_boost_round=20)
        path = OUT / f"{name}.txt"
        booster.save_model(path)
        reference["models"][name] = {
            "format": "lightgbm",
            "file": path.name,
            "prediction": booster.predict(test).astype(float).tolist(),
            "margin": booster.predict(test, raw_score=True).astype(float).tolist(),
        }
    # The test set as a Parquet ntuple, and how many rows pass a cut on each binary model's
    # probability (for the end-to-end test of an `mva:` entry in a spec).
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({name: test[:, j] for j, name in enumerate(FEATURES)}), OUT / "test.parquet")
    reference["passing_0.5"] = {
        name: int(sum(p > 0.5 for p in m["prediction"]))
        for name, m in reference["models"].items()
        if name in ("xgb_binary", "lgb_binary_zero")
    }
    reference["versions"] = {"xgboost": xgb.__version__, "lightgbm": lgb.__version__}
    (OUT / "reference.json").write_text(json.dumps(reference) + "\n")


if __name__ == "__main__":
    main()
