"""Reference p-values of the on/off (sideband) counting test, Z_Bi of Cousins, Linnemann
and Tucker (2008): p = I_rho(n_on, n_off + 1), rho = ratio / (1 + ratio), from
scipy.special.betainc; the significance Z = Phi^-1(1 - p) from scipy.stats.norm.

Run: /tmp/peers/bin/python tests/reference/gen/on_off_scipy.py
"""

import json
import pathlib

from scipy.special import betainc
from scipy.stats import norm

OUT = pathlib.Path(__file__).resolve().parents[1] / "limits" / "on_off.json"

CASES = [
    (1, 0, 0.1),
    (1, 0, 0.01),
    (1, 5, 0.2),
    (2, 0, 0.05),
    (3, 10, 0.5),
    (5, 2, 0.25),
    (10, 100, 0.1),
    (25, 40, 0.333),
    (50, 1000, 0.05),
    (200, 5000, 0.04),
    (1, 1000, 2.0),
]

rows = []
for n_on, n_off, ratio in CASES:
    rho = ratio / (1 + ratio)
    p = float(betainc(n_on, n_off + 1, rho))
    z = float(norm.isf(p))
    rows.append({"n_on": n_on, "n_off": n_off, "ratio": ratio, "p": p, "z": z if abs(z) < 1e300 else None})
OUT.write_text(json.dumps(rows, indent=1) + "\n")
print(f"wrote {len(rows)} cases to {OUT}")
