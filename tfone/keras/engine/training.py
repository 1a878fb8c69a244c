"""``keras.Model``: compile / fit / evaluate / predict on a tfone graph.

``compile`` builds everything once, as graph ops in the model's graph (``model.graph``):

- a target placeholder per output (``<output>_target``) and a sample-weight placeholder
  (``<output>_sample_weights``), in ``model.targets`` / ``model.sample_weights``;
- the loss under the name scope ``loss/``: per output, the per-sample losses times the
  sample weights, averaged over the batch (Keras's SUM_OVER_BATCH_SIZE), times
  ``loss_weights``, summed, plus the layers' regularization losses: ``model.total_loss``;
- the metrics under ``metrics/`` (stateful metric objects whose totals live in graph
  variables, reset at the start of every epoch): ``model.metrics``;
- the train op under ``training/``: ``optimizer.get_updates(total_loss, trainable_weights)``
  plus the layers' updates (e.g. BatchNormalization's moving averages): ``model.train_op``.

``fit`` then runs ``sess.run`` per batch in ``keras.backend.get_session()``, feeding the batch
to the input, target and sample-weight placeholders and ``True`` to the learning phase. So the
whole model is an ordinary tfone graph: viz can draw it, ``tf.gradients`` works on
``model.total_loss``, and the train step is one session run (:meth:`Model._run_train_step`, the
single place a different way of running a step would plug in).
"""
import warnings
import weakref

import numpy as np

from tfone.framework.graph import Tensor, name_scope
from tfone.keras import backend as K
from tfone.keras import callbacks as callbacks_module
from tfone.keras import losses as losses_module
from tfone.keras import metrics as metrics_module
from tfone.keras import optimizers
from tfone.keras.engine import training_utils as tu
from tfone.keras.engine.network import Network

__all__ = ["Model"]


def _to_list(x):
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


class _GraphFunction:
    """A compiled step: ``f(list of input arrays) -> list of outputs`` (Keras's K.function),
    run in ``keras.backend.get_session()`` for the model's graph."""

    def __init__(self, model, feeds, fetches, extra_feeds=None, name="function"):
        self._model = weakref.ref(model)
        self.inputs = list(feeds)
        self.outputs = list(fetches)
        self._extra = list(extra_feeds or [])   # (tensor, value) fed on every call
        self.name = name
        self._callables = weakref.WeakKeyDictionary()

    def _callable(self):
        model = self._model()
        session = model.__dict__.get("_current_session")
        if session is None:
            with model.graph.as_default():
                session = K.get_session()
        fn = self._callables.get(session)
        if fn is None:
            feed_list = self.inputs + [t for t, _ in self._extra]
            fn = session.make_callable(self.outputs, feed_list)
            self._callables[session] = fn
        return fn

    def __call__(self, values):
        values = list(values) + [v for _, v in self._extra]
        return self._callable()(*values)


