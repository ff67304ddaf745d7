"""The background function of a bump hunt chosen and checked (`fit.background_choice`),
and the same computations done independently with iminuit and scipy
(tests/it/fits.rs).

Writes tests/reference/fits/background_choice_data.parquet (column `x`: 3000 background
events on [0, 10], 88% exponential of slope −0.3 and 12% flat — a shape none of the
candidate functions has exactly — and 45 Gaussian signal events at 5.0, width 0.3),
background_choice_mc.parquet (30000 background-only events of the same density; the
spec scales them by 0.1) and background_choice_iminuit.json, at the hypothesis m = 5.0
with the whole range [0, 10] as the fit window:

- `f_test`: background-only extended unbinned fits (n_sig = 0) of Chebychev
  polynomials 1 + Σ c_k T_k(x') (x' = x mapped onto [−1, 1], c_k in [−2, 2]) from order 1
  up, each order's −ln L and the χ² p-value of 2 Δ(−ln L) for the next one (1 degree of
  freedom); the order kept is the first whose successor has p ≥ 0.05.
- per function (that Chebychev, `expo`: exp(s x), `bern`: a degree-2 Bernstein with
  b0 = 1 and b1, b2 floating in [0, 10]): −ln L of the unconditional fit (n_sig ≥ 0) and
  the spurious signal — the signal fitted on the simulated sample weighted by 0.1,
  n_sig free in [−500, 500], with its HESSE error.
- the envelope (penalty 0.5 per floating shape parameter): the observed CLs upper limit
  at 95% CL from q̃μ = 2 (min_f [−ln L_f(μ) + pen_f] − min_f [−ln L_f(μ̂_f) + pen_f]),
  and the expected median from q_{μ,A} on the Asimov data of the function with the best
  penalised background-only fit (200 equal bins over [0, 10], binned Poisson), each
  function fitted to those data.

Run: /tmp/peers/bin/python tests/reference/gen/background_choice_iminuit.py
"""

import json
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from iminuit import Minuit
from numpy.polynomial import chebyshev
from scipy import optimize, stats

OUT = pathlib.Path(__file__).resolve().parents[1] / "fits"
LO, HI = 0.0, 10.0
MASS, WIDTH = 5.0, 0.3
PENALTY = 0.5
CL = 0.95
BINS = 200
rng = np.random.default_rng(20261208)


def background(n):
    # 88% exponential of slope −0.3 (truncated to [0, 10] by inverse CDF), 12% flat.
    u = rng.uniform(size=n)
    slope = 0.3
    expo = -np.log(1 - u * (1 - np.exp(-slope * HI))) / slope
    flat = rng.uniform(LO, HI, size=n)
    return np.where(rng.uniform(size=n) < 0.88, expo, flat)


def unit(x):
    return (2 * x - LO - HI) / (HI - LO)


def gauss_integral(lo, hi):
    return stats.norm.cdf(hi, MASS, WIDTH) - stats.norm.cdf(lo, MASS, WIDTH)


class Function:
    """A background shape: name, parameter names, start values and limits, density and
    a primitive (integrals in closed form)."""

    def __init__(self, name, params, starts, limits, density, primitive):
        self.name, self.params, self.starts, self.limits = name, params, starts, limits
        self.density, self.primitive = density, primitive

    def integral(self, lo, hi, p):
        return self.primitive(np.asarray(hi), p) - self.primitive(np.asarray(lo), p)


def cheb(order):
    def density(x, p):
        return chebyshev.chebval(unit(x), [1.0, *p])

    def primitive(x, p):
        return chebyshev.chebval(unit(x), chebyshev.chebint([1.0, *p])) * (HI - LO) / 2
    names = [f"c{k}" for k in range(1, order + 1)]
    return Function("background", names, [0.0] * order, [(-2, 2)] * order, density, primitive)


EXPO = Function("expo", ["s"], [-0.2], [(-3, 1)], lambda x, p: np.exp(p[0] * x),
                lambda x, p: np.exp(p[0] * x) / p[0])


def bern_density(x, p):
    u = (x - LO) / (HI - LO)
    return (1 - u) ** 2 + p[0] * 2 * u * (1 - u) + p[1] * u ** 2


def bern_primitive(x, p):
    u = (x - LO) / (HI - LO)
    return (u - u ** 2 + u ** 3 / 3 + p[0] * (u ** 2 - 2 * u ** 3 / 3) + p[1] * u ** 3 / 3) * (HI - LO)


BERN = Function("bern", ["b1", "b2"], [1.0, 1.0], [(0, 10), (0, 10)], bern_density, bern_primitive)


def unbinned_nll(function, x, w):
    """−ln L(n_sig, n_b, shape…) of the extended unbinned fit of (x, w)."""
    g_norm = gauss_integral(LO, HI)

    def nll(args):
        n_sig, n_b, *p = args
        d_b = function.density(x, p)
        norm = function.integral(LO, HI, p)
        if norm <= 0:
            return 1e30
        dens = n_sig * stats.norm.pdf(x, MASS, WIDTH) / g_norm + n_b * d_b / norm
        if np.any(dens[w != 0] <= 0):
            return 1e30
        return (n_sig + n_b) - np.sum(w * np.log(dens))
    return nll


def binned_nll(function, edges, counts):
    """Binned Poisson deviance Σ ν − n + n ln(n/ν) of Asimov counts."""
    g = gauss_integral(edges[:-1], edges[1:]) / gauss_integral(LO, HI)

    def nll(args):
        n_sig, n_b, *p = args
        norm = function.integral(LO, HI, p)
        fb = function.integral(edges[:-1], edges[1:], p) / norm
        nu = n_sig * g + n_b * fb
        if np.any(nu <= 0):
            return 1e30
        with np.errstate(divide="ignore", invalid="ignore"):
            log_term = np.where(counts > 0, counts * np.log(counts / nu), 0.0)
        return np.sum(nu - counts + log_term)
    return nll


