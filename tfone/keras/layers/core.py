"""Core Keras layers (tf.keras 1.15): Dense, Activation, Dropout, SpatialDropout1D/2D,
Flatten, Reshape, Permute, RepeatVector, Lambda, ActivityRegularization, Masking."""
import inspect

import numpy as np

from tfone.framework import dtypes
from tfone.framework.tensor_shape import TensorShape, dimension_value
from tfone.keras import activations, backend, constraints, regularizers
from tfone import initializers
from tfone.keras.engine.base_layer import Layer, InputSpec
from tfone.keras.engine.base_layer_utils import smart_cond
from tfone.ops import array_ops, math_ops

__all__ = ["Dense", "Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "Flatten",
           "Reshape", "Permute", "RepeatVector", "Lambda", "ActivityRegularization", "Masking"]


def _nn():
    from tfone import nn
    return nn


def _cast_to(x, dtype):
    """``x`` cast to the layer's dtype when it differs (no op otherwise)."""
    dtype = dtypes.as_dtype(dtype)
    return x if x.dtype.base_dtype == dtype else math_ops.cast(x, dtype)


class Dense(Layer):
    """Densely-connected layer: ``activation(dot(inputs, kernel) + bias)``.

    ``kernel`` has shape ``(input_dim, units)``; inputs of rank > 2 are contracted on their
    last axis (tensordot). ``input_dim=`` is accepted for the first layer of a Sequential.
    """

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        if "input_shape" not in kwargs and "input_dim" in kwargs:
            kwargs["input_shape"] = (kwargs.pop("input_dim"),)
        super().__init__(activity_regularizer=regularizers.get(activity_regularizer), **kwargs)
        self.units = int(units)
        if self.units <= 0:
            raise ValueError("Dense: units must be a positive integer, got %r" % (units,))
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.supports_masking = True
        self.input_spec = InputSpec(min_ndim=2)

    def build(self, input_shape):
        dtype = dtypes.as_dtype(self.dtype or backend.floatx())
        if not dtype.is_floating:
            raise TypeError("Unable to build `Dense` layer with non-floating point dtype %s"
                            % dtype.name)
        input_shape = TensorShape(input_shape)
        last_dim = dimension_value(input_shape[-1])
        if last_dim is None:
            raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                             "Found `None` (input shape %s)." % input_shape)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight("kernel", shape=[last_dim, self.units],
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, dtype=self.dtype,
                                      trainable=True)
        if self.use_bias:
            self.bias = self.add_weight("bias", shape=[self.units],
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, dtype=self.dtype,
                                        trainable=True)
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        rank = inputs.shape.ndims
        inputs = _cast_to(inputs, self.dtype)
        if rank is not None and rank > 2:
            outputs = math_ops.tensordot(inputs, self.kernel, [[rank - 1], [0]])
            outputs.set_shape(inputs.shape.as_list()[:-1] + [self.units])
        else:
            outputs = math_ops.matmul(inputs, self.kernel)
        if self.use_bias:
            outputs = _nn().bias_add(outputs, self.bias)
        if self.activation is not None:
            return self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape).with_rank_at_least(2)
        if dimension_value(input_shape[-1]) is None:
            raise ValueError("The innermost dimension of input_shape must be defined, but saw: "
                             "%s" % input_shape)
        return input_shape[:-1].concatenate([self.units])

    def get_config(self):
        config = {
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
        return dict(super().get_config(), **config)


class Activation(Layer):
    """Applies an activation function (a name such as ``'relu'`` or a callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return dict(super().get_config(), activation=activations.serialize(self.activation))


class Dropout(Layer):
    """Sets a fraction ``rate`` of the inputs to 0 while training (scaling the others by
    1 / (1 - rate)); the identity at test time.

    ``training`` defaults to ``keras.backend.learning_phase()``: feed it True to train.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _get_noise_shape(self, inputs):
        if self.noise_shape is None:
            return None
        dynamic = array_ops.shape(inputs)
        known = inputs.shape.as_tuple()
        dims = []
        for i, value in enumerate(self.noise_shape):
            if value is None:
                dims.append(known[i] if known is not None and known[i] is not None
                            else dynamic[i])
            else:
                dims.append(value)
        return dims

    def call(self, inputs, training=None):
        if training is None:
            training = backend.learning_phase()

        def dropped_inputs():
            return _nn().dropout(inputs, noise_shape=self._get_noise_shape(inputs),
                                 seed=self.seed, rate=self.rate)
        return smart_cond(training, dropped_inputs, lambda: array_ops.identity(inputs))

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return dict(super().get_config(), rate=self.rate, noise_shape=self.noise_shape,
                    seed=self.seed)


class SpatialDropout1D(Dropout):
    """Dropout of whole feature maps of ``(batch, steps, channels)``: a dropped channel is 0
    at every step (one draw per sample and channel), for inputs whose neighbouring steps are
    strongly correlated."""

    def __init__(self, rate, **kwargs):
        super().__init__(rate, **kwargs)
        self.input_spec = InputSpec(ndim=3)

    def _get_noise_shape(self, inputs):
        shape = array_ops.shape(inputs)
        return array_ops.stack([shape[0], 1, shape[2]])


class SpatialDropout2D(Dropout):
    """Dropout of whole 2-D feature maps (one draw per sample and channel) of images
    ``(batch, rows, cols, channels)`` (or channels_first)."""

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = _normalize_data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def _get_noise_shape(self, inputs):
        shape = array_ops.shape(inputs)
        if self.data_format == "channels_first":
            return array_ops.stack([shape[0], shape[1], 1, 1])
        return array_ops.stack([shape[0], 1, 1, shape[3]])

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class Flatten(Layer):
    """Flattens every dimension but the batch one: ``(batch, d1, d2...)`` -> ``(batch, d1*d2*...)``.

    With ``data_format='channels_first'`` the channels axis is moved last first, so the order
    of the features matches a channels_last model.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = _normalize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        ndims = inputs.shape.ndims
        if self.data_format == "channels_first" and ndims is not None and ndims > 1:
            permutation = [0] + list(range(2, ndims)) + [1]
            inputs = array_ops.transpose(inputs, perm=permutation)
        batch = dimension_value(inputs.shape[0]) if ndims else None
        if batch is None:
            batch = array_ops.shape(inputs)[0]
        outputs = array_ops.reshape(inputs, [batch, -1])
        outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if not dims:
            return TensorShape([1])
        rest = dims[1:]
        size = int(np.prod(rest)) if all(d is not None for d in rest) else None
        return TensorShape([dims[0], size])

    def get_config(self):
        return dict(super().get_config(), data_format=self.data_format)


class Reshape(Layer):
    """Reshapes to ``(batch,) + target_shape``; one entry of ``target_shape`` may be -1."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def _fix_unknown_dimension(self, input_shape, output_shape):
        output_shape = list(output_shape)
        msg = ("total size of new array must be unchanged: cannot reshape input of shape %s "
               "into target shape %s" % (input_shape, self.target_shape))
        known, unknown = 1, None
        for index, dim in enumerate(output_shape):
            if dim < 0:
                if unknown is None:
                    unknown = index
                else:
                    raise ValueError("Can only specify one unknown dimension (target shape %s)."
                                     % (self.target_shape,))
            else:
                known *= dim
        original = int(np.prod(input_shape, dtype=int))
        if unknown is not None:
            if known == 0 or original % known != 0:
                raise ValueError(msg)
            output_shape[unknown] = original // known
        elif original != known:
            raise ValueError(msg)
        return output_shape

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if None in dims[1:]:
            output_shape = [dims[0]] + [None if d == -1 else d for d in self.target_shape]
        else:
            output_shape = [dims[0]] + self._fix_unknown_dimension(dims[1:], self.target_shape)
        return TensorShape(output_shape)

    def call(self, inputs):
        batch = dimension_value(inputs.shape[0]) if inputs.shape.ndims else None
        if batch is None:
            batch = array_ops.shape(inputs)[0]
        outputs = array_ops.reshape(inputs, [batch] + list(self.target_shape))
        if inputs.shape.ndims is not None:
            outputs.set_shape(self.compute_output_shape(inputs.shape))
        return outputs

    def get_config(self):
        return dict(super().get_config(), target_shape=self.target_shape)


class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` numbers them from 1, e.g. ``Permute((2, 1))``
    swaps the two axes of ``(batch, steps, features)``."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError("Invalid permutation `dims` for Permute Layer: %s. The set of "
                             "indices in `dims` must be consecutive and start from 1."
                             % (dims,))
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0]] + [dims[d] for d in self.dims])

    def call(self, inputs):
        return array_ops.transpose(inputs, perm=(0,) + self.dims)

    def get_config(self):
        return dict(super().get_config(), dims=self.dims)


class RepeatVector(Layer):
    """Repeats a vector ``n`` times: ``(batch, features)`` -> ``(batch, n, features)`` (the
    bridge from an encoder to a sequence decoder)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        return TensorShape([dims[0], self.n, dims[1]])

    def call(self, inputs):
        from tfone.keras import backend_math
        return backend_math.repeat(inputs, self.n)

    def get_config(self):
        return dict(super().get_config(), n=self.n)


class ActivityRegularization(Layer):
    """The identity, adding ``l1 * sum(|x|) + l2 * sum(x**2)`` (divided by the batch size) of
    its input to the model's losses."""

    def __init__(self, l1=0., l2=0., **kwargs):
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return dict(super().get_config(), l1=self.l1, l2=self.l2)


class Lambda(Layer):
    """Wraps a function of tensors as a layer: ``Lambda(lambda x: x ** 2)``.

    ``function(inputs, **arguments)`` builds the ops (it may also take ``mask`` and
    ``training``); ``output_shape`` (a shape without the batch axis, or a function of the
    input shape) is only needed where Keras cannot build the function to see its output;
    ``mask`` is a mask tensor or a function ``(inputs, mask) -> mask``.

    Saving: Keras stores a Python function as marshalled bytecode, which tfone never writes
    nor loads (loading it would run code from the file). A named function (made with ``def``)
    is saved by its name and module, and loading needs it back through ``custom_objects``
    (``load_model(path, custom_objects={'my_fn': my_fn})``); saving or ``to_json`` of a
    model whose Lambda wraps an anonymous ``lambda`` raises a ValueError that says so.
    """

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError("Lambda: `function` must be callable, got %r" % (function,))
        self.function = function
        self.arguments = arguments if arguments else {}
        if mask is not None:
            self.supports_masking = True
        self.mask = mask
        self._output_shape = output_shape
        try:
            function_args = list(inspect.signature(function).parameters)
        except (TypeError, ValueError):
            function_args = []
        self._fn_expects_training_arg = "training" in function_args
        self._fn_expects_mask_arg = "mask" in function_args

    def call(self, inputs, mask=None, training=None):
        arguments = dict(self.arguments)
        if self._fn_expects_mask_arg:
            arguments["mask"] = mask
        if self._fn_expects_training_arg:
            arguments["training"] = training
        return self.function(inputs, **arguments)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return self._output_shape_by_building(input_shape)
        if callable(self._output_shape):
            shapes = self._output_shape(input_shape)
            if isinstance(shapes, list):
                return [TensorShape(s) for s in shapes]
            return TensorShape(shapes)
        first = input_shape[0] if isinstance(input_shape, list) else input_shape
        first = TensorShape(first)
        batch = first.as_list()[0] if first.ndims else None
        if isinstance(self._output_shape, list) and self._output_shape and isinstance(
                self._output_shape[0], (list, tuple)):
            return [TensorShape([batch] + list(s)) for s in self._output_shape]
        return TensorShape([batch] + list(self._output_shape))

    def _output_shape_by_building(self, input_shape):
        # Build the function once on placeholders in a scratch graph (as Keras does).
        from tfone.framework.graph import Graph
        from tfone.ops import array_ops as ops
        dtype = self.dtype or backend.floatx()
        with Graph().as_default():
            if isinstance(input_shape, list):
                inputs = [ops.placeholder(dtype, TensorShape(s)) for s in input_shape]
            else:
                inputs = ops.placeholder(dtype, TensorShape(input_shape))
            try:
                outputs = self.function(inputs, **self.arguments)
            except Exception as e:
                raise NotImplementedError(
                    "We could not automatically infer the static shape of the layer's output "
                    "(Lambda layer %s: %s). Please specify the `output_shape` argument of "
                    "this Lambda layer." % (self.name, e)) from None
        if isinstance(outputs, (list, tuple)):
            return [o.shape for o in outputs]
        return outputs.shape

    def get_config(self):
        config = {}
        for key, value in (("function", self.function), ("output_shape", self._output_shape),
                           ("mask", self.mask)):
            if key == "mask" and value is None:
                continue
            serialized, kind, module = self._serialize_function(key, value)
            type_key = "function_type" if key == "function" else key + "_type"
            module_key = "module" if key == "function" else key + "_module"
            config.update({key: serialized, type_key: kind, module_key: module})
        config["arguments"] = self.arguments
        return dict(super().get_config(), **config)

    def _serialize_function(self, key, value):
        if not callable(value):
            return value, "raw", None
        name = getattr(value, "__name__", None)
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(
                "Lambda layer %r: its %s %r cannot be saved. Keras would store an anonymous "
                "function as Python bytecode, which tfone never writes or loads (loading it "
                "would run code from the file). Define it with `def` (the config then stores "
                "its name, and load_model / "
                "model_from_json need it back: custom_objects={'<name>': <function>}), or save "
                "only the weights with model.save_weights(...)." % (self.name, key, value))
        return name, "function", getattr(value, "__module__", None)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        function = cls._parse_function(config, custom_objects, "function", "function_type",
                                       "module")
        output_shape = cls._parse_function(config, custom_objects, "output_shape",
                                           "output_shape_type", "output_shape_module")
        mask = cls._parse_function(config, custom_objects, "mask", "mask_type", "mask_module")
        if isinstance(output_shape, list) and output_shape and not isinstance(
                output_shape[0], (list, tuple)):
            output_shape = tuple(output_shape)       # JSON made the tuple a list
        config.update(function=function, output_shape=output_shape, mask=mask)
        return cls(**config)

    @staticmethod
    def _parse_function(config, custom_objects, key, type_key, module_key):
        from tfone.keras.utils.generic_utils import active_custom_objects
        module = config.pop(module_key, None)
        kind = config.pop(type_key, "raw" if key != "function" else None)
        value = config.get(key)
        if kind == "raw" or value is None:
            return value
        name = config.get("name", "lambda")
        if kind == "lambda":
            raise ValueError(
                "Lambda layer %r: this file stores its %s as marshalled Python bytecode (a Keras "
                "'lambda' function). tfone does not load bytecode from files, because that "
                "would run code the file provides. Rebuild the model in Python (with the same "
                "Lambda) and call model.load_weights(path), or save the model again from tfone "
                "with a function defined by `def`." % (name, key))
        if kind != "function":
            raise ValueError("Lambda layer %r: unknown %s %r in the config." % (name, type_key,
                                                                                 kind))
        objects = dict(active_custom_objects())
        objects.update(custom_objects or {})
        if value not in objects:
            raise ValueError(
                "Lambda layer %r calls the function %r (defined in module %r), which tfone "
                "cannot find: functions are saved by name only. Pass it when loading: "
                "load_model(path, custom_objects={%r: %s}) (or model_from_json(..., "
                "custom_objects=...), or inside keras.utils.CustomObjectScope)."
                % (name, value, module, value, value))
        return objects[value]


class Masking(Layer):
    """Masks timesteps whose features all equal ``mask_value``: they are zeroed and the mask
    tells downstream layers (e.g. LSTM) to skip them."""

    def __init__(self, mask_value=0., **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.mask_value = mask_value

    def compute_mask(self, inputs, mask=None):
        return math_ops.reduce_any(math_ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        boolean_mask = math_ops.reduce_any(math_ops.not_equal(inputs, self.mask_value),
                                           axis=-1, keepdims=True)
        return inputs * math_ops.cast(boolean_mask, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        return dict(super().get_config(), mask_value=self.mask_value)


def _normalize_data_format(value):
    if value is None:
        value = backend.image_data_format()
    data_format = value.lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of \"channels_first\", "
                         "\"channels_last\". Received: %r" % (value,))
    return data_format