class Model(Network):
    """A Keras model: ``Model(inputs, outputs)`` (functional API) or a subclass with ``call``.

    After ``compile``: ``graph``, ``inputs``, ``outputs``, ``targets``, ``sample_weights``,
    ``total_loss``, ``train_op``, ``optimizer``, ``metrics``, ``metrics_names`` and the
    compiled steps ``train_function``, ``test_function``, ``predict_function``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._compile_args = None
        self._reset_training_state()

    def _reset_training_state(self):
        self.optimizer = None
        self.loss = None
        self.loss_functions = []
        self.loss_weights = None
        self.total_loss = None
        self.targets = []
        self.sample_weights = []
        self.train_op = None
        self.train_function = None
        self.test_function = None
        self._predict_function = None
        self._compiled_metrics = []        # (display name, Metric, result tensor)
        self._output_loss_tensors = []
        self._shuffle_rng = None
        self._is_compiled = False

    # -- compile ----------------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, target_tensors=None, **kwargs):
        """Configure training: build the loss, metrics and train op as graph ops.

        ``optimizer``: a name ('adam', 'sgd', ...) or a ``keras.optimizers`` object (or a
        ``tf.train`` optimizer). ``loss``: a name, function or Loss object, or a list / dict
        with one per output. ``metrics``: names ('accuracy' / 'acc' is resolved from the loss
        and the output shape, as Keras does), functions or Metric objects; a list for every
        output, or a dict / list of lists per output. ``loss_weights``: per-output factors.
        ``sample_weight_mode='temporal'``: weights per time step. ``weighted_metrics``: metrics
        that use the sample weights.
        """
        unknown = set(kwargs) - {"run_eagerly", "experimental_run_tf_function", "distribute"}
        if unknown:
            raise TypeError("Invalid keyword argument(s) in `compile`: %s" % sorted(unknown))
        if kwargs.get("distribute") is not None:
            raise NotImplementedError("compile(distribute=...) is not supported by tfone yet.")
        if target_tensors is not None:
            raise NotImplementedError("target_tensors is not supported by tfone: targets are fed "
                                      "from numpy arrays or datasets.")
        if loss is None:
            raise ValueError("compile() needs a loss (e.g. loss='mse'): the model has no loss "
                             "to optimize.")
        self._compile_args = dict(optimizer=optimizer, loss=loss, metrics=metrics,
                                  loss_weights=loss_weights,
                                  sample_weight_mode=sample_weight_mode,
                                  weighted_metrics=weighted_metrics)
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self._compile_metrics = metrics
        self._compile_weighted_metrics = weighted_metrics
        if self.built and self.outputs:
            self._compile_graph()

    def _compile_graph(self):
        """Build targets, losses, metrics and the train op (called once the model has
        inputs and outputs)."""
        args = self._compile_args
        optimizer = self.optimizer
        self._reset_training_state()
        self.optimizer = optimizer
        self.loss = args["loss"]
        self.loss_weights = args["loss_weights"]
        graph = self.graph
        output_names = self.output_names
        n = len(self.outputs)
        with graph.as_default():
            self.loss_functions = self._resolve_per_output(args["loss"], "loss", n,
                                                           losses_module.get)
            weights = self._resolve_loss_weights(args["loss_weights"], n)
            self._temporal = self._resolve_sample_weight_modes(args["sample_weight_mode"], n)
            self.targets, self.sample_weights = [], []
            from tfone.ops import array_ops
            for i, (name, output) in enumerate(zip(output_names, self.outputs)):
                rank = output.shape.ndims
                self.targets.append(array_ops.placeholder(
                    output.dtype.base_dtype, shape=None if rank is None else [None] * rank,
                    name=name + "_target"))
                # Weights default to ones (one per sample, or per time step), so feeding the
                # inputs and targets is enough to run the loss (e.g. in viz or tf.gradients).
                with name_scope(name + "_sample_weights_default"):
                    n_dims = 2 if self._temporal[i] else 1
                    ones = array_ops.ones(array_ops.shape(output)[:n_dims], dtype=K.floatx())
                self.sample_weights.append(array_ops.placeholder_with_default(
                    ones, shape=[None] * n_dims, name=name + "_sample_weights"))
            # -- loss
            total_loss = None
            self._output_loss_tensors = []
            with name_scope("loss"):
                for i, (name, output, loss_fn) in enumerate(zip(output_names, self.outputs,
                                                                self.loss_functions)):
                    if loss_fn is None:
                        self._output_loss_tensors.append(None)
                        continue
                    with name_scope(name + "_loss"):
                        output_loss = self._weighted_output_loss(
                            loss_fn, self.targets[i], output, self.sample_weights[i])
                    self._output_loss_tensors.append(output_loss)
                    term = output_loss if weights[i] == 1 else weights[i] * output_loss
                    total_loss = term if total_loss is None else total_loss + term
                if total_loss is None:
                    raise ValueError("The model cannot be compiled because it has no loss to "
                                     "optimize.")
                regularization = self.losses
                if regularization:
                    from tfone.ops import math_ops
                    total_loss = total_loss + math_ops.add_n(
                        [math_ops.cast(l, total_loss.dtype) for l in regularization])
            self.total_loss = total_loss
            # -- metrics
            self._compiled_metrics = []
            with name_scope("metrics"):
                self._build_metrics(args["metrics"], weighted=False)
                self._build_metrics(args["weighted_metrics"], weighted=True)
            # -- train op
            self._collected_trainable_weights = self.trainable_weights
            from tfone.ops import control_flow_ops
            updates = []
            with name_scope("training"):
                if self._collected_trainable_weights:
                    updates += optimizer.get_updates(params=self._collected_trainable_weights,
                                                     loss=self.total_loss)
                updates += self._layer_updates()
                self.train_op = control_flow_ops.group(*updates, name="train_op") if \
                    updates else control_flow_ops.no_op(name="train_op")
            self._reset_metrics_op = None
            self._make_functions()
        self._is_compiled = True

    def _resolve_per_output(self, spec, what, n, getter):
        names = self.output_names
        if isinstance(spec, dict):
            unknown = set(spec) - set(names)
            if unknown:
                raise ValueError("Unknown entries in %s dictionary: %s. Only expected following "
                                 "keys: %s" % (what, sorted(unknown), names))
            result = []
            for name in names:
                if name not in spec:
                    warnings.warn("Output %s missing from %s dictionary. We assume this was "
                                  "done on purpose. The fit and evaluate APIs will not be "
                                  "expecting any data to be passed to %s." % (name, what, name))
                    result.append(None)
                else:
                    result.append(getter(spec[name]))
            return result
        if isinstance(spec, (list, tuple)):
            if len(spec) != n:
                raise ValueError("When passing a list as %s, it should have one entry per model "
                                 "outputs. The model has %d outputs, but you passed %s=%r"
                                 % (what, n, what, spec))
            return [getter(s) for s in spec]
        fn = getter(spec)
        return [fn] * n

    def _resolve_loss_weights(self, loss_weights, n):
        if loss_weights is None:
            return [1.] * n
        if isinstance(loss_weights, dict):
            for name in loss_weights:
                if name not in self.output_names:
                    raise ValueError("Unknown entry in loss_weights dictionary: \"%s\". Only "
                                     "expected the following keys: %s" % (name,
                                                                          self.output_names))
            return [loss_weights.get(name, 1.) for name in self.output_names]
        if isinstance(loss_weights, (list, tuple)):
            if len(loss_weights) != n:
                raise ValueError("When passing a list as loss_weights, it should have one entry "
                                 "per model output. The model has %d outputs, but you passed "
                                 "loss_weights=%s" % (n, loss_weights))
            return list(loss_weights)
        raise TypeError("Could not interpret loss_weights argument: %r - expected a list of "
                        "dicts." % (loss_weights,))

    def _resolve_sample_weight_modes(self, mode, n):
        def check(m):
            if m not in (None, "temporal"):
                raise ValueError("sample_weight_mode must be None or 'temporal', got %r" % (m,))
            return m == "temporal"
        if isinstance(mode, dict):
            return [check(mode.get(name)) for name in self.output_names]
        if isinstance(mode, (list, tuple)):
            if len(mode) != n:
                raise ValueError("When passing a list as sample_weight_mode, it should have one "
                                 "entry per model output.")
            return [check(m) for m in mode]
        return [check(mode)] * n

    @staticmethod
    def _weighted_output_loss(loss_fn, y_true, y_pred, sample_weight):
        """Keras: per-sample losses x weights, reduced by the loss's reduction (AUTO and
        SUM_OVER_BATCH_SIZE: sum / number of losses)."""
        if isinstance(loss_fn, losses_module.Loss):
            per_sample = loss_fn.call(y_true, y_pred)
            reduction = loss_fn.reduction
            if reduction == losses_module.Reduction.AUTO:
                reduction = losses_module.Reduction.SUM_OVER_BATCH_SIZE
            weighted = losses_module.compute_weighted_loss(
                per_sample, sample_weight, reduction=losses_module.Reduction.NONE)
            if reduction == losses_module.Reduction.NONE:
                from tfone.ops import math_ops
                return math_ops.reduce_mean(weighted)
            return losses_module.reduce_weighted_loss(weighted, reduction)
        per_sample = loss_fn(y_true, y_pred)
        return losses_module.compute_weighted_loss(per_sample, sample_weight)

    def _metric_specs(self, metrics):
        """A list (one per output) of lists of metric identifiers."""
        n = len(self.outputs)
        if metrics is None:
            return [[] for _ in range(n)]
        if isinstance(metrics, dict):
            unknown = set(metrics) - set(self.output_names)
            if unknown:
                raise ValueError("Unknown entries in metrics dictionary: %s. Only expected the "
                                 "following keys: %s" % (sorted(unknown), self.output_names))
            return [_to_list(metrics.get(name)) for name in self.output_names]
        if not isinstance(metrics, (list, tuple)):
            raise TypeError("Type of `metrics` argument not understood. Expected a list or "
                            "dictionary, found: %r" % (metrics,))
        if metrics and all(isinstance(m, (list, tuple)) for m in metrics):
            if len(metrics) != n:
                raise ValueError("When passing a list of lists as `metrics`, it should have one "
                                 "entry per model output. The model has %d outputs, but you "
                                 "passed metrics=%s" % (n, metrics))
            return [list(m) for m in metrics]
        return [list(metrics) for _ in range(n)]

    def _build_metrics(self, metrics, weighted):
        specs = self._metric_specs(metrics)
        used_names = {name for name, _, _ in self._compiled_metrics} | {"loss"}
        multi = len(self.outputs) > 1
        for i, (output_name, output, loss_fn) in enumerate(zip(self.output_names, self.outputs,
                                                               self.loss_functions)):
            if loss_fn is None:
                continue
            for spec in specs[i]:
                metric_obj, base_name = self._make_metric(spec, output, loss_fn, multi,
                                                          output_name)
                name = ("weighted_" if weighted else "") + base_name
                if multi:
                    name = output_name + "_" + name
                unique, k = name, 1
                while unique in used_names:
                    unique = "%s_%d" % (name, k)
                    k += 1
                used_names.add(unique)
                if isinstance(metric_obj, metrics_module.MeanMetricWrapper) and \
                        metric_obj._graph is None and not getattr(metric_obj, "_user", False):
                    metric_obj.name = unique
                weight = self.sample_weights[i] if weighted else None
                result = metric_obj(self.targets[i], output, sample_weight=weight)
                self._compiled_metrics.append((unique, metric_obj, result))

    @staticmethod
    def _make_metric(spec, output, loss_fn, multi, output_name):
        shape = K.int_shape(output)
        if isinstance(spec, str) and spec in ("accuracy", "acc", "crossentropy", "ce"):
            fn = metrics_module.resolve_accuracy(spec, shape, loss_fn)
            return metrics_module.MeanMetricWrapper(fn, name=spec), spec
        if isinstance(spec, metrics_module.Metric):
            spec._user = True
            return spec, spec.name
        if isinstance(spec, type) and issubclass(spec, metrics_module.Metric):
            obj = spec()
            return obj, obj.name
        fn = metrics_module.get(spec)
        if isinstance(fn, metrics_module.Metric):
            return fn, fn.name
        name = spec if isinstance(spec, str) else getattr(fn, "__name__", "metric")
        return metrics_module.MeanMetricWrapper(fn, name=name), name

    def _layer_updates(self):
        """The layers' update ops that only need this model's feeds."""
        allowed = {id(t.op) for t in self.inputs}
        lp = K.learning_phase()
        if isinstance(lp, Tensor):
            allowed.add(id(lp.op))
        result = []
        for u in self.updates:
            if _placeholders_of(u) <= allowed:
                result.append(u)
        return result

    # -- steps --------------------------------------------------------------------------------
    def _make_functions(self):
        lp = K.learning_phase()
        train_extra = [(lp, np.array(True))] if isinstance(lp, Tensor) else []
        feeds = self._feed_inputs + self.targets + self.sample_weights
        metric_results = [r for _, _, r in self._compiled_metrics]
        losses_out = self._output_losses_for_logs()
        self.train_function = _GraphFunction(
            self, feeds, [self.train_op, self.total_loss] + losses_out + metric_results,
            train_extra, name="train_function")
        self.test_function = _GraphFunction(
            self, feeds, [self.total_loss] + losses_out + metric_results,
            name="test_function")

    def _output_losses_for_logs(self):
        if len(self.outputs) > 1:
            return [t for t in self._output_loss_tensors if t is not None]
        return []

    @property
    def predict_function(self):
        if self._predict_function is None:
            self._predict_function = _GraphFunction(self, self._feed_inputs, list(self.outputs),
                                                    name="predict_function")
        return self._predict_function

    def _make_train_function(self):
        self._assert_compiled()

    def _make_test_function(self):
        self._assert_compiled()

    def _make_predict_function(self):
        return self.predict_function

    @property
    def metrics_names(self):
        """``['loss', <output losses if several outputs>, <metric names>]``: the order of
        ``evaluate``'s results."""
        names = ["loss"]
        if self._is_compiled and len(self.outputs) > 1:
            names += [name + "_loss" for name, t in zip(self.output_names,
                                                        self._output_loss_tensors)
                      if t is not None]
        names += [name for name, _, _ in self._compiled_metrics]
        return names

    @property
    def metrics(self):
        """The compiled metric objects (their state accumulates over an epoch)."""
        return [m for _, m, _ in self._compiled_metrics]

    def reset_metrics(self):
        """Zero the state of every compiled metric."""
        if not self._compiled_metrics:
            return
        from tfone.ops import control_flow_ops
        with self.graph.as_default():
            if self._reset_metrics_op is None:
                ops = [m.reset_op() for _, m, _ in self._compiled_metrics]
                with name_scope(None):
                    self._reset_metrics_op = control_flow_ops.group(*ops,
                                                                    name="reset_metrics")
            session = self.__dict__.get("_current_session") or K.get_session()
            session.run(self._reset_metrics_op)

    def _run_train_step(self, inputs, targets, sample_weights):
        """One optimizer step on one batch (lists of numpy arrays, one per input / output).

        Returns ``[total_loss, *output_losses, *metric_results]`` for the batch. This is the
        one place a training step runs: replace it to train differently (e.g. distributed).
        """
        return self.train_function(inputs + targets + sample_weights)[1:]

    def _run_test_step(self, inputs, targets, sample_weights):
        return self.test_function(inputs + targets + sample_weights)

    def _session_scope(self):
        """Within it, every step runs in the session ``keras.backend.get_session()`` gives now
        (looked up once, not per batch)."""
        return _SessionScope(self)

    # -- building from data ------------------------------------------------------------------------
    def _assert_compiled(self):
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        if not self._is_compiled:
            if not self.built or not self.outputs:
                raise RuntimeError("The model is not built yet: give the first layer an "
                                   "input_shape, or call fit/evaluate/predict with data.")
            self._compile_graph()

    def _build_from_data(self, sample_inputs):
        """Build a model that has no inputs yet (deferred Sequential, subclassed model) from
        the shapes and dtypes of the first data it sees."""
        if self.built and self.outputs:
            return
        arrays = [np.asarray(a) for a in _to_list(sample_inputs)]
        shapes = [(None,) + tuple(a.shape[1:]) for a in arrays]
        dtypes_ = []
        for a in arrays:
            if a.dtype.kind == "f":
                dtypes_.append(K.floatx())
            elif a.dtype.kind in "iu":
                dtypes_.append("int32" if a.dtype.itemsize <= 4 else "int64")
            elif a.dtype.kind == "b":
                dtypes_.append("bool")
            else:
                dtypes_.append(K.floatx())
        self._build_for_shapes(shapes, dtypes_)
        if self._compile_args is not None and not self._is_compiled:
            self._compile_graph()

    def _build_for_shapes(self, shapes, dtypes_):
        from tfone.ops import array_ops
        graph = self._graph or K.get_graph()
        with graph.as_default():
            placeholders = [array_ops.placeholder(d, shape=s, name="input_%d" % (i + 1))
                            for i, (s, d) in enumerate(zip(shapes, dtypes_))]
            self._trace_subclassed(placeholders[0] if len(placeholders) == 1 else placeholders)

    def _shuffler(self):
        """The random source for shuffling: seeded from the graph seed when one is set
        (``tf.set_random_seed`` / ``keras.utils.set_random_seed``), else numpy's global one."""
        seed = self.graph.seed if self.graph is not None else None
        if seed is None:
            return np.random
        if self._shuffle_rng is None or self._shuffle_rng[0] != seed:
            self._shuffle_rng = (seed, np.random.RandomState(seed % (2 ** 32)))
        return self._shuffle_rng[1]

    # -- data -------------------------------------------------------------------------------------------
    def _feed_output_shapes(self):
        shapes, check_last = [], []
        for output, loss_fn in zip(self.outputs, self.loss_functions or [None] * len(
                self.outputs)):
            shape = K.int_shape(output)
            fn = getattr(loss_fn, "fn", loss_fn)
            sparse = fn is losses_module.sparse_categorical_crossentropy
            shapes.append(None if shape is None or loss_fn is None else shape)
            check_last.append(not sparse)
        return shapes, check_last

    def _standardize_user_data(self, x, y=None, sample_weight=None, class_weight=None,
                               check_targets=True):
        """(inputs, targets, sample weights) as lists of arrays, checked as Keras does."""
        if not (self.built and self.outputs):
            self._build_from_data(x if not isinstance(x, dict) else list(x.values()))
        inputs = tu.standardize_input_data(x, self._feed_input_names, self._feed_input_shapes,
                                           check_batch_axis=False, exception_prefix="input")
        inputs = [_cast_input(a, t) for a, t in zip(inputs, self._feed_inputs)]
        if not check_targets:
            tu.check_array_lengths(inputs, None)
            return inputs, None, None
        self._assert_compiled()
        if y is None:
            raise ValueError("You need to pass targets (y) to train or evaluate the model.")
        names = [n for n, f in zip(self.output_names, self.loss_functions) if f is not None]
        shapes, check_last = self._feed_output_shapes()
        keep = [i for i, f in enumerate(self.loss_functions) if f is not None]
        targets = tu.standardize_input_data(y, names, None, exception_prefix="target")
        # the loss-specific advice first (e.g. integer labels with categorical_crossentropy)
        tu.check_loss_and_target_compatibility(targets, [self.loss_functions[i] for i in keep],
                                               [shapes[i] for i in keep])
        targets = tu.standardize_input_data(targets, names, [shapes[i] for i in keep],
                                            check_batch_axis=False, exception_prefix="target",
                                            check_last_dim=[check_last[i] for i in keep])
        targets = [_cast_target(a, self.targets[i]) for a, i in zip(targets, keep)]
        weights = tu.standardize_sample_weights(targets, sample_weight, class_weight, names,
                                                [self._temporal[i] for i in keep])
        tu.check_array_lengths(inputs, targets, weights)
        full_targets, full_weights = [], []
        j = 0
        n = len(inputs[0]) if inputs else 0
        for i, output in enumerate(self.outputs):
            if i in keep:
                full_targets.append(targets[j])
                w = weights[j]
                j += 1
            else:
                full_targets.append(np.zeros((n,) + tuple(
                    d or 1 for d in K.int_shape(output)[1:]), output.dtype.as_numpy_dtype))
                w = np.zeros((n,), np.float32)
            if w is None:
                w = np.ones((n, full_targets[-1].shape[1]) if self._temporal[i] else (n,),
                            np.float32)
            full_weights.append(w)
        return inputs, full_targets, full_weights

    def _batches_from_arrays(self, inputs, targets, weights, batch_size, shuffle=False,
                             steps=None):
        """An iterator of (inputs, targets, weights, size) batches over numpy arrays."""
        n = len(inputs[0]) if inputs else len(targets[0])
        if shuffle == "batch":
            index_array = tu.batch_shuffle(np.arange(n), batch_size, self._shuffler())
        elif shuffle:
            index_array = np.arange(n)
            self._shuffler().shuffle(index_array)
        else:
            index_array = None
        batches = tu.make_batches(n, batch_size)
        if steps is not None:
            batches = batches[:steps]
        for start, end in batches:
            if index_array is None:
                xs = tu.slice_arrays(inputs, start, end)
                ys = tu.slice_arrays(targets, start, end) if targets is not None else None
                ws = tu.slice_arrays(weights, start, end) if weights is not None else None
            else:
                ids = index_array[start:end]
                xs = tu.slice_arrays(inputs, indices=ids)
                ys = tu.slice_arrays(targets, indices=ids) if targets is not None else None
                ws = tu.slice_arrays(weights, indices=ids) if weights is not None else None
            yield xs, ys, ws, end - start

    def _batches_from_iterator(self, iterator, steps, class_weight=None, need_targets=True):
        """Batches from dataset / generator elements (each already a batch)."""
        count = 0
        while steps is None or count < steps:
            try:
                element = next(iterator)
            except StopIteration:
                return
            x, y, w = tu.unpack_element(element)
            self._check_batched(x)
            if need_targets:
                xs, ys, ws = self._standardize_user_data(x, y, w, class_weight)
            else:
                xs, ys, ws = self._standardize_user_data(x, check_targets=False)
            count += 1
            yield xs, ys, ws, len(xs[0])

    def _check_batched(self, x):
        if not (self.built and self.outputs):
            return
        first = x if not isinstance(x, (tuple, list, dict)) else (
            list(x.values())[0] if isinstance(x, dict) else x[0])
        shape = self._feed_input_shapes[0]
        if shape is not None and np.ndim(first) == len(shape) - 1 and len(shape) > 2:
            raise ValueError("The dataset elements have shape %s but the model expects batches "
                             "of shape %s: batch the dataset first, e.g. dataset.batch(32)."
                             % (np.shape(first), shape))

    @staticmethod
    def _count_steps(data, steps, what):
        if steps is not None:
            return steps
        if tu.is_dataset(data):
            n = data.cardinality()
            if n == -1:
                raise ValueError("When passing an infinitely repeating dataset, you must "
                                 "specify the `%s` argument." % what)
            return n if n >= 0 else None
        if hasattr(data, "__len__") and hasattr(data, "__getitem__") and \
                not isinstance(data, (np.ndarray, list, tuple, dict)):
            return len(data)
        raise ValueError("When passing a generator, you must specify the `%s` argument "
                         "(how many batches make one epoch)." % what)

    # -- fit --------------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0., validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            **kwargs):
        """Train for ``epochs`` epochs; returns the ``History`` callback.

        ``x``, ``y``: numpy arrays (or array-likes, lists per input/output, dicts by name), or
        ``x`` a ``tfone.data.Dataset`` / generator of ``(x, y[, sample_weight])`` batches.
        ``validation_split`` holds out the *last* fraction of the arrays (before shuffling);
        ``validation_data``: ``(x_val, y_val[, weights])`` or a dataset. ``shuffle``: True
        (per epoch), 'batch' or False. ``class_weight``: ``{class: weight}``;
        ``sample_weight``: one weight per sample. ``initial_epoch``: epoch to start at (for
        resuming). ``steps_per_epoch``: batches per epoch (required for endless data).
        ``distribute``: a ``tfone.distribute.Cluster`` to train on (synchronous data
        parallelism; see :mod:`tfone.distribute.keras_training`).
        """
        distribute = kwargs.pop("distribute", None)
        if kwargs:
            if "nb_epoch" in kwargs:
                epochs = kwargs.pop("nb_epoch")
                warnings.warn("The `nb_epoch` argument in `fit` has been renamed `epochs`.")
            if kwargs:
                raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        is_stream = tu.is_dataset(x) or tu.is_generator(x)
        if is_stream:
            if y is not None:
                raise ValueError("`y` argument is not supported when using a dataset or "
                                 "generator as input: its elements give the targets.")
            if batch_size is not None:
                raise ValueError("The `batch_size` argument must not be specified for the "
                                 "given input type (a dataset or generator is already batched).")
            if validation_split:
                raise ValueError("`validation_split` is only supported for Tensors or NumPy "
                                 "arrays, found: %r" % (x,))
            if sample_weight is not None:
                raise ValueError("`sample_weight` argument is not supported when using a "
                                 "dataset: give (x, y, sample_weight) elements instead.")
        batch_size = 32 if batch_size is None else int(batch_size)

        # -- training data
        if is_stream:
            steps = self._count_steps(x, steps_per_epoch, "steps_per_epoch")
            if not (self.built and self.outputs):
                first = next(iter(x)) if tu.is_dataset(x) else None
                if first is None:
                    raise ValueError("Build the model (give the first layer an input_shape) "
                                     "before fitting it on a generator.")
                self._build_from_data(tu.unpack_element(first)[0])
            self._assert_compiled()
            samples = None
        else:
            inputs, targets, weights = self._standardize_user_data(x, y, sample_weight,
                                                                   class_weight)
            if validation_split and validation_data is None:
                if not 0. < validation_split < 1.:
                    raise ValueError("validation_split must be in [0, 1), got %r"
                                     % (validation_split,))
                split_at = int(len(inputs[0]) * (1. - validation_split))
                val_data = (tu.slice_arrays(inputs, split_at, None),
                            tu.slice_arrays(targets, split_at, None),
                            tu.slice_arrays(weights, split_at, None))
                inputs = tu.slice_arrays(inputs, 0, split_at)
                targets = tu.slice_arrays(targets, 0, split_at)
                weights = tu.slice_arrays(weights, 0, split_at)
                validation_data = _PreparedData(*val_data)
            samples = len(inputs[0])
            if samples == 0:
                raise ValueError("fit() got no training samples (after the validation split).")
            n_batches = len(tu.make_batches(samples, batch_size))
            steps = n_batches if steps_per_epoch is None else min(steps_per_epoch, n_batches)
            if steps_per_epoch is not None and steps_per_epoch > n_batches:
                warnings.warn("steps_per_epoch=%d is more than the %d batches of the data: each "
                              "epoch uses every batch once." % (steps_per_epoch, n_batches))

        if distribute is None:
            train_step = self._run_train_step
        else:
            from tfone.distribute.keras_training import distributed_train_step
            train_step = distributed_train_step(self, distribute)

        # -- validation data
        do_validation = validation_data is not None
        val = None
        if do_validation:
            val = self._prepare_eval_data(validation_data, batch_size, validation_steps,
                                          "validation_steps")

        callbacks = callbacks_module.CallbackList(
            callbacks, add_history=True, add_progbar=verbose != 0, model=self)
        callbacks.set_params({
            "batch_size": None if is_stream else batch_size, "epochs": epochs, "steps": steps,
            "samples": samples, "verbose": verbose, "do_validation": do_validation,
            "metrics": self._metric_names_with_val(do_validation)})
        self.stop_training = False
        stream_iterator = None
        with self._session_scope():   # (also initializes variables made since the last run)
            callbacks.on_train_begin()
            epoch_logs = {}
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                callbacks.on_epoch_begin(epoch)
                if is_stream:
                    if steps_per_epoch is None or stream_iterator is None:
                        stream_iterator = iter(x)
                    # a dataset without steps_per_epoch runs until exhausted; a Sequence-like
                    # object (e.g. ImageDataGenerator.flow) may be endless: len(x) batches
                    epoch_steps = steps_per_epoch if steps_per_epoch is not None or \
                        tu.is_dataset(x) else steps
                    batches = self._batches_from_iterator(stream_iterator, epoch_steps,
                                                          class_weight)
                else:
                    batches = self._batches_from_arrays(inputs, targets, weights, batch_size,
                                                        shuffle=shuffle, steps=steps)
                tracker = self._tracker()
                seen_steps = 0
                for step, (xs, ys, ws, size) in enumerate(batches):
                    batch_logs = {"batch": step, "size": size}
                    callbacks.on_train_batch_begin(step, batch_logs)
                    outs = train_step(xs, ys, ws)
                    batch_logs.update(tracker.update(outs, size))
                    callbacks.on_train_batch_end(step, batch_logs)
                    seen_steps += 1
                    if self.stop_training:
                        break
                if seen_steps == 0:
                    warnings.warn("Your input ran out of data; interrupting training. Make sure "
                                  "that your dataset or generator can generate at least "
                                  "`steps_per_epoch * epochs` batches (use .repeat()).")
                    break
                epoch_logs = tracker.result()
                if do_validation and _should_validate(validation_freq, epoch):
                    val_outs = self._evaluate_loop(val, callbacks=callbacks)
                    for name, value in zip(self.metrics_names, val_outs):
                        epoch_logs["val_" + name] = value
                callbacks.on_epoch_end(epoch, epoch_logs)
                if self.stop_training:
                    break
            callbacks.on_train_end()
        return self.history

    def _tracker(self):
        return _LossTracker(self.metrics_names, 1 + len(self._output_losses_for_logs()))

    def _metric_names_with_val(self, do_validation):
        names = list(self.metrics_names)
        if do_validation:
            names += ["val_" + n for n in names]
        return names

    def _prepare_eval_data(self, data, batch_size, steps, steps_name):
        """Evaluation data as ('arrays', inputs, targets, weights, batch_size) or
        ('stream', dataset, steps)."""
        if isinstance(data, _PreparedData):
            return ("arrays", data.inputs, data.targets, data.weights, batch_size)
        if tu.is_dataset(data) or tu.is_generator(data):
            return ("stream", data, self._count_steps(data, steps, steps_name))
        if isinstance(data, (tuple, list)) and len(data) in (2, 3):
            x_val, y_val = data[0], data[1]
            w_val = data[2] if len(data) == 3 else None
            inputs, targets, weights = self._standardize_user_data(x_val, y_val, w_val)
            return ("arrays", inputs, targets, weights, batch_size)
        raise ValueError("When passing validation_data, it must contain 2 (x_val, y_val) or 3 "
                         "(x_val, y_val, val_sample_weights) items, however it contains %d "
                         "items" % len(data) if hasattr(data, "__len__") else
                         "validation_data must be a tuple (x_val, y_val[, weights]) or a "
                         "dataset, got %r" % (data,))

    def _evaluate_loop(self, prepared, callbacks=None, verbose=0):
        """[loss, *output losses, *metrics] over the data (metrics reset first)."""
        self.reset_metrics()
        if prepared[0] == "arrays":
            _, inputs, targets, weights, batch_size = prepared
            batches = self._batches_from_arrays(inputs, targets, weights, batch_size)
        else:
            _, data, steps = prepared
            batches = self._batches_from_iterator(iter(data), steps)
        tracker = self._tracker()
        if callbacks is not None:
            callbacks.on_test_begin()
        for step, (xs, ys, ws, size) in enumerate(batches):
            batch_logs = {"batch": step, "size": size}
            if callbacks is not None:
                callbacks.on_test_batch_begin(step, batch_logs)
            outs = self._run_test_step(xs, ys, ws)
            batch_logs.update(tracker.update(outs, size))
            if callbacks is not None:
                callbacks.on_test_batch_end(step, batch_logs)
        logs = tracker.result()
        if callbacks is not None:
            callbacks.on_test_end(logs)
        return [logs[name] for name in self.metrics_names] if logs else \
            [float("nan")] * len(self.metrics_names)

    # -- evaluate / predict ---------------------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None,
                 callbacks=None, max_queue_size=10, workers=1, use_multiprocessing=False):
        """The loss (a scalar) or ``[loss, *metrics]`` (see ``metrics_names``) over the data,
        averaged over samples."""
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        if tu.is_dataset(x) or tu.is_generator(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using a dataset or "
                                 "generator as input.")
            if batch_size is not None:
                raise ValueError("The `batch_size` argument must not be specified for the "
                                 "given input type (a dataset or generator is already batched).")
            if not (self.built and self.outputs) and tu.is_dataset(x):
                self._build_from_data(tu.unpack_element(next(iter(x)))[0])
            self._assert_compiled()
            prepared = ("stream", x, self._count_steps(x, steps, "steps"))
            n_steps = prepared[2]
        else:
            batch_size = 32 if batch_size is None else int(batch_size)
            inputs, targets, weights = self._standardize_user_data(x, y, sample_weight)
            prepared = ("arrays", inputs, targets, weights, batch_size)
            n_steps = len(tu.make_batches(len(inputs[0]), batch_size))
            if steps is not None:
                n_steps = min(steps, n_steps)
        callbacks = callbacks_module.CallbackList(callbacks, add_progbar=verbose != 0,
                                                  model=self)
        callbacks.set_params({"batch_size": batch_size, "epochs": 1, "steps": n_steps,
                              "samples": None, "verbose": verbose,
                              "metrics": list(self.metrics_names)})
        with self._session_scope():
            results = self._evaluate_loop(prepared, callbacks=callbacks)
        if len(results) == 1:
            return results[0]
        return results

    def predict(self, x, batch_size=None, verbose=0, steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False):
        """The model's outputs for ``x``, computed in batches (learning phase: test)."""
        stream = tu.is_dataset(x) or tu.is_generator(x)
        if stream:
            if batch_size is not None:
                raise ValueError("The `batch_size` argument must not be specified for the "
                                 "given input type (a dataset or generator is already batched).")
            if not (self.built and self.outputs) and tu.is_dataset(x):
                self._build_from_data(tu.unpack_element(next(iter(x)))[0])
            n_steps = self._count_steps(x, steps, "steps")
            batches = self._batches_from_iterator(iter(x), n_steps, need_targets=False)
        else:
            batch_size = 32 if batch_size is None else int(batch_size)
            inputs, _, _ = self._standardize_user_data(x, check_targets=False)
            n = len(inputs[0])
            n_steps = len(tu.make_batches(n, batch_size))
            if steps is not None:
                n_steps = min(steps, n_steps)
            batches = self._batches_from_arrays(inputs, None, None, batch_size, steps=n_steps)
        if not self.outputs:
            raise RuntimeError("The model has no outputs yet: build it first.")
        callbacks = callbacks_module.CallbackList(callbacks, add_progbar=verbose != 0,
                                                  model=self)
        callbacks.set_params({"batch_size": batch_size, "epochs": 1, "steps": n_steps,
                              "samples": None, "verbose": verbose})
        outputs = [[] for _ in self.outputs]
        with self._session_scope():
            callbacks.on_predict_begin()
            for step, (xs, _, _, size) in enumerate(batches):
                batch_logs = {"batch": step, "size": size}
                callbacks.on_predict_batch_begin(step, batch_logs)
                outs = self.predict_function(xs)
                for store, value in zip(outputs, outs):
                    store.append(np.asarray(value))
                batch_logs["outputs"] = outs
                callbacks.on_predict_batch_end(step, batch_logs)
            callbacks.on_predict_end()
        results = [np.concatenate(o, axis=0) if o else np.zeros((0,)) for o in outputs]
        return results[0] if len(results) == 1 else results

    # -- single batches -------------------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       reset_metrics=True):
        """One optimizer step on one batch; returns the loss (a scalar) or
        ``[loss, *metrics]`` for it (metrics accumulate across calls when
        ``reset_metrics=False``)."""
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight,
                                                               class_weight)
        with self._session_scope():
            outs = self._run_train_step(inputs, targets, weights)
            if reset_metrics:
                self.reset_metrics()
        outs = [_scalar(o) for o in outs]
        return outs[0] if len(outs) == 1 else outs

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True):
        """The loss (a scalar) or ``[loss, *metrics]`` on one batch, without training."""
        if self._compile_args is None:
            raise RuntimeError("You must compile your model before training/testing. Use "
                               "`model.compile(optimizer, loss)`.")
        inputs, targets, weights = self._standardize_user_data(x, y, sample_weight)
        with self._session_scope():
            outs = self._run_test_step(inputs, targets, weights)
            if reset_metrics:
                self.reset_metrics()
        outs = [_scalar(o) for o in outs]
        return outs[0] if len(outs) == 1 else outs

    def predict_on_batch(self, x):
        """The model's outputs for one batch."""
        inputs, _, _ = self._standardize_user_data(x, check_targets=False)
        with self._session_scope():
            outs = self.predict_function(inputs)
        return outs[0] if len(outs) == 1 else list(outs)

    # -- older Keras names ------------------------------------------------------------------------
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """``fit`` on a generator / dataset of batches (Keras 2's older API)."""
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)


