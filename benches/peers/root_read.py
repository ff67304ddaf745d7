"""ROOT read benchmark peer (run by `cargo bench --bench root_read`).

usage: python root_read.py write PARQUET TREE RNTUPLE COLUMN...
         copies the columns of a Parquet file into a TTree `ntuple` (`mktree`) and into an
         RNTuple `ntuple` (`mkrntuple`) written by uproot, zlib level 1 as ROOT's
         default, one basket / cluster per 100 000 entries
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

        source, tree_path, rntuple_path = sys.argv[2:5]
        columns = sys.argv[5:]
        table = pq.read_table(source, columns=columns)
        arrays = {c: table[c].to_numpy() for c in columns}
        n = len(next(iter(arrays.values())))
        types = {c: a.dtype for c, a in arrays.items()}
        for path, make in ((tree_path, "mktree"), (rntuple_path, "mkrntuple")):
            with uproot.recreate(path, compression=uproot.ZLIB(1)) as f:
                ntuple = getattr(f, make)("ntuple", types)
                for start in range(0, n, 100_000):
                    ntuple.extend({c: a[start : start + 100_000] for c, a in arrays.items()})
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
