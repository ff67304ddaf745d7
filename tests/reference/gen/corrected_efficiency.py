"""A data/MC correction on the file-based reference search's signal sample, evaluated by
correctionlib and summed with numpy: the peer of `corrections:` in a run on files.

Writes
- tests/reference/corrections/muon_id_sf.json: a correctionlib file with `muon_id_sf`,
  a muon-ID efficiency correction in the smaller muonID of the pair and the dimuon mass
  (a multibinning with a uniform mass axis, clamped), per systematic `nominal`, `up`,
  `down`;
- tests/reference/run/corrected_efficiency.json: per signal file (mass point), the
  selected signal weight times the correction over the generated events, with the
  correction at nominal, up and down; and, without the correction, the efficiency with
  both muons' muonID shifted by +-0.005 before the selection (a column variation).

The selection is the search's (dark_photon_files.select), on the ROOT files read with
uproot.

Run: scripts/peers-venv.sh /tmp/peers && /tmp/peers/bin/python tests/reference/gen/corrected_efficiency.py
"""

import json
import pathlib
import sys

import correctionlib
import numpy as np
import uproot

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from dark_photon_files import FILES, GENERATED, MASSES, MUON_ID, select  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
MUID_EDGES = [0.9, 0.95, 0.98, 0.99, 0.995, 1.0]
MASS_BINS = {"n": 4, "low": 0.3, "high": 7.0}


def table(shift):
    """Correction values per (muonID bin, mass bin): lower at low muonID and low mass."""
    values = []
    for i, lo in enumerate(MUID_EDGES[:-1]):
        for j in range(MASS_BINS["n"]):
            nominal = 0.93 + 0.012 * i + 0.004 * j
            uncertainty = 0.03 - 0.004 * i - 0.002 * j
            values.append(round(nominal + shift * uncertainty, 6))
    return {"nodetype": "multibinning", "inputs": ["muid", "M"], "edges": [MUID_EDGES, MASS_BINS],
            "content": values, "flow": "clamp"}


def main():
    cset = {
        "schema_version": 2,
        "description": "A muon-ID efficiency correction for searchlight's file-based test",
        "corrections": [{
            "name": "muon_id_sf",
            "description": "data/MC ratio of the muon-ID efficiency, by the smaller muonID and the dimuon mass",
            "version": 1,
            "inputs": [{"name": "muid", "type": "real"}, {"name": "M", "type": "real"},
                       {"name": "syst", "type": "string"}],
            "output": {"name": "sf", "type": "real"},
            "data": {"nodetype": "category", "input": "syst", "content": [
                {"key": "nominal", "value": table(0)},
                {"key": "up", "value": table(1)},
                {"key": "down", "value": table(-1)},
            ]},
        }],
    }
    text = json.dumps(cset, indent=1)
    (ROOT / "corrections" / "muon_id_sf.json").write_text(text + "\n")
    sf = correctionlib.CorrectionSet.from_string(text)["muon_id_sf"]
    points = []
    for mass in MASSES:
        columns = uproot.open(FILES / f"signal_mA{mass}.root")["variables"].arrays(library="np")
        keep = select(columns)
        muid = np.minimum(columns[MUON_ID[0]], columns[MUON_ID[1]])[keep]
        m = columns["M"][keep]
        w = columns["__weight__"][keep]
        point = {"mass": mass}
        for syst in ("nominal", "up", "down"):
            point[syst] = float((w * sf.evaluate(muid, m, syst)).sum() / GENERATED)
        for side, shift in (("muid_shift_up", 0.005), ("muid_shift_down", -0.005)):
            shifted = dict(columns)
            for branch in MUON_ID:
                shifted[branch] = columns[branch] + shift
            point[side] = float(columns["__weight__"][select(shifted)].sum() / GENERATED)
        points.append(point)
    out = ROOT / "run" / "corrected_efficiency.json"
    out.write_text(json.dumps({"generator": f"correctionlib {correctionlib.__version__}, uproot {uproot.__version__}",
                               "efficiency": points}, indent=1) + "\n")
    print(json.dumps(points, indent=1))


if __name__ == "__main__":
    main()
