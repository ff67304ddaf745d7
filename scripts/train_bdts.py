"""Trains the two BDTs of analyses/b_to_k_alp.yaml on the toy Monte Carlo (xgboost).

- continuum suppression (`cs_bdt`): event-shape variables, signal B → K a candidates
  against the data-like toy mixture (continuum dominated), as Belle trains against
  off-resonance data;
- π⁰ veto (`pi0_bdt`): the best π⁰ masses formed with either photon and the photon
  energies, ALP photons against the mixture's photon pairs.

Training samples use seeds different from the analysis's own inputs, so the analysis
never evaluates a BDT on its training events. Everything that determines the models is
written next to them in training.json (toy seeds and sizes, hyper-parameters, xgboost
version, the models' SHA-256), and training is single-threaded and seeded, so rerunning
this script reproduces the files byte for byte.

usage: python scripts/train_bdts.py [path/to/searchlight]
       (a Python with xgboost and pyarrow: scripts/peers-venv.sh)
"""

import hashlib
import json
import pathlib
import subprocess
import sys
import tempfile

import numpy as np
import pyarrow.parquet as pq
import xgboost as xgb

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "analyses" / "models"
DATA = {"toy": "b_to_k_alp", "events": 400_000, "seed": 1001}
SIGNAL = {
    "toy": "b_to_k_alp_signal",
    "events": 200_000,
    "seed": 1002,
    "masses": "0.2,0.5,1.0,1.5,2.0,3.0,4.0",
}
PARAMS = {
    "objective": "binary:logistic",
    "max_depth": 4,
    "eta": 0.2,
    "subsample": 1.0,
    "nthread": 1,
    "seed": 1,
    "tree_method": "exact",
}
ROUNDS = 100
# Features by their ntuple (basf2-mangled) column names, as the spec's linter checks them.
MODELS = {
    "cs_bdt": ["R2", "cosTBTO", "cosTBz", "thrustOm", "KSFWVariables__bohso02__bc"],
    "pi0_bdt": [
        "pi0veto_M1",
        "pi0veto_M2",
        "daughter__bo1__cm__spdaughter__bo0__cm__spE__bc__bc",
        "daughter__bo1__cm__spdaughter__bo1__cm__spE__bc__bc",
    ],
}
# The preselection both are trained after (the spec's Mbc and ΔE cuts).
PRESELECTION = "Mbc > 5.27 and -0.2 < deltaE < 0.1"


def generate(binary, spec, path):
    cmd = [binary, "generate", spec["toy"], "-n", str(spec["events"]), "--seed", str(spec["seed"]), "-o", str(path)]
    if "masses" in spec:
        cmd += ["--set", f"masses={spec['masses']}"]
    subprocess.run(cmd, check=True)


def load(path, signal_only):
    """Feature matrix per model of the candidates passing the preselection."""
    table = pq.read_table(path)
    col = {name: table[name].to_numpy() for name in table.column_names}
    keep = (col["Mbc"] > 5.27) & (col["deltaE"] > -0.2) & (col["deltaE"] < 0.1)
    if signal_only:
        keep &= col["isSignal"] == 1
    return {name: np.column_stack([col[f][keep] for f in features]) for name, features in MODELS.items()}


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "target" / "release" / "searchlight")
    OUT.mkdir(parents=True, exist_ok=True)
    record = {"data": DATA, "signal": SIGNAL, "preselection": PRESELECTION, "params": PARAMS,
              "rounds": ROUNDS, "xgboost": xgb.__version__, "models": {}}
    with tempfile.TemporaryDirectory() as tmp:
        data_path, signal_path = pathlib.Path(tmp, "data.parquet"), pathlib.Path(tmp, "signal.parquet")
        generate(binary, DATA, data_path)
        generate(binary, SIGNAL, signal_path)
        data = load(data_path, False)
        signal = load(signal_path, True)
        for name, features in MODELS.items():
            x = np.concatenate([signal[name], data[name]])
            y = np.concatenate([np.ones(len(signal[name])), np.zeros(len(data[name]))])
            booster = xgb.train(PARAMS, xgb.DMatrix(x, label=y, feature_names=features), num_boost_round=ROUNDS)
            path = OUT / f"{name}.json"
            booster.save_model(path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            n_sig, n_bkg = len(signal[name]), len(data[name])
            record["models"][name] = {"features": features, "signal": n_sig, "background": n_bkg, "sha256": digest}
            print(f"{name}: {n_sig} signal, {n_bkg} background candidates, sha256 {digest}")
    (OUT / "training.json").write_text(json.dumps(record, indent=1) + "\n")


if __name__ == "__main__":
    main()
