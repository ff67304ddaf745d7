"""Reference values for ROOT-written files (tests/data/coffea, see PROVENANCE.md there),
read by uproot: for each ntuple, every column searchlight reads — a number per entry
(flat), or a list of numbers per entry (jagged: `std::vector<T>` TTree branches, `x[n]`
arrays, RNTuple `RVec` fields), as one row per value — with its count and a SHA-256 of
its values as little-endian f64; and the columns it refuses (records, strings, nested
vectors, vectors of objects). Written to tests/reference/coffea/uproot.json
(tests/it/rntuple_reader.rs).

Run: /tmp/peers/bin/python tests/reference/gen/coffea_samples.py
"""

import hashlib
import json
import pathlib

import awkward as ak
import numpy as np
import uproot

HERE = pathlib.Path(__file__).resolve().parents[2]
DATA = HERE / "data" / "coffea"
OUT = HERE / "reference" / "coffea"
NTUPLES = {
    "nano_dy_rntuple.root": "Events",
    "nano_dy_SpecialTree_rntuple.root": "NotEvents",
    "pduneana.root": "pduneana/beamana",
    "treemaker.root": "PreSelection",
}


def digest(values):
    as_f64 = np.asarray(values, dtype="<f8")
    return {"values": int(len(as_f64)), "sha256": hashlib.sha256(as_f64.tobytes()).hexdigest()}


def number_list(array):
    """The values of a jagged array of numbers, flattened; None for anything else."""
    layout = array.layout
    if array.ndim != 2 or not isinstance(layout.content, ak.contents.NumpyArray):
        return None
    return ak.to_numpy(ak.flatten(array))


def main():
    OUT.mkdir(exist_ok=True)
    files = {}
    for name, ntuple_name in NTUPLES.items():
        ntuple = uproot.open(DATA / name)[ntuple_name]
        flat, jagged, refused = {}, {}, []
        rntuple = isinstance(ntuple, uproot.behaviors.RNTuple.RNTuple)
        fields = [f for f in ntuple.keys() if "." not in f] if rntuple else ntuple.keys(recursive=False)
        for field in fields:
            if field.startswith("_collection"):
                continue  # records of an untyped collection: read through their projections
            try:
                array = ntuple[field].array()
            except Exception:  # noqa: BLE001 - uproot cannot read it either
                refused.append(field)
                continue
            if array.ndim == 1 and isinstance(array.layout, ak.contents.NumpyArray):
                flat[field] = digest(ak.to_numpy(array))
            elif (values := number_list(array)) is not None:
                jagged[field] = digest(values)
            else:
                refused.append(field)
        files[name] = {
            "ntuple": ntuple_name,
            "entries": int(ntuple.num_entries),
            "flat": flat,
            "jagged": jagged,
            "refused": refused,
        }
    # A selection on the NanoAOD RNTuple, as awkward computes it: events with at least
    # two jets, then jets above 30 GeV (one candidate row per jet).
    events = uproot.open(DATA / "nano_dy_rntuple.root")["Events"].arrays(["nJet", "Jet_pt"])
    jets = events.Jet_pt
    alive = ak.ones_like(jets, dtype=bool)
    cutflow = []
    for step, cut in [
        ("input", alive),
        ("nJet >= 2", ak.broadcast_arrays(events.nJet >= 2, jets)[0]),
        ("Jet_pt > 30", jets > 30),
    ]:
        alive = alive & cut
        cutflow.append({"step": step, "events": int(ak.sum(ak.any(alive, axis=1))),
                        "candidates": int(ak.sum(alive))})
    files["nano_dy_rntuple.root"]["cutflow"] = cutflow
    (OUT / "uproot.json").write_text(json.dumps(files, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
