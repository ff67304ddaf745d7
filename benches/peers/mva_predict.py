"""BDT prediction benchmark peer (run by `cargo bench --bench mva`).

usage: python mva_predict.py DIR
  trains an XGBoost and a LightGBM binary model (150 trees of depth 5, 10 features) on
  synthetic data, writes them with 1 million test rows (little-endian f64, row-major) to
  DIR, and prints JSON with the median seconds of one-thread prediction by each peer
  (xgboost `inplace_predict`, lightgbm `predict(num_threads=1)`).
"""
import json
import pathlib
import statistics
import sys
import time

import lightgbm as lgb
import numpy as np
import xgboost as xgb


def median_time(f, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    out = pathlib.Path(sys.argv[1])
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50_000, 10))
    y = (x[:, 0] + 0.5 * x[:, 1] * x[:, 2] - 0.3 * x[:, 3] + rng.normal(size=len(x)) > 0).astype(int)
    test = rng.normal(size=(1_000_000, 10))
    test[rng.random(test.shape) < 0.02] = np.nan
    test.astype("<f8").tofile(out / "rows.f64")
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 5, "eta": 0.1, "nthread": 1, "seed": 1},
                        xgb.DMatrix(x, label=y), num_boost_round=150)
    booster.save_model(out / "xgb.json")
    lgbm = lgb.train({"objective": "binary", "num_leaves": 32, "max_depth": 5, "learning_rate": 0.1,
                      "num_threads": 1, "verbose": -1, "seed": 1}, lgb.Dataset(x, label=y), num_boost_round=150)
    lgbm.save_model(out / "lgb.txt")
    booster.set_param({"nthread": 1})
    result = {
        "xgboost": median_time(lambda: booster.inplace_predict(test)),
        "lightgbm": median_time(lambda: lgbm.predict(test, num_threads=1)),
        "xgboost_prediction": booster.inplace_predict(test[:1000]).astype(float).tolist(),
        "lightgbm_prediction": lgbm.predict(test[:1000], num_threads=1).astype(float).tolist(),
        "versions": {"xgboost": xgb.__version__, "lightgbm": lgb.__version__},
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
