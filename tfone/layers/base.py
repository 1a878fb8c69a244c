"""``tf.layers.Layer``: a Keras layer with TF1's variable-scope behaviour.

The differences from a Keras layer (``tfone.keras.engine.base_layer.Layer``), as in TF1:

- weights are made by ``tf.get_variable`` inside the layer's variable scope, so ``reuse=True``
  / ``tf.AUTO_REUSE`` share them and a surrounding ``tf.variable_scope`` prefixes them;
- the variable scope is chosen on the first call: ``dense``, ``dense_1``, ... (or the ``name``
  given to ``tf.layers.dense(..., name=...)``), and ops go into the name scope opened with it;
- weight regularization losses are also added to ``tf.GraphKeys.REGULARIZATION_LOSSES``, and
  update ops (batch normalization's moving averages) to ``tf.GraphKeys.UPDATE_OPS``;
- ``dtype`` is inferred from the first input.
"""
from tfone.framework import dtypes
from tfone.framework import graph as _graph
from tfone.framework.graph import GraphKeys
from tfone.keras import backend
from tfone.keras.engine import base_layer
from tfone.keras.engine.base_layer import InputSpec  # noqa: F401  (tf.layers.InputSpec)
from tfone.keras.engine.base_layer_utils import flatten, to_snake_case
from tfone.ops import variable_scope as vs

__all__ = ["Layer", "InputSpec"]


class Layer(base_layer.Layer):
    """Base class of ``tf.layers`` layers and of TF1 RNN cells.

    ``_scope`` (a name or VariableScope) fixes the variable scope; ``_reuse`` sets reuse for
    it (``tf.layers.dense(..., name='fc', reuse=True)`` builds ``Dense(..., _scope='fc',
    _reuse=True)``).
    """

    _ALLOWED_KWARGS = base_layer.Layer._ALLOWED_KWARGS | {"_scope", "_reuse"}

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        scope = kwargs.pop("_scope", None)
        self._reuse = kwargs.pop("_reuse", None)
        self._trainable_weights = []
        self.built = False
        super().__init__(trainable=trainable, name=name, dtype=dtype, **kwargs)
        if scope:
            with vs.variable_scope(scope) as captured_scope:
                self._scope = captured_scope
        else:
            self._scope = None
        self._current_scope = None

    def _init_set_name(self, name, zero_based=False):
        # The layer's name is unique per graph (``dense_1``, ``dense_2``...); the variable scope
        # is made unique separately, when the layer is first called.
        if isinstance(name, vs.VariableScope):
            base_name = name.name
            self._name = self._make_unique_name()
        else:
            base_name = name
            self._name = name
        if not name:
            self._name = self._make_unique_name()
            base_name = to_snake_case(type(self).__name__)
        self._base_name = base_name

    def _make_unique_name(self):
        return backend.unique_object_name(to_snake_case(type(self).__name__), zero_based=False)

    @property
    def scope_name(self):
        if not self._scope:
            raise ValueError("No name available for layer scope because the layer \"%s\" has "
                             "not been used yet. The scope name is determined the first time "
                             "the layer instance is called. You must therefore call the layer "
                             "before querying `scope_name`." % self._name)
        return self._scope.name

    def _name_scope(self):
        return self._current_scope.original_name_scope

    def _set_scope(self, scope=None):
        if self._scope is None:
            if self._reuse:
                with vs.variable_scope(scope if scope is not None
                                       else self._base_name) as captured_scope:
                    self._scope = captured_scope
            else:
                with vs.variable_scope(scope, default_name=self._base_name) as captured_scope:
                    self._scope = captured_scope

    def add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                   trainable=None, constraint=None, partitioner=None, use_resource=None,
                   synchronization=None, aggregation=None, **kwargs):
        """Get or create ``<layer scope>/<name>`` with ``tf.get_variable`` (reused once the layer
        is built, or when the layer was made with ``reuse=True``)."""
        for key in kwargs:
            if key not in ("experimental_autocast", "getter", "collections"):
                raise TypeError("Unknown keyword argument to add_weight: %r" % (key,))
        if partitioner is not None:
            raise ValueError("Partitioned variables are not supported by tfone (layer %s, weight "
                             "%s)." % (self.name, name))
        if trainable is None:
            trainable = True
        graph = _graph.get_default_graph()
        existing = set(graph.get_collection(GraphKeys.GLOBAL_VARIABLES))
        if dtype is None:
            dtype = self.dtype or dtypes.float32
        self._set_scope(None)
        reuse = self.built or self._reuse
        initializer = _initializers().get(initializer) if isinstance(
            initializer, (str, dict)) else initializer
        regularizer = _regularizers().get(regularizer) if isinstance(
            regularizer, (str, dict)) else regularizer
        with vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            with graph.name_scope(self._name_scope()), graph.control_dependencies(None):
                if initializer is None:
                    initializer = scope.initializer
                variable = vs.get_variable(name, shape=shape, dtype=dtypes.as_dtype(dtype),
                                           initializer=initializer,
                                           trainable=trainable and self.trainable,
                                           constraint=constraint,
                                           collections=kwargs.get("collections"))
                if regularizer is not None and variable not in existing:
                    self._handle_weight_regularization(name, variable, regularizer)
        # (a custom getter may return something else than a Variable, e.g. a tensor)
        if getattr(variable, "trainable", trainable and self.trainable):
            if not any(variable is w for w in self._trainable_weights):
                self._trainable_weights.append(variable)
        elif not any(variable is w for w in self._non_trainable_weights):
            self._non_trainable_weights.append(variable)
        return variable

    add_variable = add_weight

    def _handle_weight_regularization(self, name, variable, regularizer):
        before = len(self._losses)
        super()._handle_weight_regularization(name, variable, regularizer)
        _add_to_collection([loss for loss, _ in self._losses[before:]],
                           GraphKeys.REGULARIZATION_LOSSES)

    def add_loss(self, losses, inputs=None):
        before = len(self._losses)
        super().add_loss(losses, inputs=inputs)
        _add_to_collection([loss for loss, _ in self._losses[before:]],
                           GraphKeys.REGULARIZATION_LOSSES)

    def __call__(self, inputs, *args, **kwargs):
        """Build the layer on ``inputs`` inside its variable scope; ``scope=`` names the scope on
        the first call."""
        scope = kwargs.pop("scope", None)
        self._set_scope(scope)
        reuse = True if self.built else self._reuse
        with vs.variable_scope(self._scope, reuse=reuse, auxiliary_name_scope=False) as scope:
            self._current_scope = scope
            if "scope" in self._call_fn_args:
                kwargs["scope"] = scope
            outputs = super().__call__(inputs, *args, **kwargs)
        _add_to_collection(self.updates, GraphKeys.UPDATE_OPS)
        return outputs


def _add_to_collection(elements, key):
    collection = _graph.get_default_graph().get_collection_ref(key)
    present = {id(e) for e in collection}
    for element in flatten(elements):
        if id(element) not in present:
            collection.append(element)
            present.add(id(element))


def _initializers():
    from tfone import initializers
    return initializers


def _regularizers():
    from tfone.keras import regularizers
    return regularizers
