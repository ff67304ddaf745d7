"""Reference scan-window fit with nuisances on the signal shape, made with iminuit
(MIGRAD + HESSE) on the file-based reference search's data.

At m(A') = 2.5 GeV the search fits M in +-10 sigma (sigma = 0.002 + 0.004 m = 0.012):
a Gaussian signal of yield n_sig * eps(2.5) (eps linear between the 2.0 and 3.0 GeV
points of dark_photon_files.json) with its width sigma * theta_res and its mean
2.5 * theta_scale, theta_res ~ N(1, 0.10) and theta_scale ~ N(1, 0.002) (each within
six widths), over a first-order Chebychev background with free slope and yield. The
extended unbinned likelihood is written here with numpy, independently of searchlight.

Writes tests/reference/fits/shape_nuisances_iminuit.json.

Run: /tmp/peers/bin/python tests/reference/gen/shape_nuisances_iminuit.py
"""

import json
import pathlib
import sys

import iminuit
import numpy as np
import uproot
from iminuit import Minuit
from scipy import special

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from dark_photon_files import FILES, ROOT, select, sigma  # noqa: E402

OUT = ROOT / "tests" / "reference" / "fits" / "shape_nuisances_iminuit.json"
MASS, RES, SCALE = 2.5, 0.10, 0.002


def main():
    s = sigma(MASS)
    lo, hi = MASS - 10 * s, MASS + 10 * s
    columns = uproot.open(FILES / "data.root")["variables"].arrays(library="np")
    m = columns["M"][select(columns)]
    x = m[(m >= lo) & (m <= hi)]
    points = {e["mass"]: e["efficiency"] for e in json.loads((ROOT / "tests/reference/run/dark_photon_files.json").read_text())["efficiency"]}
    efficiency = 0.5 * (points[2.0] + points[3.0])

    def gauss(mu, width):
        norm = width * np.sqrt(np.pi / 2) * (special.erf((hi - mu) / (np.sqrt(2) * width)) - special.erf((lo - mu) / (np.sqrt(2) * width)))
        return np.exp(-0.5 * ((x - mu) / width) ** 2) / norm

    def chebychev(c1):
        u = (2 * x - lo - hi) / (hi - lo)
        return (1 + c1 * u) / (hi - lo)

    def nll(n_sig, theta_res, theta_scale, c1, nb):
        ns = n_sig * efficiency
        density = ns * gauss(MASS * theta_scale, s * theta_res) + nb * chebychev(c1)
        constraints = 0.5 * ((theta_res - 1) / RES) ** 2 + 0.5 * ((theta_scale - 1) / SCALE) ** 2
        return ns + nb - np.sum(np.log(density)) + constraints

    fit = Minuit(nll, n_sig=30, theta_res=1.0, theta_scale=1.0, c1=0.0, nb=len(x))
    fit.errordef = Minuit.LIKELIHOOD
    fit.limits["n_sig"] = (0, 500)
    fit.limits["theta_res"] = (1 - 6 * RES, 1 + 6 * RES)
    fit.limits["theta_scale"] = (1 - 6 * SCALE, 1 + 6 * SCALE)
    fit.limits["c1"] = (-1, 1)
    fit.limits["nb"] = (0, None)
    fit.tol = 1e-6
    fit.migrad()
    fit.hesse()
    assert fit.valid, fit
    reference = {
        "iminuit": iminuit.__version__,
        "events": int(len(x)),
        "efficiency": efficiency,
        "values": {k: float(fit.values[k]) for k in fit.parameters},
        "errors": {k: float(fit.errors[k]) for k in fit.parameters},
    }
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main()
