"""Every registered op must be covered by the op test modules in this folder.

Each ``tests/ops/test_<family>.py`` declares three sets of op types it tests:
``REFERENCE_CHECKED`` (forward compared with numpy), ``SHAPE_CHECKED`` (static shape
inference with known, partial and unknown inputs) and ``GRADIENT_CHECKED`` (central-difference
gradient check in float64). This test fails when an op is missing from them, so adding an op
without tests is caught.
"""
import importlib
import pkgutil

import pytest

import tfone as tf
import tests.ops as ops_tests

# Ops that cannot be run on their own in a test (explained per op).
NOT_RUNNABLE_ALONE = {
    "Placeholder": "only fed, never executed (tested in tests/test_session.py)",
}


def _declared(attribute):
    covered = set()
    for info in pkgutil.iter_modules(ops_tests.__path__):
        if info.name.startswith("test_") and info.name != "test_registry_coverage":
            module = importlib.import_module("tests.ops." + info.name)
            covered |= set(getattr(module, attribute, ()))
    return covered


def _registry():
    return tf.registered_ops()


def test_every_op_has_a_reference_test():
    missing = sorted(set(_registry()) - _declared("REFERENCE_CHECKED") - set(NOT_RUNNABLE_ALONE))
    assert not missing, "ops without a numpy reference test: %s" % missing


def test_every_op_has_a_shape_inference_test():
    missing = sorted(set(_registry()) - _declared("SHAPE_CHECKED") - set(NOT_RUNNABLE_ALONE))
    assert not missing, "ops without a static shape inference test: %s" % missing


def test_every_differentiable_op_has_a_gradient_check():
    differentiable = {name for name, opdef in _registry().items() if opdef.differentiable}
    missing = sorted(differentiable - _declared("GRADIENT_CHECKED"))
    assert not missing, "differentiable ops without a gradient check: %s" % missing


def test_declared_sets_name_real_ops():
    registry = set(_registry())
    for attribute in ("REFERENCE_CHECKED", "SHAPE_CHECKED", "GRADIENT_CHECKED"):
        unknown = sorted(_declared(attribute) - registry)
        assert not unknown, "%s names unregistered ops: %s" % (attribute, unknown)


@pytest.mark.parametrize("name", sorted(_registry()))
def test_registry_entry_is_complete(name):
    opdef = _registry()[name]
    assert opdef.doc, "%s needs a docstring (first line is shown in docs and pictures)" % name
    assert opdef.family, name
    assert opdef.gradient is not None or not any(
        spec.typevar for spec in opdef._input_specs), (
        "%s takes float-capable inputs but declares no gradient; set gradient = "
        "NOT_DIFFERENTIABLE if that is intended" % name)
