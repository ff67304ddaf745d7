"""The file-based reference search (analyses/dark_photon_files.yaml) and its peer values.

Writes basf2-style ntuples of a dark-photon bump hunt, e+e- -> gamma A', A' -> mu+ mu-,
as ROOT TTrees named `variables` (the VariablesToNtuple default, with its bookkeeping
branches `__experiment__`, `__run__`, `__event__`, `__candidate__`, `__ncandidates__`,
`__weight__`, and basf2's mangled branch names such as
`daughter__bo0__cm__spmuonID__bc`):

- analyses/data/dark_photon/data.root: a smooth dimuon-mass background with several
  candidates per event, vertex fits that failed (chiProb NaN), and 50 signal events
  produced at m(A') = 2.5 GeV;
- analyses/data/dark_photon/mumu_mc.root: the same background simulated at twice the
  data's luminosity (stacked against the data in the search's histogram);
- analyses/data/dark_photon/signal_mA<m>.root: one signal sample per mass point, 3000
  events generated each (12% leave no candidate), a true candidate with the detector
  resolution and sometimes a combinatorial one, event weights around 1; a second tree,
  `generated`, has one entry per generated event.

Then computes with numpy, independently of searchlight, what the search must find on
these files: the signal efficiency at each mass point (the spec's selection and best
candidate, weighted selected over generated; also with the signal input's own cut
`isSignal == 1` first, and with a muon-ID weight variation) and, for one counting window
at 1.0 GeV, the sideband count and pyhf's asymptotic CLs expected limits for that
window, without and with the systematics as a Gaussian width on the signal, written to
tests/reference/run/dark_photon_files.json.

Run: /tmp/peers/bin/python tests/reference/gen/dark_photon_files.py
"""

import json
import pathlib

import numpy as np
import pyhf
import uproot

ROOT = pathlib.Path(__file__).resolve().parents[3]
FILES = ROOT / "analyses" / "data" / "dark_photon"
OUT = ROOT / "tests" / "reference" / "run" / "dark_photon_files.json"

MASSES = [0.5, 1.0, 2.0, 3.0, 4.5, 6.0]
GENERATED = 3000
RANGE = (0.3, 7.0)
MUON_ID = ("daughter__bo0__cm__spmuonID__bc", "daughter__bo1__cm__spmuonID__bc")


def sigma(m):
    """The dimuon-mass resolution the spec states: 0.002 + 0.004 m."""
    return 0.002 + 0.004 * m


def candidates(rng, events, per_event, draw):
    """Rows of `events` events with `per_event[i]` candidates each; `draw(k, n)` gives
    the columns of the k-th candidate of n events."""
    columns = {}
    event = np.repeat(np.arange(events), per_event)
    index = np.concatenate([np.arange(n) for n in per_event]) if events else np.array([], dtype=int)
    # Rows are by event, then candidate: the k-th candidates are in event order.
    for k in range(per_event.max(initial=0)):
        rows = index == k
        for name, v in draw(k, int(rows.sum())).items():
            columns.setdefault(name, np.full(len(event), np.nan))
            columns[name][rows] = v
    columns["__experiment__"] = np.full(len(event), 26, dtype=np.int32)
    columns["__run__"] = np.full(len(event), 1, dtype=np.int32)
    columns["__event__"] = event.astype(np.int32)
    columns["__candidate__"] = index.astype(np.int32)
    columns["__ncandidates__"] = per_event[event].astype(np.int32)
    return columns


def background_candidate(rng, n):
    m = np.where(
        rng.random(n) < 0.7,
        RANGE[0] + rng.exponential(1 / 0.6, n),
        rng.uniform(*RANGE, n),
    )
    muon = rng.random((2, n)) < 0.6
    muid = np.where(muon, rng.beta(8, 1, (2, n)), rng.beta(1, 5, (2, n)))
    chi = np.where(rng.random(n) < 0.02, np.nan, rng.random(n))
    return {
        "M": np.clip(m, RANGE[0], 20.0),
        MUON_ID[0]: muid[0],
        MUON_ID[1]: muid[1],
        "chiProb": chi,
        "nTracks": rng.choice([2.0, 3.0, 4.0], n, p=[0.7, 0.2, 0.1]),
    }


