"""Reference values of correctionlib corrections, for the bit-for-bit check of
searchlight's native evaluator (tests/it/corrections.rs).

Writes tests/reference/corrections/cases.json: a correction set with one correction per
node type (binning with each flow, uniform binning, multibinning mixing both axis kinds,
int and string categories, formulas over every function, formula references,
transforms), and per case the point generator (a splitmix64 stream; the Rust test draws
the same doubles), the number of points (10^5) and the SHA-256 of the little-endian
bytes of correctionlib's outputs, with the bit patterns of the first outputs for diagnosis. Some
points sit exactly on bin edges. NaN inputs are left out: searchlight returns NaN for
them where correctionlib sends them to a flow bin (docs/spec.md, `corrections`).

The numbers in the file are written as Python's shortest round-trip decimals, which
correctionlib reads with rapidjson's not-always-correctly-rounded conversion (about one in
ten a ulp off), so the check covers the reading of numbers too.

Run: scripts/peers-venv.sh /tmp/peers && /tmp/peers/bin/python tests/reference/gen/correctionlib_points.py
"""

import hashlib
import json
import pathlib

import correctionlib
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[1] / "corrections"
N = 100_000
MASK = (1 << 64) - 1


def splitmix64(state):
    """Yields the splitmix64 stream from `state`."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def draw(seed, spec, n):
    """n values of one input: spec = {low, high, edges?} for reals (one in eight an exact
    edge), {ints: [a, b]} for integers in [a, b]."""
    stream = splitmix64(seed)
    out = []
    for _ in range(n):
        r = next(stream)
        if "ints" in spec:
            a, b = spec["ints"]
            out.append(a + r % (b - a + 1))
            continue
        edges = spec.get("edges", [])
        if edges and r % 8 == 0:
            out.append(edges[(r >> 3) % len(edges)])
            continue
        u = (next(stream) >> 11) * 2.0**-53
        out.append(spec["low"] + (spec["high"] - spec["low"]) * u)
    return out


def real(name):
    return {"name": name, "type": "real"}


def correction(name, inputs, data, **extra):
    return {
        "name": name,
        "version": 1,
        "inputs": inputs,
        "output": {"name": "weight", "type": "real"},
        "data": data,
        **extra,
    }


EDGES = [0.0, 0.35, 0.8, 1.3, 2.15, 3.0]
CONTENT = [0.91, 0.937, 0.9821, 1.0042, 1.0173]
FUNCS = (
    "log(x)+log10(y)+exp(-x)+erf(x-1)+sqrt(y)+abs(x-2)+cos(x)+sin(y)+tan(x/3)"
    "+acos(x/4)+asin(y/5)+atan(x)+cosh(y/3)+sinh(x/3)+tanh(y)+acosh(x+1)+asinh(y)"
    "+atanh(x/4)+atan2(x,y-1)+pow(x,0.37)+max(x,y)+min(x,y)"
)

corrections = [
    correction("binning_clamp", [real("x")],
               {"nodetype": "binning", "input": "x", "edges": EDGES, "content": CONTENT, "flow": "clamp"}),
    correction("binning_value", [real("x")],
               {"nodetype": "binning", "input": "x", "edges": EDGES, "content": CONTENT, "flow": 1.0}),
    correction("binning_error", [real("x")],
               {"nodetype": "binning", "input": "x", "edges": [-10.0, 0.5, 1.7, "inf"],
                "content": [0.7, 0.8, 0.95], "flow": "error"}),
    correction("binning_wrap", [real("phi")],
               {"nodetype": "binning", "input": "phi", "edges": [-3.141592653589793, -1.0, 0.2, 3.141592653589793],
                "content": [1.1, 1.2, 1.3], "flow": "wrap"}),
    correction("uniform", [real("x")],
               {"nodetype": "binning", "input": "x", "edges": {"n": 7, "low": -0.9, "high": 0.9},
                "content": [1.0 + 0.013 * k for k in range(7)], "flow": "clamp"}),
    correction("multibinning", [real("p"), real("cos")],
               {"nodetype": "multibinning", "inputs": ["p", "cos"],
                "edges": [EDGES, {"n": 4, "low": -1.0, "high": 1.0}],
                "content": [0.9 + 0.0071 * k for k in range(20)], "flow": "clamp"}),
    correction("category_int", [{"name": "charge", "type": "int"}, real("x")],
               {"nodetype": "category", "input": "charge",
                "content": [
                    {"key": -1, "value": {"nodetype": "formula", "expression": "[0]+[1]*x", "parser": "TFormula",
                                          "variables": ["x"], "parameters": [0.97, 0.011]}},
                    {"key": 1, "value": 1.021},
                ], "default": 1.0}),
    correction("category_string", [real("p"), {"name": "syst", "type": "string"}],
               {"nodetype": "category", "input": "syst",
                "content": [
                    {"key": "nominal", "value": {"nodetype": "binning", "input": "p", "edges": EDGES,
                                                 "content": CONTENT, "flow": "clamp"}},
                    {"key": "up", "value": {"nodetype": "binning", "input": "p", "edges": EDGES,
                                            "content": [c + 0.02 for c in CONTENT], "flow": "clamp"}},
                    {"key": "down", "value": {"nodetype": "binning", "input": "p", "edges": EDGES,
                                              "content": [c - 0.02 for c in CONTENT], "flow": "clamp"}},
                ]}),
    correction("formula", [real("x"), real("y")],
               {"nodetype": "formula", "expression": FUNCS, "parser": "TFormula", "variables": ["x", "y"]}),
    correction("formula_operators", [real("x"), real("y")],
               {"nodetype": "formula",
                "expression": "-x^2+[0]*y/3-2^-x^[1]+(x>y)-(x<=1.5)*(y>=2)+(x==y)+(x!=y)*0.5+((x>1)&&(y<2))+((x<0.5)||(y>2.5))",
                "parser": "TFormula", "variables": ["x", "y"], "parameters": [1.4142135623730951, 0.5]}),
    correction("formularef", [real("pt"), real("eta")],
               {"nodetype": "binning", "input": "eta", "edges": [-2.5, 0.0, 2.5], "flow": "clamp",
                "content": [
                    {"nodetype": "formularef", "index": 0, "parameters": [1.02, -0.013, 0.0007]},
                    {"nodetype": "formularef", "index": 0, "parameters": [0.98, 0.021, -0.0004]},
                ]},
               generic_formulas=[{"nodetype": "formula", "expression": "[0]+[1]*log(x)+[2]*x", "parser": "TFormula",
                                  "variables": ["pt"]}]),
    correction("transform", [real("x"), {"name": "n", "type": "int"}],
               {"nodetype": "transform", "input": "n",
                "rule": {"nodetype": "formula", "expression": "x*2.5", "parser": "TFormula", "variables": ["x"]},
                "content": {"nodetype": "category", "input": "n",
                            "content": [{"key": k, "value": 1.0 + 0.1 * k} for k in range(9)], "default": 0.5}}),
]

# Inputs of each case: per input a generator spec, and the string value if any.
cases = [
    ("binning_clamp", [{"low": -1.0, "high": 4.0, "edges": EDGES}], None),
    ("binning_value", [{"low": -1.0, "high": 4.0, "edges": EDGES}], None),
    ("binning_error", [{"low": -10.0, "high": 50.0, "edges": [-10.0, 0.5, 1.7]}], None),
    ("binning_wrap", [{"low": -20.0, "high": 20.0, "edges": [-1.0, 0.2]}], None),
    ("uniform", [{"low": -2.0, "high": 2.0, "edges": [-0.9, -0.64285714285714279, 0.0]}], None),
    ("multibinning", [{"low": -1.0, "high": 4.0, "edges": EDGES}, {"low": -1.5, "high": 1.5, "edges": [-0.5, 0.0, 0.5]}], None),
    ("category_int", [{"ints": [-2, 2]}, {"low": 0.0, "high": 3.0}], None),
    ("category_string", [{"low": -1.0, "high": 4.0, "edges": EDGES}, None], "up"),
    ("formula", [{"low": 0.01, "high": 3.9}, {"low": 0.01, "high": 4.9}], None),
    ("formula_operators", [{"low": -3.0, "high": 3.0, "edges": [1.5, 1.0]}, {"low": -3.0, "high": 3.0, "edges": [2.0, 2.5]}], None),
    ("formularef", [{"low": 1.0, "high": 200.0}, {"low": -3.0, "high": 3.0, "edges": [0.0]}], None),
    ("transform", [{"low": -0.5, "high": 4.0}, {"ints": [0, 3]}], None),
]

cset = {"schema_version": 2, "description": "searchlight's correctionlib cross-check", "corrections": corrections}
text = json.dumps(cset, indent=1)
evaluator = correctionlib.CorrectionSet.from_string(text)

results = []
for k, (name, specs, key) in enumerate(cases):
    c = evaluator[name]
    columns = []
    for j, spec in enumerate(specs):
        if spec is None:
            continue
        values = draw(1000 * k + j + 1, spec, N)
        columns.append(np.array(values, dtype=np.int64 if "ints" in spec else np.float64))
    args = []
    it = iter(columns)
    for spec in specs:
        args.append(key if spec is None else next(it))
    if key is not None:
        # correctionlib vectorises numbers only: evaluate row by row with the string.
        out = np.array([c.evaluate(*[a if isinstance(a, str) else a[i].item() for a in args]) for i in range(N)])
    else:
        out = c.evaluate(*args)
    out = np.asarray(out, dtype="<f8")
    results.append({
        "correction": name,
        "inputs": [spec if spec is None else {"seed": 1000 * k + j + 1, **spec} for j, spec in enumerate(specs)],
        "key": key,
        "points": N,
        "sha256": hashlib.sha256(out.tobytes()).hexdigest(),
        "first_bits": [f"{v:016x}" for v in out[:8].view("<u8").tolist()],
    })

# Points outside a binning with flow "error": correctionlib refuses them (so does
# searchlight, tests/it/corrections.rs).
for point in [-60.0, -10.000000000000002]:
    try:
        evaluator["binning_error"].evaluate(point)
        raise SystemExit(f"binning_error({point}): correctionlib did not refuse")
    except (ValueError, RuntimeError, IndexError):
        pass

OUT.mkdir(parents=True, exist_ok=True)
(OUT / "corrections.json").write_text(text + "\n")
(OUT / "cases.json").write_text(json.dumps({
    "generator": f"correctionlib {correctionlib.__version__}, numpy {np.__version__}",
    "cases": results,
}, indent=1) + "\n")
print(f"wrote {len(results)} cases of {N} points")
