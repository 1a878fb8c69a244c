"""Python operators on Tensors and Variables: ``x + y``, ``x @ W``, ``x[:, 0]``, ``x < 3``...

Each operator builds the same op as its tf function, named as TF1 names it (``add``, ``mul``,
``truediv``...); the other operand may be a Python or numpy value on either side.
"""
from tfone.framework.graph import Tensor, name_scope
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, math_ops
from tfone.ops.variables import Variable


def _binary(func_name, op_name):
    """(forward, reflected) methods that call ``math_ops.<func_name>`` in scope ``op_name``."""
    def forward(x, y):
        with name_scope(None, op_name, [x, y]) as scope:
            x = convert_to_tensor(x)
            y = convert_to_tensor(y, dtype=x.dtype.base_dtype, name="y") if not _is_tensor(y) else y
            return getattr(math_ops, func_name)(x, y, name=scope)

    def reflected(y, x):
        with name_scope(None, op_name, [x, y]) as scope:
            y = convert_to_tensor(y)
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype, name="x") if not _is_tensor(x) else x
            return getattr(math_ops, func_name)(x, y, name=scope)
    forward.__name__ = reflected.__name__ = op_name
    return forward, reflected


def _is_tensor(value):
    return isinstance(value, Tensor) or hasattr(value, "_as_tensor")


def _unary(func_name):
    def method(x):
        return getattr(math_ops, func_name)(x)
    return method


_BINARY = {  # python operator -> (math_ops function, TF1's op name for it)
    "add": ("add", "add"),
    "sub": ("subtract", "sub"),
    "mul": ("multiply", "mul"),
    "truediv": ("truediv", "truediv"),
    "floordiv": ("floordiv", "floordiv"),
    "mod": ("floormod", "mod"),
    "pow": ("pow", "pow"),
    "matmul": ("matmul", "matmul"),
    "and": ("logical_and", "and"),
    "or": ("logical_or", "or"),
    "xor": ("logical_xor", "xor"),
}
_COMPARISONS = {"lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal"}


def _install(cls):
    for name, (func, op_name) in _BINARY.items():
        forward, reflected = _binary(func, op_name)
        setattr(cls, "__%s__" % name, forward)
        setattr(cls, "__r%s__" % name, reflected)
    for name, func in _COMPARISONS.items():
        forward, _ = _binary(func, _comparison_name(func))
        setattr(cls, "__%s__" % name, forward)
    cls.__neg__ = _unary("negative")
    cls.__abs__ = _unary("abs")
    cls.__invert__ = _unary("logical_not")
    cls.__getitem__ = lambda self, spec: array_ops._slice_helper(self, spec)


def _comparison_name(func):
    return {"less": "Less", "less_equal": "LessEqual", "greater": "Greater",
            "greater_equal": "GreaterEqual"}[func]


def _variable_operator(name):
    tensor_method = getattr(Tensor, name)

    def method(self, *args):
        return tensor_method(self.value(), *args)
    method.__name__ = name
    return method


_install(Tensor)
for _name in [n for n in vars(Tensor) if n.startswith("__") and n not in (
        "__init__", "__repr__", "__str__", "__bool__", "__len__", "__iter__", "__array__",
        "__reduce__", "__slots__", "__module__", "__doc__", "__weakref__", "__hash__", "__eq__",
        "__ne__", "__array_priority__", "__array_ufunc__", "__dict__", "__qualname__")]:
    if callable(getattr(Tensor, _name)):
        setattr(Variable, _name, _variable_operator(_name))
