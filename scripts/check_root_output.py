"""ROOT output read by uproot (CI): `generate` and `skim` written as `.root` (a TTree
`variables`, zlib and zstd) must read back in uproot equal, column by column and type by
type, to the same command's `.parquet` output read by pyarrow.

usage: python check_root_output.py SEARCHLIGHT SPEC
"""

import pathlib
import subprocess
import sys
import tempfile

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


if __name__ == "__main__":
    main()