def signal_candidate(rng, n, mass):
    return {
        "M": rng.normal(mass, sigma(mass), n),
        MUON_ID[0]: rng.beta(10, 1, n),
        MUON_ID[1]: rng.beta(10, 1, n),
        "chiProb": np.where(rng.random(n) < 0.01, np.nan, rng.random(n)),
        "nTracks": np.where(rng.random(n) < 0.95, 2.0, 3.0),
        "isSignal": np.ones(n),
    }


def fake_candidate(rng, n):
    return {
        "M": rng.uniform(*RANGE, n),
        MUON_ID[0]: rng.beta(2, 2, n),
        MUON_ID[1]: rng.beta(2, 2, n),
        "chiProb": 0.5 * rng.random(n),
        "nTracks": np.full(n, 2.0),
        "isSignal": np.zeros(n),
    }


def write(path, columns, generated=None):
    """The candidates as the tree `variables`; for a signal sample also `generated`, one
    entry per generated event (its generated mass), as an event-based ntuple written
    before any reconstruction would hold it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with uproot.recreate(path) as f:
        f.mktree("variables", {k: v.dtype for k, v in columns.items()})
        f["variables"].extend(columns)
        if generated is not None:
            f.mktree("generated", {"mcM": np.float64})
            f["generated"].extend({"mcM": generated})


def data(rng):
    events = 20000
    per_event = 1 + np.minimum(rng.poisson(0.5, events), 2)
    columns = candidates(rng, events, per_event, lambda k, n: background_candidate(rng, n))
    # 50 signal events produced at 2.5 GeV (as in the signal samples, 12% leave no
    # candidate), appended as their own events.
    produced = 50
    reconstructed = int((rng.random(produced) < 0.88).sum())
    injected = candidates(
        rng, reconstructed, np.ones(reconstructed, dtype=int), lambda k, n: signal_candidate(rng, n, 2.5)
    )
    injected["__event__"] += events
    injected.pop("isSignal")
    return {k: np.concatenate([columns[k], injected[k]]) for k in columns}


def signal(rng, mass):
    reconstructed = rng.random(GENERATED) < 0.88
    events = int(reconstructed.sum())
    per_event = 1 + (rng.random(events) < 0.3).astype(int)
    draw = lambda k, n: signal_candidate(rng, n, mass) if k == 0 else fake_candidate(rng, n)
    columns = candidates(rng, events, per_event, draw)
    weight = rng.uniform(0.9, 1.1, events)
    columns["__weight__"] = weight[columns["__event__"]]
    return columns


def select(columns, truth_matched=False):
    """The spec's selection and best candidate (highest chiProb per event); with
    `truth_matched`, the input's own cut `isSignal == 1` first."""
    muid = np.minimum(columns[MUON_ID[0]], columns[MUON_ID[1]])
    with np.errstate(invalid="ignore"):
        alive = (muid > 0.9) & (columns["chiProb"] > 0.001) & (columns["nTracks"] == 2)
    if truth_matched:
        alive &= columns["isSignal"] == 1
    keep = np.zeros(len(alive), dtype=bool)
    event = columns["__event__"]
    for e in np.unique(event[alive]):
        rows = np.nonzero(alive & (event == e))[0]
        keep[rows[np.argmax(columns["chiProb"][rows])]] = True
    return keep


def background_mc():
    """Simulated dimuon background at twice the data's luminosity (its own seed, so the
    other files do not change): the spec scales it by 1/2."""
    rng = np.random.default_rng(20261208)
    events = 40000
    per_event = 1 + np.minimum(rng.poisson(0.5, events), 2)
    columns = candidates(rng, events, per_event, lambda k, n: background_candidate(rng, n))
    columns["__weight__"] = np.ones(len(columns["M"]))
    return columns


