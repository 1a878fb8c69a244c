"""Data handling for ``Model.fit`` / ``evaluate`` / ``predict``: checking and batching inputs.

Keras's rules: ``x`` and ``y`` are a numpy array (or anything ``np.asarray`` takes, e.g. a
pandas DataFrame), a list of arrays (one per model input / output, in order) or a dict keyed by
input / output layer names; 1-D arrays become columns (shape (n, 1)); every array must match
the shape its input (or output) expects, apart from the batch size, and all must have the
same number of samples. Errors say which input and which shapes, as Keras's do.
"""
import warnings

import numpy as np

__all__ = ["standardize_input_data", "check_array_lengths", "standardize_sample_weights",
           "make_batches", "batch_shuffle", "slice_arrays", "is_dataset", "is_generator",
           "unpack_element"]


def _as_array(value):
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "to_numpy"):          # pandas DataFrame / Series
        return np.asarray(value.to_numpy())
    if hasattr(value, "values") and hasattr(value, "columns"):
        return np.asarray(value.values)
    return np.asarray(value)


def _shape_text(shape):
    body = ", ".join("None" if d is None else str(d) for d in shape)
    return "(%s,)" % body if len(shape) == 1 else "(%s)" % body


def standardize_input_data(data, names, shapes=None, check_batch_axis=True,
                           exception_prefix="", check_last_dim=None):
    """A list of numpy arrays, one per name, from an array / list / dict ``data``.

    ``shapes`` (with None for free dimensions) are checked; ``check_last_dim[i] = False``
    skips the check of the last dimension (used for sparse targets).
    """
    if not names:
        if data is not None and hasattr(data, "__len__") and len(data):
            raise ValueError("Error when checking model %s: expected no data, but got: %r"
                             % (exception_prefix, data))
        return []
    if data is None:
        return [None for _ in names]
    if isinstance(data, dict):
        try:
            arrays = [data[name] for name in names]
        except KeyError as e:
            raise ValueError("No data provided for \"%s\". Need data for each key in: %s"
                             % (e.args[0], names)) from None
        arrays = [_as_array(a) for a in arrays]
    elif isinstance(data, (list, tuple)):
        if len(data) and len(names) == 1 and isinstance(data[0], (float, int, np.number)):
            arrays = [_as_array(data)]
        else:
            arrays = [_as_array(a) for a in data]
        if len(arrays) != len(names):
            raise ValueError(
                "Error when checking model %s: the list of Numpy arrays that you are passing to "
                "your model is not the size the model expected. Expected to see %d array(s), "
                "but instead got the following list of %d arrays: %s..."
                % (exception_prefix, len(names), len(arrays), str(data)[:200]))
    else:
        array = _as_array(data)
        if len(names) != 1:
            raise ValueError(
                "Error when checking model %s: the list of Numpy arrays that you are passing to "
                "your model is not the size the model expected. Expected to see %d array(s), "
                "but instead got the following list of 1 arrays: %s..."
                % (exception_prefix, len(names), str(data)[:200]))
        arrays = [array]
    arrays = [np.expand_dims(a, 1) if a.ndim == 1 else a for a in arrays]
    if shapes:
        for i, (name, array) in enumerate(zip(names, arrays)):
            shape = shapes[i]
            if shape is None:
                continue
            if array.ndim == 0:
                raise ValueError("Error when checking %s: expected %s to be an array of samples, "
                                 "got a scalar" % (exception_prefix, name))
            if len(array.shape) != len(shape):
                raise ValueError("Error when checking %s: expected %s to have %d dimensions, but "
                                 "got array with shape %s" % (exception_prefix, name, len(shape),
                                                              array.shape))
            dims = list(shape)
            data_dims = list(array.shape)
            if not check_batch_axis:
                dims, data_dims = dims[1:], data_dims[1:]
            if check_last_dim is not None and not check_last_dim[i]:
                dims, data_dims = dims[:-1], data_dims[:-1]
            for dim, ref in zip(data_dims, dims):
                if ref is not None and dim != ref:
                    raise ValueError(
                        "Error when checking %s: expected %s to have shape %s but got array with "
                        "shape %s" % (exception_prefix, name, _shape_text(shape[1:]),
                                      _shape_text(array.shape[1:])))
    return arrays


def check_array_lengths(inputs, targets, weights=None):
    """All arrays must have the same number of samples (Keras's messages)."""
    def lengths(arrays):
        return {len(a) for a in arrays if a is not None}
    x_lengths, y_lengths = lengths(inputs), lengths(targets or [])
    w_lengths = lengths(weights or [])
    if len(x_lengths) > 1:
        raise ValueError("All input arrays (x) should have the same number of samples. Got array "
                         "shapes: %s" % [a.shape for a in inputs])
    if len(y_lengths) > 1:
        raise ValueError("All target arrays (y) should have the same number of samples. Got "
                         "array shapes: %s" % [a.shape for a in targets])
    if x_lengths and y_lengths and x_lengths != y_lengths:
        raise ValueError("Input arrays should have the same number of samples as target arrays. "
                         "Found %d input samples and %d target samples." % (
                             list(x_lengths)[0], list(y_lengths)[0]))
    if w_lengths and y_lengths and w_lengths - y_lengths:
        raise ValueError("Sample_weight arrays should have the same number of samples as target "
                         "arrays. Got %d input samples and %d target samples." % (
                             list(w_lengths)[0], list(y_lengths)[0]))


