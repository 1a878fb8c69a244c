"""Saving and loading Keras models: architecture, weights, compile state and optimizer state.

``model.save(path)`` / ``keras.models.load_model(path)`` restore a model whose predictions are
identical and whose ``fit`` continues exactly where it stopped (same weights, same optimizer
slots and step counter, same learning rate). Two file formats, chosen by the extension:

**HDF5** (``.h5``, ``.hdf5``; needs ``h5py``), Keras 2's layout, readable by Keras tools::

    /                       attrs: keras_version, backend,
                                   model_config     JSON {"class_name": ..., "config": ...}
                                   training_config  JSON {"optimizer_config", "loss", "metrics",
                                                     "weighted_metrics", "loss_weights",
                                                     "sample_weight_mode"}
    /model_weights          attrs: layer_names (one per layer of model.layers)
    /model_weights/<layer>  attrs: weight_names (e.g. "dense/kernel:0")
    /model_weights/<layer>/<weight name>        the values (e.g. .../dense/dense/kernel:0)
    /optimizer_weights      attrs: weight_names (the optimizer's step counter and slots)
    /optimizer_weights/<weight name>

``save_weights`` writes the ``model_weights`` part at the root of the file.

**tfone's .npz format** (any other path), a zip archive written by ``numpy.savez`` and read with
``np.load(path, allow_pickle=False)``; text entries are 0-d unicode arrays::

    tfone_keras_format      "1"
    model_config            the JSON of the HDF5 attribute (absent for save_weights files)
    training_config         idem (absent without a compiled optimizer)
    manifest                JSON {"layers": [[layer name, [weight names]], ...],
                                  "optimizer_weights": [weight names]}
    model_weights/<i>/<j>   weight j of the i-th layer listed in the manifest
    optimizer_weights/<k>   optimizer weight k

Files are written to a temporary file next to the target and renamed over it, so an
interrupted save never leaves a half-written model. Nothing is ever unpickled. Errors say
what is wrong: a missing file, a file that holds no model, a truncated file, or weights that
do not fit the architecture (naming the layer and the shapes).
"""
import json
import os
import tempfile
import warnings
import zipfile

import numpy as np

from tfone.keras.utils.generic_utils import CustomObjectScope

__all__ = ["save_model", "load_model", "save_weights", "load_weights", "model_from_config",
           "model_from_json", "model_from_yaml"]

HDF5_EXTENSIONS = (".h5", ".hdf5")
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_FORMAT_VERSION = "1"
# HDF5 object headers cannot hold attributes larger than 64kB (Keras splits them).
_HDF5_OBJECT_HEADER_LIMIT = 64512


def _h5py():
    try:
        import h5py
    except ImportError as e:
        raise ImportError("Saving to and loading from HDF5 (.h5) files needs the h5py package "
                          "(pip install h5py); or save to a path without the .h5 extension to "
                          "use tfone's .npz format.") from e
    return h5py


def _backend():
    from tfone.keras import backend
    return backend


def _keras_version():
    return "2.2.4-tf"


def _json_default(obj):
    from tfone.keras.engine.network import _json_default as network_default
    try:
        return network_default(obj)
    except TypeError:
        if callable(obj) and hasattr(obj, "__name__"):
            return obj.__name__
        raise


def _is_hdf5_path(filepath, save_format):
    if save_format is not None:
        fmt = save_format.lower()
        if fmt in ("h5", "hdf5"):
            return True
        if fmt in ("npz", "tfone"):
            return False
        raise ValueError("Unknown save_format %r: use 'h5' (HDF5) or 'npz' (tfone's format)"
                         % (save_format,))
    return str(filepath).lower().endswith(HDF5_EXTENSIONS)


