"""Keras layer wrappers: ``TimeDistributed``, ``Bidirectional`` (and the ``Wrapper`` base
class)."""
from tfone.framework.tensor_shape import TensorShape
from tfone.keras import backend
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.ops import array_ops, math_ops

__all__ = ["Wrapper", "TimeDistributed", "Bidirectional"]


class Wrapper(Layer):
    """A layer that wraps another layer (``layer``)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `%s` with a `Layer` instance. You passed: %s"
                             % (type(self).__name__, layer))
        object.__setattr__(self, "layer", layer)  # not tracked: subclasses track their copies
        super().__init__(**kwargs)

    def get_config(self):
        config = {"layer": {"class_name": self.layer.__class__.__name__,
                            "config": self.layer.get_config()}}
        return dict(super().get_config(), **config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfone.keras.layers import deserialize
        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)


def _is_builtin_layer(layer):
    return type(layer).__module__.startswith(("tfone.keras.layers.", "tfone.keras.engine."))


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every time step of ``(batch, steps, ...)``, with the same weights
    at every step: ``TimeDistributed(Dense(8))`` maps ``(batch, 10, 16)`` to ``(batch, 10, 8)``.

    The wrapped layer is built inside the wrapper, so its weights are named after the wrapper
    (``time_distributed/kernel:0``), as in tf.keras 1.15. Built-in layers run once on the steps
    folded into the batch (``reshape`` to ``(batch * steps, ...)`` and back); a layer of your
    own, given a fixed batch size, is called once per step (``keras.backend.rnn``), as Keras does.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.layer = layer          # tracked: its weights are this layer's weights
        self.supports_masking = True
        self._always_use_reshape = _is_builtin_layer(layer) and not getattr(layer, "stateful",
                                                                             False)

    def build(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if len(dims) < 3:
            raise ValueError("`TimeDistributed` Layer should be passed an `input_shape ` with at "
                             "least 3 dimensions, received: %s" % (tuple(dims),))
        self.input_spec = InputSpec(shape=dims)
        if not self.layer.built:
            if self.layer._dtype is None:
                self.layer._dtype = self.dtype
            self.layer.build(TensorShape([dims[0]] + dims[2:]))
            self.layer.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        child = TensorShape(self.layer.compute_output_shape(
            TensorShape([dims[0]] + dims[2:]))).as_list()
        return TensorShape([child[0], dims[1]] + child[1:])

    @staticmethod
    def _shape_with(tensor, prefix, start, known=None):
        """``prefix`` + the shape of ``tensor`` from axis ``start`` (or ``known``), with the
        unknown sizes read at run time."""
        dims = tensor.shape.as_list()[start:] if known is None else list(known)
        dynamic = array_ops.shape(tensor)
        rest = [d if d is not None else dynamic[start + i] for i, d in enumerate(dims)]
        shape = list(prefix) + rest
        return array_ops.stack(shape) if any(not isinstance(d, int) for d in shape) else shape

    def call(self, inputs, training=None, mask=None):
        kwargs = {}
        if self.layer._expects_training_arg and training is not None:
            kwargs["training"] = training
        dims = inputs.shape.as_list()
        if dims[0] is not None and not self._always_use_reshape:
            def step(x, _):
                return self.layer(x, **kwargs), []
            _, outputs, _ = backend.rnn(step, inputs, initial_states=[], mask=mask)
            return outputs
        input_length = dims[1] if dims[1] is not None else array_ops.shape(inputs)[1]
        inner = array_ops.reshape(inputs, self._shape_with(inputs, (-1,), 2))
        if self.layer._expects_mask_arg and mask is not None:
            kwargs["mask"] = array_ops.reshape(mask, self._shape_with(mask, (-1,), 2))
        y = self.layer(inner, **kwargs)
        out_dims = self.compute_output_shape(dims).as_list()
        y = array_ops.reshape(y, self._shape_with(y, (-1, input_length), 1, out_dims[2:]))
        y.set_shape(out_dims)
        return y

    def compute_mask(self, inputs, mask=None):
        dims = inputs.shape.as_list()
        if dims[0] is not None and not self._always_use_reshape:
            return mask
        inner_mask = None
        if mask is not None:
            inner_mask = array_ops.reshape(mask, self._shape_with(mask, (-1,), 2))
        inner_input = array_ops.reshape(inputs, self._shape_with(inputs, (-1,), 2))
        output_mask = self.layer.compute_mask(inner_input, inner_mask)
        if output_mask is None:
            if mask is None:
                return None
            output_mask = mask
            for _ in range(2, mask.shape.ndims):
                output_mask = math_ops.reduce_any(output_mask, axis=-1)
            return output_mask
        input_length = dims[1] if dims[1] is not None else array_ops.shape(inputs)[1]
        return array_ops.reshape(output_mask, self._shape_with(output_mask, (-1, input_length),
                                                               1))


class Bidirectional(Wrapper):
    """Runs an RNN layer forwards and a copy of it backwards, and merges the two outputs
    (``merge_mode``: 'concat' (default), 'sum', 'mul', 'ave' or None for a list).

    Weights: ``bidirectional/forward_lstm/kernel:0``, ..., ``bidirectional/backward_lstm/...``.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError("Please initialize `Bidirectional` layer with a `Layer` instance. "
                             "You passed: %s" % (layer,))
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ValueError("`backward_layer` need to be a `Layer` instance. You passed: %s"
                             % (backward_layer,))
        if merge_mode not in ("sum", "mul", "ave", "concat", None):
            raise ValueError("Invalid merge mode. Merge mode should be one of {\"sum\", \"mul\", "
                             "\"ave\", \"concat\", None}")
        super().__init__(layer, **kwargs)
        self.forward_layer = self._recreate_layer_from_config(layer)
        if backward_layer is None:
            self.backward_layer = self._recreate_layer_from_config(layer, go_backwards=True)
        else:
            self.backward_layer = backward_layer
        self.forward_layer._name = "forward_" + self.forward_layer.name
        self.backward_layer._name = "backward_" + self.backward_layer.name
        if self.forward_layer.return_sequences != self.backward_layer.return_sequences:
            raise ValueError("Forward layer and backward layer should have the same "
                             "return_sequences.")
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Forward layer and backward layer are expected to have different "
                             "go_backwards values.")
        for sublayer in (self.forward_layer, self.backward_layer):
            if getattr(sublayer, "zero_output_for_mask", None) is not None:
                sublayer.zero_output_for_mask = sublayer.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = weights
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True
        self.input_spec = layer.input_spec

    @staticmethod
    def _recreate_layer_from_config(layer, go_backwards=False):
        config = layer.get_config()
        if go_backwards:
            config["go_backwards"] = not config["go_backwards"]
        return layer.__class__.from_config(config)

    def compute_output_shape(self, input_shape):
        output_shape = self.forward_layer.compute_output_shape(input_shape)
        state_shape = None
        if self.return_state:
            state_shape = output_shape[1:]
            output_shape = output_shape[0]
        if self.merge_mode == "concat":
            dims = TensorShape(output_shape).as_list()
            dims[-1] *= 2
            output_shape = TensorShape(dims)
        elif self.merge_mode is None:
            output_shape = [output_shape, output_shape]
        if self.return_state:
            if self.merge_mode is None:
                return output_shape + state_shape + list(state_shape)
            return [output_shape] + state_shape + list(state_shape)
        return output_shape

    def build(self, input_shape):
        for sublayer in (self.forward_layer, self.backward_layer):
            if sublayer._dtype is None:
                sublayer._dtype = self.dtype
            with backend.name_scope(sublayer.name):
                sublayer.build(input_shape)
                sublayer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None, initial_state=None):
        if initial_state is not None:
            raise ValueError("Bidirectional: initial_state is not supported by tfone.")
        kwargs = {}
        if self.layer._expects_training_arg:
            kwargs["training"] = training
        if self.layer._expects_mask_arg:
            kwargs["mask"] = mask
        y = self.forward_layer(inputs, **kwargs)
        y_rev = self.backward_layer(inputs, **kwargs)
        states = []
        if self.return_state:
            states = y[1:] + y_rev[1:]
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = array_ops.reverse(y_rev, [1])
        if self.merge_mode == "concat":
            output = array_ops.concat([y, y_rev], axis=y.shape.ndims - 1)
        elif self.merge_mode == "sum":
            output = y + y_rev
        elif self.merge_mode == "ave":
            output = (y + y_rev) / 2
        elif self.merge_mode == "mul":
            output = y * y_rev
        else:
            output = [y, y_rev]
        if self.return_state:
            if self.merge_mode is None:
                return output + states
            return [output] + states
        return output

    def compute_mask(self, inputs, mask):
        mask = mask[0] if isinstance(mask, list) else mask
        output_mask = mask if self.return_sequences else None
        if self.merge_mode is None:
            output_mask = [output_mask, output_mask]
        if self.return_state:
            state_mask = [None] * (len(self.forward_layer.states) * 2)
            return (output_mask if isinstance(output_mask, list) else [output_mask]) + state_mask
        return output_mask

    def get_config(self):
        config = {"merge_mode": self.merge_mode}
        return dict(super().get_config(), **config)
