"""The Keras 2 ``Layer``: the base class of every Keras layer, of ``tf.layers`` and of RNN cells.

A layer is a callable that builds graph ops. ``layer(x)``:

1. checks ``x`` against ``layer.input_spec`` (clear errors naming the layer and the shapes);
2. opens a name scope named after the layer (``dense``, then ``dense_1`` for a second call);
3. the first time only, calls ``build(input_shape)``, which creates weights with
   ``add_weight`` (``tf.Variable``\\ s named ``dense/kernel:0``, ``dense/bias:0``);
4. calls ``call(x, **kwargs)``, which builds the ops of the layer;
5. records where its outputs come from, for the functional API: a :class:`Node` is appended
   to ``layer._inbound_nodes`` and each output tensor gets a :class:`KerasHistory`
   ``(layer, node_index, tensor_index)`` that :func:`get_keras_history` returns (tensors have
   ``__slots__``, so the history lives in a weak side table, not on the tensor). Inputs that
   were not made by a Keras layer or ``keras.Input`` appear as ``None`` in
   ``node.inbound_layers``.

Layer names are unique per graph (``backend.unique_object_name``). The weights of a layer are
``trainable_weights + non_trainable_weights``, including those of layers it holds as
attributes (an ``LSTM`` holds its cell, ``Bidirectional`` its two layers).
``get_weights()`` / ``set_weights()`` use ``keras.backend.get_session()``: the default
session, or a session Keras keeps for the default graph.

A layer's ``dtype`` is inferred from its first input (float inputs) unless given, so the same
layer class builds float64 weights for float64 inputs, as tf.keras 1.15 does.
"""
import collections
import inspect
import threading
import weakref

import numpy as np

from tfone.framework import dtypes
from tfone.framework import graph as _graph
from tfone.framework.graph import Tensor
from tfone.framework.op_registry import convert_to_tensor
from tfone.framework.tensor_shape import TensorShape, as_shape
from tfone.keras import backend
from tfone.keras.engine.base_layer_utils import (flatten, map_structure, to_snake_case,
                                                 convert_shape)

__all__ = ["Layer", "InputSpec", "Node", "KerasHistory", "get_keras_history",
           "get_keras_mask", "set_keras_mask", "assert_input_compatibility"]

KerasHistory = collections.namedtuple("KerasHistory", ["layer", "node_index", "tensor_index"])

_KERAS_HISTORY = weakref.WeakKeyDictionary()   # Tensor -> KerasHistory
_KERAS_MASKS = weakref.WeakKeyDictionary()     # Tensor -> mask Tensor


def get_keras_history(tensor):
    """``KerasHistory(layer, node_index, tensor_index)`` of a tensor made by a Keras layer (or
    ``keras.Input``), else None."""
    if hasattr(tensor, "_as_tensor") and not isinstance(tensor, Tensor):
        return None
    try:
        return _KERAS_HISTORY.get(tensor)
    except TypeError:
        return None


def set_keras_history(tensor, history):
    _KERAS_HISTORY[tensor] = history


def get_keras_mask(tensor):
    """The Keras mask attached to ``tensor`` (e.g. by ``Embedding(mask_zero=True)``), or None."""
    try:
        return _KERAS_MASKS.get(tensor)
    except TypeError:
        return None


def set_keras_mask(tensor, mask):
    if mask is None:
        _KERAS_MASKS.pop(tensor, None)
    else:
        _KERAS_MASKS[tensor] = mask