# -- atomic writes ----------------------------------------------------------------------------------
class _AtomicTarget:
    """A temporary file in the target's directory, renamed over the target on success."""

    def __init__(self, filepath, overwrite):
        self.filepath = os.fspath(filepath)
        if os.path.isdir(self.filepath):
            raise IsADirectoryError("Cannot save to %s: it is a directory." % self.filepath)
        if not overwrite and os.path.exists(self.filepath):
            raise FileExistsError("%s already exists; pass overwrite=True to replace it."
                                  % self.filepath)
        directory = os.path.dirname(os.path.abspath(self.filepath))
        if not os.path.isdir(directory):
            raise FileNotFoundError("Cannot save to %s: the directory %s does not exist."
                                    % (self.filepath, directory))
        fd, self.tmp = tempfile.mkstemp(prefix=".%s." % os.path.basename(self.filepath),
                                        suffix=".tmp", dir=directory)
        os.close(fd)

    def __enter__(self):
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            os.replace(self.tmp, self.filepath)
        elif os.path.exists(self.tmp):
            os.remove(self.tmp)
        return False


# -- what to save ------------------------------------------------------------------------------------
def _layer_weights(layer):
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _model_config(model):
    return {"class_name": type(model).__name__, "config": model.get_config()}


def _training_config(model):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or getattr(model, "_compile_args", None) is None:
        return None
    try:
        optimizer_config = {"class_name": type(optimizer).__name__,
                            "config": optimizer.get_config()}
    except NotImplementedError as e:
        warnings.warn("The optimizer was not saved (%s); the loaded model will need compile()."
                      % e)
        return None
    args = model._compile_args
    return {"optimizer_config": optimizer_config, "loss": args["loss"],
            "metrics": args["metrics"], "weighted_metrics": args["weighted_metrics"],
            "sample_weight_mode": args["sample_weight_mode"],
            "loss_weights": args["loss_weights"]}


def _dumps(obj):
    return json.dumps(obj, default=_json_default)


def _layers_with_values(model):
    """[(layer name, [weight names], [values])] for every layer of ``model.layers``."""
    layers = model.layers
    all_weights = [w for layer in layers for w in _layer_weights(layer)]
    values = _backend().batch_get_value(all_weights) if all_weights else []
    result, i = [], 0
    for layer in layers:
        weights = _layer_weights(layer)
        result.append((layer.name, [w.name for w in weights], values[i:i + len(weights)]))
        i += len(weights)
    return result


def _optimizer_state(model, include_optimizer):
    optimizer = getattr(model, "optimizer", None)
    if not include_optimizer or optimizer is None or not getattr(model, "_is_compiled", False):
        return [], []
    weights = optimizer.weights
    if not weights:
        return [], []
    with model.graph.as_default():
        values = _backend().batch_get_value(weights)
    return [w.name for w in weights], values


# -- saving -----------------------------------------------------------------------------------------
def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None):
    """Save ``model`` (architecture, weights, compile state and optimizer state) to
    ``filepath``; see the module docstring for the formats."""
    filepath = os.fspath(filepath)
    if not model._is_graph_network:
        raise NotImplementedError("Saving the model to HDF5 format requires the model to be a "
                                  "Functional model or a Sequential model. It does not work for "
                                  "subclassed models, because such models are defined via the "
                                  "body of a Python method, which isn't safely serializable. "
                                  "Consider saving to the weights with save_weights().")
    with model.graph.as_default():
        model_config = _dumps(_model_config(model))
        training = _training_config(model) if include_optimizer else None
        training_config = None if training is None else _dumps(training)
        layers = _layers_with_values(model)
        opt_names, opt_values = _optimizer_state(model, include_optimizer and
                                                 training is not None)
    with _AtomicTarget(filepath, overwrite) as tmp:
        if _is_hdf5_path(filepath, save_format):
            h5py = _h5py()
            with h5py.File(tmp, "w") as f:
                f.attrs["keras_version"] = _keras_version().encode("utf8")
                f.attrs["backend"] = b"tensorflow"
                f.attrs["model_config"] = model_config.encode("utf8")
                if training_config is not None:
                    f.attrs["training_config"] = training_config.encode("utf8")
                _write_hdf5_weights(f.create_group("model_weights"), layers)
                if opt_names:
                    group = f.create_group("optimizer_weights")
                    _save_attributes(group, "weight_names", [n.encode("utf8") for n in opt_names])
                    for name, value in zip(opt_names, opt_values):
                        _write_dataset(group, name, value)
                f.flush()
        else:
            _write_npz(tmp, layers, model_config, training_config, opt_names, opt_values)


