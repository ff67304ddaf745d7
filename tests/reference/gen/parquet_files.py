"""Writes the Parquet reference files the reader is tested against, with pyarrow, and the
values pyarrow reads back from them (expected.json).

Run: scripts/peers-venv.sh /tmp/peers && /tmp/peers/bin/python tests/reference/gen/parquet_files.py
Outputs are committed; `cargo test` needs no Python.
"""
import json
import math
import pathlib

import pyarrow as pa
import pyarrow.parquet as pq

OUT = pathlib.Path(__file__).resolve().parents[1] / "parquet"
N = 1200


def table():
    f64 = [i * 0.125 - 40.0 for i in range(N)]
    f64[3], f64[7], f64[11] = math.nan, math.inf, -math.inf
    return pa.table({
        "f64": pa.array(f64, pa.float64()),
        "f32": pa.array([i * 0.5 - 3.25 for i in range(N)], pa.float32()),
        "i8": pa.array([(i % 200) - 100 for i in range(N)], pa.int8()),
        "i16": pa.array([i * 17 - 9000 for i in range(N)], pa.int16()),
        "i32": pa.array([i * 1_000_003 - 600_000_000 for i in range(N)], pa.int32()),
        "u32": pa.array([4_000_000_000 - i * 7 for i in range(N)], pa.uint32()),
        "i64": pa.array([i * 10**12 - 5 * 10**14 for i in range(N)], pa.int64()),
        "u64": pa.array([i * 10**9 for i in range(N)], pa.uint64()),
        "bool": pa.array([i % 3 == 0 for i in range(N)], pa.bool_()),
    })


def encode(v):
    if isinstance(v, float) and not math.isfinite(v):
        return repr(v)  # "nan", "inf", "-inf"
    return v


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    t = table()
    expected = {"files": {}, "columns": None}
    for compression in ["none", "snappy", "zstd"]:
        path = OUT / f"types_{compression}.parquet"
        pq.write_table(t, path, compression=compression, row_group_size=500)
        back = pq.read_table(path)
        columns = {name: [encode(v) for v in back.column(name).to_pylist()] for name in back.column_names}
        assert expected["columns"] in (None, columns), "every compression reads back the same values"
        expected["columns"] = columns
        expected["files"][path.name] = pq.ParquetFile(path).num_row_groups
    # A nested column and a column with a null, which ntuples do not have: refused by name.
    pq.write_table(pa.table({"x": [1.0, 2.0], "jagged": [[1, 2], [3]]}), OUT / "nested.parquet")
    pq.write_table(pa.table({"x": [1.0, 2.0], "holes": [1.0, None]}), OUT / "nulls.parquet")
    (OUT / "expected.json").write_text(json.dumps(expected, sort_keys=True) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