# -- input specs -----------------------------------------------------------------------------------
class InputSpec:
    """What a layer accepts: ``dtype``, ``shape``, ``ndim``, ``max_ndim``, ``min_ndim`` and
    ``axes`` (``{axis: size}``); None means "anything"."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None,
                 axes=None):
        self.dtype = None if dtype is None else dtypes.as_dtype(dtype).name
        if shape is not None:
            self.ndim = len(shape)
            self.shape = tuple(shape)
        else:
            self.ndim = ndim
            self.shape = None
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.axes = dict(axes or {})

    def __repr__(self):
        spec = [("dtype=" + str(self.dtype)) if self.dtype else "",
                ("shape=" + str(self.shape)) if self.shape else "",
                ("ndim=" + str(self.ndim)) if self.ndim else "",
                ("max_ndim=" + str(self.max_ndim)) if self.max_ndim else "",
                ("min_ndim=" + str(self.min_ndim)) if self.min_ndim else "",
                ("axes=" + str(self.axes)) if self.axes else ""]
        return "InputSpec(%s)" % ", ".join(x for x in spec if x)

    def get_config(self):
        return {"dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
                "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes}


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raise ValueError if ``inputs`` do not satisfy ``input_spec`` (a spec or list of specs)."""
    if not input_spec:
        return
    specs = flatten(input_spec)
    inputs = flatten(inputs)
    if len(inputs) != len(specs):
        raise ValueError("Layer %s expects %d input(s), but it received %d input tensors. "
                         "Inputs received: %s" % (layer_name, len(specs), len(inputs), inputs))
    for index, (x, spec) in enumerate(zip(inputs, specs)):
        if spec is None:
            continue
        shape = x.shape
        ndims = shape.ndims
        if (spec.ndim is not None or spec.min_ndim is not None
                or spec.max_ndim is not None) and ndims is None:
            raise ValueError("Input %d of layer %s is incompatible with the layer: its rank is "
                             "undefined, but the layer requires a defined rank." % (index,
                                                                                    layer_name))
        full = None if ndims is None else shape.as_list()
        if spec.ndim is not None and ndims != spec.ndim:
            raise ValueError("Input %d of layer %s is incompatible with the layer: expected "
                             "ndim=%d, found ndim=%d. Full shape received: %s"
                             % (index, layer_name, spec.ndim, ndims, full))
        if spec.max_ndim is not None and ndims is not None and ndims > spec.max_ndim:
            raise ValueError("Input %d of layer %s is incompatible with the layer: expected "
                             "max_ndim=%d, found ndim=%d. Full shape received: %s"
                             % (index, layer_name, spec.max_ndim, ndims, full))
        if spec.min_ndim is not None and ndims is not None and ndims < spec.min_ndim:
            raise ValueError("Input %d of layer %s is incompatible with the layer: expected "
                             "min_ndim=%d, found ndim=%d. Full shape received: %s"
                             % (index, layer_name, spec.min_ndim, ndims, full))
        if spec.dtype is not None and x.dtype.base_dtype.name != spec.dtype:
            raise ValueError("Input %d of layer %s is incompatible with the layer: expected "
                             "dtype=%s, found dtype=%s" % (index, layer_name, spec.dtype,
                                                           x.dtype.name))
        if spec.axes and full is not None:
            for axis, value in spec.axes.items():
                value = getattr(value, "value", value)
                try:
                    actual = full[int(axis)]
                except IndexError:
                    actual = None
                if value is not None and actual is not None and actual != value:
                    raise ValueError(
                        "Input %d of layer %s is incompatible with the layer: expected axis %s "
                        "of input shape to have value %s but received input with shape %s "
                        "(the layer was built for inputs of that size; make a new layer for "
                        "other sizes)" % (index, layer_name, axis, value, _shape_text(full)))
        if spec.shape is not None and full is not None:
            for spec_dim, dim in zip(spec.shape, full):
                if spec_dim is not None and dim is not None and spec_dim != dim:
                    raise ValueError("Input %d is incompatible with layer %s: expected shape=%s, "
                                     "found shape=%s" % (index, layer_name,
                                                         _shape_text(spec.shape),
                                                         _shape_text(full)))


def _shape_text(dims):
    return "(%s)" % ", ".join("None" if d is None else str(d) for d in dims) + (
        "" if len(dims) != 1 else ",")


