"""Reads the same columns of the same Parquet file with pyarrow and polars; prints JSON
with the median seconds of each (to numpy arrays, one thread and all threads).

usage: python parquet_read.py FILE COLUMN...   (run by `cargo bench --bench parquet_read`
when PEERS_PYTHON points at a Python with the peers: scripts/peers-venv.sh)
"""
import json
import os
import statistics
import sys
import time


def median_time(f, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    path, columns = sys.argv[1], sys.argv[2:]
    import pyarrow as pa
    import pyarrow.parquet as pq
    import polars as pl

    result = {}
    for threads in (1, 2):
        pa.set_cpu_count(threads)
        pa.set_io_thread_count(threads)
        result[f"pyarrow_{threads}"] = median_time(
            lambda: [c.to_numpy() for c in pq.read_table(path, columns=columns, use_threads=threads > 1).columns]
        )
    result["polars"] = median_time(lambda: [s.to_numpy() for s in pl.read_parquet(path, columns=columns).get_columns()])
    result["polars_threads"] = pl.thread_pool_size()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
