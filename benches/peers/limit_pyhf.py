"""pyhf (numpy backend, scipy optimizer: pyhf's defaults) 95% CL asymptotic CLs upper
limit on a workspace, timed; the default toms748 search with its default tolerance.

usage: python limit_pyhf.py WORKSPACE.json   (run by `cargo bench --bench limits`)
"""
import json
import sys
import time

import pyhf


def main():
    spec = json.load(open(sys.argv[1]))
    ws = pyhf.Workspace(spec)
    model = ws.model()
    data = ws.data(model)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        observed, expected = pyhf.infer.intervals.upper_limits.upper_limit(data, model, level=0.05)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"pyhf {pyhf.__version__:<7} {times[1]:>10.4f} s  observed {float(observed):.4f}, median expected {float(expected[2]):.4f}")


main()
