"""Reference files and values for the RNTuple reader (tests/it/rntuple_reader.rs).

uproot >= 5.7 writes an RNTuple (binary format 1.0, what ROOT >= 6.34 reads) for
`f[name] = {...}` and `f.mkrntuple`. This script writes, into tests/reference/rntuple/:

- types-<compression>.root: an RNTuple `ntuple` with a field of every number type
  (the same columns as the TTree reference files), three clusters (one per `extend`),
  NaNs, every compression ROOT has and none; a second RNTuple `other` beside it and a
  third, `dir/nested`, in a subdirectory; plus fields a flat reader must refuse by
  name (a record); a jagged `std::vector<double>`, read as one row per value;
- types-split.root: the same fields the way ROOT writes them by default and uproot
  does not: split (and, for signed integers, zigzag) column encodings and an XXH3
  checksum after every page, zstd-compressed. uproot's writer is steered there: its
  column types are set to the split ones and each page's values handed to it already
  encoded, and each blob it writes gets its checksum appended and flagged;
- dark_photon/: the file-based reference search's data and signal ntuples
  (analyses/data/dark_photon, TTrees written by tests/reference/gen/dark_photon_files.py)
  rewritten as RNTuples with the same names and rows, for the check that a search gives
  the same cutflows on either format (its background MC stays a TTree: one run reads
  both formats);

and records, for each RNTuple, each flat field's type, entry count, first values and a
SHA-256 of its values as little-endian f64 (uproot's reading, numpy's conversion), and
the fields uproot reads as jagged or records, in uproot.json.

Run: /tmp/peers/bin/python tests/reference/gen/rntuple_uproot.py
"""

import hashlib
import json
import pathlib
import struct

import awkward as ak
import numpy as np
import uproot
import xxhash
from root_uproot import columns  # the same columns as the TTree reference files

ROOT = pathlib.Path(__file__).resolve().parents[3]
OUT = ROOT / "tests" / "reference" / "rntuple"
DARK_PHOTON = ROOT / "analyses" / "data" / "dark_photon"
def write_types(path, compression, seed, clusters=3, per=400):
    rng = np.random.default_rng(seed)
    with uproot.recreate(path, compression=compression) as f:
        first = columns(rng, per, seed * 10_000)
        ntuple = f.mkrntuple("ntuple", {k: v.dtype for k, v in first.items()})
        ntuple.extend(first)
        for i in range(1, clusters):
            ntuple.extend(columns(rng, per, seed * 10_000 + i * per))
        n = 7
        f["other"] = {
            "x": np.arange(n, dtype=np.float64) / 4,
            "tracks_pt": ak.Array([[float(i + j) for j in range(i % 3)] for i in range(n)]),
            "vertex": ak.zip({"x": np.zeros(n), "y": np.ones(n)}),
        }
        f["dir/nested"] = {"y": np.arange(5, dtype=np.int32)}


SPLIT_TYPES = {
    "int16": 0x11, "uint16": 0x12, "int32": 0x13, "uint32": 0x14, "int64": 0x15,
    "uint64": 0x16, "float32": 0x18, "float64": 0x19,
}


def split_encoded(values):
    """The array whose bytes are `values` in RNTuple's split (and zigzag) encoding."""
    dtype = values.dtype
    if dtype == np.bool_ or dtype.itemsize == 1:
        return values
    if np.issubdtype(dtype, np.signedinteger):
        bits = values.dtype.itemsize * 8
        unsigned = np.dtype(f"u{values.dtype.itemsize}")
        values = ((values << 1) ^ (values >> (bits - 1))).view(unsigned)
        values = values.astype(unsigned)
    n, width = len(values), values.dtype.itemsize
    raw = values.view(np.uint8).reshape(n, width).T.copy().reshape(-1)
    return raw.view(dtype)


