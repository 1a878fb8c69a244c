"""Keras merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate.

Each takes a list of tensors. Elementwise merges broadcast like numpy; inputs of different
ranks are first expanded at axis 1 until the ranks match (as tf.keras does).
"""
from tfone.framework.tensor_shape import TensorShape
from tfone.keras.engine.base_layer import Layer
from tfone.ops import array_ops, math_ops

__all__ = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate",
           "add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate"]


def _dims(shape):
    return None if shape is None else TensorShape(shape).as_tuple()


class _Merge(Layer):
    """Base class of the elementwise merge layers."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _compute_elemwise_op_output_shape(self, shape1, shape2):
        if shape1 is None or shape2 is None:
            return None
        if len(shape1) < len(shape2):
            return self._compute_elemwise_op_output_shape(shape2, shape1)
        if not shape2:
            return tuple(shape1)
        output_shape = list(shape1[:-len(shape2)])
        for i, j in zip(shape1[-len(shape2):], shape2):
            if i is None or j is None:
                output_shape.append(None)
            elif i == 1:
                output_shape.append(j)
            elif j == 1:
                output_shape.append(i)
            else:
                if i != j:
                    raise ValueError("Operands could not be broadcast together with shapes %s %s "
                                     "(layer %s)" % (shape1, shape2, self.name))
                output_shape.append(i)
        return tuple(output_shape)

    def _check_inputs(self, input_shape, minimum=2):
        if not isinstance(input_shape, (list, tuple)) or isinstance(input_shape, TensorShape):
            raise ValueError("A merge layer should be called on a list of inputs (layer %s)."
                             % self.name)
        if len(input_shape) < minimum:
            raise ValueError("A merge layer should be called on a list of at least %d inputs. "
                             "Got %d inputs (layer %s)." % (minimum, len(input_shape), self.name))

    def build(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [_dims(s) for s in input_shape]
        batch_sizes = {s[0] for s in shapes if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError("Can not merge tensors with different batch sizes. Got tensors with "
                             "shapes : %s" % [list(s) if s is not None else None for s in shapes])
        output_shape = None if shapes[0] is None else shapes[0][1:]
        for shape in shapes[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else shape[1:])
        self._reshape_required = not (None not in shapes and len({len(s) for s in shapes}) == 1)
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs.")
        if self._reshape_required:
            ranks = [x.shape.ndims for x in inputs]
            if any(r is None for r in ranks):
                raise ValueError("Merge layer %s needs inputs of known rank to broadcast inputs "
                                 "of different ranks." % self.name)
            max_rank = max(ranks)
            reshaped = []
            for x, rank in zip(inputs, ranks):
                for _ in range(max_rank - rank):
                    x = array_ops.expand_dims(x, axis=1)
                reshaped.append(x)
            return self._merge_function(reshaped)
        return self._merge_function(inputs)

    def compute_output_shape(self, input_shape):
        shapes = [_dims(s) for s in input_shape]
        output_shape = None if shapes[0] is None else shapes[0][1:]
        for shape in shapes[1:]:
            output_shape = self._compute_elemwise_op_output_shape(
                output_shape, None if shape is None else shape[1:])
        batch_sizes = {s[0] for s in shapes if s is not None} - {None}
        batch = list(batch_sizes)[0] if len(batch_sizes) == 1 else None
        return TensorShape(None) if output_shape is None else TensorShape(
            (batch,) + tuple(output_shape))

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError("`mask` should be a list.")
        if len(mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length.")
        if all(m is None for m in mask):
            return None
        masks = [array_ops.expand_dims(m, axis=0) for m in mask if m is not None]
        return math_ops.reduce_all(array_ops.concat(masks, axis=0), axis=0, keepdims=False)


class Add(_Merge):
    """Sum of the inputs."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output += x
        return output


class Subtract(_Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs")
        return inputs[0] - inputs[1]


class Multiply(_Merge):
    """Elementwise product of the inputs."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output *= x
        return output


class Average(_Merge):
    """Elementwise mean of the inputs."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output += x
        return output / len(inputs)


class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = math_ops.maximum(output, x)
        return output


class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = math_ops.minimum(output, x)
        return output


class Concatenate(_Merge):
    """Concatenation of the inputs along ``axis`` (default -1, the features)."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self._reshape_required = False

    def build(self, input_shape):
        self._check_inputs(input_shape)
        shapes = [_dims(s) for s in input_shape]
        if all(s is None for s in shapes):
            self.built = True
            return
        reduced = set()
        for s in shapes:
            if s is None:
                continue
            dims = list(s)
            try:
                del dims[self.axis]
            except IndexError:
                raise ValueError("Concatenate axis %d is out of range for input shape %s"
                                 % (self.axis, s)) from None
            reduced.add(tuple(dims))
        reduced = list(reduced)
        for dims in reduced[1:]:
            if not TensorShape(dims).is_compatible_with(reduced[0]):
                raise ValueError("A `Concatenate` layer requires inputs with matching shapes "
                                 "except for the concat axis. Got inputs shapes: %s"
                                 % [list(s) if s is not None else None for s in shapes])
        self.built = True

    def _merge_function(self, inputs):
        axis = self.axis
        if axis < 0:
            rank = inputs[0].shape.ndims
            axis = axis % rank if rank else 0
        return array_ops.concat(list(inputs), axis=axis)

    def compute_output_shape(self, input_shape):
        shapes = [_dims(s) for s in input_shape]
        output = list(shapes[0])
        for s in shapes[1:]:
            if output[self.axis] is None or s[self.axis] is None:
                output[self.axis] = None
            else:
                output[self.axis] += s[self.axis]
        return TensorShape(output)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        if not isinstance(mask, (list, tuple)):
            raise ValueError("`mask` should be a list.")
        if len(mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length.")
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(math_ops.cast(array_ops.ones_like(x), "bool"))
            elif m.shape.ndims < x.shape.ndims:
                masks.append(array_ops.expand_dims(m, axis=-1))
            else:
                masks.append(m)
        return math_ops.reduce_all(array_ops.concat(masks, axis=self.axis), axis=-1,
                                   keepdims=False)

    def get_config(self):
        return dict(super().get_config(), axis=self.axis)


def _functional(cls, doc):
    def merge(inputs, **kwargs):
        return cls(**kwargs)(inputs)
    merge.__doc__ = doc
    merge.__name__ = cls.__name__.lower()
    return merge


add = _functional(Add, "Functional interface to the Add layer.")
subtract = _functional(Subtract, "Functional interface to the Subtract layer.")
multiply = _functional(Multiply, "Functional interface to the Multiply layer.")
average = _functional(Average, "Functional interface to the Average layer.")
maximum = _functional(Maximum, "Functional interface to the Maximum layer.")
minimum = _functional(Minimum, "Functional interface to the Minimum layer.")


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to the Concatenate layer."""
    return Concatenate(axis=axis, **kwargs)(inputs)
