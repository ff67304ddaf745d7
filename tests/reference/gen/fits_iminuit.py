"""Reference fits for searchlight's fit engine, made with iminuit (MIGRAD + HESSE + MINOS).

Samples are drawn with numpy and saved next to the results (little-endian float64,
`<fit>.<channel>.f64`), because numpy's random streams change across versions; the Rust
tests read the samples and compare values, Hesse errors and MINOS intervals.

Densities are written here independently of searchlight (numpy/scipy), normalised over
the fit range numerically with scipy.integrate.quad or analytically.

Run: python tests/reference/gen/fits_iminuit.py   (in a venv from scripts/peers-venv.sh)
"""

import json
import pathlib

import iminuit
import numpy as np
from iminuit import Minuit
from iminuit.cost import ExtendedBinnedNLL, ExtendedUnbinnedNLL, NormalConstraint, Template, UnbinnedNLL
from scipy import integrate, special

OUT = pathlib.Path(__file__).resolve().parent.parent / "fits"
rng = np.random.default_rng(20261126)


def truncated(sampler, lo, hi, n):
    out = np.empty(0)
    while out.size < n:
        x = sampler(2 * n)
        out = np.concatenate([out, x[(x >= lo) & (x <= hi)]])
    return out[:n]


def gauss_norm(mu, sigma, lo, hi):
    return sigma * np.sqrt(np.pi / 2) * (special.erf((hi - mu) / (np.sqrt(2) * sigma)) - special.erf((lo - mu) / (np.sqrt(2) * sigma)))


def gauss_pdf(x, mu, sigma, lo, hi):
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / gauss_norm(mu, sigma, lo, hi)


def exp_pdf(x, slope, lo, hi):
    return np.exp(slope * x) * slope / (np.exp(slope * hi) - np.exp(slope * lo))


def argus_raw(x, m0, c, p=0.5):
    u = np.clip(1 - (x / m0) ** 2, 0, None)
    return x * u**p * np.exp(c * u)


def argus_pdf(x, m0, c, lo, hi):
    norm = integrate.quad(lambda t: argus_raw(t, m0, c), lo, min(hi, m0), epsabs=0, epsrel=1e-12, limit=200)[0]
    return argus_raw(x, m0, c) / norm


def dscb_raw(x, mu, sigma, al, nl, ah, nh):
    t = (np.asarray(x, dtype=float) - mu) / sigma
    out = np.exp(-0.5 * t * t)
    low = t < -al
    high = t > ah
    out = np.where(low, np.exp(-0.5 * al * al) * ((nl / al) / (nl / al - al - t)) ** nl, out)
    out = np.where(high, np.exp(-0.5 * ah * ah) * ((nh / ah) / (nh / ah - ah + t)) ** nh, out)
    return out


def dscb_pdf(x, mu, sigma, tails, lo, hi):
    norm = integrate.quad(lambda t: dscb_raw(t, mu, sigma, *tails), lo, hi, points=[mu], epsabs=0, epsrel=1e-12, limit=400)[0]
    return dscb_raw(x, mu, sigma, *tails) / norm


def cheb_pdf(x, coefficients, lo, hi):
    c = np.concatenate([[1.0], coefficients])
    t = (2 * x - lo - hi) / (hi - lo)
    ci = np.polynomial.chebyshev.chebint(c)
    norm = 0.5 * (hi - lo) * (np.polynomial.chebyshev.chebval(1, ci) - np.polynomial.chebyshev.chebval(-1, ci))
    return np.polynomial.chebyshev.chebval(t, c) / norm


def run(cost, start, limits, names, minos):
    m = Minuit(cost, *start, name=names)
    for name, limit in limits.items():
        m.limits[name] = limit
    m.tol = 1e-6  # well past the default, so the reference is the exact minimum
    m.strategy = 2
    m.migrad()
    m.hesse()
    assert m.valid and m.accurate, m
    # MINOS with the tight tolerance above fails to converge its crossings (it reports
    # Valid False with intervals 5% short); MINUIT's default tolerance is what it is
    # tuned for, and every interval is checked valid.
    m.tol = 0.1
    m.minos(*minos)
    for name in minos:
        assert m.merrors[name].is_valid, m.merrors[name]
    return {
        "values": {n: m.values[n] for n in names},
        "errors": {n: m.errors[n] for n in names},
        "minos": {n: [m.merrors[n].lower, m.merrors[n].upper] for n in minos},
        "fval_half": m.fval / 2,
    }


def save(name, channel, x):
    x.astype("<f8").tofile(OUT / f"{name}.{channel}.f64")


results = {"iminuit": iminuit.__version__, "numpy": np.__version__}