def write_split(path, seed, per=500):
    from uproot.writing import _cascadentuple as cascade

    rng = np.random.default_rng(seed)
    data = columns(rng, per, 0)
    types = dict(cascade._ak_primitive_to_num_dict)
    add_rblob = cascade.NTuple.add_rblob
    serialize = cascade.NTuple_PageDescription.serialize

    def add_checksummed_rblob(self, sink, raw_data, uncompressed_bytes):
        raw = bytes(raw_data)
        return add_rblob(self, sink, raw + xxhash.xxh3_64_intdigest(raw).to_bytes(8, "little"), uncompressed_bytes)

    def serialize_checksummed(self):
        return struct.pack("<i", -self.num_entries) + self.locator.serialize()

    cascade._ak_primitive_to_num_dict.update(SPLIT_TYPES)
    cascade.NTuple.add_rblob = add_checksummed_rblob
    cascade.NTuple_PageDescription.serialize = serialize_checksummed
    try:
        encoded = {k: split_encoded(v) for k, v in data.items()}
        with uproot.recreate(path, compression=uproot.ZSTD(5)) as f:
            f.mkrntuple("ntuple", {k: v.dtype for k, v in data.items()}).extend(encoded)
    finally:
        cascade._ak_primitive_to_num_dict.clear()
        cascade._ak_primitive_to_num_dict.update(types)
        cascade.NTuple.add_rblob = add_rblob
        cascade.NTuple_PageDescription.serialize = serialize
    read = uproot.open(path)["ntuple"].arrays(library="np")
    for k, v in data.items():
        assert np.array_equal(read[k], v, equal_nan=True), k


def describe(path, name):
    ntuple = uproot.open(path)[name]
    arrays = ntuple.arrays()
    flat, jagged, refused = {}, {}, []
    for field in arrays.fields:
        values = arrays[field]
        if values.ndim == 1 and not isinstance(values.layout, ak.contents.RecordArray):
            numpy_values = ak.to_numpy(values)
            as_f64 = np.asarray(numpy_values, dtype="<f8")
            flat[field] = {
                "dtype": numpy_values.dtype.name,
                "entries": int(len(numpy_values)),
                "first": [None if np.isnan(x) else float(x) for x in as_f64[:3]],
                "sha256": hashlib.sha256(as_f64.tobytes()).hexdigest(),
            }
        elif values.ndim == 2 and not isinstance(values.layout.content, ak.contents.RecordArray):
            # One candidate row per value, in entry order.
            as_f64 = np.asarray(ak.to_numpy(ak.flatten(values)), dtype="<f8")
            jagged[field] = {
                "values": int(len(as_f64)),
                "sha256": hashlib.sha256(as_f64.tobytes()).hexdigest(),
            }
        else:
            refused.append(field)
    return {
        "ntuple": name,
        "entries": int(ntuple.num_entries),
        "flat": flat,
        "jagged": jagged,
        "refused": refused,
    }


def rewrite_dark_photon():
    """Every TTree of the reference search's files, as an RNTuple of the same name."""
    out = OUT / "dark_photon"
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(DARK_PHOTON.glob("*.root")):
        if path.name == "mumu_mc.root":
            continue
        source = uproot.open(path)
        trees = [k.split(";")[0] for k, c in source.classnames().items() if c == "TTree"]
        with uproot.recreate(out / path.name, compression=uproot.ZLIB(4)) as f:
            for tree in trees:
                arrays = source[tree].arrays(library="np")
                f[tree] = {k: v for k, v in arrays.items()}


def main():
    OUT.mkdir(exist_ok=True)
    made = {
        "types-zlib.root": uproot.ZLIB(4),
        "types-lz4.root": uproot.LZ4(4),
        "types-lzma.root": uproot.LZMA(4),
        "types-zstd.root": uproot.ZSTD(4),
        "types-none.root": None,
    }
    files = {}
    for seed, (name, compression) in enumerate(made.items(), start=1):
        write_types(OUT / name, compression, seed)
        files[name] = [describe(OUT / name, n) for n in ("ntuple", "other", "dir/nested")]
    write_split(OUT / "types-split.root", 6)
    files["types-split.root"] = [describe(OUT / "types-split.root", "ntuple")]
    rewrite_dark_photon()
    (OUT / "uproot.json").write_text(json.dumps(files, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
