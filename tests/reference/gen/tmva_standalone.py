"""Reference scores for the TMVA weight-file loader (tests/it/mva.rs), from TMVA itself.

ROOT is not installable here (no PyPI wheel, no Debian package), so the peer is the
standalone C++ reader TMVA writes next to every weight file at training time
(`MethodBase::MakeClass`, `*.class.C`): TMVA's own code for the same trees. The script
compiles it unmodified with a small driver, evaluates random rows and records the scores.

The model is a published TMVA AdaBoost BDT (ROOT 6.26/06, 15 variables, 1000 trees of
depth 4) from github.com/MKosh/EAL, commit e84ba0419a588d15b2d8cd7dfc5069963025ed0a,
`dataset/weights/TMVAClassification_BDT.{weights.xml,class.C}`, MIT licence (kept as
tests/reference/mva/TMVA-MODEL-LICENSE). Only its first TREES trees are kept, in the
weight file written here and in the reader (the driver truncates its forest the same
way; TMVA's own `useNTrees` does this).

The generated reader prints cuts and boost weights with 6 significant digits while the
weight file keeps them in full, so rows with a value within 1e-5 (relative) of a cut on
its variable are not drawn, and scores agree to about 1e-6, not to the last bit.
NaN inputs are not exercised here: the standalone reader has no NaN rule, and
`TMVA::Reader` returns -999 for them (unit-tested in src/mva/tmva.rs).

Run: python3 tests/reference/gen/tmva_standalone.py WEIGHTS.xml CLASS.C
"""

import json
import pathlib
import random
import re
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

TREES = 100
ROWS = 3000
SEED = 20261127
OUT = pathlib.Path(__file__).resolve().parents[1] / "mva"


def trimmed(weights_path):
    tree = ET.parse(weights_path)
    weights = tree.getroot().find("Weights")
    forest = list(weights)
    for extra in forest[TREES:]:
        weights.remove(extra)
    weights.set("NTrees", str(TREES))
    return tree


def cuts_by_variable(tree):
    cuts = {}
    for node in tree.getroot().iter("Node"):
        if node.get("nType") == "0":
            cuts.setdefault(int(node.get("IVar")), []).append(float(node.get("Cut")))
    return cuts


def rows(tree, rng):
    variables = tree.getroot().find("Variables")
    ranges = [(float(v.get("Min")), float(v.get("Max"))) for v in variables]
    integer = [v.get("Expression").startswith("nJet") for v in variables]
    cuts = cuts_by_variable(tree)
    out = []
    while len(out) < ROWS:
        row = []
        for j, (lo, hi) in enumerate(ranges):
            # A tenth of the values fall outside the training range.
            width = hi - lo
            x = rng.uniform(lo - 0.1 * width, hi + 0.1 * width)
            row.append(float(round(x)) if integer[j] else x)
        near = any(
            abs(x - c) <= 1e-5 * max(abs(c), 1e-12) for j, x in enumerate(row) for c in cuts.get(j, [])
        )
        if not near:
            out.append(row)
    return out


DRIVER = r"""
#include <cstdio>
#include <string>
#include <vector>
#define private public
#include "reader.class.C"
#undef private

int main() {
    std::vector<std::string> names = {NAMES};
    ReadBDT reader(names);
    for (size_t t = TREES; t < reader.fForest.size(); ++t) delete reader.fForest[t];
    reader.fForest.resize(TREES);
    reader.fBoostWeights.resize(TREES);
    std::vector<double> row(names.size());
    while (std::fread(row.data(), sizeof(double), row.size(), stdin) == row.size()) {
        std::printf("%.17g\n", reader.GetMvaValue(row));
    }
}
"""


def main(weights_path, class_path):
    tree = trimmed(weights_path)
    names = [v.get("Expression") for v in tree.getroot().find("Variables")]
    data = rows(tree, random.Random(SEED))
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "reader.class.C").write_text(pathlib.Path(class_path).read_text())
        quoted = ", ".join(f'"{n}"' for n in names)
        (tmp / "driver.cpp").write_text(DRIVER.replace("NAMES", quoted).replace("TREES", str(TREES)))
        subprocess.run(["g++", "-O1", "-o", tmp / "driver", tmp / "driver.cpp"], check=True)
        blob = b"".join(struct.pack(f"<{len(r)}d", *r) for r in data)
        scores = subprocess.run([tmp / "driver"], input=blob, capture_output=True, check=True).stdout
    scores = [float(s) for s in scores.split()]
    assert len(scores) == len(data)
    tree.write(OUT / "tmva_adaboost.weights.xml", xml_declaration=True, encoding="utf-8")
    (OUT / "tmva_test.f64").write_bytes(b"".join(struct.pack(f"<{len(r)}d", *r) for r in data))
    reference = {
        "source": "github.com/MKosh/EAL e84ba0419a588d15b2d8cd7dfc5069963025ed0a "
        "dataset/weights/TMVAClassification_BDT (MIT)",
        "peer": "TMVA-generated standalone reader (MakeClass, ROOT 6.26/06), first %d trees" % TREES,
        "file": "tmva_adaboost.weights.xml",
        "rows": len(data),
        "features": names,
        "prediction": scores,
    }
    (OUT / "tmva_reference.json").write_text(json.dumps(reference, indent=1) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
