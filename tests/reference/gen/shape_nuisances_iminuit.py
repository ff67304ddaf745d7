"""Reference scan-window fit with nuisances on the signal shape, made with iminuit
(MIGRAD + HESSE) on the file-based reference search's data.

At m(A') = 2.5 GeV the search fits M in +-10 sigma (sigma = 0.002 + 0.004 m = 0.012):
a Gaussian signal of yield n_sig * eps(2.5) (eps linear between the 2.0 and 3.0 GeV
points of dark_photon_files.json) with its width sigma * theta_res and its mean
2.5 * theta_scale, theta_res ~ N(1, 0.10) and theta_scale ~ N(1, 0.002) (each within
six widths), over a first-order Chebychev background with free slope and yield. The
extended unbinned likelihood is written here with numpy, independently of searchlight.

Writes tests/reference/fits/shape_nuisances_iminuit.json; and, with asymmetric widths —
the width times code4(alpha_res; +15%, -5%) and the mean times code4(alpha_scale;
+0.3%, -0.1%), HistFactory's code-4 interpolation (pyhf's normsys, checked here against
pyhf's own interpolator), alpha ~ N(0, 1) within [-5, 5] — shape_nuisances_asymmetric_iminuit.json.

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
OUT_ASYMMETRIC = ROOT / "tests" / "reference" / "fits" / "shape_nuisances_asymmetric_iminuit.json"
MASS, RES, SCALE = 2.5, 0.10, 0.002
RES_UP, RES_DOWN, SCALE_UP, SCALE_DOWN = 0.15, 0.05, 0.003, 0.001


def code4(hi, lo):
    """HistFactory's code 4 (alpha0 = 1): hi^alpha / lo^-alpha beyond +-1, inside a
    sixth-order polynomial matching value, slope and curvature at +-1."""
    a = np.zeros((6, 6))
    for i in range(1, 7):
        sign = 1.0 if i % 2 == 0 else -1.0
        a[0, i - 1], a[1, i - 1] = 1.0, sign
        a[2, i - 1], a[3, i - 1] = i, -i * sign
        a[4, i - 1], a[5, i - 1] = i * (i - 1), i * (i - 1) * sign
    lh, ll = np.log(hi), np.log(lo)
    c = np.linalg.solve(a, [hi - 1, lo - 1, lh * hi, -ll * lo, lh * lh * hi, ll * ll * lo])

    def at(alpha):
        if alpha >= 1:
            return hi ** alpha
        if alpha <= -1:
            return lo ** -alpha
        return 1 + sum(ci * alpha ** (i + 1) for i, ci in enumerate(c))
    return at


def check_against_pyhf(hi, lo):
    import pyhf
    f = code4(hi, lo)
    alphas = [-1.7, -1.0, -0.4, 0.0, 0.3, 1.0, 2.2]
    theirs = pyhf.interpolators.code4([[[[lo], [1.0], [hi]]]], subscribe=False)(pyhf.tensorlib.astensor([alphas]))
    for alpha, t in zip(alphas, np.ravel(theirs)):
        assert abs(f(alpha) - t) < 1e-12, (alpha, f(alpha), t)


def fitted(nll, nuisances, limits, events):
    """MIGRAD and HESSE of `nll`(n_sig, *nuisances, c1, nb) from the usual start values:
    its values and errors."""
    fit = Minuit(nll, n_sig=30, **nuisances, c1=0.0, nb=events)
    fit.errordef = Minuit.LIKELIHOOD
    for name, limit in dict(n_sig=(0, 500), **limits, c1=(-1, 1), nb=(0, None)).items():
        fit.limits[name] = limit
    fit.tol = 1e-6
    fit.migrad()
    fit.hesse()
    assert fit.valid, fit
    return {
        "values": {k: float(fit.values[k]) for k in fit.parameters},
        "errors": {k: float(fit.errors[k]) for k in fit.parameters},
    }


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

    reference = {
        "iminuit": iminuit.__version__,
        "events": int(len(x)),
        "efficiency": efficiency,
        **fitted(nll, dict(theta_res=1.0, theta_scale=1.0),
                 dict(theta_res=(1 - 6 * RES, 1 + 6 * RES), theta_scale=(1 - 6 * SCALE, 1 + 6 * SCALE)), len(x)),
    }
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(json.dumps(reference, indent=1))

    # Asymmetric widths: code-4 factors in alpha ~ N(0, 1).
    check_against_pyhf(1 + RES_UP, 1 - RES_DOWN)
    check_against_pyhf(1 + SCALE_UP, 1 - SCALE_DOWN)
    res, scale = code4(1 + RES_UP, 1 - RES_DOWN), code4(1 + SCALE_UP, 1 - SCALE_DOWN)

    def nll_asymmetric(n_sig, alpha_res, alpha_scale, c1, nb):
        ns = n_sig * efficiency
        density = ns * gauss(MASS * scale(alpha_scale), s * res(alpha_res)) + nb * chebychev(c1)
        return ns + nb - np.sum(np.log(density)) + 0.5 * alpha_res ** 2 + 0.5 * alpha_scale ** 2

    reference = {
        "iminuit": iminuit.__version__,
        "events": int(len(x)),
        **fitted(nll_asymmetric, dict(alpha_res=0.0, alpha_scale=0.0),
                 dict(alpha_res=(-5, 5), alpha_scale=(-5, 5)), len(x)),
    }
    OUT_ASYMMETRIC.write_text(json.dumps(reference, indent=1) + "\n")
    print(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main()
