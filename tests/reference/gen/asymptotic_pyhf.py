"""Reference asymptotic CLs (q~mu) values and upper limits from pyhf for workspaces:
two that searchlight's likelihood can also express directly (normfactor, normsys,
lumi: a two-channel six-bin model and a low-count one-bin model), and three that only
the workspace reader can (shapesys; histosys with staterror and lumi; shapefactor).

Run: python tests/reference/gen/asymptotic_pyhf.py   (in a venv from scripts/peers-venv.sh)
"""

import json
import pathlib

import pyhf
from pyhf.infer.intervals.upper_limits import toms748_scan

OUT = pathlib.Path(__file__).resolve().parent.parent / "limits" / "asymptotic_pyhf.json"
pyhf.set_backend("numpy", pyhf.optimize.minuit_optimizer(tolerance=1e-5))


def sample(name, data, modifiers):
    return {"name": name, "data": data, "modifiers": modifiers}


def signal(data):
    return sample("signal", data, [{"name": "mu", "type": "normfactor", "data": None}, {"name": "lumi", "type": "lumi", "data": None}])


def background(data, hi, lo):
    return sample("background", data, [{"name": "bkg_norm", "type": "normsys", "data": {"hi": hi, "lo": lo}}, {"name": "lumi", "type": "lumi", "data": None}])


def measurement():
    return [{"name": "m", "config": {"poi": "mu", "parameters": [{"name": "lumi", "auxdata": [1.0], "sigmas": [0.02], "bounds": [[0.5, 1.5]], "inits": [1.0]}]}}]


WORKSPACES = {
    "two_channel": {
        "channels": [
            {"name": "A", "samples": [signal([2.0, 5.0, 3.0]), background([20.0, 15.0, 10.0], 1.1, 0.9)]},
            {"name": "B", "samples": [signal([1.0, 2.0, 1.0]), background([8.0, 6.0, 4.0], 1.2, 0.85)]},
        ],
        "observations": [{"name": "A", "data": [22.0, 21.0, 12.0]}, {"name": "B", "data": [9.0, 9.0, 4.0]}],
        "measurements": measurement(),
        "version": "1.0.0",
    },
    "low_count": {
        "channels": [{"name": "A", "samples": [signal([3.0]), background([0.5], 1.2, 0.8)]}],
        "observations": [{"name": "A", "data": [1.0]}],
        "measurements": measurement(),
        "version": "1.0.0",
    },
}

WORKSPACES["one_bin_shapesys"] = {
    "channels": [
        {
            "name": "sr",
            "samples": [
                {"name": "signal", "data": [5.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
                {"name": "background", "data": [50.0], "modifiers": [{"name": "uncorr_bkguncrt", "type": "shapesys", "data": [7.0]}]},
            ],
        }
    ],
    "observations": [{"name": "sr", "data": [52.0]}],
    "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}],
    "version": "1.0.0",
}
WORKSPACES["histosys_staterror"] = {
    "channels": [
        {
            "name": "A",
            "samples": [
                {"name": "signal", "data": [1.0, 4.0, 2.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": None}, {"name": "lumi", "type": "lumi", "data": None}]},
                {
                    "name": "background",
                    "data": [30.0, 25.0, 12.0],
                    "modifiers": [
                        {"name": "shape_sys", "type": "histosys", "data": {"hi_data": [33.0, 26.0, 12.5], "lo_data": [28.0, 24.5, 11.0]}},
                        {"name": "norm_sys", "type": "normsys", "data": {"hi": 1.05, "lo": 0.93}},
                        {"name": "staterror_A", "type": "staterror", "data": [2.0, 1.5, 1.2]},
                        {"name": "lumi", "type": "lumi", "data": None},
                    ],
                },
            ],
        },
        {
            "name": "B",
            "samples": [
                {"name": "signal", "data": [0.5, 1.5], "modifiers": [{"name": "mu", "type": "normfactor", "data": None}, {"name": "lumi", "type": "lumi", "data": None}]},
                {
                    "name": "background",
                    "data": [10.0, 7.0],
                    "modifiers": [
                        {"name": "shape_sys", "type": "histosys", "data": {"hi_data": [11.0, 7.7], "lo_data": [9.5, 6.6]}},
                        {"name": "staterror_B", "type": "staterror", "data": [0.8, 0.9]},
                        {"name": "lumi", "type": "lumi", "data": None},
                    ],
                },
            ],
        },
    ],
    "observations": [{"name": "A", "data": [33.0, 31.0, 13.0]}, {"name": "B", "data": [9.0, 10.0]}],
    "measurements": measurement(),
    "version": "1.0.0",
}
WORKSPACES["shapefactor_control"] = {
    "channels": [
        {"name": "SR", "samples": [
            {"name": "signal", "data": [3.0, 6.0], "modifiers": [{"name": "mu", "type": "normfactor", "data": None}]},
            {"name": "background", "data": [10.0, 8.0], "modifiers": [{"name": "bkg_shape", "type": "shapefactor", "data": None}]},
        ]},
        {"name": "CR", "samples": [
            {"name": "background", "data": [100.0, 80.0], "modifiers": [{"name": "bkg_shape", "type": "shapefactor", "data": None}]},
        ]},
    ],
    "observations": [{"name": "SR", "data": [12.0, 9.0]}, {"name": "CR", "data": [95.0, 84.0]}],
    "measurements": [{"name": "m", "config": {"poi": "mu", "parameters": []}}],
    "version": "1.0.0",
}

results = {"pyhf": pyhf.__version__}
for name, spec in WORKSPACES.items():
    ws = pyhf.Workspace(spec)
    model = ws.model()
    data = ws.data(model)
    obs, exp = pyhf.infer.hypotest(1.0, data, model, test_stat="qtilde", return_expected_set=True)
    limit_obs, limit_exp = toms748_scan(data, model, 0.0, 10.0, level=0.05, atol=1e-12, rtol=1e-9)
    results[name] = {
        "workspace": spec,
        "cls_mu1": {"observed": float(obs), "expected": [float(e) for e in exp]},
        "upper_limit_95": {"observed": float(limit_obs), "expected": [float(e) for e in limit_exp]},
    }
OUT.write_text(json.dumps(results, indent=1) + "\n")
print(json.dumps({k: v if k == "pyhf" else {kk: vv for kk, vv in v.items() if kk != "workspace"} for k, v in results.items()}, indent=1))
