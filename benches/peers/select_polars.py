"""The selection benchmark's workload in Polars (lazy, streaming engine) and numpy: four
derived columns, five cuts including a veto window, a 100-bin histogram; prints JSON with
the median seconds and the histogram, so the bench can check both did the same work.
Threads: POLARS_MAX_THREADS (set by the bench before Python starts).

usage: python select_polars.py FILE   (run by `cargo bench --bench select` when
PEERS_PYTHON points at a Python with the peers: scripts/peers-venv.sh)
"""
import json
import statistics
import sys
import time

import numpy as np
import polars as pl
import pyarrow.parquet as pq

LOW, HIGH, BINS = -5.0, 5.0, 100


def median_time(f, repeat=5):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def query(frame):
    x = [pl.col(f"x{i}") for i in range(12)]
    width = (HIGH - LOW) / BINS
    return (
        frame.with_columns(
            (x[0] * x[1]).alias("d0"),
            (x[2] ** 2 + x[3] ** 2).sqrt().alias("d1"),
            (x[4] - x[5]).abs().alias("d2"),
            (x[6] + 2 * x[7]).alias("d3"),
        )
        .filter(pl.col("x8") > -1)
        .filter(pl.col("d1") < 2.5)
        .filter((pl.col("x9") > -1.5) & (pl.col("x9") < 1.5))
        .filter(pl.col("d2") < 2)
        .filter(~((pl.col("d0") >= -0.1) & (pl.col("d0") <= 0.1)))
        .filter((pl.col("d3") >= LOW) & (pl.col("d3") < HIGH))
        .select(((pl.col("d3") - LOW) / width).floor().cast(pl.Int32).alias("bin"))
        .group_by("bin")
        .len()
    )


def histogram(table):
    counts = [0] * BINS
    for b, n in zip(table["bin"].to_list(), table["len"].to_list()):
        counts[b] += n
    return counts


def numpy_query(c):
    d0 = c["x0"] * c["x1"]
    d1 = np.sqrt(c["x2"] ** 2 + c["x3"] ** 2)
    d2 = np.abs(c["x4"] - c["x5"])
    d3 = c["x6"] + 2 * c["x7"]
    keep = (c["x8"] > -1) & (d1 < 2.5) & (c["x9"] > -1.5) & (c["x9"] < 1.5) & (d2 < 2) & ~((d0 >= -0.1) & (d0 <= 0.1))
    return np.histogram(d3[keep], bins=BINS, range=(LOW, HIGH))[0].tolist()


def main():
    path = sys.argv[1]
    result = {"threads": pl.thread_pool_size()}
    t, table = median_time(lambda: query(pl.scan_parquet(path)).collect(engine="streaming"))
    result["polars_parquet"], result["histogram"] = t, histogram(table)
    frame = pl.read_parquet(path)
    result["polars_memory"], _ = median_time(lambda: query(frame.lazy()).collect())
    columns = {name: col.to_numpy() for name, col in zip(frame.columns, frame.get_columns())}
    result["numpy_memory"], counts = median_time(lambda: numpy_query(columns))
    def from_parquet():
        table = pq.read_table(path)
        return numpy_query({n: c.to_numpy() for n, c in zip(table.column_names, table.columns)})

    result["numpy_parquet"], _ = median_time(from_parquet)
    assert counts == result["histogram"], "numpy and polars agree"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
