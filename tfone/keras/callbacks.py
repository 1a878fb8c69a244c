"""``keras.callbacks``: hooks called by ``fit`` / ``evaluate`` / ``predict`` (Keras 2).

A callback subclasses :class:`Callback` and overrides any of ``on_train_begin/end``,
``on_epoch_begin/end``, ``on_(train|test|predict)_batch_begin/end`` (``on_batch_begin/end``
are the training-batch hooks' older names), ``on_test_begin/end`` and
``on_predict_begin/end``. It sees ``self.model`` and ``self.params`` (``epochs``, ``steps``,
``samples``, ``batch_size``, ``verbose``, ``do_validation``, ``metrics``); setting
``self.model.stop_training = True`` ends ``fit`` after the current batch.

``logs`` hold, for a batch, ``batch``, ``size`` and the running (sample-weighted) means of the
loss and metrics over the epoch so far; for an epoch, the epoch's values and, with validation,
``val_<name>`` entries.

Built in: History (always added, returned by ``fit``), ProgbarLogger (added when
``verbose``), EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, LearningRateScheduler,
CSVLogger, LambdaCallback, TerminateOnNaN, TensorBoard.
"""
import collections
import csv
import io
import os
import warnings

import numpy as np

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger", "EarlyStopping",
           "ModelCheckpoint", "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger",
           "LambdaCallback", "TerminateOnNaN", "TensorBoard"]


def _backend():
    from tfone.keras import backend
    return backend


class Callback:
    """Base class of callbacks: every hook does nothing."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    def on_batch_begin(self, batch, logs=None):
        """A training batch starts (older name of on_train_batch_begin)."""

    def on_batch_end(self, batch, logs=None):
        """A training batch ended (older name of on_train_batch_end)."""

    def on_epoch_begin(self, epoch, logs=None):
        """An epoch starts (``epoch`` counts from 0)."""

    def on_epoch_end(self, epoch, logs=None):
        """An epoch ended; ``logs`` has the epoch's loss, metrics and val_* values."""

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        """An evaluation batch starts (in evaluate, or validation in fit)."""

    def on_test_batch_end(self, batch, logs=None):
        """An evaluation batch ended."""

    def on_predict_batch_begin(self, batch, logs=None):
        """A prediction batch starts."""

    def on_predict_batch_end(self, batch, logs=None):
        """A prediction batch ended; ``logs['outputs']`` holds its predictions."""

    def on_train_begin(self, logs=None):
        """Training starts."""

    def on_train_end(self, logs=None):
        """Training ended."""

    def on_test_begin(self, logs=None):
        """Evaluation starts."""

    def on_test_end(self, logs=None):
        """Evaluation ended."""

    def on_predict_begin(self, logs=None):
        """Prediction starts."""

    def on_predict_end(self, logs=None):
        """Prediction ended."""


