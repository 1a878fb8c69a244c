"""Keras layer wrappers: ``Bidirectional`` (and the ``Wrapper`` base class)."""
from tfone.framework.tensor_shape import TensorShape
from tfone.keras import backend
from tfone.keras.engine.base_layer import Layer
from tfone.ops import array_ops

__all__ = ["Wrapper", "Bidirectional"]


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