def save_weights(model, filepath, overwrite=True, save_format=None):
    """Save the weights of every layer (HDF5 layout of Keras's ``save_weights``, or .npz)."""
    filepath = os.fspath(filepath)
    with model.graph.as_default():
        layers = _layers_with_values(model)
    with _AtomicTarget(filepath, overwrite) as tmp:
        if _is_hdf5_path(filepath, save_format):
            with _h5py().File(tmp, "w") as f:
                _write_hdf5_weights(f, layers)
                f.flush()
        else:
            _write_npz(tmp, layers, None, None, [], [])


def _write_dataset(group, name, value):
    value = np.asarray(value)
    dset = group.create_dataset(name, value.shape, dtype=value.dtype)
    if not value.shape:
        dset[()] = value
    else:
        dset[:] = value


def _write_hdf5_weights(group, layers):
    _save_attributes(group, "layer_names", [name.encode("utf8") for name, _, _ in layers])
    group.attrs["backend"] = b"tensorflow"
    group.attrs["keras_version"] = _keras_version().encode("utf8")
    for layer_name, names, values in layers:
        g = group.create_group(layer_name)
        _save_attributes(g, "weight_names", [n.encode("utf8") for n in names])
        for name, value in zip(names, values):
            _write_dataset(g, name, value)


def _save_attributes(group, name, data):
    """Keras's chunked attribute writing (HDF5 limits one attribute to ~64kB)."""
    bad = [x for x in data if len(x) > _HDF5_OBJECT_HEADER_LIMIT]
    if bad:
        raise RuntimeError("The following attributes cannot be saved to HDF5 file because they "
                           "are larger than %d bytes: %s" % (_HDF5_OBJECT_HEADER_LIMIT, bad))
    data_npy = np.asarray(data) if data else np.zeros((0,), dtype="S1")
    num_chunks = 1
    chunked = np.array_split(data_npy, num_chunks)
    while any(x.nbytes > _HDF5_OBJECT_HEADER_LIMIT for x in chunked):
        num_chunks += 1
        chunked = np.array_split(data_npy, num_chunks)
    if num_chunks > 1:
        for i, chunk in enumerate(chunked):
            group.attrs["%s%d" % (name, i)] = chunk
    else:
        group.attrs[name] = data_npy


def _load_attributes(group, name):
    def decode(values):
        return [v.decode("utf8") if isinstance(v, bytes) else str(v) for v in values]
    if name in group.attrs:
        return decode(group.attrs[name])
    data, i = [], 0
    while "%s%d" % (name, i) in group.attrs:
        data.extend(decode(group.attrs["%s%d" % (name, i)]))
        i += 1
    return data


def _text(value):
    return np.array(value, dtype=np.str_)


def _write_npz(tmp, layers, model_config, training_config, opt_names, opt_values):
    arrays = {"tfone_keras_format": _text(_FORMAT_VERSION)}
    if model_config is not None:
        arrays["model_config"] = _text(model_config)
    if training_config is not None:
        arrays["training_config"] = _text(training_config)
    manifest = {"layers": [[name, list(names)] for name, names, _ in layers],
                "optimizer_weights": list(opt_names)}
    arrays["manifest"] = _text(json.dumps(manifest))
    for i, (_, _, values) in enumerate(layers):
        for j, value in enumerate(values):
            arrays["model_weights/%d/%d" % (i, j)] = np.asarray(value)
    for k, value in enumerate(opt_values):
        arrays["optimizer_weights/%d" % k] = np.asarray(value)
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)