def main():
    write(FILES / "mumu_mc.root", background_mc())
    rng = np.random.default_rng(20261207)
    data_columns = data(rng)
    write(FILES / "data.root", data_columns)
    efficiencies = []
    for mass in MASSES:
        columns = signal(rng, mass)
        write(FILES / f"signal_mA{mass}.root", columns, generated=np.full(GENERATED, mass))
        entry = {"mass": mass}
        for suffix, truth_matched in (("", False), ("_truth_matched", True)):
            w = columns["__weight__"][select(columns, truth_matched)]
            eff = w.sum() / GENERATED
            unc = np.sqrt(max(((1 - 2 * eff) * (w**2).sum() + eff**2 * GENERATED) / GENERATED**2, 0))
            entry.update({f"selected{suffix}": float(w.sum()), f"efficiency{suffix}": float(eff), f"uncertainty{suffix}": float(unc)})
        # A muon-ID weight variation: the weight times 1 +- 0.2 (1 - min muonID).
        keep = select(columns)
        muid = np.minimum(columns[MUON_ID[0]], columns[MUON_ID[1]])[keep]
        w = columns["__weight__"][keep]
        entry["muon_id"] = [float((w * (1 + 0.2 * (1 - muid))).sum() / GENERATED), float((w * (1 - 0.2 * (1 - muid))).sum() / GENERATED)]
        efficiencies.append(entry)
    # One counting window at 1.0 GeV: +-2 sigma, sidebands 3-6 sigma, 10 /fb.
    mass, luminosity = 1.0, 10.0
    s = sigma(mass)
    m = data_columns["M"][select(data_columns)]
    in_sidebands = ((m >= mass - 6 * s) & (m <= mass - 3 * s)) | ((m >= mass + 3 * s) & (m <= mass + 6 * s))
    n_sb = int(in_sidebands.sum())
    ratio = (4 * s) / (6 * s)
    background = n_sb * ratio
    eff = next(e["efficiency"] for e in efficiencies if e["mass"] == mass)
    spec = {
        "channels": [{"name": "window", "samples": [
            {"name": "signal", "data": [eff * luminosity], "modifiers": [{"name": "xsec", "type": "normfactor", "data": None}]},
            {"name": "background", "data": [background], "modifiers": [{"name": "sideband", "type": "shapesys", "data": [np.sqrt(n_sb) * ratio]}]},
        ]}],
        "observations": [{"name": "window", "data": [background]}],
        "measurements": [{"name": "m", "config": {"poi": "xsec", "parameters": [{"name": "xsec", "bounds": [[0, 50]]}]}}],
        "version": "1.0.0",
    }
    pyhf.set_backend("numpy", "scipy")
    workspace = pyhf.Workspace(spec)
    model = workspace.model()
    _, expected = pyhf.infer.intervals.upper_limits.toms748_scan(
        workspace.data(model), model, 0, 50, level=0.05, rtol=1e-8, test_stat="qtilde", calctype="asymptotics"
    )
    # The same window with the systematics of the search's systematics test, one pyhf
    # modifier per source as searchlight's window model has them: the muon-ID variation a
    # normsys with its efficiency ratios up and down, the efficiency's MC-statistical
    # uncertainty a staterror.
    e = next(e for e in efficiencies if e["mass"] == mass)
    variation = max(abs(v / e["efficiency"] - 1) for v in e["muon_id"])
    width = float(np.hypot(variation, e["uncertainty"] / e["efficiency"]))
    signal_sample = spec["channels"][0]["samples"][0]
    signal_sample["modifiers"].append({"name": "muon_id", "type": "normsys", "data": {"hi": e["muon_id"][0] / e["efficiency"], "lo": e["muon_id"][1] / e["efficiency"]}})
    signal_sample["modifiers"].append({"name": "staterror_window", "type": "staterror", "data": [e["uncertainty"] * luminosity]})
    workspace = pyhf.Workspace(spec)
    model = workspace.model()
    _, expected_systematics = pyhf.infer.intervals.upper_limits.toms748_scan(
        workspace.data(model), model, 0, 50, level=0.05, rtol=1e-8, test_stat="qtilde", calctype="asymptotics"
    )
    reference = {
        "generated": GENERATED,
        "efficiency": efficiencies,
        "window": {
            "mass": mass,
            "luminosity": luminosity,
            "sideband_events": n_sb,
            "background": background,
            "expected": [float(e) for e in expected],
            "systematic_width": width,
            "expected_with_systematics": [float(e) for e in expected_systematics],
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(reference, indent=1) + "\n")
    print(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main()
