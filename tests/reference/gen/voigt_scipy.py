"""Reference values of the Voigt profile (scipy.special.voigt_profile, whose gamma is the
Lorentzian half width: RooVoigtian's width / 2) and of its integrals over fit ranges
(scipy.integrate.quad, with the peak as a break point), for tests/it/shapes.rs.

Run: /tmp/peers/bin/python tests/reference/gen/voigt_scipy.py > tests/reference/shapes/voigt.json
"""
import json

import numpy as np
import scipy
from scipy import integrate, special

# (mean, width Γ (FWHM), sigma): an η-like narrow peak, a ρ-like wide one, Gaussian- and
# Lorentzian-dominated limits.
CASES = [
    (0.548, 1.3e-6, 0.012),
    (0.775, 0.149, 0.02),
    (1.02, 0.0043, 0.003),
    (3.097, 9.3e-5, 0.015),
    (0.0, 1.0, 1e-3),
]

out = {"scipy": scipy.__version__, "cases": []}
for mean, width, sigma in CASES:
    span = 12 * max(width, sigma)
    xs = np.linspace(mean - span, mean + span, 41).tolist() + [mean]
    density = [float(special.voigt_profile(x - mean, sigma, width / 2)) for x in xs]
    ranges = [
        (mean - span, mean + span),
        (mean - 0.3 * span, mean + 0.1 * span),
        (mean + 0.2 * span, mean + 0.9 * span),
        (mean - 40 * span, mean - span),
    ]
    integrals = []
    for lo, hi in ranges:
        points = [mean] if lo < mean < hi else None
        value, _ = integrate.quad(
            lambda x: special.voigt_profile(x - mean, sigma, width / 2),
            lo, hi, points=points, epsabs=0, epsrel=1e-13, limit=500,
        )
        integrals.append({"range": [lo, hi], "value": value})
    out["cases"].append({
        "mean": mean, "width": width, "sigma": sigma,
        "x": xs, "density": density, "integrals": integrals,
    })
print(json.dumps(out, indent=1))
