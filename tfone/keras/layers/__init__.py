"""``keras.layers``: Keras 2 layers on tfone graphs (tf.keras 1.15 names, arguments, defaults).

``serialize(layer)`` / ``deserialize(config)`` turn a layer into Keras's
``{'class_name': ..., 'config': ...}`` and back.
"""
from tfone.keras.engine.base_layer import Layer, InputSpec  # noqa: F401
from tfone.keras.engine.input_layer import InputLayer, Input  # noqa: F401
from tfone.keras.layers.core import (  # noqa: F401
    Dense, Activation, Dropout, SpatialDropout1D, SpatialDropout2D, Flatten, Reshape, Permute,
    RepeatVector, Lambda, ActivityRegularization, Masking)
from tfone.keras.layers.convolutional import (  # noqa: F401
    Conv1D, Conv2D, Conv2DTranspose, Convolution1D, Convolution2D, Convolution2DTranspose,
    Deconvolution2D, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D, Cropping1D,
    Cropping2D)
from tfone.keras.layers.pooling import (  # noqa: F401
    MaxPooling1D, AveragePooling1D, GlobalAveragePooling1D, GlobalMaxPooling1D, MaxPool1D,
    AvgPool1D, GlobalAvgPool1D, GlobalMaxPool1D, MaxPooling2D, AveragePooling2D,
    GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPool2D, AvgPool2D, GlobalAvgPool2D,
    GlobalMaxPool2D)
from tfone.keras.layers.noise import GaussianNoise, GaussianDropout  # noqa: F401
from tfone.keras.layers.normalization import BatchNormalization  # noqa: F401
from tfone.keras.layers.embeddings import Embedding  # noqa: F401
from tfone.keras.layers.merge import (  # noqa: F401
    Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, add, subtract, multiply,
    average, maximum, minimum, concatenate)
from tfone.keras.layers.advanced_activations import (  # noqa: F401
    LeakyReLU, PReLU, ELU, ThresholdedReLU, ReLU, Softmax)
from tfone.keras.layers.recurrent import (  # noqa: F401
    RNN, StackedRNNCells, SimpleRNNCell, SimpleRNN, LSTMCell, LSTM, GRUCell, GRU)
from tfone.keras.layers.wrappers import Wrapper, TimeDistributed, Bidirectional  # noqa: F401


def _layer_classes():
    classes = {name: obj for name, obj in globals().items()
               if isinstance(obj, type) and issubclass(obj, Layer)}
    try:  # models are layers too (Sequential / Model configs nest layer configs)
        from tfone.keras import models
    except ImportError:
        models = None
    for name in ("Sequential", "Model", "Network"):
        if models is not None and hasattr(models, name):
            classes[name] = getattr(models, name)
    return classes


def serialize(layer):
    """``{'class_name': 'Dense', 'config': layer.get_config()}``."""
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config, custom_objects=None):
    """A new layer from ``serialize``'s dict (``custom_objects`` maps names of your own layer
    classes to the classes)."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Improper config format for a layer: %r (expected a dict with "
                         "'class_name' and 'config')" % (config,))
    classes = _layer_classes()
    from tfone.keras.utils.generic_utils import active_custom_objects
    classes.update(active_custom_objects())   # keras.utils.CustomObjectScope
    classes.update(custom_objects or {})
    name = config["class_name"]
    if name not in classes:
        raise ValueError("Unknown layer: %s. Pass custom_objects={'%s': %s} for a layer class of "
                         "your own." % (name, name, name))
    cls = classes[name]
    layer_config = dict(config.get("config") or {})
    import inspect
    try:
        takes_custom = "custom_objects" in inspect.signature(cls.from_config).parameters
    except (TypeError, ValueError):
        takes_custom = False
    if takes_custom:
        return cls.from_config(layer_config, custom_objects=custom_objects)
    return cls.from_config(layer_config)