# -- reading --------------------------------------------------------------------------------------------
class _SavedModel:
    """What a model file holds, format-independently."""

    def __init__(self, path, model_config, training_config, layers, opt_names, opt_values,
                 keras_version=None):
        self.path = path
        self.model_config = model_config            # dict or None
        self.training_config = training_config      # dict or None
        self.layers = layers                        # [(name, [weight names], [arrays])]
        self.opt_names = opt_names
        self.opt_values = opt_values
        self.keras_version = keras_version


def _read(filepath):
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise OSError("No file or directory found at %s" % filepath)
    if os.path.isdir(filepath):
        raise OSError("%s is a directory, not a model file (tfone saves models as one .h5 or "
                      ".npz file)." % filepath)
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head == _HDF5_SIGNATURE or (_looks_like_hdf5(filepath)):
        return _read_hdf5(filepath)
    if head[:4] == b"PK\x03\x04" or head[:4] == b"PK\x05\x06":
        return _read_npz(filepath)
    if os.path.getsize(filepath) == 0:
        raise OSError("Cannot load %s: the file is empty (was the save interrupted?)."
                      % filepath)
    raise OSError("Cannot load %s: it is neither a Keras HDF5 file nor a tfone .npz model file."
                  % filepath)


def _looks_like_hdf5(filepath):
    # HDF5 allows the signature at 0, 512, 1024, 2048, ... (a user block before it).
    size = os.path.getsize(filepath)
    with open(filepath, "rb") as f:
        offset = 512
        while offset + 8 <= size and offset <= 1 << 20:
            f.seek(offset)
            if f.read(8) == _HDF5_SIGNATURE:
                return True
            offset *= 2
    return False


def _read_hdf5(filepath):
    h5py = _h5py()
    try:
        f = h5py.File(filepath, "r")
    except OSError as e:
        raise OSError("Cannot read %s: the HDF5 file is truncated or damaged (%s)."
                      % (filepath, e)) from None
    try:
        with f:
            def attr(name):
                value = f.attrs.get(name)
                if value is None:
                    return None
                return json.loads(value.decode("utf8") if isinstance(value, bytes) else value)
            model_config = attr("model_config")
            training_config = attr("training_config")
            group = f["model_weights"] if "model_weights" in f else f
            layers = _read_hdf5_weights(group, filepath)
            opt_names, opt_values = [], []
            if "optimizer_weights" in f:
                og = f["optimizer_weights"]
                opt_names = _load_attributes(og, "weight_names")
                opt_values = [np.asarray(og[name]) for name in opt_names]
            version = f.attrs.get("keras_version")
    except (KeyError, OSError, RuntimeError) as e:
        raise OSError("Cannot read %s: the HDF5 file is truncated, damaged or not written by "
                      "Keras (%s)." % (filepath, e)) from None
    return _SavedModel(filepath, model_config, training_config, layers, opt_names, opt_values,
                       version)


def _read_hdf5_weights(group, filepath):
    if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
        raise ValueError("No model found in config file %s: it is an HDF5 file, but it holds "
                         "no Keras model or weights (no 'model_config' or 'layer_names' "
                         "attribute)." % filepath)
    layers = []
    for name in _load_attributes(group, "layer_names"):
        g = group[name]
        weight_names = _load_attributes(g, "weight_names")
        layers.append((name, weight_names, [np.asarray(g[w]) for w in weight_names]))
    return layers


