"""ROOT read benchmark peer (run by `cargo bench --bench root_read`).

usage: python root_read.py write PARQUET ROOT COLUMN...
         copies the columns of a Parquet file into a TTree `ntuple` written by uproot
         (`mktree`, zlib level 1 as ROOT's default, one basket per 100 000 entries)
       python root_read.py read ROOT COLUMN...
         prints JSON with the median seconds uproot takes for `arrays(..., library="np")`
"""
import json
import statistics
import sys
import time


def main():
    import numpy as np
    import uproot

    if sys.argv[1] == "write":
        import pyarrow.parquet as pq

        source, target, columns = sys.argv[2], sys.argv[3], sys.argv[4:]
        table = pq.read_table(source, columns=columns)
        arrays = {c: table[c].to_numpy() for c in columns}
        n = len(next(iter(arrays.values())))
        with uproot.recreate(target, compression=uproot.ZLIB(1)) as f:
            tree = f.mktree("ntuple", {c: a.dtype for c, a in arrays.items()})
            for start in range(0, n, 100_000):
                tree.extend({c: a[start : start + 100_000] for c, a in arrays.items()})
        return
    path, columns = sys.argv[2], sys.argv[3:]
    tree = uproot.open(path)["ntuple"]
    times = []
    for _ in range(5):
        start = time.perf_counter()
        arrays = tree.arrays(columns, library="np")
        assert all(isinstance(arrays[c], np.ndarray) for c in columns)
        times.append(time.perf_counter() - start)
    print(json.dumps({"uproot": statistics.median(times), "uproot_version": uproot.__version__}))


if __name__ == "__main__":
    main()
