"""Times correctionlib's vectorised evaluation (one thread: evalv loops in C++) of two
corrections on 10^6 points and writes the points for the Rust side.

usage: python correction_eval.py DIR   (prints JSON: seconds per correction and the
outputs of the first 1000 points as bit patterns)
"""

import json
import pathlib
import sys
import time

import correctionlib
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "reference" / "corrections"
N = 1_000_000


def median(runs, f):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return sorted(times)[runs // 2]


def main():
    out = pathlib.Path(sys.argv[1])
    rng = np.random.default_rng(1)
    muid = rng.uniform(0.85, 1.0, N)
    mass = rng.uniform(0.0, 8.0, N)
    x = rng.uniform(0.01, 3.9, N)
    y = rng.uniform(0.01, 4.9, N)
    np.stack([muid, mass, x, y]).astype("<f8").tofile(out / "points.f64")
    sf = correctionlib.CorrectionSet.from_file(str(ROOT / "muon_id_sf.json"))["muon_id_sf"]
    formula = correctionlib.CorrectionSet.from_file(str(ROOT / "corrections.json"))["formula"]
    result = {"points": N, "correctionlib": correctionlib.__version__}
    for name, f in (("multibinning", lambda: sf.evaluate(muid, mass, "up")),
                    ("formula", lambda: formula.evaluate(x, y))):
        values = np.asarray(f(), dtype="<f8")
        result[f"{name}_seconds"] = median(5, f)
        result[f"{name}_bits"] = [f"{v:016x}" for v in values[:1000].view("<u8").tolist()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