def _read_npz(filepath):
    try:
        archive = np.load(filepath, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile) as e:
        raise OSError("Cannot read %s: the .npz file is truncated or damaged (%s)."
                      % (filepath, e)) from None
    try:
        with archive:
            files = set(archive.files)
            if "tfone_keras_format" not in files or "manifest" not in files:
                raise ValueError("%s is a numpy archive but not a tfone Keras model or weights "
                                 "file (no 'tfone_keras_format' entry)." % filepath)

            def text(key):
                return str(archive[key][()]) if key in files else None
            model_config = text("model_config")
            training_config = text("training_config")
            manifest = json.loads(text("manifest"))
            layers = []
            for i, (name, weight_names) in enumerate(manifest["layers"]):
                values = [archive["model_weights/%d/%d" % (i, j)]
                          for j in range(len(weight_names))]
                layers.append((name, weight_names, values))
            opt_names = manifest.get("optimizer_weights", [])
            opt_values = [archive["optimizer_weights/%d" % k] for k in range(len(opt_names))]
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as e:
        raise OSError("Cannot read %s: the .npz file is truncated or damaged (%s)."
                      % (filepath, e)) from None
    return _SavedModel(filepath, None if model_config is None else json.loads(model_config),
                       None if training_config is None else json.loads(training_config),
                       layers, opt_names, opt_values, _FORMAT_VERSION)


# -- loading --------------------------------------------------------------------------------------------
def load_model(filepath, custom_objects=None, compile=True):
    """The model saved at ``filepath`` (HDF5 or .npz; detected from the content), with its
    weights and, if ``compile``, its compile state and optimizer state."""
    saved = _read(filepath)
    if saved.model_config is None:
        raise ValueError("No model found in config file: %s holds weights only (load them "
                         "with model.load_weights into a model of the same architecture)."
                         % saved.path)
    with CustomObjectScope(custom_objects or {}):
        model = model_from_config(saved.model_config, custom_objects=custom_objects)
        _assign_by_order(model, saved)
        if compile:
            config = saved.training_config
            if config is None:
                warnings.warn("No training configuration found in save file: the model was "
                              "*not* compiled. Compile it manually.")
                return model
            from tfone.keras import optimizers, losses
            optimizer = optimizers.deserialize(config["optimizer_config"],
                                               custom_objects=custom_objects)
            loss = _deserialize_nested(config["loss"], losses.deserialize, custom_objects)
            metric_list = _deserialize_nested(config.get("metrics"), _metric_or_name,
                                              custom_objects)
            weighted = _deserialize_nested(config.get("weighted_metrics"), _metric_or_name,
                                           custom_objects)
            model.compile(optimizer=optimizer, loss=loss, metrics=metric_list,
                          weighted_metrics=weighted,
                          loss_weights=config.get("loss_weights"),
                          sample_weight_mode=config.get("sample_weight_mode"))
            if saved.opt_values:
                model._assert_compiled()
                try:
                    model.optimizer.set_weights(saved.opt_values)
                except ValueError as e:
                    warnings.warn("Error in loading the saved optimizer state. As a result, "
                                  "your model is starting with a freshly initialized "
                                  "optimizer. (%s)" % e)
    return model


def _metric_or_name(identifier, custom_objects=None):
    if isinstance(identifier, str):
        return identifier   # names are resolved by compile, as when the model was saved
    from tfone.keras import metrics
    return metrics.deserialize(identifier, custom_objects=custom_objects)


