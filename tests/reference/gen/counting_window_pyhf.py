"""Reference asymptotic CLs limits from pyhf for single cut-and-count windows, each
written here from the model documented in src/analysis/count_model.rs (independently of
searchlight's own JSON): signal = efficiency x POI with a symmetric histosys for the
efficiency uncertainty (Gaussian) or a normsys with factors kappa and 1/kappa (log-normal),
background from a sideband count with a shapesys, one bin; and windows with one modifier
per source, as a scan point's `efficiency_modifiers` lists them: histosys, normsys (a
variation's ratios up and down), staterror and lumi together.

Run: python tests/reference/gen/counting_window_pyhf.py   (in a venv from scripts/peers-venv.sh)
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

# (observed or None, sideband events, ratio, efficiency, modifiers as results.json has them)
MODIFIED = [
    (5, 20, 0.5, 40.0, [
        {"type": "histosys", "name": "electron_id", "relative": 0.04},
        {"type": "lumi", "relative": 0.02},
        {"type": "normsys", "name": "tracking", "hi": 1.06, "lo": 0.97},
        {"type": "staterror", "relative": 0.05},
    ]),
    (None, 6, 0.3, 90.0, [
        {"type": "histosys", "name": "electron_id", "relative": 0.08},
        {"type": "lumi", "relative": 0.01},
        {"type": "normsys", "name": "tracking", "hi": 1.12, "lo": 0.9},
        {"type": "normsys", "name": "trigger", "hi": 1.05, "lo": 1 / 1.05},
        {"type": "staterror", "relative": 0.15},
    ]),
]


def pyhf_modifier(m, efficiency):
    """The pyhf modifier of one `efficiency_modifiers` entry on `efficiency` events."""
    if m["type"] == "histosys":
        return {"name": m["name"], "type": "histosys", "data": {"hi_data": [efficiency * (1 + m["relative"])], "lo_data": [efficiency * (1 - m["relative"])]}}
    if m["type"] == "normsys":
        return {"name": m["name"], "type": "normsys", "data": {"hi": m["hi"], "lo": m["lo"]}}
    if m["type"] == "staterror":
        return {"name": "stat", "type": "staterror", "data": [efficiency * m["relative"]]}
    return {"name": "lumi", "type": "lumi", "data": None}


def limits(spec):
    """pyhf's asymptotic CLs limits (observed, expected band) of a workspace."""
    ws = pyhf.Workspace(spec)
    model = ws.model()
    data = ws.data(model)
    low, high = model.config.suggested_bounds()[model.config.poi_index]
    # The bracket starts just above 0: at μ = 0 CLs is 0/0, which scipy 1.17's toms748
    # evaluates first (a NaN for the log-normal window); the roots do not move (1e-11).
    low = max(low, 1e-4 * high)
    return toms748_scan(data, model, low, high, level=0.05, rtol=1e-8, test_stat="qtilde", calctype="asymptotics")


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
        obs, exp = limits(spec)
        out.append({
            "observed_events": observed, "sideband_events": n_sideband, "ratio": ratio,
            "efficiency": efficiency, "relative_uncertainty": relative, "lognormal_uncertainty": lognormal,
            "cl": 0.95, "observed": float(obs), "expected": [float(e) for e in exp],
        })
    for observed, n_sideband, ratio, efficiency, modifiers in MODIFIED:
        spec = workspace(observed, n_sideband, ratio, efficiency, 0.0, 0.0)
        spec["channels"][0]["samples"][0]["modifiers"] += [pyhf_modifier(m, efficiency) for m in modifiers]
        for m in modifiers:
            if m["type"] == "lumi":
                r = m["relative"]
                spec["measurements"][0]["config"]["parameters"].append(
                    {"name": "lumi", "auxdata": [1.0], "sigmas": [r], "bounds": [[max(0.0, 1 - 5 * r), 1 + 5 * r]], "inits": [1.0]})
        obs, exp = limits(spec)
        out.append({
            "observed_events": observed, "sideband_events": n_sideband, "ratio": ratio,
            "efficiency": efficiency, "modifiers": modifiers,
            "cl": 0.95, "observed": float(obs), "expected": [float(e) for e in exp],
        })
    OUT.write_text(json.dumps({"pyhf": pyhf.__version__, "windows": out}, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
