"""tfone reproduces TensorFlow 1's numbers: golden values recorded from TensorFlow.

Each program in tests/parity/programs.py was run once with ``tensorflow.compat.v1``
(tools/parity/make_golden.py); the values, tensor names, static shapes, dtypes and variable
names are in tests/parity/data/. Here the same programs run with tfone and must agree. No
TensorFlow is needed. Randomly initialised weights are loaded from the recorded TF1 initial
values by variable name, so the variable names must match first.
"""
import json
import os

import numpy as np
import pytest

import tfone
from tests.parity.programs import PROGRAMS, run_program

DATA = os.path.join(os.path.dirname(__file__), "data")
SEP = "|"

with open(os.path.join(DATA, "golden.json")) as _f:
    META = json.load(_f)
with np.load(os.path.join(DATA, "golden.npz")) as _z:
    GOLDEN = {k: _z[k] for k in _z.files}

# (program, fetch key, what) -> why it is not compared. Only differences that are TF1
# implementation details (not something a TF1 script can observe through values) belong here;
# open discrepancies are listed in tools/parity/FINDINGS.md.
NOT_COMPARED = {
    ("cross_entropy_extremes", "v2", "name"):
        "TF1's result is the Reshape after the fused kernel (internal structure)",
}


def _golden(name, part):
    prefix = SEP.join((name, part, ""))
    return {k[len(prefix):]: v for k, v in GOLDEN.items() if k.startswith(prefix)}


def test_every_program_was_recorded():
    assert sorted(META["programs"]) == sorted(PROGRAMS)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_tf1(name):
    spec = PROGRAMS[name]
    recorded = META["programs"][name]
    copies = spec["copy_variables"] or spec["kind"] == "keras"
    initial = _golden(name, "initial") if copies else None
    got = run_program(tfone, name, initial_values=initial)

    assert sorted(got["initial"]) == recorded["variables"], "variable names differ from TF1"
    if initial:
        for vname, value in initial.items():
            assert got["initial"][vname].shape == value.shape, vname

    problems = []
    for key, (tname, shape, dtype) in recorded["meta"].items():
        if key not in got["meta"]:
            problems.append("%s: missing" % key)
            continue
        g_name, g_shape, g_dtype = got["meta"][key]
        if (spec["names"] and (name, key, "name") not in NOT_COMPARED
                and not tname.startswith("gradients") and g_name != tname):
            problems.append("%s: name %s, TF1 %s" % (key, g_name, tname))
        if g_shape != shape:
            problems.append("%s: static shape %s, TF1 %s" % (key, g_shape, shape))
        if g_dtype != dtype:
            problems.append("%s: dtype %s, TF1 %s" % (key, g_dtype, dtype))

    for key, ref in _golden(name, "values").items():
        value = got["values"][key]
        if value.shape != ref.shape:
            problems.append("%s: value shape %s, TF1 %s" % (key, value.shape, ref.shape))
        elif ref.dtype.kind in "fc":
            if not np.allclose(value, ref, rtol=spec["rtol"], atol=spec["atol"], equal_nan=True):
                err = np.nanmax(np.abs(value.astype(np.float64) - ref))
                problems.append("%s: max abs error %.3g vs TF1" % (key, err))
        elif not np.array_equal(value, ref):
            problems.append("%s: %s, TF1 %s" % (key, value.tolist(), ref.tolist()))

    for vname, ref in _golden(name, "final").items():
        if not np.allclose(got["final"][vname], ref, rtol=spec["rtol"], atol=spec["atol"]):
            err = np.max(np.abs(got["final"][vname].astype(np.float64) - ref))
            problems.append("variable %s after training: max abs error %.3g" % (vname, err))

    assert not problems, "%s differs from TF1:\n  " % name + "\n  ".join(problems)
