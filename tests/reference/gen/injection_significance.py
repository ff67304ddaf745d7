"""Expected (Asimov) local significance of a signal injected into the file-based
reference search's data, computed with numpy, scipy and iminuit independently of
searchlight.

At m(A') = 4.5 GeV the search fits M in a window of +-10 sigma (sigma = 0.002 + 0.004 m)
with a Gaussian signal of width sigma and a first-order Chebychev background whose slope
and yield float. 80 generated signal events injected there are expected to add
80 * eps(4.5) selected candidates (eps measured in dark_photon_files.py). The median
significance is sqrt(q0) on the Asimov data set: the background as fitted, without
signal, to the data before the injection, plus that signal; q0 = 2 (NLL of the
background-only fit to the Asimov density - NLL at the density itself), the extended
unbinned NLL integrated over the Asimov density.

Writes tests/reference/run/injection_significance.json.

Run: /tmp/peers/bin/python tests/reference/gen/injection_significance.py
"""

import json
import pathlib
import sys

import numpy as np
import uproot
from iminuit import Minuit
from scipy import integrate, special

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from dark_photon_files import FILES, ROOT, select, sigma  # noqa: E402

OUT = ROOT / "tests" / "reference" / "run" / "injection_significance.json"
MASS, EVENTS = 4.5, 80


def main():
    s = sigma(MASS)
    lo, hi = MASS - 10 * s, MASS + 10 * s
    columns = uproot.open(FILES / "data.root")["variables"].arrays(library="np")
    m = columns["M"][select(columns)]
    x = m[(m >= lo) & (m <= hi)]
    efficiency = next(e["efficiency"] for e in json.loads((ROOT / "tests/reference/run/dark_photon_files.json").read_text())["efficiency"] if e["mass"] == MASS)
    signal = EVENTS * efficiency

    def background(t, c1):
        u = (2 * t - lo - hi) / (hi - lo)
        return (1 + c1 * u) / (hi - lo)

    def gauss(t):
        norm = s * np.sqrt(np.pi / 2) * (special.erf((hi - MASS) / (np.sqrt(2) * s)) - special.erf((lo - MASS) / (np.sqrt(2) * s)))
        return np.exp(-0.5 * ((t - MASS) / s) ** 2) / norm

    def fit(nll, **start):
        minuit = Minuit(nll, **start)
        minuit.errordef = Minuit.LIKELIHOOD
        minuit.limits["c1"] = (-1, 1)
        minuit.limits["nb"] = (0, None)
        if "ns" in start:
            minuit.limits["ns"] = (0, None)
        minuit.tol = 1e-8
        minuit.migrad()
        assert minuit.valid, minuit
        return minuit

    # The background without signal, fitted to the data before the injection.
    data_fit = fit(lambda nb, c1: nb - np.sum(np.log(nb * background(x, c1))), nb=len(x), c1=0.0)
    nb0, c10 = data_fit.values["nb"], data_fit.values["c1"]

    def asimov(t):
        return nb0 * background(t, c10) + signal * gauss(t)

    points = sorted({lo, hi, MASS - 5 * s, MASS + 5 * s, MASS})

    def expectation(f):
        return sum(integrate.quad(f, a, b, epsabs=0, epsrel=1e-12, limit=400)[0] for a, b in zip(points[:-1], points[1:]))

    def nll(ns, nb, c1):
        return ns + nb - expectation(lambda t: asimov(t) * np.log(ns * gauss(t) + nb * background(t, c1)))

    background_only = fit(lambda nb, c1: nll(0.0, nb, c1), nb=nb0 + signal, c1=c10)
    q0 = 2 * (background_only.fval - nll(signal, nb0, c10))
    reference = {
        "mass": MASS,
        "events": EVENTS,
        "efficiency": efficiency,
        "expected_signal": signal,
        "background_in_window": nb0,
        "expected_significance": float(np.sqrt(q0)),
    }
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main()
