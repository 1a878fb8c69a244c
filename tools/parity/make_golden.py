"""Record TensorFlow 1's results for the programs in tests/parity/programs.py.

Writes tests/parity/data/golden.npz (values; initial variable values for programs that copy
weights; final variable values of training programs) and tests/parity/data/golden.json (tensor
names, static shapes, dtypes, variable names, the TensorFlow version). The CI test
tests/parity/test_golden.py replays the programs with tfone against these files.

Run with the reference virtualenv (README.md):
    /opt/tfref/bin/python tools/parity/make_golden.py [program ...]
Without arguments every program is recorded; with names, only those are replaced.
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

from harness import tf1  # noqa: E402
from tests.parity.programs import PROGRAMS, run_program  # noqa: E402

DATA = os.path.join(ROOT, "tests", "parity", "data")
SEP = "|"


def main(names):
    tf = tf1()
    os.makedirs(DATA, exist_ok=True)
    npz_path = os.path.join(DATA, "golden.npz")
    json_path = os.path.join(DATA, "golden.json")
    arrays, meta = {}, {"programs": {}}
    if names and os.path.exists(json_path):      # keep the other programs' records
        with np.load(npz_path) as old:
            arrays = {k: old[k] for k in old.files if k.split(SEP)[0] not in names}
        with open(json_path) as f:
            meta = json.load(f)
    meta["tensorflow"] = tf.__version__ if hasattr(tf, "__version__") else "?"
    import tensorflow
    meta["tensorflow"] = tensorflow.__version__
    for name in names or sorted(PROGRAMS):
        spec = PROGRAMS[name]
        res = run_program(tf, name)
        for key, value in res["values"].items():
            arrays[SEP.join((name, "values", key))] = value
        if spec["copy_variables"] or spec["kind"] == "keras":
            for vname, value in res["initial"].items():
                arrays[SEP.join((name, "initial", vname))] = value
        for vname, value in res["final"].items():
            arrays[SEP.join((name, "final", vname))] = value
        meta["programs"][name] = {
            "meta": res["meta"], "variables": sorted(res["initial"]),
        }
        print("recorded %-40s %3d values, %3d variables" % (name, len(res["values"]),
                                                            len(res["initial"])))
    np.savez_compressed(npz_path, **arrays)
    with open(json_path, "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
    print("wrote %s (%d arrays, %.0f kB) and %s" % (
        npz_path, len(arrays), os.path.getsize(npz_path) / 1024, json_path))


if __name__ == "__main__":
    main(sys.argv[1:])