class _SessionScope:
    def __init__(self, model):
        self._model = model

    def __enter__(self):
        self._graph_cm = self._model.graph.as_default()
        self._graph_cm.__enter__()
        self._previous = self._model.__dict__.get("_current_session")
        self._model.__dict__["_current_session"] = K.get_session()
        return self._model.__dict__["_current_session"]

    def __exit__(self, *exc):
        self._model.__dict__["_current_session"] = self._previous
        self._graph_cm.__exit__(*exc)
        return False


class _PreparedData:
    def __init__(self, inputs, targets, weights):
        self.inputs, self.targets, self.weights = inputs, targets, weights


class _LossTracker:
    """Running values for the logs: the first ``n_losses`` outputs (total loss, then one per
    output for multi-output models) as sample-weighted means over the batches seen, the
    metrics as their current (stateful) result."""

    def __init__(self, names, n_losses):
        self.names = names
        self.n_losses = n_losses
        self._sums = [0.0] * n_losses
        self._count = 0
        self._last = None

    def update(self, outs, size):
        values = [_scalar(o) for o in outs]
        for i in range(self.n_losses):
            self._sums[i] += values[i] * size
        self._count += size
        self._last = values
        return self.result()

    def result(self):
        if self._last is None:
            return {}
        logs = {}
        for i in range(self.n_losses):
            logs[self.names[i]] = self._sums[i] / max(self._count, 1)
        for name, value in zip(self.names[self.n_losses:], self._last[self.n_losses:]):
            logs[name] = value
        return logs


def _should_validate(validation_freq, epoch):
    if isinstance(validation_freq, int):
        if validation_freq < 1:
            raise ValueError("`validation_freq` can not be less than 1.")
        return (epoch + 1) % validation_freq == 0
    return (epoch + 1) in validation_freq


def _scalar(value):
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value


def _cast_input(array, placeholder):
    dtype = placeholder.dtype.base_dtype
    if array.dtype == dtype.as_numpy_dtype:
        return array
    if dtype.is_floating and array.dtype.kind in "fiub":
        return array.astype(dtype.as_numpy_dtype)
    return array


_cast_target = _cast_input


def _placeholders_of(op):
    """ids of the Placeholder ops ``op`` depends on (through data and control inputs)."""
    seen, stack, found = set(), [op], set()
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if o.type in ("Placeholder", "PlaceholderWithDefault"):
            found.add(id(o))
            if o.type == "Placeholder":
                continue
        stack.extend(t.op for t in o.inputs)
        stack.extend(o.control_inputs)
    return found
