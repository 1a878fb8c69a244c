"""``model.fit(..., distribute=cluster)``: Keras training steps run by ``DataParallel``.

Keras's ``fit`` runs every step through ``Model._run_train_step(inputs, targets,
sample_weights)``, which returns ``[total_loss, *output_losses, *metric_results]``.
``distributed_train_step(model, cluster)`` returns a function with the same contract that
trains on the cluster instead, so ``fit`` keeps its batching, shuffling, callbacks and
history, and the history has the same keys:

* the loss: ``model.total_loss`` (Keras averages over the batch rows, so the row-weighted
  mean of the shards is exact), trained with ``model.optimizer`` on the driver (its slots
  and ``iterations`` are the model's own, so ``model.save`` and checkpoints see them);
* the per-output losses of multi-output models: row-weighted means, like the loss;
* the compiled metrics: Keras metrics are *stateful* (``total`` and ``count`` variables
  that grow over an epoch), and their update adds per-batch sums to them. The workers
  compute those increments for their shards (``DataParallel(sums=...)``), the driver adds
  them up and applies them once, then reads ``metric.result()``: the same numbers as
  single-process training.

Not supported (a clear error): layers with their own update ops (BatchNormalization's
moving averages), and metrics whose state is not updated by ``assign_add`` alone.
"""
import weakref

from tfone.distribute.data_parallel import DataParallel, _ancestor_ops

__all__ = ["distributed_train_step", "KerasTrainStep"]

_STEPS = weakref.WeakKeyDictionary()    # model -> KerasTrainStep (reused by later fit calls)


def distributed_train_step(model, cluster):
    """A ``_run_train_step`` replacement for ``model`` that trains on ``cluster``.

    Built once per (model, compiled graph, cluster) and reused: the graph travels to the
    workers only the first time.
    """
    step = _STEPS.get(model)
    if step is None or step.cluster is not cluster or step.train_function is not \
            model.train_function or step.data_parallel._closed:
        if step is not None:
            step.close()
        step = KerasTrainStep(model, cluster)
        _STEPS[model] = step
    return step


class KerasTrainStep:
    """``step(inputs, targets, sample_weights) -> [loss, *output_losses, *metrics]``."""

    def __init__(self, model, cluster):
        from tfone.framework.graph import Tensor
        from tfone.keras import backend as K
        from tfone.ops import array_ops, control_flow_ops, state_ops
        if not hasattr(cluster, "client"):
            raise TypeError("fit(distribute=...) takes a tfone.distribute.Cluster, got %r"
                            % (cluster,))
        model._assert_compiled()
        self.cluster = cluster
        self.train_function = model.train_function
        graph = model.graph
        layer_updates = model._layer_updates()
        if layer_updates:
            raise NotImplementedError(
                "fit(distribute=...) cannot train this model: its layers have update ops (%s), "
                "e.g. BatchNormalization's moving averages, which would need the statistics of "
                "the whole batch. Train it without distribute, or without such layers."
                % ", ".join(sorted(u.name for u in layer_updates)[:3]))
        with graph.as_default():
            phase = K.learning_phase()
            self._fixed_feeds = {phase: True} if isinstance(phase, Tensor) else {}
            # Stateful metrics: the workers compute the increments of the metric variables,
            # the driver adds their sum once (placeholders -> assign_add), then reads results.
            increments, adds, self._metric_results = [], [], []
            self._increment_placeholders = []
            with graph.name_scope("distribute_metrics"):
                for name, metric, result in model._compiled_metrics:
                    for variable_ref, increment in _additive_updates(name, metric, result):
                        fed = array_ops.placeholder(increment.dtype, increment.shape)
                        increments.append(increment)
                        adds.append(state_ops.assign_add(variable_ref, fed).op)
                        self._increment_placeholders.append(fed)
                    self._metric_results.append(metric.result())
                self._apply_metric_sums = control_flow_ops.group(*adds) if adds else None
            self._feeds = list(model._feed_inputs) + list(model.targets) + \
                list(model.sample_weights)
            self.data_parallel = DataParallel(
                cluster, model.total_loss, model.optimizer, inputs=self._feeds,
                var_list=model._collected_trainable_weights,
                metrics=list(model._output_losses_for_logs()), sums=increments,
                name="distribute")
            self._session = K.get_session   # Keras's session for the graph, as fit uses it
        self._graph = graph

    def __call__(self, inputs, targets, sample_weights):
        with self._graph.as_default():
            sess = self._session()
        feed = dict(zip(self._feeds, list(inputs) + list(targets) + list(sample_weights)))
        feed.update(self._fixed_feeds)
        loss, output_losses, metric_sums = self.data_parallel.run(sess, feed)
        metrics = []
        if self._metric_results:
            if self._apply_metric_sums is not None:
                sess.run(self._apply_metric_sums,
                         dict(zip(self._increment_placeholders, metric_sums)))
            metrics = sess.run(self._metric_results)
        return [loss] + list(output_losses) + list(metrics)

    def close(self):
        self.data_parallel.close()


def _additive_updates(name, metric, result):
    """[(variable ref tensor, increment tensor)] of the ``assign_add`` ops that update
    ``metric`` before ``result`` is read; anything else that writes a variable is refused."""
    updates = []
    for op in sorted(_ancestor_ops([result]), key=lambda op: op.name):
        refs = op.opdef.ref_inputs if op.opdef is not None else ()
        if not refs:
            continue
        if op.type != "AssignAdd":
            raise NotImplementedError(
                "fit(distribute=...) cannot compute metric %r: its state is updated by op '%s' "
                "(%s); only metrics whose variables grow by assign_add (Mean, Sum, accuracy, "
                "...) can add up the workers' contributions." % (name, op.name, op.type))
        updates.append((op.inputs[0], op.inputs[1]))
    return updates