# 1. Gaussian + exponential on [0, 10].
lo, hi = 0.0, 10.0
x = np.concatenate([truncated(lambda n: rng.normal(5.0, 0.5, n), lo, hi, 300), truncated(lambda n: rng.exponential(1 / 0.3, n), lo, hi, 2000)])
save("gauss_exp", "data", x)
cost = ExtendedUnbinnedNLL(x, lambda x, ns, mu, sigma, nb, slope: (ns + nb, ns * gauss_pdf(x, mu, sigma, lo, hi) + nb * exp_pdf(x, slope, lo, hi)))
results["gauss_exp"] = run(cost, [250, 4.8, 0.6, 2100, -0.25], {"ns": (0, None), "sigma": (0.01, 5), "nb": (0, None)}, ["ns", "mu", "sigma", "nb", "slope"], ["ns", "sigma"])

# 2. Gaussian + ARGUS in Mbc on [5.2, 5.29], endpoint 5.29 fixed.
lo, hi, m0 = 5.2, 5.29, 5.29


def argus_sample(n, c):
    grid = np.linspace(lo, m0, 20001)
    cdf = np.cumsum(argus_raw(grid, m0, c))
    cdf /= cdf[-1]
    return np.interp(rng.uniform(size=n), cdf, grid)


x = np.concatenate([truncated(lambda n: rng.normal(5.2795, 0.0027, n), lo, hi, 400), argus_sample(3000, -25.0)])
save("gauss_argus", "data", x)
cost = ExtendedUnbinnedNLL(x, lambda x, ns, mu, sigma, nb, c: (ns + nb, ns * gauss_pdf(x, mu, sigma, lo, hi) + nb * argus_pdf(x, m0, c, lo, hi)))
results["gauss_argus"] = run(cost, [350, 5.279, 0.003, 3100, -20], {"ns": (0, None), "sigma": (0.0005, 0.02), "nb": (0, None), "c": (-100, 0)}, ["ns", "mu", "sigma", "nb", "c"], ["ns", "mu"])

# 3. Double-sided Crystal Ball + second-order Chebychev in m_gg on [0.5, 1.5].
lo, hi = 0.5, 1.5
tails = (1.2, 3.0, 1.6, 5.0)
grid = np.linspace(lo, hi, 200001)
cdf = np.cumsum(dscb_raw(grid, 1.0, 0.02, *tails))
cdf /= cdf[-1]
signal = np.interp(rng.uniform(size=250), cdf, grid)
bkg_density = np.polynomial.chebyshev.chebval((2 * grid - lo - hi) / (hi - lo), [1.0, -0.3, 0.1])
cdf = np.cumsum(bkg_density)
cdf /= cdf[-1]
x = np.concatenate([signal, np.interp(rng.uniform(size=3000), cdf, grid)])
save("dscb_cheb", "data", x)
cost = ExtendedUnbinnedNLL(x, lambda x, ns, mu, sigma, nb, c1, c2: (ns + nb, ns * dscb_pdf(x, mu, sigma, tails, lo, hi) + nb * cheb_pdf(x, [c1, c2], lo, hi)))
results["dscb_cheb"] = run(cost, [200, 1.005, 0.025, 2900, -0.2, 0.0], {"ns": (0, None), "sigma": (0.002, 0.1), "nb": (0, None), "c1": (-1, 1), "c2": (-1, 1)}, ["ns", "mu", "sigma", "nb", "c1", "c2"], ["ns"])

# 4. Two channels sharing a branching fraction; efficiency scale theta with a 10%
#    Gaussian constraint. yield_A = br * theta * 1000, yield_B = br * theta * 400.
lo, hi = 0.0, 4.0
xa = np.concatenate([truncated(lambda n: rng.normal(2.0, 0.1, n), lo, hi, 60), truncated(lambda n: rng.exponential(2.0, n), lo, hi, 800)])
xb = np.concatenate([truncated(lambda n: rng.normal(2.0, 0.1, n), lo, hi, 25), truncated(lambda n: rng.exponential(1.0, n), lo, hi, 500)])
save("simultaneous", "A", xa)
save("simultaneous", "B", xb)
cost_a = ExtendedUnbinnedNLL(xa, lambda x, br, theta, mu, nba, sa, nbb, sb: (br * theta * 1000 + nba, br * theta * 1000 * gauss_pdf(x, mu, 0.1, lo, hi) + nba * exp_pdf(x, sa, lo, hi)))
cost_b = ExtendedUnbinnedNLL(xb, lambda x, br, theta, mu, nba, sa, nbb, sb: (br * theta * 400 + nbb, br * theta * 400 * gauss_pdf(x, mu, 0.1, lo, hi) + nbb * exp_pdf(x, sb, lo, hi)))
cost = cost_a + cost_b + NormalConstraint("theta", 1.0, 0.1)
names = ["br", "theta", "mu", "nba", "sa", "nbb", "sb"]
# Parameter names are taken from the cost functions' signatures.
results["simultaneous"] = run(cost, [0.05, 1.0, 2.05, 750, -0.45, 480, -0.9], {"br": (0, 1), "nba": (0, None), "nbb": (0, None)}, names, ["br"])

