"""Jagged ntuples and the cutflow uproot + awkward compute on them
(tests/it/rntuple_reader.rs, jagged tests).

Writes the same events twice into tests/reference/jagged/, as uproot writes them:
tracks-ttree.root (a TTree `events`: `track_*[ntrack]` variable-length arrays with their
counter branch, `hits[nhits]`) and tracks-rntuple.root (an RNTuple `events`: `track` a
collection of records, `hits` a collection of floats). Each event has an event-level
`nTracks` and `eventWeight` and 0 to 5 tracks (`track_pt` with NaNs, `track_charge`,
`track_pid`) and 0 to 3 hits (another collection).

Then computes, with awkward arrays only, the cutflow of the selection

    nTracks >= 2            (event level, broadcast to the event's tracks)
    track_pt > 0.5          (a NaN does not pass: counted as undefined)
    track_charge == 1
    best candidate: highest track_pid per event

as events (with at least one surviving track), candidates (tracks) and undefined (tracks
stopped at a step by a NaN) per step, and the weighted events (sum of eventWeight), into
tests/reference/jagged/cutflow.json; and, for the ROOT-written HZZ sample of
../shared/testdata (`Muon_Px[NMuon]`, every compression), the number of muons and the
sum of their Px as uproot reads them.

Run: /tmp/peers/bin/python tests/reference/gen/jagged_awkward.py
"""

import json
import pathlib

import awkward as ak
import numpy as np
import uproot

OUT = pathlib.Path(__file__).resolve().parents[1] / "jagged"
TESTDATA = pathlib.Path(__file__).resolve().parents[4] / "shared" / "testdata" / "root"
N = 3000


def events(rng):
    ntrack = rng.integers(0, 6, N)
    total = int(ntrack.sum())
    pt = rng.exponential(0.8, total)
    pt[rng.random(total) < 0.03] = np.nan
    track = ak.zip(
        {
            "pt": ak.unflatten(pt, ntrack),
            "charge": ak.unflatten(rng.choice(np.array([-1, 1], dtype=np.int32), total), ntrack),
            "pid": ak.unflatten(rng.random(total).astype(np.float32), ntrack),
        }
    )
    nhits = rng.integers(0, 4, N)
    hits = ak.unflatten(rng.normal(0, 1, int(nhits.sum())).astype(np.float32), nhits)
    return {
        "nTracks": ntrack.astype(np.int32),
        "eventWeight": rng.uniform(0.5, 1.5, N),
        "track": track,
        "hits": hits,
    }


def cutflow(e):
    track = e["track"]
    weight = e["eventWeight"]
    alive = ak.ones_like(track.pt, dtype=bool)
    rows = []

    def record(step, alive, undefined):
        per_event = ak.any(alive, axis=1)
        rows.append(
            {
                "step": step,
                "events": int(ak.sum(per_event)),
                "candidates": int(ak.sum(alive)),
                "undefined": int(undefined),
                "weighted": float(ak.sum(weight[per_event])),
            }
        )

    record("input", alive, 0)
    n_tracks = ak.broadcast_arrays(e["nTracks"], track.pt)[0]
    alive = alive & (n_tracks >= 2)
    record("two or more tracks", alive, 0)
    nan = np.isnan(track.pt)
    undefined = ak.sum(alive & nan)
    alive = alive & ~nan & (track.pt > 0.5)
    record("track momentum", alive, undefined)
    alive = alive & (track.charge == 1)
    record("positive", alive, 0)
    pid = ak.where(alive, track.pid, -np.inf)
    best = ak.local_index(pid) == ak.argmax(pid, axis=1, keepdims=True)
    alive = alive & ak.fill_none(best, False)
    record("best candidate by track_pid", alive, 0)
    return rows


def main():
    OUT.mkdir(exist_ok=True)
    e = events(np.random.default_rng(2026))
    with uproot.recreate(OUT / "tracks-ttree.root") as f:
        f.mktree(
            "events",
            {
                "nTracks": np.int32,
                "eventWeight": np.float64,
                "track": e["track"].type.content,
                "hits": e["hits"].type.content,
            },
        ).extend(e)
    with uproot.recreate(OUT / "tracks-rntuple.root") as f:
        f["events"] = e
    # Both files read back as written (uproot's own reading).
    for name in ("tracks-ttree.root", "tracks-rntuple.root"):
        back = uproot.open(OUT / name)["events"].arrays()
        pt = back["track_pt"] if "track_pt" in back.fields else back["track"].pt
        assert ak.all(ak.num(pt) == e["nTracks"]), name
    # ROOT-written variable-length arrays (Muon_Px[NMuon]) of the shared test data.
    testdata = {}
    for path in sorted(TESTDATA.glob("uproot-HZZ*.root")):
        px = uproot.open(path)["events"]["Muon_Px"].array()
        testdata[path.name] = {"muons": int(ak.sum(ak.num(px))), "px_sum": float(np.sum(ak.to_numpy(ak.flatten(px)).astype(np.float64)))}
    (OUT / "cutflow.json").write_text(
        json.dumps({"cutflow": cutflow(e), "testdata": testdata}, indent=1) + "\n"
    )


if __name__ == "__main__":
    main()
