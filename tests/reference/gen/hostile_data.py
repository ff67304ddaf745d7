"""Writes the hostile data and model corpus in tests/corpus/bad_data/ from the committed
good files: truncated, bit-flipped, wrong magic, empty and mislabelled ROOT (TTree and
RNTuple) and Parquet files, and truncated or corrupted XGBoost, LightGBM and TMVA models. Standard library only;
deterministic. tests/it/hostile_data.rs runs each through `searchlight run`.

Run: python3 tests/reference/gen/hostile_data.py
"""

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "corpus" / "bad_data"
REF = ROOT / "reference"


def read(path):
    return (REF / path).read_bytes()


def flip(data, where, count=8):
    """Inverts `count` bytes starting at byte `where` (an int) or at that fraction of
    the file (a float)."""
    b = bytearray(data)
    start = where if isinstance(where, int) else int(len(b) * where)
    for i in range(start, min(start + count, len(b))):
        b[i] ^= 0xFF
    return bytes(b)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    root = read("root/parts-1.root")
    zstd = read("root/types-zstd.root")
    lz4 = read("root/types-lz4.root")
    lzma = read("root/types-lzma.root")
    rntuple = read("rntuple/types-split.root")
    rntuple_zlib = read("rntuple/types-zlib.root")
    parquet = read("parquet/types_zstd.parquet")
    xgb = read("mva/xgb_binary.json")
    lgb = read("mva/lgb_binary.txt")
    tmva = first_trees(read("mva/tmva_adaboost.weights.xml"), 3)
    files = {
        "root_empty.root": b"",
        "root_header_only.root": root[:50],
        "root_truncated_half.root": root[: len(root) // 2],
        "root_truncated_tail.root": root[:-100],
        "root_wrong_magic.root": b"rooX" + root[4:],
        # Inside the first compressed basket of `f8`, the branch the test spec reads
        # (fBasketSeek 27411, 27417 and 27420 in these files, read with uproot).
        "root_bitflip_basket.root": flip(root, 27411 + 1000),
        "root_bitflip_header.root": root[:12] + bytes(b ^ 0xFF for b in root[12:20]) + root[20:],
        "root_bitflip_keys.root": flip(root, 0.97),
        "root_zstd_truncated.root": zstd[: int(len(zstd) * 0.6)],
        "root_lz4_bitflip.root": flip(lz4, 27417 + 1500),
        "root_lzma_bitflip.root": flip(lzma, 27420 + 1200),
        "rntuple_truncated_half.root": rntuple[: len(rntuple) // 2],
        "rntuple_truncated_tail.root": rntuple[:-100],
        # Offsets read with uproot: the page of `f8` (zstd, its XXH3 checksum after it)
        # at byte 2973, 3055 bytes; the header envelope (fields, columns) at 1664, 977.
        "rntuple_bitflip_page.root": flip(rntuple, 2973 + 1000, 1),
        "rntuple_bitflip_envelope.root": flip(rntuple, 1664 + 500, 1),
        # Inside the first zlib-compressed page of `f8` (byte 2954, 2699 bytes) of a file
        # without page checksums: zlib's own Adler-32 sees it.
        "rntuple_zlib_bitflip.root": flip(rntuple_zlib, 2954 + 1500, 1),
        "parquet_empty.parquet": b"",
        "parquet_truncated_footer.parquet": parquet[:-10],
        "parquet_truncated_half.parquet": parquet[: len(parquet) // 2],
        "parquet_wrong_magic.parquet": parquet[:-4] + b"PARX",
        "parquet_bitflip_footer.parquet": flip(parquet, 0.98),
        # Inside the compressed pages of `f64`, the column the test spec reads (flips in
        # columns a spec does not read are never seen: only used columns are decoded).
        "parquet_bitflip_page.parquet": flip(parquet, 0.01, 64),
        "parquet_is_text.parquet": b"event,x\n1,2.0\n",
        "parquet_nested.parquet": read("parquet/nested.parquet"),
        "model_xgb_empty.json": b"",
        "model_xgb_truncated.json": xgb[: len(xgb) // 2],
        "model_xgb_not_json.json": bytes(range(256)) * 4,
        "model_xgb_unknown_objective.json": xgb.replace(b'"binary:logistic"', b'"rank:pairwise"'),
        # The first tree's root splits on feature 4000000 / points to node 99999.
        "model_xgb_missing_feature.json": re.sub(rb'"split_indices":\[\d+', b'"split_indices":[4000000', xgb, count=1),
        "model_xgb_bad_child.json": re.sub(rb'"left_children":\[\d+', b'"left_children":[99999', xgb, count=1),
        "model_lgb_truncated.txt": lgb[: len(lgb) // 3],
        "model_lgb_bad_leaves.txt": lgb.replace(b"num_leaves=", b"num_leaves=-", 1),
        "model_lgb_bad_split.txt": lgb.replace(b"split_feature=", b"split_feature=77 ", 1),
        "model_tmva_truncated.xml": tmva[: len(tmva) // 2],
        "model_tmva_transformed.xml": tmva.replace(b'NTransformations="0"', b'NTransformations="1"'),
        "model_tmva_nan_cut.xml": re.sub(rb'IVar="(\d+)" Cut="[^"]*"', rb'IVar="\1" Cut="nan"', tmva, count=1),
    }
    for name, data in files.items():
        (OUT / name).write_bytes(data)
    print(f"wrote {len(files)} files to {OUT}")


def first_trees(weights, n):
    """A TMVA weight file cut down to its first `n` trees (small corpus files)."""
    head, rest = weights.split(b"<Weights", 1)
    trees = re.findall(rb"<BinaryTree.*?</BinaryTree>", rest, re.S)[:n]
    return b"%s<Weights NTrees=\"%d\" AnalysisType=\"0\">\n%s\n</Weights>\n</MethodSetup>\n" % (
        head,
        n,
        b"\n".join(trees),
    )


if __name__ == "__main__":
    main()
