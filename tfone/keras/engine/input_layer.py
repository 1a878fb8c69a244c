"""``keras.Input`` and ``InputLayer``: the placeholder a Keras model starts from.

``x = keras.Input(shape=(784,))`` makes a float32 placeholder of shape ``(None, 784)`` named
``input_1`` (then ``input_2``...), owned by an ``InputLayer`` whose single node has no inbound
layers; ``get_keras_history(x)`` is ``(that layer, 0, 0)``.
"""
from tfone.framework import dtypes
from tfone.framework import graph as _graph
from tfone.framework.tensor_shape import TensorShape
from tfone.keras import backend
from tfone.keras.engine.base_layer import (Layer, Node, KerasHistory, set_keras_history,
                                           set_keras_mask)

__all__ = ["InputLayer", "Input"]


class InputLayer(Layer):
    """The layer that owns a model input: a placeholder (or a given ``input_tensor``)."""

    def __init__(self, input_shape=None, batch_size=None, dtype=None, input_tensor=None,
                 sparse=False, name=None, **kwargs):
        if "batch_input_shape" in kwargs:
            batch_input_shape = kwargs.pop("batch_input_shape")
            if input_shape is not None and batch_input_shape is not None:
                raise ValueError("Only provide the input_shape OR batch_input_shape argument to "
                                 "InputLayer, not both at the same time.")
            if batch_input_shape is not None:
                batch_size = batch_input_shape[0]
                input_shape = tuple(batch_input_shape[1:])
        if kwargs:
            raise ValueError("Unrecognized keyword arguments: %s" % sorted(kwargs))
        if sparse:
            raise ValueError("Sparse inputs are not supported by tfone (InputLayer %s)." % name)
        if not name:
            name = "input_%d" % backend.get_uid("input")
        if not dtype:
            dtype = backend.floatx() if input_tensor is None else input_tensor.dtype.name
        super().__init__(dtype=dtype, name=name)
        self.built = True
        self.sparse = False
        self.batch_size = batch_size
        self.supports_masking = True
        if isinstance(input_shape, TensorShape):
            input_shape = tuple(input_shape.as_list())
        elif isinstance(input_shape, int):
            input_shape = (input_shape,)
        if input_tensor is None:
            batch_input_shape = None if input_shape is None else (
                (batch_size,) + tuple(input_shape))
            from tfone.ops import array_ops
            input_tensor = array_ops.placeholder(dtypes.as_dtype(dtype),
                                                 shape=batch_input_shape, name=self.name)
            self.is_placeholder = True
            self._batch_input_shape = batch_input_shape
        else:
            if not isinstance(input_tensor, _graph.Tensor):
                raise ValueError("You should pass a symbolic tensor as input_tensor to "
                                 "InputLayer, got %r" % (input_tensor,))
            self.is_placeholder = False
            dims = input_tensor.shape.as_tuple()
            self._batch_input_shape = None if dims is None else tuple(dims)
        set_keras_history(input_tensor, KerasHistory(self, 0, 0))
        set_keras_mask(input_tensor, None)
        Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
             input_tensors=[input_tensor], output_tensors=[input_tensor])

    def get_config(self):
        return {"batch_input_shape": self._batch_input_shape, "dtype": self.dtype,
                "sparse": self.sparse, "name": self.name}


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=False, tensor=None,
          **kwargs):
    """A Keras input tensor: ``keras.Input(shape=(784,))`` (the batch dimension is implicit).

    ``batch_shape=(32, 784)`` gives the full shape instead; ``tensor=`` wraps an existing
    tensor.
    """
    batch_shape = kwargs.pop("batch_shape", None)
    if kwargs:
        raise TypeError("Unrecognized keyword arguments: %s" % sorted(kwargs))
    if shape is None and tensor is None and batch_shape is None:
        raise ValueError("Please provide to Input either a `shape` or a `tensor` argument. Note "
                         "that `shape` does not include the batch dimension.")
    if batch_shape is not None:
        layer = InputLayer(batch_input_shape=batch_shape, name=name, dtype=dtype, sparse=sparse,
                           input_tensor=tensor)
    else:
        layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name, dtype=dtype,
                           sparse=sparse, input_tensor=tensor)
    outputs = layer._inbound_nodes[0].output_tensors
    return outputs[0] if len(outputs) == 1 else outputs
