"""A signal region fitted together with a control region that shares its background
shape (`channels.CR.control: true`, `slope: { ..., shared: true }`), and the same
likelihood fitted by iminuit (tests/it/fits.rs).

Writes tests/reference/fits/control_region.parquet (columns `x` and `region`: 0 for the
signal region — 400 exponential background events with slope -0.35 and 60 Gaussian
signal events at 5.0, width 0.3 — and 1 for the control region, 2000 background events of
the same slope) and control_region_iminuit.json: the extended unbinned fit over [0, 10]
of n_sig·Gauss(5, 0.3) + nb_SR·Exp(slope) in the signal region and nb_CR·Exp(slope) in the
control region, one slope for both, each density normalised over [0, 10] — MIGRAD,
HESSE and MINOS of n_sig, and −ln L.

Run: /tmp/peers/bin/python tests/reference/gen/control_region_iminuit.py
"""

import json
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from iminuit import Minuit
from iminuit.cost import ExtendedUnbinnedNLL
from scipy import stats

OUT = pathlib.Path(__file__).resolve().parents[1] / "fits"
LO, HI = 0.0, 10.0
MASS, WIDTH = 5.0, 0.3
rng = np.random.default_rng(20261207)


def exponential(n, slope):
    out = np.empty(0)
    while out.size < n:
        x = rng.exponential(-1 / slope, 4 * n)
        out = np.concatenate([out, x[x <= HI]])
    return out[:n]


def expo_pdf(x, slope):
    return slope * np.exp(slope * x) / (np.exp(slope * HI) - np.exp(slope * LO))


def gauss_pdf(x):
    norm = stats.norm.cdf(HI, MASS, WIDTH) - stats.norm.cdf(LO, MASS, WIDTH)
    return stats.norm.pdf(x, MASS, WIDTH) / norm


def main():
    sr = np.concatenate([exponential(400, -0.35), rng.normal(MASS, WIDTH, 60)])
    sr = sr[(sr >= LO) & (sr <= HI)]
    cr = exponential(2000, -0.35)
    x = np.concatenate([sr, cr])
    region = np.concatenate([np.zeros(len(sr), np.int32), np.ones(len(cr), np.int32)])
    pq.write_table(pa.table({"x": x, "region": region}), OUT / "control_region.parquet")

    def signal_region(x, n_sig, slope, nb_sr, nb_cr):
        return n_sig + nb_sr, n_sig * gauss_pdf(x) + nb_sr * expo_pdf(x, slope)

    def control_region(x, n_sig, slope, nb_sr, nb_cr):
        return nb_cr, nb_cr * expo_pdf(x, slope)

    cost = ExtendedUnbinnedNLL(sr, signal_region) + ExtendedUnbinnedNLL(cr, control_region)
    m = Minuit(cost, n_sig=20.0, slope=-0.2, nb_sr=float(len(sr)), nb_cr=float(len(cr)))
    m.limits["n_sig"] = (0, 500)
    m.limits["slope"] = (-2, 0)
    m.tol = 1e-6  # well past the default, so the reference is the exact minimum
    m.strategy = 2
    m.migrad()
    m.hesse()
    m.tol = 0.1  # MINOS's crossings converge at MINUIT's default tolerance
    m.minos("n_sig")
    assert m.valid
    names = {
        "n_sig": "n_sig",
        "slope": "background.slope",
        "nb_sr": "background.yield[SR]",
        "nb_cr": "background.yield[CR]",
    }
    result = {
        "values": {names[p]: m.values[p] for p in names},
        "errors": {names[p]: m.errors[p] for p in names},
        "minos_n_sig": [m.merrors["n_sig"].lower, m.merrors["n_sig"].upper],
        "events": [int(len(sr)), int(len(cr))],
    }
    (OUT / "control_region_iminuit.json").write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