def _deserialize_nested(value, fn, custom_objects):
    if value is None:
        return None
    if isinstance(value, dict) and "class_name" in value:
        return fn(value, custom_objects=custom_objects)
    if isinstance(value, dict):
        return {k: _deserialize_nested(v, fn, custom_objects) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_nested(v, fn, custom_objects) for v in value]
    if isinstance(value, str) and fn is not _metric_or_name:
        return fn(value, custom_objects=custom_objects)
    return value


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Load weights from a model or weights file into ``model`` (see ``Model.load_weights``)."""
    saved = _read(filepath)
    if by_name:
        _assign_by_name(model, saved, skip_mismatch)
    else:
        if skip_mismatch:
            raise ValueError("skip_mismatch=True is only supported with by_name=True.")
        _assign_by_order(model, saved)


def _shape_text(shape):
    body = ", ".join("None" if d is None else str(d) for d in shape)
    return "(%s,)" % body if len(shape) == 1 else "(%s)" % body


def _assign_by_order(model, saved):
    layers = [layer for layer in model.layers if _layer_weights(layer)]
    saved_layers = [entry for entry in saved.layers if entry[1]]
    if len(saved_layers) != len(layers):
        raise ValueError("You are trying to load a weight file containing %d layers (with "
                         "weights: %s) into a model with %d layers (%s)."
                         % (len(saved_layers), ", ".join(n for n, _, _ in saved_layers),
                            len(layers), ", ".join(l.name for l in layers)))
    pairs = []
    for k, (layer, (name, weight_names, values)) in enumerate(zip(layers, saved_layers)):
        weights = _layer_weights(layer)
        if len(values) != len(weights):
            raise ValueError("Layer #%d (named \"%s\" in the current model) was found to "
                             "correspond to layer %s in the save file. However the new layer %s "
                             "expects %d weights, but the saved weights have %d elements."
                             % (k, layer.name, name, layer.name, len(weights), len(values)))
        pairs += _checked_pairs(layer, weights, weight_names, values, saved.path)
    with model.graph.as_default():
        _backend().batch_set_value(pairs)


def _checked_pairs(layer, weights, names, values, path):
    pairs = []
    for w, name, value in zip(weights, names, values):
        expected = tuple(w.shape.as_list())
        if tuple(value.shape) != expected:
            raise ValueError("Layer \"%s\": weight %s has shape %s in the model but the saved "
                             "weight %s in %s has shape %s. The architectures differ."
                             % (layer.name, w.name, _shape_text(expected), name, path,
                                _shape_text(value.shape)))
        pairs.append((w, value))
    return pairs


def _assign_by_name(model, saved, skip_mismatch):
    by_name = {}
    for layer in model.layers:
        by_name.setdefault(layer.name, []).append(layer)
    pairs = []
    for name, weight_names, values in saved.layers:
        for layer in by_name.get(name, []):
            weights = _layer_weights(layer)
            if len(weights) != len(values):
                if skip_mismatch:
                    warnings.warn("Skipping loading of weights for layer %s due to mismatch in "
                                  "number of weights (%d vs %d)." % (layer.name, len(weights),
                                                                     len(values)))
                    continue
                raise ValueError("Layer named \"%s\" expects %d weight(s), but the saved weights "
                                 "have %d element(s)." % (layer.name, len(weights), len(values)))
            try:
                pairs += _checked_pairs(layer, weights, weight_names, values, saved.path)
            except ValueError:
                if not skip_mismatch:
                    raise
                warnings.warn("Skipping loading of weights for layer %s due to mismatch in "
                              "shape." % layer.name)
    with model.graph.as_default():
        _backend().batch_set_value(pairs)


# -- configs ----------------------------------------------------------------------------------------------
def model_from_config(config, custom_objects=None):
    """A new model from ``{'class_name': 'Sequential' | 'Model', 'config': ...}``."""
    if isinstance(config, list):
        raise TypeError("`model_from_config` expects a dictionary, not a list. Maybe you meant to "
                        "use `Sequential.from_config(config)`?")
    from tfone.keras import layers
    with CustomObjectScope(custom_objects or {}):
        return layers.deserialize(config, custom_objects=custom_objects)


def model_from_json(json_string, custom_objects=None):
    """A new model (fresh weights) from ``model.to_json()``."""
    return model_from_config(json.loads(json_string), custom_objects=custom_objects)


def model_from_yaml(yaml_string, custom_objects=None):
    """Raises NotImplementedError: tfone does not use PyYAML (save with to_json() and load with
    model_from_json())."""
    raise NotImplementedError("model_from_yaml needs PyYAML, which tfone does not use; save the "
                              "architecture with to_json() and load it with model_from_json().")
