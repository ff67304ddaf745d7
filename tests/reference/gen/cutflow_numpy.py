"""A candidate ntuple written by pyarrow (with NaNs and several candidates per event) and
its cutflow computed with numpy, for the spec tests/reference/run/cutflow.yaml.

NaN policy, as documented: a comparison with NaN is undefined; `not`/`and`/`or` follow
three-valued logic; a cut keeps a candidate only when true; a veto removes candidates
whose variable is NaN. Counts of removed-because-undefined candidates are reported.

Run: /tmp/peers/bin/python tests/reference/gen/cutflow_numpy.py
"""
import json
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parents[1] / "run"
rng = np.random.default_rng(20261126)

# Events with 1-3 candidates each; rows of one event are contiguous.
n_events = 4000
per_event = rng.integers(1, 4, n_events)
event = np.repeat(np.arange(1, n_events + 1), per_event).astype(np.uint32)
n = len(event)
cols = {
    "__experiment__": np.zeros(n, np.int32),
    "__run__": np.repeat(rng.integers(1, 4, n_events), per_event).astype(np.int32),
    "__event__": event,
    "__weight__": np.repeat(rng.uniform(0.5, 1.5, n_events), per_event),
    "Mbc": rng.uniform(5.2, 5.29, n),
    "deltaE": rng.uniform(-0.3, 0.3, n),
    "mgg": rng.uniform(0.0, 1.0, n),
    "R2": rng.uniform(0.0, 1.0, n),
    "decayMode": rng.integers(0, 3, n).astype(np.int32),
}
for name, frac in [("R2", 0.03), ("deltaE", 0.01), ("mgg", 0.02)]:
    cols[name][rng.uniform(size=n) < frac] = np.nan
OUT.mkdir(parents=True, exist_ok=True)
pq.write_table(pa.table(cols), OUT / "candidates.parquet", row_group_size=1000)

NAN = np.nan


def cmp(a, b, op):
    a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    return np.where(np.isnan(a) | np.isnan(b), NAN, op(a, b).astype(float))


def and3(x, y):
    return np.where((x == 0) | (y == 0), 0.0, np.where(np.isnan(x) | np.isnan(y), NAN, 1.0))


def or3(x, y):
    return np.where((x == 1) | (y == 1), 1.0, np.where(np.isnan(x) | np.isnan(y), NAN, 0.0))


def not3(x):
    return np.where(np.isnan(x), NAN, 1.0 - x)


c = cols
starts = np.flatnonzero(np.r_[True, (event[1:] != event[:-1]) | (c["__run__"][1:] != c["__run__"][:-1])])
ends = np.r_[starts[1:], n]
channels = {"A": c["decayMode"] == 0, "B": c["decayMode"] == 1}


def count(step, alive, member, undefined):
    candidates = int(np.sum(alive & member))
    events, weighted = 0, 0.0
    for s, e in zip(starts, ends):
        idx = np.flatnonzero(alive[s:e] & member[s:e])
        if len(idx):
            events += 1
            weighted += c["__weight__"][s + idx[0]]
    return {"step": step, "candidates": candidates, "events": events, "weighted": weighted, "undefined": int(undefined)}


rows = {name: [count("input", np.ones(n, bool), m, 0)] for name, m in channels.items()}
alive = np.ones(n, bool)
passed = {}
steps = [
    ("mbc", cmp(c["Mbc"], 5.27, np.greater)),
    ("de", and3(cmp(-0.2, c["deltaE"], np.less), cmp(c["deltaE"], 0.1, np.less))),
    ("shape", or3(cmp(c["R2"], 0.4, np.less), cmp(np.abs(c["deltaE"]), 0.02, np.less))),
    ("pi0", not3(and3(cmp(0.12, c["mgg"], np.less_equal), cmp(c["mgg"], 0.145, np.less_equal)))),
]
for label, v in steps:
    passed[label] = v == 1.0
    undefined = alive & np.isnan(v)
    alive = alive & (v == 1.0)
    for name, m in channels.items():
        rows[name].append(count(label, alive, m, np.sum(undefined & m)))
# Best candidate per event by |deltaE|, lowest (NaN last, ties to the earlier row).
rank = np.abs(c["deltaE"])
for s, e in zip(starts, ends):
    idx = [i for i in range(s, e) if alive[i]]
    idx.sort(key=lambda i: (np.isnan(rank[i]), rank[i] if not np.isnan(rank[i]) else 0.0, i))
    for i in idx[1:]:
        alive[i] = False
for name, m in channels.items():
    rows[name].append(count("best candidate by abs(deltaE)", alive, m, 0))
# Veto eta: mgg in [0.5, 0.58] (closed) or NaN.
mgg = c["mgg"]
nan = alive & np.isnan(mgg)
passed["eta"] = ~(np.isnan(mgg) | ((0.5 <= mgg) & (mgg <= 0.58)))
alive = alive & passed["eta"]
for name, m in channels.items():
    rows[name].append(count("veto eta", alive, m, np.sum(nan & m)))
(OUT / "cutflow_numpy.json").write_text(json.dumps(rows, indent=1) + "\n")
print({k: [r["candidates"] for r in v] for k, v in rows.items()})

# Histograms of the surviving candidates per channel: numpy's uniform bins, and ROOT's
# convention at the upper edge (a value equal to it is overflow; none is in this data).
histograms = {}
# The N-1 histogram `mgg_n1`: every cut and veto but pi0 and eta, no best candidate.
n_minus_1 = passed["mbc"] & passed["de"] & passed["shape"]
for name, m in channels.items():
    out = []
    for hname, x, bins, (low, high), chosen in [
        ("mgg", mgg, 50, (0.0, 1.0), alive),
        ("de_MeV", 1000 * c["deltaE"], 30, (-150.0, 90.0), alive),
        ("mgg_n1", mgg, 50, (0.0, 1.0), n_minus_1),
    ]:
        keep = chosen & m
        weight = c["__weight__"][keep]
        x = x[keep]
        inside = (low <= x) & (x < high)
        counts, _ = np.histogram(x[inside], bins=bins, range=(low, high))
        weighted, _ = np.histogram(x[inside], bins=bins, range=(low, high), weights=weight[inside])
        sumw2, _ = np.histogram(x[inside], bins=bins, range=(low, high), weights=weight[inside] ** 2)
        out.append({
            "name": hname, "counts": counts.tolist(), "weighted": weighted.tolist(), "sumw2": sumw2.tolist(),
            "underflow": int(np.sum(x < low)), "overflow": int(np.sum(x >= high)), "undefined": int(np.sum(np.isnan(x))),
        })
    histograms[name] = out
(OUT / "histograms_numpy.json").write_text(json.dumps(histograms, indent=1) + "\n")
