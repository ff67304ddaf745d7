"""Validates HEPData submissions written by `searchlight export hepdata` with
hepdata-validator, and checks that their tables hold what results.json holds.

usage: python scripts/check_hepdata.py RESULTS.json SUBMISSION_DIR
       (a Python with hepdata-validator and PyYAML; .ci/run makes one)
"""
import json
import pathlib
import sys

import yaml
from hepdata_validator.full_submission_validator import FullSubmissionValidator


def main():
    results = json.loads(pathlib.Path(sys.argv[1]).read_text())
    directory = pathlib.Path(sys.argv[2])
    validator = FullSubmissionValidator()
    ok = validator.validate(directory=str(directory))
    for name, messages in validator.get_messages().items():
        for m in messages:
            print(f"{name}: {m.message}")
    if not ok:
        sys.exit("hepdata-validator rejects the submission")
    docs = list(yaml.safe_load_all((directory / "submission.yaml").read_text()))
    first = yaml.safe_load((directory / docs[1]["data_file"]).read_text())
    ok_points = [p for p in results["scan"] if p["status"] == "ok"]
    channel = ok_points[0].get("channel")
    points = [p for p in ok_points if p.get("channel") == channel and p.get("ctau") == ok_points[0].get("ctau")]
    medians = [v["value"] for v in first["dependent_variables"][0]["values"]]
    assert medians == [p["expected"][2] for p in points], "table 1 holds the expected limits"
    masses = [v["value"] for v in first["independent_variables"][0]["values"]]
    assert masses == [p["mass"] for p in points]
    # The first channel's efficiency table holds its measured efficiencies and, as
    # errors, the statistical uncertainty and every weight variation.
    efficiency = results["efficiency"][0]
    measured = [p for p in efficiency["points"] if p.get("generated") is not None]
    entry = next((d for d in docs[1:] if d["name"] == f"Signal efficiency, {efficiency['channel']}"), None)
    if measured:
        assert entry is not None, "an efficiency table per channel"
        table = yaml.safe_load((directory / entry["data_file"]).read_text())
        values = table["dependent_variables"][0]["values"]
        assert len(values) == len(measured)
        for v, p in zip(values, measured):
            assert abs(v["value"] - p["efficiency"]) <= 1e-5 * p["efficiency"], (v, p)
            labels = [e["label"] for e in v.get("errors", [])]
            for variation in p.get("variations", []):
                if variation["up"] != p["efficiency"] or variation["down"] != p["efficiency"]:
                    assert f"sys {variation['name']}" in labels, (labels, variation)
    print(f"hepdata-validator accepts {len(docs) - 1} tables; table 1 and the efficiencies match results.json ({len(points)} points)")


if __name__ == "__main__":
    main()