def fit(cost, function, total, n_sig=None, sig_limits=(0, 500), hesse=False, start=None):
    names = ["n_sig", "n_b", *function.params]
    values = start if start is not None else [3.0, total, *function.starts]
    if n_sig is not None:
        values = [n_sig, *values[1:]]
    m = Minuit(cost, values, name=names)
    m.errordef = Minuit.LIKELIHOOD
    m.limits["n_sig"] = sig_limits
    m.limits["n_b"] = (0, None)
    for name, lim in zip(function.params, function.limits):
        m.limits[name] = lim
    if n_sig is not None:
        m.fixed["n_sig"] = True
    m.strategy = 2
    m.tol = 1e-7
    m.migrad()
    if hesse:
        m.hesse()
    assert m.valid, (function.name, n_sig, m)
    return m


def main():
    data = np.concatenate([background(3000), rng.normal(MASS, WIDTH, 45)])
    data = data[(data >= LO) & (data <= HI)]
    mc = background(30000)
    pq.write_table(pa.table({"x": data}), OUT / "background_choice_data.parquet")
    pq.write_table(pa.table({"x": mc}), OUT / "background_choice_mc.parquet")
    ones = np.ones_like(data)

    # The order test.
    tests, order = [], 1
    while True:
        f = cheb(order)
        m = fit(unbinned_nll(f, data, ones), f, len(data), n_sig=0.0)
        tests.append({"order": order, "nll": m.fval})
        if len(tests) > 1:
            stat = 2 * (tests[-2]["nll"] - tests[-1]["nll"])
            tests[-2]["p_value"] = stats.chi2.sf(stat, 1)
            if tests[-2]["p_value"] >= 0.05:
                chosen = tests[-2]["order"]
                break
        order += 1
    functions = [cheb(chosen), EXPO, BERN]

    # Per function: free fit, background-only fit, spurious signal.
    report = []
    free, null = [], []
    for f in functions:
        cost = unbinned_nll(f, data, ones)
        best = fit(cost, f, len(data))
        zero = fit(cost, f, len(data), n_sig=0.0)
        spur = fit(unbinned_nll(f, mc, np.full_like(mc, 0.1)), f, 0.1 * len(mc),
                   n_sig=None, sig_limits=(-500, 500), hesse=True, start=[0.0, 0.1 * len(mc), *f.starts])
        pen = PENALTY * len(f.params)
        free.append((best.fval + pen, best))
        null.append((zero.fval + pen, zero))
        report.append({
            "name": f.name,
            "parameters": len(f.params),
            "nll": best.fval,
            "spurious_events": spur.values["n_sig"],
            "spurious_error": spur.errors["n_sig"],
        })
    best_k = int(np.argmin([v for v, _ in free]))
    observed_min = free[best_k][0]
    mu_hat = free[best_k][1].values["n_sig"]

    def q_tilde(mu):
        if mu_hat > mu:
            return 0.0
        prof = min(
            fit(unbinned_nll(f, data, ones), f, len(data), n_sig=mu,
                start=list(null[k][1].values)).fval + PENALTY * len(f.params)
            for k, f in enumerate(functions))
        return max(2 * (prof - observed_min), 0.0)

    # Asimov data of the generator.
    gen_k = int(np.argmin([v for v, _ in null]))
    gen_f, gen = functions[gen_k], null[gen_k][1]
    edges = np.linspace(LO, HI, BINS + 1)
    p = list(gen.values)[2:]
    norm = gen_f.integral(LO, HI, p)
    counts = gen.values["n_b"] * gen_f.integral(edges[:-1], edges[1:], p) / norm
    asimov_free = []
    for k, f in enumerate(functions):
        pen = PENALTY * len(f.params)
        if k == gen_k:
            asimov_free.append((pen, 0.0))
        else:
            m = fit(binned_nll(f, edges, counts), f, counts.sum(), start=list(null[k][1].values))
            asimov_free.append((m.fval + pen, m.values["n_sig"]))
    at = int(np.argmin([v for v, _ in asimov_free]))
    asimov_min, asimov_mu = asimov_free[at]

    def q_asimov(mu):
        if asimov_mu > mu:
            return 0.0
        prof = min(
            fit(binned_nll(f, edges, counts), f, counts.sum(), n_sig=mu,
                start=list(null[k][1].values)).fval + PENALTY * len(f.params)
            for k, f in enumerate(functions))
        return max(2 * (prof - asimov_min), 0.0)

    alpha = 1 - CL

    def cls_observed(mu):
        q, qa = q_tilde(mu), q_asimov(mu)
        sq, sqa = np.sqrt(q), np.sqrt(qa)
        t = sq - sqa if sq <= sqa else (q - qa) / (2 * sqa)
        return stats.norm.sf(t + sqa) / stats.norm.sf(t) - alpha

    observed = optimize.brentq(cls_observed, 1.0, 200.0, xtol=1e-6)
    target = stats.norm.ppf(1 - alpha / 2)
    expected = optimize.brentq(lambda mu: np.sqrt(q_asimov(mu)) - target, 1.0, 200.0, xtol=1e-6)

    result = {
        "mass": MASS,
        "order_tests": tests,
        "chosen_order": chosen,
        "functions": report,
        "chosen": functions[best_k].name,
        "generator": functions[gen_k].name,
        "fitted_n_sig": mu_hat,
        "observed_limit": observed,
        "expected_median": expected,
    }
    (OUT / "background_choice_iminuit.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