# -- nodes -----------------------------------------------------------------------------------------
class Node:
    """One call of a layer: ``outbound_layer`` was applied to ``input_tensors`` (which came from
    ``inbound_layers[i]``'s node ``node_indices[i]``, output ``tensor_indices[i]``) and made
    ``output_tensors``. ``arguments`` are the keyword arguments the user passed to the call.

    All list attributes are flat lists (one entry per input / output tensor); the inbound
    layer, node index and tensor index are None for an input that was not made by a Keras
    layer or ``keras.Input``.
    """

    def __init__(self, outbound_layer, inbound_layers, node_indices, tensor_indices,
                 input_tensors, output_tensors, input_masks=None, output_masks=None,
                 arguments=None):
        self.outbound_layer = outbound_layer
        self.inbound_layers = list(inbound_layers)
        self.node_indices = list(node_indices)
        self.tensor_indices = list(tensor_indices)
        self.input_tensors = list(input_tensors)
        self.output_tensors = list(output_tensors)
        self.input_masks = list(input_masks) if input_masks is not None else [None] * len(
            self.input_tensors)
        self.output_masks = list(output_masks) if output_masks is not None else [None] * len(
            self.output_tensors)
        self.input_shapes = [backend.int_shape(t) for t in self.input_tensors]
        self.output_shapes = [backend.int_shape(t) for t in self.output_tensors]
        self.arguments = dict(arguments or {})
        for layer in self.inbound_layers:
            if layer is not None:
                layer._outbound_nodes.append(self)
        outbound_layer._inbound_nodes.append(self)

    def get_config(self):
        return {"outbound_layer": self.outbound_layer.name,
                "inbound_layers": [None if l is None else l.name for l in self.inbound_layers],
                "node_indices": self.node_indices, "tensor_indices": self.tensor_indices}

    def __repr__(self):
        return "<Node %s <- %s>" % (self.outbound_layer.name,
                                    [None if l is None else l.name for l in self.inbound_layers])


# -- call context ----------------------------------------------------------------------------------
class _CallContext(threading.local):
    def __init__(self):
        self.stack = []   # (layer, inputs, training)

    @property
    def training(self):
        return self.stack[-1][2] if self.stack else None

    @property
    def inputs(self):
        return self.stack[-1][1] if self.stack else None


_call_context = _CallContext()


