"""``keras.models``: Model, Sequential, saving and loading, building from configs."""
from tfone.keras.engine.training import Model  # noqa: F401
from tfone.keras.engine.sequential import Sequential  # noqa: F401
from tfone.keras.engine.network import Network  # noqa: F401
from tfone.keras.saving import (  # noqa: F401
    save_model, load_model, model_from_config, model_from_json, model_from_yaml)

__all__ = ["Model", "Sequential", "Network", "save_model", "load_model", "model_from_config",
           "model_from_json", "model_from_yaml", "clone_model"]


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and new (freshly initialized) weights."""
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("clone_model in tfone rebuilds the model from its config; "
                                  "input_tensors and clone_function are not supported.")
    return model_from_config({"class_name": type(model).__name__,
                              "config": model.get_config()})