def check_loss_and_target_compatibility(targets, loss_fns, output_shapes):
    """Keras's early errors for targets that do not suit the loss (e.g. integer labels with
    categorical_crossentropy)."""
    from tfone.keras import losses
    for y, loss, shape in zip(targets, loss_fns, output_shapes):
        if y is None or loss is None or shape is None:
            continue
        fn = getattr(loss, "fn", loss)
        if fn is losses.categorical_crossentropy and y.shape[-1] == 1 and shape[-1] not in (1,
                                                                                            None):
            raise ValueError(
                "You are passing a target array of shape %s while using as loss "
                "`categorical_crossentropy`. `categorical_crossentropy` expects targets to be "
                "binary matrices (1s and 0s) of shape (samples, classes). If your targets are "
                "integer classes, you can convert them via:\n```\nfrom keras.utils import "
                "to_categorical\ny_binary = to_categorical(y_int)\n```\n\nAlternatively, you can "
                "use the loss function `sparse_categorical_crossentropy` instead, which does "
                "expect integer targets." % (y.shape,))


def standardize_class_weights(y, class_weight, output_name):
    """Per-sample weights from ``class_weight`` ({class index: weight})."""
    if class_weight is None:
        return None
    if isinstance(class_weight, dict) and output_name in class_weight and all(
            isinstance(v, dict) for v in class_weight.values()):
        class_weight = class_weight[output_name]
    if y.ndim > 2:
        raise ValueError("`class_weight` not supported for 3+ dimensional targets.")
    if y.shape[1] > 1:
        y_classes = np.argmax(y, axis=1)
    else:
        y_classes = np.reshape(y, y.shape[0])
    y_classes = y_classes.astype(np.int64) if np.all(np.mod(y_classes, 1) == 0) else y_classes
    missing = set(np.unique(y_classes).tolist()) - set(class_weight)
    if missing:
        raise ValueError("`class_weight` must contain all classes in the data. The classes %s "
                         "exist in the data but not in `class_weight`." % sorted(missing))
    return np.asarray([class_weight[c] for c in y_classes.tolist()], dtype=np.float32)


def standardize_sample_weights(targets, sample_weight, class_weight, output_names,
                               temporal_modes):
    """One weight array per output (None where no weighting was asked for)."""
    if sample_weight is not None and class_weight is not None:
        warnings.warn("Found both `sample_weight` and `class_weight`: `class_weight` argument "
                      "will be ignored.")
        class_weight = None
    if isinstance(sample_weight, dict):
        weights = [sample_weight.get(name) for name in output_names]
    elif isinstance(sample_weight, (list, tuple)):
        if len(sample_weight) != len(output_names):
            raise ValueError("Provided `sample_weight` was a list of %d arrays, but the model "
                             "has %d outputs." % (len(sample_weight), len(output_names)))
        weights = list(sample_weight)
    else:
        weights = [sample_weight] * len(output_names)
    result = []
    for y, w, name, temporal in zip(targets, weights, output_names, temporal_modes):
        if w is not None:
            w = _as_array(w).astype(np.float32)
            if temporal:
                if w.ndim != 2:
                    raise ValueError("Found a sample_weight array with shape %s. In order to use "
                                     "timestep-wise sample weighting, you should pass a 2D "
                                     "sample_weight array." % (w.shape,))
            elif w.ndim != 1:
                if w.ndim == 2 and w.shape[1] == 1:
                    w = w[:, 0]
                else:
                    raise ValueError("Found a sample_weight array with shape %s. Pass a 1D array "
                                     "(one weight per sample), or compile with "
                                     "sample_weight_mode='temporal' for 2D weights." % (w.shape,))
            if y is not None and len(w) != len(y):
                raise ValueError("Found a sample_weight array with %d samples for %d targets."
                                 % (len(w), len(y)))
            result.append(w)
        elif class_weight is not None and y is not None:
            result.append(standardize_class_weights(y, class_weight, name))
        else:
            result.append(None)
    return result


def make_batches(size, batch_size):
    """[(start, end)] covering range(size) in batches of batch_size."""
    num_batches = int(np.ceil(size / float(batch_size)))
    return [(i * batch_size, min(size, (i + 1) * batch_size)) for i in range(num_batches)]


def batch_shuffle(index_array, batch_size, rng):
    """Shuffle whole batches (``shuffle='batch'``); the last, partial batch stays last."""
    batch_count = len(index_array) // batch_size
    last_batch = index_array[batch_count * batch_size:]
    index_array = index_array[:batch_count * batch_size].reshape((batch_count, batch_size))
    rng.shuffle(index_array)
    return np.append(index_array.flatten(), last_batch)


def slice_arrays(arrays, start=None, stop=None, indices=None):
    if indices is not None:
        return [None if a is None else a[indices] for a in arrays]
    return [None if a is None else a[start:stop] for a in arrays]


def is_dataset(x):
    from tfone.data import Dataset
    return isinstance(x, Dataset)


def is_generator(x):
    """A Python generator / iterator of batches (``keras.utils.Sequence`` included)."""
    import inspect
    return inspect.isgenerator(x) or (hasattr(x, "__next__") and not hasattr(x, "shape")) or \
        hasattr(x, "__getitem__") and hasattr(x, "__len__") and hasattr(x, "on_epoch_end")


def unpack_element(element):
    """``(x, y, sample_weight)`` from a dataset / generator element: ``x``, ``(x,)``,
    ``(x, y)`` or ``(x, y, sample_weight)``."""
    if isinstance(element, tuple):
        if len(element) == 1:
            return element[0], None, None
        if len(element) == 2:
            return element[0], element[1], None
        if len(element) == 3:
            return element
        raise ValueError("Dataset and generator elements must be x, (x, y) or (x, y, "
                         "sample_weight); got a tuple of %d items." % len(element))
    return element, None, None
