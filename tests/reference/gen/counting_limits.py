"""Reference upper limits for a Poisson count, computed independently of searchlight.

counting.json — exact CLs and flat-prior Bayesian limits with uncertainties, integrated
over +-12 sigma by 240-point Gauss-Legendre rules (searchlight: 64 or 96 over +-8 sigma):
  - background: Gaussian of width db, its probability below zero placed at b = 0;
  - efficiency: relative Gaussian rg truncated at zero and renormalised, or relative
    log-normal rl (e * (1 + rl)**theta, theta ~ N(0, 1)).
The Bayesian posterior is integrated over the signal by scipy's adaptive quadrature.

counting_grid.json — known background and efficiency on a log grid reaching n, b = 1e5,
where e^-mu is far below the smallest double:
  - CLs from mpmath's regularised upper incomplete gamma at 30 digits;
  - Bayesian by mpmath quadrature of the posterior (s + b)^n e^-(s+b) over s;
  - Feldman-Cousins by brute force: every count within 14 sigma of the mean ranked by
    scipy's Poisson log-probabilities, ties to the smaller count; the interval is the
    hull of the accepted signals (as ROOT's TFeldmanCousins: the accepted set has holes),
    its edges by bisection and a search of every piece between ranking changes beyond
    them, checked against a dense scan for small counts.

Run: /tmp/peers/bin/python tests/reference/gen/counting_limits.py [--grid]
(the grid, about 15 minutes, is recomputed when missing or with --grid)
"""
import json
import pathlib
import sys

import mpmath as mp
import numpy as np
from scipy import integrate, optimize, special, stats

HERE = pathlib.Path(__file__).resolve().parents[1] / "limits"
mp.mp.dps = 30


# ---------------------------------------------------------------- with uncertainties
RULE = 240  # Gauss-Legendre points per uncertainty (searchlight uses 64 or 96: this checks convergence)


def background_nodes(b, db):
    """The Gaussian over b +- 12 db cut at zero, its probability below zero as a node at 0."""
    if db == 0:
        return np.array([b]), np.array([1.0])
    below = stats.norm.cdf(-b / db)
    lo, hi = max(0.0, b - 12 * db), b + 12 * db
    x, w = np.polynomial.legendre.leggauss(RULE)
    x = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
    w = 0.5 * (hi - lo) * w * stats.norm.pdf(x, b, db)
    w = w / w.sum() * (1 - below)
    return np.append(x, 0.0), np.append(w, below)


def efficiency_nodes(rg, rl):
    """Factors of the efficiency: a relative Gaussian truncated at zero and renormalised,
    or a log-normal (1 + rl)**theta."""
    x, w = np.polynomial.legendre.leggauss(RULE)
    if rg > 0:
        lo, hi = max(-1.0 / rg, -12.0), 12.0
        z = 0.5 * (hi - lo) * x + 0.5 * (hi + lo)
        weight = w * stats.norm.pdf(z)
        return 1 + rg * z, weight / weight.sum()
    if rl > 0:
        z = 12.0 * x
        weight = w * stats.norm.pdf(z)
        return np.exp(np.log1p(rl) * z), weight / weight.sum()
    return np.array([1.0]), np.array([1.0])


def cls_upper(n, b, db, e, rg, rl, cl):
    bx, bw = background_nodes(b, db)
    fx, fw = efficiency_nodes(rg, rl)
    clb = np.sum(bw * stats.poisson.cdf(n, bx))

    def f(t):
        mu = fx[None, :] * t + bx[:, None]
        return np.sum(bw[:, None] * fw[None, :] * stats.poisson.cdf(n, mu)) / clb - (1 - cl)

    hi = 50.0
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, 0, hi, xtol=1e-13, rtol=1e-13) / e


def bayes_upper(n, b, db, e, rg, rl, cl):
    """The flat-prior posterior in t integrated over t by adaptive quadrature."""
    bx, bw = background_nodes(b, db)
    fx, fw = efficiency_nodes(rg, rl)
    weights = bw[:, None] * fw[None, :]

    def like(t):
        return np.sum(weights * stats.poisson.pmf(n, fx[None, :] * t + bx[:, None]))

    def integral(u):
        return integrate.quad(like, 0, u, epsabs=0, epsrel=1e-12, limit=400)[0]

    top = 50.0
    while like(top) > 1e-16 * max(like(0.0), like(float(n))):
        top *= 2
    total = integral(top)
    for start in range(1, 8):  # the tail beyond: decades of ever smaller slices
        total += integrate.quad(like, top * 10 ** (start - 1), top * 10**start, epsabs=0, epsrel=1e-12, limit=400)[0]
    f = lambda u: cl - integral(u) / total
    hi = 50.0
    while f(hi) > 0:
        hi *= 2
    return optimize.brentq(f, 0, hi, xtol=1e-11, rtol=1e-11) / e


