"""iminuit (MIGRAD + HESSE) with a numpy cost function on the sample of benches/fit.rs:
extended unbinned Gaussian + ARGUS (m0 = 5.29, p = 0.5) on [5.2, 5.29], the same start
values and limits. The ARGUS normalisation is closed-form (erf), as a numpy user would
write it.

usage: python fit_iminuit.py SAMPLE.f64   (run by `cargo bench --bench fit`)
"""
import sys
import time

import iminuit
import numpy as np
from iminuit import Minuit
from iminuit.cost import ExtendedUnbinnedNLL
from scipy import special

LO, HI, M0 = 5.2, 5.29, 5.29


def gauss_pdf(x, mu, sigma):
    norm = sigma * np.sqrt(np.pi / 2) * (special.erf((HI - mu) / (np.sqrt(2) * sigma)) - special.erf((LO - mu) / (np.sqrt(2) * sigma)))
    return np.exp(-0.5 * ((x - mu) / sigma) ** 2) / norm


def argus_primitive(m, c):
    # d/dm of this is m sqrt(u) exp(c u), u = 1 - m^2/m0^2 (c < 0).
    u = np.clip(1 - (m / M0) ** 2, 0, None)
    k = np.sqrt(-c)
    return -0.5 * M0**2 * (np.sqrt(u) * np.exp(c * u) / c + np.sqrt(np.pi) * special.erf(k * np.sqrt(u)) / (2 * k**3))


def argus_pdf(x, c):
    u = np.clip(1 - (x / M0) ** 2, 0, None)
    norm = argus_primitive(HI, c) - argus_primitive(LO, c)
    return x * np.sqrt(u) * np.exp(c * u) / norm


def main():
    x = np.fromfile(sys.argv[1], dtype="<f8")
    cost = ExtendedUnbinnedNLL(x, lambda x, ns, mu, sigma, nb, c: (ns + nb, ns * gauss_pdf(x, mu, sigma) + nb * argus_pdf(x, c)))
    times = []
    for _ in range(3):
        m = Minuit(cost, ns=90_000.0, mu=5.279, sigma=0.003, nb=910_000.0, c=-15.0)
        m.limits["ns"] = (0, 2e6)
        m.limits["mu"] = (5.27, 5.29)
        m.limits["sigma"] = (0.0005, 0.02)
        m.limits["nb"] = (0, 2e6)
        m.limits["c"] = (-100, 0)
        start = time.perf_counter()
        m.migrad()
        m.hesse()
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"iminuit {iminuit.__version__:<10} {times[1]:>8.3f} s  {m.nfcn} calls  valid={m.valid}  ns = {m.values['ns']:.1f} ± {m.errors['ns']:.1f}")


main()
