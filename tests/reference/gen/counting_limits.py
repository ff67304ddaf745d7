"""Reference upper limits for a Poisson count, computed with scipy independently of
searchlight: exact CLs and flat-prior Bayesian limits, with a Gaussian (truncated at 0)
background and efficiency uncertainty integrated out by 96-point Gauss-Legendre
quadrature, the Bayesian posterior integrated by adaptive quadrature (scipy quad), and
limits found by Brent's method.

Run: /tmp/peers/bin/python tests/reference/gen/counting_limits.py
"""
import json
import pathlib

import numpy as np
from scipy import integrate, optimize, stats

OUT = pathlib.Path(__file__).resolve().parents[1] / "limits" / "counting.json"


def nodes(mean, sigma, k=96):
    """Gauss-Legendre nodes over mean ± 8 sigma (truncated at 0) with normal-pdf weights,
    normalised: E[f(x)] = sum(w * f(x)). A point mass when sigma = 0."""
    if sigma == 0:
        return np.array([mean]), np.array([1.0])
    lo, hi = max(0.0, mean - 8 * sigma), mean + 8 * sigma
    x, w = np.polynomial.legendre.leggauss(k)
    x = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
    w = 0.5 * (hi - lo) * w * stats.norm.pdf(x, mean, sigma)
    return x, w / w.sum()


def cls_upper(n, b, db, e, de, cl):
    bx, bw = nodes(b, db)
    ex, ew = nodes(e, de)
    clb = np.sum(bw * stats.poisson.cdf(n, bx))

    def f(s):
        mu = ex[None, :] * s + bx[:, None]
        return np.sum(bw[:, None] * ew[None, :] * stats.poisson.cdf(n, mu)) / clb - (1 - cl)

    return optimize.brentq(f, 0, 200, xtol=1e-12, rtol=1e-12)


def bayes_upper(n, b, db, e, de, cl):
    bx, bw = nodes(b, db)
    ex, ew = nodes(e, de)

    def like(s):
        mu = ex[None, :] * s + bx[:, None]
        return np.sum(bw[:, None] * ew[None, :] * stats.poisson.pmf(n, mu))

    total, _ = integrate.quad(like, 0, np.inf, epsabs=1e-14, epsrel=1e-11, limit=400)

    def f(u):
        part, _ = integrate.quad(like, 0, u, epsabs=1e-14, epsrel=1e-11, limit=400)
        return cl - part / total

    return optimize.brentq(f, 0, 200, xtol=1e-10, rtol=1e-10)


cases = []
for n in [0, 1, 2, 5, 10]:
    for b, db in [(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (3.0, 0.0), (1.0, 0.3), (3.0, 1.0)]:
        for e, de in [(1.0, 0.0), (0.3, 0.0), (0.3, 0.03)]:
            for cl in [0.90, 0.95]:
                case = {"n": n, "b": b, "db": db, "e": e, "de": de, "cl": cl}
                case["cls"] = cls_upper(n, b, db, e, de, cl)
                case["bayes"] = bayes_upper(n, b, db, e, de, cl)
                cases.append(case)
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps(cases, indent=1) + "\n")
print(len(cases), "cases")
