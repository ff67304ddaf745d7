"""Reference asymptotic CLs limits from pyhf for single cut-and-count windows, each
written here from the model documented in src/analysis/count_model.rs (independently of
searchlight's own JSON): signal = efficiency x POI with a symmetric histosys for the
efficiency uncertainty (Gaussian) or a normsys with factors kappa and 1/kappa (log-normal),
background from a sideband count with a shapesys, one bin.

Run: python tests/reference/gen/counting_window_pyhf.py   (in a venv from peers-venv.sh)
"""

import json
import math
import pathlib

import pyhf
from pyhf.infer.intervals.upper_limits import toms748_scan

OUT = pathlib.Path(__file__).resolve().parent.parent / "limits" / "counting_window_pyhf.json"
pyhf.set_backend("numpy", "scipy")

# (observed or None when blinded, sideband events, window/sideband width ratio,
#  efficiency, relative Gaussian efficiency uncertainty, relative log-normal one)
WINDOWS = [
    (3, 9, 2.0 / 3.0, 50.0, 0.10, 0.0),
    (0, 9, 2.0 / 3.0, 50.0, 0.10, 0.0),
    (12, 30, 0.25, 120.0, 0.05, 0.0),
    (None, 30, 0.25, 120.0, 0.05, 0.0),
    (None, 0, 0.5, 188.0, 0.10, 0.0),
    (1, 0, 0.5, 188.0, 0.0, 0.0),
    (40, 100, 0.4, 10.0, 0.2, 0.0),
    (3, 9, 2.0 / 3.0, 50.0, 0.0, 0.3),
    (12, 30, 0.25, 120.0, 0.05, 0.5),
]


def workspace(observed, n_sideband, ratio, efficiency, relative, lognormal):
    background = n_sideband * ratio
    signal_modifiers = [{"name": "xsec", "type": "normfactor", "data": None}]
    if relative > 0:
        sigma = efficiency * relative
        signal_modifiers.append({"name": "eff", "type": "histosys", "data": {"hi_data": [efficiency + sigma], "lo_data": [efficiency - sigma]}})
    if lognormal > 0:
        kappa = 1 + lognormal
        signal_modifiers.append({"name": "eff_ln", "type": "normsys", "data": {"hi": kappa, "lo": 1 / kappa}})
    background_modifiers = []
    if background > 0:
        background_modifiers.append({"name": "sideband", "type": "shapesys", "data": [math.sqrt(n_sideband) * ratio]})
    count = background if observed is None else observed
    n = (observed or 0) + background
    ceiling = (n + 10 * math.sqrt(n + 1) + 20) / efficiency
    return {
        "channels": [{"name": "w", "samples": [
            {"name": "signal", "data": [efficiency], "modifiers": signal_modifiers},
            {"name": "background", "data": [background], "modifiers": background_modifiers},
        ]}],
        "observations": [{"name": "w", "data": [count]}],
        "measurements": [{"name": "m", "config": {"poi": "xsec", "parameters": [
            {"name": "xsec", "bounds": [[0.0, ceiling]], "inits": [math.sqrt(background + 1) / efficiency]}]}}],
        "version": "1.0.0",
    }


def main():
    out = []
    for observed, n_sideband, ratio, efficiency, relative, lognormal in WINDOWS:
        spec = workspace(observed, n_sideband, ratio, efficiency, relative, lognormal)
        ws = pyhf.Workspace(spec)
        model = ws.model()
        data = ws.data(model)
        low, high = model.config.suggested_bounds()[model.config.poi_index]
        obs, exp = toms748_scan(data, model, low, high, level=0.05, rtol=1e-8, test_stat="qtilde", calctype="asymptotics")
        out.append({
            "observed_events": observed, "sideband_events": n_sideband, "ratio": ratio,
            "efficiency": efficiency, "relative_uncertainty": relative, "lognormal_uncertainty": lognormal,
            "cl": 0.95, "observed": float(obs), "expected": [float(e) for e in exp],
        })
    OUT.write_text(json.dumps({"pyhf": pyhf.__version__, "windows": out}, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
