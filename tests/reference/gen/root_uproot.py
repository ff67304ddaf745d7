"""Reference values for the ROOT TTree reader (tests/it/root_reader.rs).

Writes small TTrees with uproot (`f.mktree`: uproot >= 5.7 writes RNTuple for
`f[name] = {...}`) covering every supported branch type, several baskets per branch,
two files of one dataset, a tree in a subdirectory and every compression; then records,
for those files and for the ROOT-written files in ../shared/testdata/root, each flat
branch's type, entry count, first values and a SHA-256 of its values as little-endian
f64; the variable-length arrays of numbers (`x[n]`) the same way, flattened; and the
branches uproot reads as vectors, fixed-size arrays or strings, which are refused.

Run: /tmp/peers/bin/python tests/reference/gen/root_uproot.py
"""

import hashlib
import json
import pathlib

import awkward as ak
import numpy as np
import uproot

HERE = pathlib.Path(__file__).resolve().parents[1]
OUT = HERE / "root"
TESTDATA = HERE.parents[2] / "shared" / "testdata" / "root"
TYPES = {
    "f8": np.float64, "f4": np.float32, "i4": np.int32, "u4": np.uint32,
    "i8": np.int64, "u8": np.uint64, "b": np.bool_, "i1": np.int8, "i2": np.int16,
    "u1": np.uint8, "u2": np.uint16,
}


def columns(rng, n, offset):
    out = {}
    for name, ty in TYPES.items():
        if ty is np.bool_:
            out[name] = rng.random(n) < 0.3
        elif np.issubdtype(ty, np.floating):
            v = rng.normal(5.279, 0.003, n).astype(ty)
            v[::97] = np.nan if name == "f8" else v[::97]
            out[name] = v
        else:
            info = np.iinfo(ty)
            lo, hi = max(info.min, -(2**40)), min(info.max, 2**40)
            out[name] = rng.integers(lo, hi, n, dtype=np.int64).astype(ty)
    out["__event__"] = np.arange(offset, offset + n, dtype=np.int32)
    return out


def write(path, compression, seed, baskets=3, per=400):
    rng = np.random.default_rng(seed)
    with uproot.recreate(path, compression=compression) as f:
        first = columns(rng, per, seed * 10_000)
        tree = f.mktree("ntuple", {k: v.dtype for k, v in first.items()})
        tree.extend(first)
        for i in range(1, baskets):
            tree.extend(columns(rng, per, seed * 10_000 + i * per))
        f.mktree("dir/other", {"x": np.float64}).extend({"x": np.arange(5.0)})


def describe(path, tree_name):
    tree = uproot.open(path)[tree_name]
    flat, jagged, refused = {}, {}, []
    for branch in tree.branches:
        interp = branch.interpretation
        if isinstance(interp, uproot.AsDtype) and interp.to_dtype.shape == ():
            values = branch.array(library="np")
            as_f64 = np.asarray(values, dtype="<f8")
            flat[branch.name] = {
                "dtype": interp.to_dtype.name,
                "entries": int(len(values)),
                "first": [None if np.isnan(x) else float(x) for x in as_f64[:3]],
                "sha256": hashlib.sha256(as_f64.tobytes()).hexdigest(),
            }
        elif (
            isinstance(interp, uproot.AsJagged)
            and interp.header_bytes == 0
            and isinstance(interp.content, uproot.AsDtype)
            and interp.content.to_dtype.shape == ()
            and interp.content.to_dtype.kind in "biuf"
        ):
            # A variable-length array (`x[n]`): one candidate row per value.
            values = np.asarray(ak.flatten(branch.array()), dtype="<f8")
            jagged[branch.name] = {
                "values": int(len(values)),
                "sha256": hashlib.sha256(values.tobytes()).hexdigest(),
            }
        else:
            refused.append(branch.name)
    return {
        "tree": tree_name,
        "entries": int(tree.num_entries),
        "flat": flat,
        "jagged": jagged,
        "refused": refused,
    }


def main():
    OUT.mkdir(exist_ok=True)
    made = {
        "types-zlib.root": uproot.ZLIB(4),
        "types-lz4.root": uproot.LZ4(4),
        "types-lzma.root": uproot.LZMA(4),
        "types-zstd.root": uproot.ZSTD(4),
        "types-none.root": None,
    }
    for seed, (name, compression) in enumerate(made.items(), start=1):
        write(OUT / name, compression, seed)
    write(OUT / "parts-1.root", uproot.ZLIB(1), 11, baskets=2, per=300)
    write(OUT / "parts-2.root", uproot.ZLIB(1), 12, baskets=2, per=300)
    files = {}
    for name in sorted(p.name for p in OUT.glob("*.root")):
        files[f"reference/root/{name}"] = [describe(OUT / name, "ntuple"), describe(OUT / name, "dir/other")]
    for path in sorted(TESTDATA.glob("*.root")):
        f = uproot.open(path)
        trees = [k.split(";")[0] for k, c in f.classnames().items() if c == "TTree"]
        files[f"testdata/{path.name}"] = [describe(path, t) for t in trees]
    parts = [uproot.open(OUT / f"parts-{i}.root")["ntuple"].arrays(["f8", "i4"], library="np") for i in (1, 2)]
    f8 = np.concatenate([p["f8"] for p in parts])
    i4 = np.concatenate([p["i4"] for p in parts])
    first = f8 > 5.279
    files["run_cutflow"] = [int(len(f8)), int(first.sum()), int((first & (i4 > 0)).sum())]
    (OUT / "uproot.json").write_text(json.dumps(files, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