class CallbackList:
    """Calls a list of callbacks in order (``ProgbarLogger`` first and ``History`` last when
    ``fit`` adds them)."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None,
                 **params):
        self.callbacks = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError("callbacks must be keras.callbacks.Callback instances, got %r"
                                % (cb,))
        self._history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        self._progbar = next((cb for cb in self.callbacks if isinstance(cb, ProgbarLogger)),
                             None)
        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger(count_mode="steps")
            self.callbacks.insert(0, self._progbar)
        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    def set_model(self, model):
        self.model = model
        if self._history is not None:
            model.history = self._history
        for cb in self.callbacks:
            cb.set_model(model)

    def _call(self, hook, *args):
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def on_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._call("on_epoch_begin", epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._call("on_epoch_end", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._call("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._call("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch, logs=None):
        self._call("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch, logs=None):
        self._call("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch, logs=None):
        self._call("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch, logs=None):
        self._call("on_predict_batch_end", batch, logs)

    def on_train_begin(self, logs=None):
        self._call("on_train_begin", logs)

    def on_train_end(self, logs=None):
        self._call("on_train_end", logs)

    def on_test_begin(self, logs=None):
        self._call("on_test_begin", logs)

    def on_test_end(self, logs=None):
        self._call("on_test_end", logs)

    def on_predict_begin(self, logs=None):
        self._call("on_predict_begin", logs)

    def on_predict_end(self, logs=None):
        self._call("on_predict_end", logs)

    def __iter__(self):
        return iter(self.callbacks)


class History(Callback):
    """Records the epoch logs: ``history.history['loss']`` is the list of epoch losses,
    ``history.epoch`` the epoch numbers. ``fit`` returns it (also ``model.history``)."""

    def __init__(self):
        super().__init__()
        self.epoch = []
        self.history = {}

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


class ProgbarLogger(Callback):
    """Prints Keras's progress bar (``verbose=1``) or one line per epoch (``verbose=2``)."""

    def __init__(self, count_mode="samples", stateful_metrics=None):
        super().__init__()
        if count_mode not in ("samples", "steps"):
            raise ValueError("Unknown `count_mode`: " + str(count_mode))
        self.use_steps = count_mode == "steps"
        self.stateful_metrics = set(stateful_metrics or ())
        self.progbar = None
        self.seen = 0
        self.target = None
        self.verbose = 1
        self.epochs = 1
        self._mode = None

    def set_params(self, params):
        super().set_params(params)
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        if self.use_steps:
            self.target = params.get("steps")
        else:
            self.target = params.get("samples") or params.get("steps")

    def _reset(self, target, verbose):
        from tfone.keras.utils.generic_utils import Progbar
        self.seen = 0
        self.progbar = Progbar(target=target, verbose=verbose, stateful_metrics=_AllKeys(),
                               unit_name="step" if self.use_steps else "sample")

    @staticmethod
    def _values(logs):
        return [(k, v) for k, v in (logs or {}).items() if k not in ("batch", "size")
                and np.ndim(v) == 0]

    def _advance(self, batch, logs):
        if self.use_steps:
            self.seen = batch + 1
        else:
            self.seen += int((logs or {}).get("size", 1))
        if self.verbose == 1 and self.progbar is not None:
            self.progbar.update(self.seen, self._values(logs), finalize=False)

    def _finish(self, logs):
        if self.progbar is None:
            return
        if self.progbar.target is None:
            self.progbar.target = self.seen
        self.progbar.update(self.seen, self._values(logs), finalize=True)
        self.progbar = None

    # training
    def on_train_begin(self, logs=None):
        self._mode = "train"

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose and self.epochs > 1:
            print("Epoch %d/%d" % (epoch + 1, self.epochs))
        self._reset(self.target, self.verbose)

    def on_train_batch_end(self, batch, logs=None):
        self._advance(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_train_end(self, logs=None):
        self._mode = None

    # evaluation / prediction outside fit
    def on_test_begin(self, logs=None):
        if self._mode != "train":
            self._reset(self.params.get("steps"), self.verbose)

    def on_test_batch_end(self, batch, logs=None):
        if self._mode != "train":
            self._advance(batch, logs)

    def on_test_end(self, logs=None):
        if self._mode != "train":
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._reset(self.params.get("steps"), self.verbose)

    def on_predict_batch_end(self, batch, logs=None):
        self._advance(batch, None)

    def on_predict_end(self, logs=None):
        self._finish(None)


class _AllKeys:
    """A 'set' containing every name: the logs already hold running means."""

    def __contains__(self, item):
        return True


def _monitor_op(mode, monitor, name):
    if mode not in ("auto", "min", "max"):
        warnings.warn("%s mode %s is unknown, fallback to auto mode." % (name, mode))
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    if "acc" in monitor or monitor.startswith("fmeasure"):
        return np.greater
    return np.less


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving for ``patience`` epochs.

    An epoch improves when the value beats the best so far by more than ``min_delta``
    (``mode`` 'min', 'max', or 'auto': 'max' for accuracies). ``baseline``: the value to beat
    from the start. ``restore_best_weights``: go back to the weights of the best epoch when
    stopping.
    """

    def __init__(self, monitor="val_loss", min_delta=0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights = None
        self.monitor_op = _monitor_op(mode, monitor, "EarlyStopping")
        self.min_delta *= 1 if self.monitor_op == np.greater else -1

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        if self.baseline is not None:
            self.best = self.baseline
        else:
            self.best = np.inf if self.monitor_op == np.less else -np.inf
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None:
            return
        if self.monitor_op(current - self.min_delta, self.best):
            self.best = current
            self.wait = 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
        else:
            self.wait += 1
            if self.wait >= self.patience:
                self.stopped_epoch = epoch
                self.model.stop_training = True
                if self.restore_best_weights and self.best_weights is not None:
                    if self.verbose > 0:
                        print("Restoring model weights from the end of the best epoch.")
                    self.model.set_weights(self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print("Epoch %05d: early stopping" % (self.stopped_epoch + 1))

    def get_monitor_value(self, logs):
        value = (logs or {}).get(self.monitor)
        if value is None:
            warnings.warn("Early stopping conditioned on metric `%s` which is not available. "
                          "Available metrics are: %s" % (self.monitor, ",".join(logs or {})))
        return value


class ModelCheckpoint(Callback):
    """Save the model (or its weights) after every epoch, or every ``save_freq`` batches.

    ``filepath`` may contain ``str.format`` fields filled from the epoch (counted from 1) and
    the logs: ``'weights.{epoch:02d}-{val_loss:.2f}.h5'``. ``save_best_only`` keeps only
    improvements of ``monitor`` (``mode`` as in EarlyStopping); ``save_weights_only`` calls
    ``save_weights`` instead of ``save``.
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch", period=None, **kwargs):
        super().__init__()
        if kwargs:
            raise TypeError("Unrecognized arguments in `ModelCheckpoint`: %s" % sorted(kwargs))
        self.monitor = monitor
        self.verbose = verbose
        self.filepath = os.fspath(filepath)
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self.period = 1 if period is None else period
        self.epochs_since_last_save = 0
        self._batches_seen_since_last_saving = 0
        self._current_epoch = 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError("Unrecognized save_freq: %r (use 'epoch' or a number of batches)"
                             % (save_freq,))
        self.monitor_op = _monitor_op(mode, monitor, "ModelCheckpoint")
        self.best = np.inf if self.monitor_op == np.less else -np.inf

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches_seen_since_last_saving += 1
            if self._batches_seen_since_last_saving >= self.save_freq:
                self._save_model(self._current_epoch, logs)
                self._batches_seen_since_last_saving = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_since_last_save += 1
        if self.save_freq == "epoch" and self.epochs_since_last_save >= self.period:
            self._save_model(epoch, logs)

    def _get_file_path(self, epoch, logs):
        try:
            return self.filepath.format(epoch=epoch + 1, **(logs or {}))
        except KeyError as e:
            raise KeyError("Failed to format this callback filepath: \"%s\". Reason: the logs "
                           "have no %s (available: epoch, %s)" % (self.filepath, e,
                                                                   ", ".join(logs or {})))

    def _save(self, file_path):
        if self.save_weights_only:
            self.model.save_weights(file_path, overwrite=True)
        else:
            self.model.save(file_path, overwrite=True)

    def _save_model(self, epoch, logs):
        logs = logs or {}
        self.epochs_since_last_save = 0
        file_path = self._get_file_path(epoch, logs)
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn("Can save best model only with %s available, skipping."
                              % self.monitor)
                return
            if self.monitor_op(current, self.best):
                if self.verbose > 0:
                    print("\nEpoch %05d: %s improved from %0.5f to %0.5f, saving model to %s"
                          % (epoch + 1, self.monitor, self.best, current, file_path))
                self.best = current
                self._save(file_path)
            elif self.verbose > 0:
                print("\nEpoch %05d: %s did not improve from %0.5f"
                      % (epoch + 1, self.monitor, self.best))
        else:
            if self.verbose > 0:
                print("\nEpoch %05d: saving model to %s" % (epoch + 1, file_path))
            self._save(file_path)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` has not improved (by
    ``min_delta``) for ``patience`` epochs; then wait ``cooldown`` epochs; never go below
    ``min_lr``. Adds the learning rate to the epoch logs as ``lr``."""

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0, **kwargs):
        super().__init__()
        if "epsilon" in kwargs:
            min_delta = kwargs.pop("epsilon")
            warnings.warn("`epsilon` argument is deprecated and will be removed, use "
                          "`min_delta` instead.")
        if kwargs:
            raise TypeError("Unrecognized arguments in `ReduceLROnPlateau`: %s" % sorted(kwargs))
        self.monitor = monitor
        if factor >= 1.0:
            raise ValueError("ReduceLROnPlateau does not support a factor >= 1.0.")
        self.factor = factor
        self.min_lr = min_lr
        self.min_delta = min_delta
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0
        self.best = 0
        self.mode = mode
        self.monitor_op = None
        self._reset()

    def _reset(self):
        if self.mode not in ("auto", "min", "max"):
            warnings.warn("Learning Rate Plateau Reducing mode %s is unknown, fallback to auto "
                          "mode." % self.mode)
            self.mode = "auto"
        if self.mode == "min" or (self.mode == "auto" and "acc" not in self.monitor):
            self.monitor_op = lambda a, b: np.less(a, b - self.min_delta)
            self.best = np.inf
        else:
            self.monitor_op = lambda a, b: np.greater(a, b + self.min_delta)
            self.best = -np.inf
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs=None):
        self._reset()

    def in_cooldown(self):
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs if logs is not None else {}
        K = _backend()
        logs["lr"] = float(K.get_value(self.model.optimizer.lr))
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn("Reduce LR on plateau conditioned on metric `%s` which is not "
                          "available. Available metrics are: %s" % (self.monitor,
                                                                    ",".join(logs)))
            return
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self.monitor_op(current, self.best):
            self.best = current
            self.wait = 0
        elif not self.in_cooldown():
            self.wait += 1
            if self.wait >= self.patience:
                old_lr = float(K.get_value(self.model.optimizer.lr))
                if old_lr > self.min_lr:
                    new_lr = max(old_lr * self.factor, self.min_lr)
                    K.set_value(self.model.optimizer.lr, new_lr)
                    if self.verbose > 0:
                        print("\nEpoch %05d: ReduceLROnPlateau reducing learning rate to %s."
                              % (epoch + 1, new_lr))
                    self.cooldown_counter = self.cooldown
                    self.wait = 0


class LearningRateScheduler(Callback):
    """Set the learning rate at the start of each epoch to ``schedule(epoch, lr)`` (or
    ``schedule(epoch)``); adds it to the epoch logs as ``lr``."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            lr_var = optimizer.lr
        except AttributeError:
            raise ValueError('Optimizer must have a "lr" attribute.') from None
        K = _backend()
        try:
            lr = float(K.get_value(lr_var))
            lr = self.schedule(epoch, lr)
        except TypeError:
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, int, np.floating, np.integer)) or isinstance(lr, bool):
            raise ValueError('The output of the "schedule" function should be float, got %r'
                             % (lr,))
        K.set_value(lr_var, float(lr))
        if self.verbose > 0:
            print("\nEpoch %05d: LearningRateScheduler reducing learning rate to %s."
                  % (epoch + 1, lr))

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = float(_backend().get_value(self.model.optimizer.lr))


class CSVLogger(Callback):
    """Stream the epoch logs to a CSV file: a header ``epoch,<sorted keys>`` then one row per
    epoch. ``append=True`` continues an existing file (no second header)."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.sep = separator
        self.filename = os.fspath(filename)
        self.append = append
        self.writer = None
        self.keys = None
        self.append_header = True
        self.csv_file = None

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename, "r") as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        self.csv_file = io.open(self.filename, mode, newline="")

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}

        def handle_value(k):
            is_zero_dim_ndarray = isinstance(k, np.ndarray) and k.ndim == 0
            if isinstance(k, str):
                return k
            if isinstance(k, collections.abc.Iterable) and not is_zero_dim_ndarray:
                return '"[%s]"' % (", ".join(map(str, k)))
            return k

        if self.keys is None:
            self.keys = sorted(logs.keys())
        if self.model.stop_training:
            logs = dict((k, logs[k]) if k in logs else (k, "NA") for k in self.keys)
        if not self.writer:
            class CustomDialect(csv.excel):
                delimiter = self.sep
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch"] + self.keys,
                                         dialect=CustomDialect)
            if self.append_header:
                self.writer.writeheader()
        row = collections.OrderedDict({"epoch": epoch})
        row.update((key, handle_value(logs.get(key, "NA"))) for key in self.keys)
        self.writer.writerow(row)
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file is not None:
            self.csv_file.close()
        self.writer = None


class LambdaCallback(Callback):
    """A callback from functions: ``on_epoch_begin(epoch, logs)``, ``on_epoch_end(epoch,
    logs)``, ``on_batch_begin(batch, logs)``, ``on_batch_end(batch, logs)``,
    ``on_train_begin(logs)``, ``on_train_end(logs)`` (and any other hook as a keyword)."""

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_batch_begin=None,
                 on_batch_end=None, on_train_begin=None, on_train_end=None, **kwargs):
        super().__init__()
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_batch_begin=on_batch_begin, on_batch_end=on_batch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end, **kwargs)
        for name, fn in hooks.items():
            if not hasattr(Callback, name):
                raise TypeError("LambdaCallback got an unknown hook %r" % name)
            if fn is not None:
                setattr(self, name, fn)


class TerminateOnNaN(Callback):
    """Stop training as soon as a batch loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print("Batch %d: Invalid loss, terminating training" % batch)
            self.model.stop_training = True


class TensorBoard(Callback):
    """Write TensorBoard event files to ``log_dir``: the epoch logs as scalars
    (``epoch_loss``, ``epoch_accuracy``, ... in ``log_dir/train`` and ``log_dir/validation``),
    the model graph (``write_graph``) and, every ``histogram_freq`` epochs, histograms of the
    weights (``update_freq='batch'`` or an int also logs batch values).

    Needs ``tfone.summary`` and the optional ``tensorboard`` package.
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 update_freq="epoch", profile_batch=2, embeddings_freq=0,
                 embeddings_metadata=None, **kwargs):
        super().__init__()
        unknown = set(kwargs) - {"batch_size", "write_grads"}
        if unknown:
            raise TypeError("Unrecognized arguments in `TensorBoard`: %s" % sorted(unknown))
        if embeddings_freq or write_images:
            raise ValueError("tfone's TensorBoard callback writes scalars, the graph and weight "
                             "histograms, not embeddings or weight images; use "
                             "embeddings_freq=0 and write_images=False.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.update_freq = update_freq
        self._writers = {}
        self._total_batches_seen = 0
        self._samples_seen_at_last_write = 0

    def _writer(self, name):
        writer = self._writers.get(name)
        if writer is None:
            from tfone import summary
            writer = summary.FileWriter(os.path.join(self.log_dir, name))
            self._writers[name] = writer
        return writer

    def _scalar(self, writer_name, tag, value, step):
        from tfone.summary import encode
        self._writer(writer_name).add_summary(encode.scalar_pb(tag, float(value)), step)

    def on_train_begin(self, logs=None):
        if self.write_graph:
            self._writer("train").add_graph(self.model.graph)

    def on_train_batch_end(self, batch, logs=None):
        self._total_batches_seen += 1
        if self.update_freq == "epoch":
            return
        every = 1 if self.update_freq == "batch" else int(self.update_freq)
        if self._total_batches_seen % every == 0:
            for k, v in (logs or {}).items():
                if k not in ("batch", "size") and np.ndim(v) == 0:
                    self._scalar("train", "batch_" + k, v, self._total_batches_seen)

    def on_epoch_end(self, epoch, logs=None):
        for k, v in (logs or {}).items():
            if np.ndim(v) != 0:
                continue
            if k.startswith("val_"):
                self._scalar("validation", "epoch_" + k[4:], v, epoch)
            else:
                self._scalar("train", "epoch_" + k, v, epoch)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _log_weights(self, epoch):
        from tfone.summary import encode
        writer = self._writer("train")
        for w, value in zip(self.model.weights, self.model.get_weights()):
            writer.add_summary(encode.histogram_pb(w.name.replace(":", "_"), value), epoch)

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

