"""Keras ``Embedding``: integer ids -> dense vectors (rows of a trainable table)."""
from tfone.framework import dtypes
from tfone.framework.tensor_shape import TensorShape
from tfone.keras import backend, constraints, regularizers
from tfone import initializers
from tfone.keras.engine.base_layer import Layer
from tfone.ops import math_ops

__all__ = ["Embedding"]


class Embedding(Layer):
    """Turns ids ``(batch, length)`` into vectors ``(batch, length, output_dim)``.

    ``embeddings`` has shape ``(input_dim, output_dim)``; ``mask_zero=True`` makes id 0 padding
    (a mask for the following layers, e.g. LSTM); ``input_length`` fixes the sequence length
    (needed by Flatten/Dense after it, and by the unrolled recurrent layers).
    """

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, activity_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, input_length=None, **kwargs):
        if "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if input_length else (None,)
        dtype = kwargs.pop("dtype", backend.floatx())
        super().__init__(dtype=dtype, activity_regularizer=regularizers.get(activity_regularizer),
                         **kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self.input_length = input_length

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          name="embeddings",
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        self.built = True

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return math_ops.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        dims = TensorShape(input_shape).as_list()
        if self.input_length is None:
            return TensorShape(dims + [self.output_dim])
        lengths = list(self.input_length) if isinstance(self.input_length, (list, tuple)) else [
            self.input_length]
        if len(lengths) != len(dims) - 1:
            raise ValueError("\"input_length\" is %s, but received input has shape %s"
                             % (self.input_length, dims))
        for i, (s1, s2) in enumerate(zip(lengths, dims[1:])):
            if s1 is not None and s2 is not None and s1 != s2:
                raise ValueError("\"input_length\" is %s, but received input has shape %s"
                                 % (self.input_length, dims))
            if s1 is None:
                lengths[i] = s2
        return TensorShape([dims[0]] + lengths + [self.output_dim])

    def call(self, inputs):
        from tfone import nn
        if inputs.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
            inputs = math_ops.cast(inputs, dtypes.int32)
        return nn.embedding_lookup(self.embeddings, inputs)

    def get_config(self):
        config = {
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "input_length": self.input_length,
        }
        return dict(super().get_config(), **config)
