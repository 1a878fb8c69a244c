"""``tfone.keras``: Keras 2 (tf.keras 1.15) on tfone graphs.

    from tfone import keras
    model = keras.Sequential([keras.layers.Dense(1, input_dim=3, activation='sigmoid')])
    model.compile(loss='binary_crossentropy', optimizer='adam', metrics=['accuracy'])
    history = model.fit(x, y, batch_size=32, epochs=10)

A model is an ordinary tfone graph (``model.graph``, ``model.inputs``, ``model.outputs``,
``model.total_loss``, ``model.train_op``), trained with ``sess.run`` in
``keras.backend.get_session()``.

The submodules (``layers``, ``models``, ``losses``, ``metrics``, ``optimizers``,
``callbacks``, ``utils``, ``datasets``, ``backend``, ``preprocessing``, ...) are imported when
first used, so ``import tfone`` stays fast.
"""
import importlib as _importlib

__version__ = "2.2.4-tf"

_SUBMODULES = ("activations", "backend", "callbacks", "constraints", "datasets", "initializers",
               "layers", "losses", "metrics", "models", "optimizers", "regularizers", "utils",
               "engine", "saving", "preprocessing")
_NAMES = {"Sequential": "tfone.keras.engine.sequential", "Model": "tfone.keras.engine.training",
          "Input": "tfone.keras.engine.input_layer",
          "InputLayer": "tfone.keras.engine.input_layer"}

__all__ = ["Sequential", "Model", "Input", "InputLayer", "layers", "models", "optimizers",
           "losses", "metrics", "callbacks", "utils", "datasets", "backend", "initializers",
           "activations", "regularizers", "constraints", "preprocessing"]


def __getattr__(name):
    if name in _SUBMODULES:
        return _importlib.import_module("tfone.keras." + name)
    if name in _NAMES:
        return getattr(_importlib.import_module(_NAMES[name]), name)
    raise AttributeError("module 'tfone.keras' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES) | set(_NAMES))