# 5. Binned: Gaussian + exponential in 40 bins on [0, 10] (ExtendedBinnedNLL).
lo, hi = 0.0, 10.0
x = np.concatenate([truncated(lambda n: rng.normal(6.0, 0.8, n), lo, hi, 500), truncated(lambda n: rng.exponential(1 / 0.25, n), lo, hi, 3000)])
counts, edges = np.histogram(x, bins=40, range=(lo, hi))
save("binned", "counts", counts.astype(float))


def binned_cdf(xe, ns, mu, sigma, nb, slope):
    g = ns * 0.5 * (1 + special.erf((xe - mu) / (np.sqrt(2) * sigma))) / (0.5 * (special.erf((hi - mu) / (np.sqrt(2) * sigma)) - special.erf((lo - mu) / (np.sqrt(2) * sigma))))
    e = nb * (np.exp(slope * xe) - np.exp(slope * lo)) / (np.exp(slope * hi) - np.exp(slope * lo))
    return g + e


cost = ExtendedBinnedNLL(counts, edges, binned_cdf)
results["binned"] = run(cost, [400, 5.8, 1.0, 3100, -0.2], {"ns": (0, None), "sigma": (0.05, 5), "nb": (0, None)}, ["ns", "mu", "sigma", "nb", "slope"], ["ns"])

# 6. Template fit with Barlow–Beeston-lite (iminuit's Template, Conway's method "jsc"):
# a signal template from 300 unweighted MC events, a background template from 800
# weighted MC events (weights 0.5–1.5), 25 bins on [0, 10], data of 150 + 1200 events.
lo, hi, bins = 0.0, 10.0, 25
signal_mc = truncated(lambda n: rng.normal(4.0, 0.7, n), lo, hi, 300)
background_mc = truncated(lambda n: rng.exponential(1 / 0.2, n), lo, hi, 800)
background_weights = rng.uniform(0.5, 1.5, background_mc.size)
x = np.concatenate([truncated(lambda n: rng.normal(4.0, 0.7, n), lo, hi, 150), truncated(lambda n: rng.exponential(1 / 0.2, n), lo, hi, 1200)])
counts, edges = np.histogram(x, bins=bins, range=(lo, hi))
signal_sumw, _ = np.histogram(signal_mc, bins=bins, range=(lo, hi))
background_sumw, _ = np.histogram(background_mc, bins=bins, range=(lo, hi), weights=background_weights)
background_sumw2, _ = np.histogram(background_mc, bins=bins, range=(lo, hi), weights=background_weights**2)
save("template", "counts", counts.astype(float))
save("template", "signal_sumw", signal_sumw.astype(float))
save("template", "background_sumw", background_sumw)
save("template", "background_sumw2", background_sumw2)
cost = Template(counts, edges, [signal_sumw.astype(float), np.stack([background_sumw, background_sumw2], axis=-1)], method="jsc")
results["template"] = run(cost, [120, 1300], {"x0": (0, None), "x1": (0, None)}, ["x0", "x1"], ["x0"])

# 7. Profile likelihood of ns in the Gaussian + exponential fit (mnprofile: ns fixed at
# 9 points over ±2σ, the others minimised); Δ(−ln L) = (fval − fval_min)/2.
x = np.fromfile(OUT / "gauss_exp.data.f64", dtype="<f8")
lo, hi = 0.0, 10.0
cost = ExtendedUnbinnedNLL(x, lambda x, ns, mu, sigma, nb, slope: (ns + nb, ns * gauss_pdf(x, mu, sigma, lo, hi) + nb * exp_pdf(x, slope, lo, hi)))
m = Minuit(cost, 250, 4.8, 0.6, 2100, -0.25, name=["ns", "mu", "sigma", "nb", "slope"])
m.limits["ns"] = (0, None)
m.limits["sigma"] = (0.01, 5)
m.limits["nb"] = (0, None)
m.tol = 1e-6
m.strategy = 2
m.migrad()
m.hesse()
values, fvals, ok = m.mnprofile("ns", size=9, bound=2, subtract_min=True)
assert all(ok)
results["profile_gauss_exp_ns"] = {"ns": values.tolist(), "delta_nll": (fvals / 2).tolist()}

# 8. A sum with a fraction instead of yields: the non-extended UnbinnedNLL of
# f·Gaussian + (1 − f)·exponential on the Gaussian + exponential sample.
cost = UnbinnedNLL(x, lambda x, f, mu, sigma, slope: f * gauss_pdf(x, mu, sigma, lo, hi) + (1 - f) * exp_pdf(x, slope, lo, hi))
results["fraction"] = run(cost, [0.1, 4.8, 0.6, -0.25], {"f": (0, 1), "sigma": (0.01, 5)}, ["f", "mu", "sigma", "slope"], ["f"])

(OUT / "iminuit.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
print(json.dumps(results, indent=1))