# -- the layer -------------------------------------------------------------------------------------
class Layer:
    """Base layer class (Keras 2): subclass it and override ``build``, ``call`` and
    ``get_config`` (and ``compute_output_shape`` for shape inference without a graph).

    Arguments: ``trainable``, ``name``, ``dtype`` (default: the dtype of the first input),
    ``dynamic`` (accepted for compatibility; layers always build graph ops here), and Keras's
    ``input_shape`` / ``batch_input_shape`` / ``batch_size`` (used by ``Sequential`` for the
    first layer), ``weights`` (initial values) and ``activity_regularizer``.
    """

    _ALLOWED_KWARGS = {"input_shape", "batch_input_shape", "batch_size", "weights",
                       "activity_regularizer", "autocast"}

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        for key in kwargs:
            if key not in self._ALLOWED_KWARGS:
                raise TypeError("Keyword argument not understood: %r (layer %s accepts %s)"
                                % (key, type(self).__name__,
                                   ", ".join(sorted(self._ALLOWED_KWARGS - {"autocast"}))))
        self.__dict__.setdefault("_tracked_layers", [])
        self._trainable = trainable
        self.built = False
        self.__dict__.setdefault("input_spec", None)
        self.__dict__.setdefault("supports_masking", False)
        self.__dict__.setdefault("stateful", False)
        self._dtype = None if dtype is None else dtypes.as_dtype(dtype).base_dtype.name
        self._dynamic = dynamic
        self._trainable_weights = []
        self._non_trainable_weights = []
        self._losses = []          # (tensor, inputs or None)
        self._updates = []         # (op, inputs or None)
        self._inbound_nodes = []
        self._outbound_nodes = []
        self._init_set_name(name)
        self._activity_regularizer = _regularizers().get(kwargs.pop("activity_regularizer", None))
        if "batch_input_shape" in kwargs or "input_shape" in kwargs:
            if "batch_input_shape" in kwargs:
                batch_input_shape = tuple(kwargs["batch_input_shape"])
            else:
                input_shape = kwargs["input_shape"]
                if isinstance(input_shape, int):
                    input_shape = (input_shape,)
                batch_input_shape = (kwargs.get("batch_size"),) + tuple(input_shape)
            self._batch_input_shape = convert_shape(batch_input_shape)
        self._initial_weights = kwargs.get("weights")
        self._call_fn_args = ["inputs"] + _fn_args(self.call)[1:]
        self._expects_training_arg = "training" in self._call_fn_args
        self._expects_mask_arg = "mask" in self._call_fn_args

    def _init_set_name(self, name, zero_based=True):
        if not name:
            self._name = backend.unique_object_name(to_snake_case(type(self).__name__),
                                                    zero_based=zero_based)
        else:
            if not isinstance(name, str):
                raise TypeError("Layer name must be a string, got %r" % (name,))
            self._name = name

    # -- attribute tracking ---------------------------------------------------------------------
    def __setattr__(self, name, value):
        if not name.startswith("__"):
            tracked = self.__dict__.get("_tracked_layers")
            if tracked is None:
                tracked = self.__dict__["_tracked_layers"] = []
            candidates = value if isinstance(value, (list, tuple)) else (value,)
            for item in candidates:
                if isinstance(item, Layer) and item is not self and not any(
                        item is t for t in tracked):
                    tracked.append(item)
        object.__setattr__(self, name, value)

    def _gather_sublayers(self):
        """The layers this layer holds as attributes (their weights, losses and updates are
        this layer's too)."""
        return list(self.__dict__.get("_tracked_layers", ()))

    # -- basic properties -------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @property
    def dtype(self):
        """The dtype of the layer's weights, as a string (None until known)."""
        return self._dtype

    @property
    def dynamic(self):
        return self._dynamic

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._gather_sublayers():
            layer.trainable = value

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, regularizer):
        self._activity_regularizer = regularizer

    def _name_scope(self):
        """The name scope ``__call__`` opens: the layer's name (made unique by the graph)."""
        return self.name

    # -- building and calling ----------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights of the layer (override it); ``input_shape`` is a TensorShape (or
        a list of them for several inputs)."""
        self.built = True

    def call(self, inputs, **kwargs):
        """The layer's computation (override it): build ops from ``inputs``, return outputs."""
        return inputs

    def __call__(self, inputs, *args, **kwargs):
        """Build the layer's ops on ``inputs`` (tensors, or numpy values converted to tensors)."""
        inputs = _convert_inputs(inputs)
        input_list = flatten(inputs)
        graph = _graph_of(input_list)
        input_masks = self._collect_input_masks(inputs)
        mask_by_framework = False
        if (self._expects_mask_arg and input_masks is not None
                and not self._call_arg_was_passed("mask", args, kwargs)):
            kwargs["mask"] = input_masks
            mask_by_framework = True
        training_by_framework = False
        with graph.as_default():
            if self._call_arg_was_passed("training", args, kwargs):
                training_value = self._call_arg_value("training", args, kwargs)
                if not self._expects_training_arg:
                    kwargs.pop("training")
            else:
                training_value = _call_context.training
                if training_value is None and backend.global_learning_phase_is_set():
                    training_value = backend.learning_phase()
                if self._expects_training_arg and training_value is not None:
                    kwargs["training"] = training_value
                    training_by_framework = True
            _call_context.stack.append((self, input_list, training_value))
            try:
                with graph.name_scope(self._name_scope()):
                    if not self.built:
                        self._maybe_build(inputs)
                    elif self.input_spec is not None:
                        assert_input_compatibility(self.input_spec, inputs, self.name)
                    outputs = self.call(inputs, *args, **kwargs)
                    if outputs is None:
                        raise ValueError("A layer's `call` method should return a Tensor or a "
                                         "list of Tensors, not None (layer: %s)." % self.name)
                    outputs = self._copy_passthrough_outputs(input_list, outputs)
                    self._handle_activity_regularization(inputs, outputs)
                    output_masks = self._set_mask_metadata(inputs, outputs, input_masks)
                    arguments = dict(kwargs)
                    if training_by_framework:
                        arguments.pop("training", None)
                    if mask_by_framework:
                        arguments.pop("mask", None)
                    self._add_inbound_node(inputs, outputs, input_masks, output_masks,
                                           arguments)
            finally:
                _call_context.stack.pop()
        return outputs

    def apply(self, inputs, *args, **kwargs):
        """``layer.apply(x)`` is ``layer(x)`` (tf.layers's spelling)."""
        return self.__call__(inputs, *args, **kwargs)

    def _maybe_build(self, inputs):
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, inputs, self.name)
        input_list = flatten(inputs)
        if self._dtype is None:
            first = input_list[0].dtype.base_dtype if input_list else None
            self._dtype = first.name if first is not None and first.is_floating else (
                backend.floatx())
        input_shapes = map_structure(lambda x: x.shape, inputs)
        self.build(input_shapes)
        self.built = True
        if self._initial_weights is not None:
            weights, self._initial_weights = self._initial_weights, None
            self.set_weights(weights)

    def _call_arg_was_passed(self, arg_name, args, kwargs):
        if arg_name in kwargs:
            return True
        names = self._call_fn_args[1:]  # after `inputs`
        return arg_name in names and names.index(arg_name) < len(args)

    def _call_arg_value(self, arg_name, args, kwargs):
        if arg_name in kwargs:
            return kwargs[arg_name]
        return args[self._call_fn_args[1:].index(arg_name)]

    def _copy_passthrough_outputs(self, input_list, outputs):
        """Outputs that are input tensors unchanged get an Identity op, so that recording this
        layer's history on them does not overwrite the history of the inputs (as tf.keras)."""
        input_ids = {id(t) for t in input_list}

        def copy(t):
            if id(t) in input_ids and isinstance(t, Tensor):
                from tfone.ops import array_ops
                return array_ops.identity(t)
            return t
        return map_structure(copy, outputs)

    # -- masks -------------------------------------------------------------------------------
    def _collect_input_masks(self, inputs):
        masks = map_structure(lambda t: get_keras_mask(t) if isinstance(t, Tensor) else None,
                              inputs)
        if all(m is None for m in flatten(masks)):
            return None
        return masks

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs: the input mask if ``supports_masking``, else None."""
        if not self.supports_masking:
            return None
        return mask

    def _set_mask_metadata(self, inputs, outputs, input_masks):
        flat_outputs = flatten(outputs)
        should_compute = self.supports_masking or (
            type(self).compute_mask is not Layer.compute_mask)
        if should_compute:
            output_masks = self.compute_mask(inputs, input_masks)
            flat_masks = [None] * len(flat_outputs) if output_masks is None else flatten(
                output_masks)
            if len(flat_masks) != len(flat_outputs):
                flat_masks = [flat_masks[0]] * len(flat_outputs) if len(flat_masks) == 1 else (
                    [None] * len(flat_outputs))
        else:
            flat_masks = [None] * len(flat_outputs)
        for tensor, mask in zip(flat_outputs, flat_masks):
            if isinstance(tensor, Tensor):
                set_keras_mask(tensor, mask)
        return flat_masks

    # -- history -----------------------------------------------------------------------------
    def _add_inbound_node(self, inputs, outputs, input_masks, output_masks, arguments):
        input_list = flatten(inputs)
        histories = [get_keras_history(t) for t in input_list]
        Node(self,
             inbound_layers=[h.layer if h else None for h in histories],
             node_indices=[h.node_index if h else None for h in histories],
             tensor_indices=[h.tensor_index if h else None for h in histories],
             input_tensors=input_list, output_tensors=flatten(outputs),
             input_masks=None if input_masks is None else flatten(input_masks),
             output_masks=output_masks, arguments=arguments)
        node_index = len(self._inbound_nodes) - 1
        for i, tensor in enumerate(flatten(outputs)):
            if isinstance(tensor, Tensor):
                set_keras_history(tensor, KerasHistory(self, node_index, i))

    def _node_attribute(self, node_index, attr, what):
        if not self._inbound_nodes:
            raise RuntimeError("The layer %s has never been called and thus has no defined %s."
                               % (self.name, what))
        if not len(self._inbound_nodes) > node_index:
            raise ValueError("Asked to get %s at node %d, but the layer has only %d inbound "
                             "nodes." % (what, node_index, len(self._inbound_nodes)))
        values = getattr(self._inbound_nodes[node_index], attr)
        return values[0] if len(values) == 1 else values

    def get_input_at(self, node_index):
        return self._node_attribute(node_index, "input_tensors", "input")

    def get_output_at(self, node_index):
        return self._node_attribute(node_index, "output_tensors", "output")

    def get_input_shape_at(self, node_index):
        return self._node_attribute(node_index, "input_shapes", "input shape")

    def get_output_shape_at(self, node_index):
        return self._node_attribute(node_index, "output_shapes", "output shape")

    def get_input_mask_at(self, node_index):
        return self._node_attribute(node_index, "input_masks", "input mask")

    def get_output_mask_at(self, node_index):
        return self._node_attribute(node_index, "output_masks", "output mask")

    def _single_node_attribute(self, attr, what, method):
        if not self._inbound_nodes:
            raise AttributeError("Layer %s is not connected, no %s to return (call the layer "
                                 "on a tensor first)." % (self.name, what))
        values = {str(getattr(node, attr)) for node in self._inbound_nodes}
        if len(self._inbound_nodes) > 1 and (attr.endswith("tensors") or len(values) > 1):
            raise AttributeError("Layer %s has multiple inbound nodes, hence the notion of "
                                 "\"layer %s\" is ill-defined. Use `%s(node_index)` instead."
                                 % (self.name, what, method))
        return self._node_attribute(0, attr, what)

    @property
    def input(self):
        return self._single_node_attribute("input_tensors", "input", "get_input_at")

    @property
    def output(self):
        return self._single_node_attribute("output_tensors", "output", "get_output_at")

    @property
    def input_shape(self):
        return self._single_node_attribute("input_shapes", "input shape", "get_input_shape_at")

    @property
    def output_shape(self):
        return self._single_node_attribute("output_shapes", "output shape",
                                           "get_output_shape_at")

    @property
    def input_mask(self):
        return self._single_node_attribute("input_masks", "input mask", "get_input_mask_at")

    @property
    def output_mask(self):
        return self._single_node_attribute("output_masks", "output mask", "get_output_mask_at")

    @property
    def inbound_nodes(self):
        return self._inbound_nodes

    @property
    def outbound_nodes(self):
        return self._outbound_nodes

    # -- weights -------------------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, partitioner=None, use_resource=None,
                   synchronization=None, aggregation=None, **kwargs):
        """Create a weight variable ``<layer scope>/<name>:0`` and track it.

        ``initializer`` (name, callable or Initializer; default glorot_uniform for floats,
        zeros for ints), ``regularizer`` (its loss goes to ``layer.losses``), ``constraint``
        (stored on the variable for optimizers), ``trainable`` (default True).
        """
        for key in kwargs:
            if key not in ("getter", "collections", "experimental_autocast", "caching_device"):
                raise TypeError("Unknown keyword argument to add_weight: %r" % (key,))
        if partitioner is not None:
            raise ValueError("Partitioned variables are not supported by tfone (layer %s, weight "
                             "%s)." % (self.name, name))
        if shape is None:
            shape = ()
        shape = as_shape(shape)
        if not shape.is_fully_defined():
            raise ValueError("The shape of weight %r of layer %s must be fully defined, got %s. "
                             "Known input dimensions are needed to build the layer (give the "
                             "input a static shape)." % (name, self.name, shape))
        dtype = dtypes.as_dtype(dtype or self.dtype or backend.floatx())
        initializer = _initializers().get(initializer)
        if initializer is None:
            if dtype.is_floating:
                initializer = _initializers().get("glorot_uniform")
            elif dtype.is_integer or dtype.is_bool:
                initializer = _initializers().get("zeros")
            else:
                raise ValueError("An initializer for variable %s of type %s is required for "
                                 "layer %s" % (name, dtype.name, self.name))
        regularizer = _regularizers().get(regularizer)
        constraint = _constraints().get(constraint)
        if trainable is None:
            trainable = True
        variable = self._create_variable(name, shape.as_list(), dtype, initializer, trainable,
                                         constraint, kwargs.get("collections"))
        if regularizer is not None:
            self._handle_weight_regularization(name, variable, regularizer)
        if trainable:
            self._trainable_weights.append(variable)
        else:
            self._non_trainable_weights.append(variable)
        return variable

    add_variable = add_weight  # TF1's older spelling

    def _create_variable(self, name, shape, dtype, initializer, trainable, constraint,
                         collections):
        from tfone.ops.variables import Variable
        graph = _graph.get_default_graph()

        def initial_value():
            return _call_initializer(initializer, shape, dtype)
        with graph.control_dependencies(None):
            return Variable(initial_value=initial_value, name=name, trainable=trainable,
                            dtype=dtype, constraint=constraint, collections=collections)

    def _handle_weight_regularization(self, name, variable, regularizer):
        with _graph.get_default_graph().name_scope(name + "/Regularizer"):
            loss = regularizer(variable)
        if loss is not None:
            self._losses.append((convert_to_tensor(loss), None))

    def _handle_activity_regularization(self, inputs, outputs):
        if self._activity_regularizer is None:
            return
        from tfone.ops import array_ops, math_ops
        for output in flatten(outputs):
            with _graph.get_default_graph().name_scope("ActivityRegularizer"):
                loss = self._activity_regularizer(output)
                batch_size = math_ops.cast(array_ops.shape(output)[0], loss.dtype)
                self.add_loss(loss / batch_size, inputs=inputs)

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self._gather_sublayers():
            weights += layer.trainable_weights
        return _dedup(weights)

    @property
    def non_trainable_weights(self):
        if self.trainable:
            weights = list(self._non_trainable_weights)
            for layer in self._gather_sublayers():
                weights += layer.non_trainable_weights
        else:
            weights = list(self._trainable_weights) + list(self._non_trainable_weights)
            for layer in self._gather_sublayers():
                weights += layer.weights
        return _dedup(weights)

    @property
    def weights(self):
        """All weights: trainable ones first, then the others (Keras's order)."""
        return _dedup(self.trainable_weights + self.non_trainable_weights)

    @property
    def variables(self):
        return self.weights

    @property
    def trainable_variables(self):
        return self.trainable_weights

    @property
    def non_trainable_variables(self):
        return self.non_trainable_weights

    def get_weights(self):
        """The weights as numpy arrays (read in ``keras.backend.get_session()``)."""
        return backend.batch_get_value(self.weights)

    def set_weights(self, weights):
        """Load numpy arrays into the weights, in the order of ``layer.weights``."""
        params = self.weights
        if len(params) != len(weights):
            raise ValueError("You called `set_weights(weights)` on layer \"%s\" with a weight "
                             "list of length %d, but the layer was expecting %d weights (%s). "
                             "Provided weights: %s..." % (
                                 self.name, len(weights), len(params),
                                 ", ".join(p.name for p in params), str(weights)[:50]))
        tuples = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            ref_shape = tuple(p.shape.as_list())
            if ref_shape != tuple(w.shape):
                raise ValueError("Layer weight shape %s not compatible with provided weight shape "
                                 "%s (weight %s of layer %s)" % (ref_shape, w.shape, p.name,
                                                                 self.name))
            tuples.append((p, w))
        backend.batch_set_value(tuples)

    def count_params(self):
        """The number of scalars in the layer's weights (the layer must be built)."""
        if not self.built:
            raise ValueError("You tried to call `count_params` on %s, but the layer isn't built. "
                             "You can build it manually via: `%s.build(batch_input_shape)`."
                             % (self.name, self.name))
        return int(sum(int(np.prod(w.shape.as_list())) for w in self.weights))

    # -- losses and updates -----------------------------------------------------------------------
    def add_loss(self, losses, inputs=None):
        """Add loss tensors (or zero-argument callables returning one) to ``layer.losses``.

        A loss added inside ``call`` that depends on the call's inputs is conditional on them
        (``get_losses_for(inputs)``); others (weight regularization) are unconditional."""
        for loss in flatten(losses) if isinstance(losses, (list, tuple)) else [losses]:
            if callable(loss) and not isinstance(loss, Tensor):
                loss = loss()
            if loss is None:
                continue
            loss = convert_to_tensor(loss)
            self._losses.append((loss, self._condition_key(loss, inputs)))

    def _condition_key(self, value, inputs):
        if inputs is None and _call_context.stack and _call_context.stack[-1][0] is self:
            call_inputs = _call_context.inputs
            if _reachable(value, call_inputs):
                inputs = call_inputs
        return _inputs_key(inputs)

    @property
    def losses(self):
        """Regularization and other losses of this layer and its sublayers (scalar tensors)."""
        losses = [loss for loss, _ in self._losses]
        for layer in self._gather_sublayers():
            losses += layer.losses
        return _dedup(losses)

    def add_update(self, updates, inputs=None):
        """Add update ops (e.g. moving averages) to ``layer.updates``; callables are called now.

        An update added inside ``call`` that depends on the call's inputs is conditional on
        them (see ``get_updates_for``)."""
        for update in flatten(updates) if isinstance(updates, (list, tuple)) else [updates]:
            if callable(update) and not isinstance(update, (Tensor, _graph.Operation)):
                update = update()
            for u in flatten(update) if isinstance(update, (list, tuple)) else [update]:
                if isinstance(u, Tensor):
                    u = u.op
                elif hasattr(u, "_as_graph_element") and not isinstance(u, _graph.Operation):
                    u = u._as_graph_element()
                    u = u.op if isinstance(u, Tensor) else u
                self._updates.append((u, self._condition_key(u, inputs)))

    @property
    def updates(self):
        """Update ops of this layer and its sublayers (empty if the layer is not trainable)."""
        if not self.trainable and not self.stateful:
            return []
        updates = [u for u, _ in self._updates]
        for layer in self._gather_sublayers():
            updates += layer.updates
        return _dedup(updates)

    def get_updates_for(self, inputs):
        """Updates made by calls on ``inputs`` (None: the unconditional ones)."""
        key = _inputs_key(inputs)
        return [u for u, k in self._updates if k == key]

    def get_losses_for(self, inputs):
        """Losses made by calls on ``inputs`` (None: the unconditional ones, e.g. weight
        regularization)."""
        key = _inputs_key(inputs)
        return [loss for loss, k in self._losses if k == key]

    # -- shapes and configs --------------------------------------------------------------------
    def compute_output_shape(self, input_shape):
        """The output shape for ``input_shape`` (built-in layers implement it)."""
        raise NotImplementedError("Layer %s (%s) does not implement compute_output_shape; call "
                                  "it on a tensor and read the output's shape instead."
                                  % (self.name, type(self).__name__))

    def compute_output_signature(self, input_signature):
        raise NotImplementedError("compute_output_signature is not supported by tfone")

    def get_config(self):
        """The constructor arguments as a JSON-friendly dict (override it in layers that take
        arguments); ``type(layer).from_config(config)`` rebuilds the layer."""
        config = {"name": self.name, "trainable": self.trainable}
        if hasattr(self, "_batch_input_shape"):
            config["batch_input_shape"] = self._batch_input_shape
        config["dtype"] = self.dtype
        if type(self).get_config is Layer.get_config:
            extra = [a for a in _fn_args(type(self).__init__)
                     if a not in config and a not in ("dynamic",)]
            if extra:
                raise NotImplementedError("Layers with arguments in `__init__` must override "
                                          "`get_config` (layer %s takes %s)."
                                          % (type(self).__name__, ", ".join(extra)))
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return "<%s name=%s, built=%s>" % (type(self).__name__, self.name, self.built)


# -- helpers ---------------------------------------------------------------------------------------
def _fn_args(fn):
    """Parameter names of ``fn`` (a bound method or a function), without ``self``."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return []
    names = [p.name for p in params.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return names[1:] if names and names[0] == "self" else names


def _reachable(target, sources):
    """Does ``target`` (a tensor or op) depend on any tensor in ``sources``?"""
    if not sources:
        return False
    source_ops = {id(t.op) for t in sources if isinstance(t, Tensor)}
    start = target.op if isinstance(target, Tensor) else target
    seen, stack = set(), [start]
    while stack:
        op = stack.pop()
        if id(op) in seen:
            continue
        seen.add(id(op))
        if id(op) in source_ops:
            return True
        stack.extend(t.op for t in op.inputs)
        stack.extend(op.control_inputs)
    return False


def _convert_inputs(inputs):
    def convert(x):
        if isinstance(x, Tensor):
            return x
        if hasattr(x, "_as_tensor"):
            return x._as_tensor()
        if isinstance(x, (np.ndarray, float, int, np.generic)):
            return convert_to_tensor(x)
        return x
    if isinstance(inputs, (list, tuple, dict)):
        return map_structure(convert, inputs)
    return convert(inputs)


def _graph_of(tensors):
    for t in tensors:
        if isinstance(t, Tensor):
            return t.graph
    return _graph.get_default_graph()


def _inputs_key(inputs):
    if inputs is None:
        return None
    return tuple(id(t) for t in flatten(inputs))


def _dedup(items):
    seen = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _call_initializer(initializer, shape, dtype):
    try:
        return initializer(shape, dtype=dtype)
    except TypeError as e:
        if "dtype" not in str(e):
            raise
        return initializer(shape)


def _initializers():
    from tfone import initializers
    return initializers


def _regularizers():
    from tfone.keras import regularizers
    return regularizers


def _constraints():
    from tfone.keras import constraints
    return constraints


def shape_type_conversion(shape):
    """TensorShape(s) -> tuple(s) of ints / None, for built-in layers' ``build``."""
    return convert_shape(shape)


def as_tensor_shape(shape):
    """A tuple / TensorShape (or a list of them) as TensorShape(s)."""
    if isinstance(shape, TensorShape) or shape is None:
        return shape
    if isinstance(shape, (list, tuple)) and shape and isinstance(shape[0], (list, tuple,
                                                                             TensorShape)):
        return [as_tensor_shape(s) for s in shape]
    return TensorShape(shape)
