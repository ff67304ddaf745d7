"""Feldman–Cousins intervals with Gaussian uncertainties on background and efficiency
(Cousins–Highland integration, Conrad et al. PRD 67 (2003) 012002), computed
independently of searchlight: the smearing by trapezoid sums on dense grids, the best
signal per count by scipy's bounded scalar minimiser, the Poisson terms by scipy.stats.

Same construction as src/stats/feldman_cousins.rs: counts ranked by P(k|s)/P(k|ŝ_k),
ties to the smaller k, accepted until the probability reaches CL; the interval is the
hull of the accepted signals, found by a 0.02/ε scan and bisection at both ends. The
background's Gaussian probability below zero sits at b = 0; the efficiency's Gaussian is
truncated at zero and renormalised.

Run: /tmp/peers/bin/python tests/reference/gen/fc_uncertain.py > tests/reference/limits/fc_uncertain.json
"""
import json

import numpy as np
import scipy
from scipy import optimize, stats


def grid(value, sigma, points, clipped=False):
    if sigma == 0:
        return np.array([value]), np.array([1.0])
    x = np.linspace(max(0.0, value - 8 * sigma), value + 8 * sigma, points)
    w = np.exp(-0.5 * ((x - value) / sigma) ** 2)
    w[0] *= 0.5
    w[-1] *= 0.5
    w = w / w.sum()
    if clipped:
        below = stats.norm.cdf(-value / sigma)
        x, w = np.append(x, 0.0), np.append(w * (1 - below), below)
    return x, w


def interval(n, b, db, e, de, cl, points):
    bx, bw = grid(b, db, points, clipped=True)
    ex, ew = grid(e, de, points)
    E, B = np.meshgrid(ex, bx, indexing="ij")
    W = np.outer(ew, bw)
    n_max = int((n + b + 5 * db) * 3 + 60)
    ks = np.arange(n_max + 1)

    def prob(s):
        mean = (E * s + B).reshape(-1)
        return stats.poisson.pmf(ks[:, None], mean[None, :]) @ W.reshape(-1)

    def prob_k(k, s):
        mean = (E * s + B).reshape(-1)
        return float(stats.poisson.pmf(k, mean) @ W.reshape(-1))

    top_s = (k_top := n_max) / max(e - 3 * de, 0.05 * e)
    best = []
    for k in ks:
        if db == 0 and de == 0:
            s_hat = max(0.0, (k - b) / e)
        else:
            r = optimize.minimize_scalar(lambda s: -prob_k(k, s), bounds=(0, (k + 10 * np.sqrt(k + 1) + 10) / max(e - 3 * de, 0.05 * e)), method="bounded", options={"xatol": 1e-10})
            s_hat = r.x if prob_k(k, r.x) >= prob_k(k, 0.0) else 0.0
        best.append(prob_k(k, s_hat))
    best = np.array(best)

    def inside(s):
        p = prob(s)
        ratio = np.where(best > 0, p / np.where(best > 0, best, 1), 0.0)
        r_n = ratio[n]
        before = sum(p[k] for k in ks if k != n and (ratio[k] > r_n or (ratio[k] == r_n and k < n)))
        return before < cl

    step = 0.02 / e
    top = (n + 10 * np.sqrt(n + 1) + 20) / e
    first = last = None
    s = 0.0
    while s <= top:
        if inside(s):
            first = s if first is None else first
            last = s
        s += step

    def edge(a, b):
        for _ in range(40):
            mid = 0.5 * (a + b)
            if inside(mid):
                a = mid
            else:
                b = mid
        return 0.5 * (a + b)

    lower = 0.0 if first == 0.0 else edge(first, first - step)
    return lower, edge(last, last + step)


CASES = [
    # (n, b, σ_b, ε, σ_ε, points per dimension)
    (0, 1.0, 0.3, 1.0, 0.0, 2001),
    (2, 1.0, 0.3, 1.0, 0.0, 2001),
    (5, 3.0, 1.0, 1.0, 0.0, 2001),
    (1, 0.5, 0.0, 0.8, 0.1, 2001),
    (4, 0.5, 0.0, 0.8, 0.1, 2001),
    (3, 1.5, 0.4, 0.6, 0.09, 161),
]
out = {"scipy": scipy.__version__, "cl": 0.9, "cases": []}
for n, b, db, e, de, points in CASES:
    lo, hi = interval(n, b, db, e, de, 0.9, points)
    out["cases"].append({"n": n, "b": b, "b_sigma": db, "efficiency": e, "efficiency_sigma": de, "lower": lo, "upper": hi})
print(json.dumps(out, indent=1))
