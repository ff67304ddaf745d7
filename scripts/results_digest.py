"""Prints the SHA-256 of a results.json without the fields that name the commit it was
run from (`provenance.analysis_repository`, `provenance.searchlight_commit`), so a
refactor can show that every number, label and hash of a search's results is unchanged.

usage: python3 scripts/results_digest.py RESULTS.json            (prints the digest)
       python3 scripts/results_digest.py RESULTS.json EXPECTED    (exits 1 if it differs)
"""
import hashlib
import json
import sys


def digest(path):
    results = json.load(open(path))
    provenance = results.get("provenance", {})
    provenance.pop("analysis_repository", None)
    provenance.pop("searchlight_commit", None)
    # Python's float repr is the shortest that reads back to the same double, as
    # serde_json's: equal digests mean equal bits.
    text = json.dumps(results, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def main():
    found = digest(sys.argv[1])
    if len(sys.argv) == 2:
        print(found)
        return
    if found != sys.argv[2]:
        sys.exit(f"{sys.argv[1]}: results changed (digest {found}, committed {sys.argv[2]})")


main()
