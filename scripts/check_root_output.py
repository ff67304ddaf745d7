"""ROOT output read by uproot (CI): `generate` and `skim` written as `.root` (a TTree
`variables`, zlib and zstd) must read back in uproot equal, column by column and type by
type, to the same command's `.parquet` output read by pyarrow; and `run --root-histograms`
writes histograms.root whose TH1Ds hold what results.json holds (edges, weighted
contents, sums of squared weights, under- and overflow counts, entries).

usage: python check_root_output.py SEARCHLIGHT SPEC
"""

import pathlib
import subprocess
import sys
import tempfile

import json

import numpy as np
import pyarrow.parquet as pq
import uproot


def same(root, parquet):
    tree = uproot.open(root)["variables"]
    table = pq.read_table(parquet)
    names = list(tree.keys())
    assert names == table.column_names, (names, table.column_names)
    arrays = tree.arrays(library="np")
    for name in names:
        a, b = arrays[name], table[name].to_numpy()
        assert a.dtype == b.dtype, (name, a.dtype, b.dtype)
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
    return tree.num_entries, len(names), tree[names[0]].num_baskets


def main():
    searchlight, spec = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp)
        runs = {
            "generate": ["generate", "b_to_k_alp", "-n", "60000", "--seed", "3"],
            "skim": ["skim", spec],
        }
        for what, args in runs.items():
            subprocess.run([searchlight, *args, "-o", str(out / f"{what}.parquet")], check=True)
            for compression in ("zlib", "zstd"):
                root = out / f"{what}-{compression}.root"
                subprocess.run(
                    [searchlight, *args, "-o", str(root), "--compression", compression],
                    check=True,
                )
                rows, columns, baskets = same(root, out / f"{what}.parquet")
                print(f"{what} ({compression}): uproot reads {rows} rows x {columns} columns "
                      f"({baskets} baskets per branch) equal to the Parquet output")
        histograms(searchlight, spec, out / "run")


def histograms(searchlight, spec, out):
    subprocess.run([searchlight, "run", spec, "-o", str(out), "--root-histograms"], check=True)
    results = json.loads((out / "results.json").read_text())
    f = uproot.open(out / "histograms.root")
    checked = 0
    for inp, channels in results["histograms"].items():
        for channel, hists in channels.items():
            for h in hists:
                th1 = f[f"{h['name']}_{inp}_{channel}"]
                values, edges = th1.to_numpy(flow=True)
                n = len(h["counts"])
                assert np.allclose(edges[1:-1], np.linspace(*h["range"], n + 1), rtol=0, atol=1e-12)
                assert np.array_equal(values[1:-1], np.array(h["weighted"], dtype=float))
                assert np.array_equal(th1.variances(flow=True)[1:-1], np.array(h["sumw2"], dtype=float))
                assert (values[0], values[-1]) == (h["underflow"], h["overflow"])
                assert th1.member("fEntries") == sum(h["counts"]) + h["underflow"] + h["overflow"]
                checked += 1
    assert checked, "no histograms"
    print(f"run --root-histograms: uproot reads {checked} TH1Ds equal to results.json")


if __name__ == "__main__":
    main()