def uncertain_cases():
    cases = []
    for n in [0, 1, 2, 5, 10]:
        for b, db in [(0.0, 0.0), (0.5, 0.0), (1.0, 0.0), (3.0, 0.0), (1.0, 0.3), (3.0, 1.0), (0.5, 0.5)]:
            for e, rg, rl in [(1.0, 0.0, 0.0), (0.3, 0.0, 0.0), (0.3, 0.1, 0.0), (0.3, 0.0, 0.25), (1.0, 0.4, 0.0), (1.0, 0.0, 2.0)]:
                cl = 0.90 if (n + len(cases)) % 2 else 0.95
                case = {"n": n, "b": b, "db": db, "e": e, "rg": rg, "rl": rl, "cl": cl}
                case["cls"] = cls_upper(n, b, db, e, rg, rl, cl)
                if rg <= 0.12:  # wider Gaussian priors make the flat-prior posterior improper
                    case["bayes"] = bayes_upper(n, b, db, e, rg, rl, cl)
                cases.append(case)
    return cases


# ---------------------------------------------------------------- known, to 1e5 events
def grid_cls(n, b, cl):
    ln_cdf = lambda mu: mp.log(mp.gammainc(n + 1, a=mu, regularized=True)) if mu > 0 else mp.mpf(0)
    base, target = ln_cdf(mp.mpf(b)), mp.log(1 - mp.mpf(cl))
    g = lambda s: ln_cdf(mp.mpf(b) + s) - base - target
    hi = float(n + 10 * mp.sqrt(n + 1) + 20)
    while g(mp.mpf(hi)) > 0:
        hi *= 2
    return optimize.brentq(lambda s: float(g(mp.mpf(s))), 0, hi, xtol=1e-14 * hi, rtol=1e-14)


def grid_bayes(n, b, cl):
    b = mp.mpf(b)
    shift = max(mp.mpf(n), b)
    log_peak = n * mp.log(shift) - shift if shift > 0 else mp.mpf(0)

    def posterior(s):
        mu = s + b
        if mu == 0:
            return mp.mpf(1) if n == 0 else mp.mpf(0)
        return mp.exp(n * mp.log(mu) - mu - log_peak)

    peak, width = max(0, n - b), mp.sqrt(n + 1) + 1
    breaks = sorted({mp.mpf(0)} | {max(mp.mpf(0), peak + k * width) for k in range(-40, 41)})
    total = mp.quad(posterior, breaks + [mp.inf])

    def g(u):
        u = mp.mpf(u)
        return float(mp.quad(posterior, [p for p in breaks if p < u] + [u]) / total - cl)

    hi = float(n + 10 * mp.sqrt(n + 1) + 20)
    while g(hi) < 0:
        hi *= 2
    return optimize.brentq(g, 0, hi, xtol=1e-14 * hi, rtol=1e-14)


