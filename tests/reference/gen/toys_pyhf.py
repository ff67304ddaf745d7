"""Reference toy-based CLs (q~mu) from pyhf's ToyCalculator for three of the workspaces
of asymptotic_pyhf.json: a low-count one-bin model, a one-bin model with a shapesys
(Poisson auxiliary measurement) and the two-channel model (normsys, lumi). Toys are
random: searchlight's test compares within the statistical errors of both.

Run: python tests/reference/gen/toys_pyhf.py   (in a venv from scripts/peers-venv.sh)
"""

import json
import pathlib

import numpy as np
import pyhf

HERE = pathlib.Path(__file__).resolve().parent.parent / "limits"
OUT = HERE / "toys_pyhf.json"
pyhf.set_backend("numpy", pyhf.optimize.minuit_optimizer(tolerance=1e-5))
NTOYS = 2000
CASES = {"low_count": 1.0, "one_bin_shapesys": 1.0, "two_channel": 2.0}

workspaces = json.loads((HERE / "asymptotic_pyhf.json").read_text())
out = {"pyhf": pyhf.__version__, "ntoys": NTOYS, "numpy_seed": 7}
np.random.seed(7)
for name, mu in CASES.items():
    ws = pyhf.Workspace(workspaces[name]["workspace"])
    model = ws.model()
    data = ws.data(model)
    calc = pyhf.infer.utils.create_calculator("toybased", data, model, ntoys=NTOYS, test_stat="qtilde", track_progress=False)
    teststat = calc.teststatistic(mu)
    sb, b = calc.distributions(mu)
    clsb, clb, cls = calc.pvalues(teststat, sb, b)
    # pyhf 0.7.6's expected_pvalues calls numpy.percentile(interpolation=...), which
    # numpy 2 removed: the same computation, with the keyword's successor.
    per_toy = np.array([calc.pvalues(t, sb, b)[2] for t in b.samples])
    expected = np.percentile(per_toy, [2.27501319, 15.86552539, 50.0, 84.13447461, 97.72498681], method="linear")
    out[name] = {
        "mu": mu,
        "cls_observed": float(cls),
        "clsb": float(clsb),
        "clb": float(clb),
        "cls_expected": [float(x) for x in expected],
    }
    print(name, out[name])
OUT.write_text(json.dumps(out, indent=1) + "\n")