def fc_accepts(n, b, signals, cl):
    """Whether the acceptance region of each signal holds n: the probability of the counts
    ranked before n (higher ratio, or equal ratio and smaller count) is below CL."""
    signals = np.atleast_1d(np.asarray(signals, dtype=float))
    mu = signals + b
    low, high = mu.min(), mu.max()
    # Counts beyond 14 sigma carry no probability that matters; n is ranked on its own.
    ks = np.arange(int(max(0, low - 14 * np.sqrt(low) - 40)), int(high + 14 * np.sqrt(high) + 40) + 1)
    # log Poisson probabilities as scipy.stats.poisson.logpmf computes them, without its
    # per-call overhead.
    log_pmf = lambda k, m: special.xlogy(k, m) - m - special.gammaln(k + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        logp = log_pmf(ks[None, :], mu[:, None])
        ratio = logp - log_pmf(ks, np.maximum(ks, b))[None, :]
        ratio_n = (log_pmf(n, mu) - log_pmf(n, max(n, b)))[:, None]
    before = ((ratio > ratio_n) | ((ratio == ratio_n) & (ks < n)[None, :])) & (ks != n)[None, :]
    mass = np.where(before, np.exp(logp), 0.0).sum(axis=1)
    accepted = mass < cl
    accepted[mu == 0] = n == 0
    return accepted if accepted.size > 1 else bool(accepted[0])


def fc_crossings(n, b, lo, hi):
    """Means at which count k and count n swap places in the likelihood-ratio ranking:
    where logpmf(k, mu) - logpmf(k, max(k, b)) = logpmf(n, mu) - logpmf(n, max(n, b))."""
    ks = np.arange(0, int(np.e * max(hi, b)) + n + 11)
    ks = ks[ks != n]
    m = np.maximum(ks, b)
    ck = np.where(ks == 0, -m, ks * np.log(np.where(m > 0, m, 1)) - m)
    mn = max(n, b)
    cn = -mn if n == 0 else n * np.log(mn) - mn
    mu = np.exp((ck - cn) / (ks - n))
    return np.sort(mu[(mu > lo) & (mu < hi)])


def fc_interval(n, b, cl):
    """The hull of the accepted signals (as ROOT's TFeldmanCousins): the edges found by
    bisection, then every piece between ranking changes within 6 sigma beyond them
    sampled (ends just inside) for further accepted signals."""
    inside = lambda s: fc_accepts(n, b, s, cl)
    start = max(0.0, n - b)
    assert inside(start)

    def edge(a, c):
        for _ in range(200):
            mid = 0.5 * (a + c)
            if inside(mid):
                a = mid
            else:
                c = mid
            if abs(c - a) <= 1e-13 * max(abs(a), abs(c), 1e-300):
                break
        return 0.5 * (a + c)

    def farthest(e, upwards):
        mu = e + b
        reach = np.sqrt(mu + 1) + 10
        lo, hi = (mu, mu + reach) if upwards else (max(b, mu - reach), mu)
        bounds = np.concatenate([[lo], fc_crossings(n, b, lo, hi), [hi]]) - b
        pieces = list(zip(bounds[:-1], bounds[1:]))
        if not upwards:
            pieces = [(c, a) for a, c in reversed(pieces)]
        fractions = np.clip(np.linspace(0, 1, 17), 1e-9, 1 - 1e-9)
        points = np.array([a + (c - a) * fractions for a, c in pieces])
        flat = points.reshape(-1)
        accepted = np.concatenate([fc_accepts(n, b, chunk, cl) for chunk in np.array_split(flat, max(1, flat.size // 256))])
        accepted = accepted.reshape(points.shape)
        best = e
        for row, (a, c) in enumerate(pieces):
            hits = np.nonzero(accepted[row])[0]
            if hits.size:
                i = hits[-1]
                best = c if i == points.shape[1] - 1 else edge(points[row, i], points[row, i + 1])
        return best

    lower = 0.0 if inside(0.0) else farthest(edge(start, 0.0), False)
    step = 10 * np.sqrt(n + b + 1) + 20
    while inside(start + step):
        step *= 2
    upper = farthest(edge(start, start + step), True)
    if n <= 30 and b <= 30:  # a dense scan finds no accepted signal outside [lower, upper]
        grid = np.arange(0.0, upper + 20.0, 0.002)
        accepted = grid[np.concatenate([fc_accepts(n, b, chunk, cl) for chunk in np.array_split(grid, 50)])]
        assert accepted.min() >= lower - 1e-9 and accepted.max() <= upper + 1e-9, (n, b)
        assert accepted.min() - lower <= 0.002 + 1e-9 and upper - accepted.max() <= 0.002 + 1e-9, (n, b)
    return lower, upper


def grid_cases():
    cases = []
    counts = [0, 1, 2, 5, 10, 30, 100, 300, 1000, 3000, 10000, 30000, 100000]
    backgrounds = [0.0, 0.01, 0.1, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0, 100000.0]
    for i, n in enumerate(counts):
        for j, b in enumerate(backgrounds):
            cl = 0.95 if (i + j) % 2 == 0 else 0.90
            lower, upper = fc_interval(n, b, cl)
            cases.append({"n": n, "b": b, "cl": cl, "cls": grid_cls(n, b, cl), "bayes": grid_bayes(n, b, cl),
                          "fc_lower": lower, "fc_upper": upper})
            print(cases[-1], flush=True)
    return cases


HERE.mkdir(parents=True, exist_ok=True)
if not (HERE / "counting_grid.json").exists() or "--grid" in sys.argv:
    (HERE / "counting_grid.json").write_text(json.dumps(grid_cases(), indent=1) + "\n")
(HERE / "counting.json").write_text(json.dumps(uncertain_cases(), indent=1) + "\n")
