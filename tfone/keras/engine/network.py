"""``Network``: a graph of Keras layers with inputs and outputs (the base of ``Model``).

A functional model is described by the layer calls that led from its inputs to its outputs.
Every Keras tensor knows the call that made it (``get_keras_history(t)`` =
``(layer, node_index, tensor_index)``: output ``tensor_index`` of call ``node_index`` of
``layer``), so walking back from the outputs finds the *nodes* (layer calls) of the network.
They are grouped by depth (the outputs' nodes at depth 0, their inputs' nodes at depth 1,
...), which orders ``network.layers`` from the inputs to the outputs, lets the network be
called again on new inputs (it re-runs its nodes, deepest first), and is what ``get_config``
writes: each layer's config plus, per node, the ``[layer name, node index, tensor index,
call kwargs]`` of its inputs.

A model that subclasses ``Model`` and defines ``call`` (no inputs/outputs given) is not a graph
network: its layers are the ones it holds as attributes, and it is built the first time it
sees data (placeholders shaped like the data are made and ``call`` is traced on them).
"""
import collections
import copy
import json

import numpy as np

from tfone.framework.graph import Tensor
from tfone.keras import backend
from tfone.keras.engine.base_layer import Layer, Node, get_keras_history, flatten
from tfone.keras.engine.input_layer import InputLayer

__all__ = ["Network"]


def _make_node_key(layer_name, node_index):
    return layer_name + "_ib-" + str(node_index)


def _iterate_inbound(node):
    """(inbound layer, node index, tensor index, tensor) for the Keras inputs of ``node``."""
    for layer, node_index, tensor_index, tensor in zip(node.inbound_layers, node.node_indices,
                                                       node.tensor_indices, node.input_tensors):
        if layer is not None:
            yield layer, node_index, tensor_index, tensor


def _unpack_singleton(values):
    return values[0] if len(values) == 1 else values


def _to_list(x):
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _should_skip_first_node(layer):
    """A nested graph network's first node is its own construction, not a call."""
    return isinstance(layer, Network) and layer._is_graph_network


class Network(Layer):
    """A directed acyclic graph of layers: ``Network(inputs, outputs, name=None)`` (or a
    subclass that defines ``call``)."""

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", None)
        outputs = kwargs.pop("outputs", None)
        if len(args) >= 1:
            if inputs is not None:
                raise TypeError("Model got multiple values for argument 'inputs'")
            inputs = args[0]
        if len(args) >= 2:
            if outputs is not None:
                raise TypeError("Model got multiple values for argument 'outputs'")
            outputs = args[1]
        if len(args) > 2:
            raise TypeError("Model takes at most 2 positional arguments (inputs, outputs), got "
                            "%d" % len(args))
        if (inputs is None) != (outputs is None):
            raise ValueError("Model needs both `inputs` and `outputs` (or neither, for a "
                             "subclassed model with a `call` method).")
        if inputs is not None:
            self._init_graph_network(inputs, outputs, **kwargs)
        else:
            self._init_subclassed_network(**kwargs)

    # -- construction ---------------------------------------------------------------------------
    def _base_init(self, name=None, trainable=True, **kwargs):
        allowed = {"dtype", "dynamic", "autocast"}
        unknown = set(kwargs) - allowed
        if unknown:
            raise TypeError("Keyword argument not understood: %s" % ", ".join(sorted(unknown)))
        kwargs.pop("autocast", None)
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)
        self._is_compiled = False
        self._layers = []
        self._is_graph_network = False
        self.inputs = []
        self.outputs = []
        self.input_names = []
        self.output_names = []
        self._input_layers = []
        self._output_layers = []
        self._input_coordinates = []
        self._output_coordinates = []
        self._network_nodes = set()
        self._nodes_by_depth = {}
        self._layers_by_depth = {}
        self.stop_training = False
        self.history = None
        self._graph = None

    def _init_set_name(self, name, zero_based=True):
        Layer._init_set_name(self, name, zero_based)

    def _init_graph_network(self, inputs, outputs, name=None, **kwargs):
        if "_layers" not in self.__dict__:   # first time (Sequential re-maps on every add)
            self._base_init(name=name, **kwargs)
        if isinstance(inputs, (list, tuple)) and len(flatten(inputs)) == 1:
            inputs = flatten(inputs)[0]
        if isinstance(outputs, (list, tuple)) and len(flatten(outputs)) == 1:
            outputs = flatten(outputs)[0]
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        if not self.inputs:
            raise ValueError("A model needs at least one input.")
        for x in self.inputs:
            history = get_keras_history(x) if isinstance(x, Tensor) else None
            if history is None or not isinstance(history.layer, InputLayer):
                raise ValueError(
                    "Input tensors to a Model must come from `keras.Input` (or an InputLayer). "
                    "Received: %r (missing previous layer metadata)." % (x,))
            if history.node_index != 0 or len(history.layer._inbound_nodes) != 1:
                raise ValueError("Model inputs must be the outputs of `keras.Input`, got %r"
                                 % (x,))
        for x in self.outputs:
            if not isinstance(x, Tensor) or get_keras_history(x) is None:
                raise ValueError("Output tensors to a Model must be the output of a Keras "
                                 "`Layer` (thus holding past layer metadata). Found: %r" % (x,))
        self._graph = self.outputs[0].graph
        for x in self.inputs + self.outputs:
            if x.graph is not self._graph:
                raise ValueError("All inputs and outputs of a model must be in the same graph; "
                                 "%s is in another graph." % x.name)
        self._is_graph_network = True
        self.built = True
        self._input_layers, self._output_layers = [], []
        self._input_coordinates, self._output_coordinates = [], []
        for x in self.outputs:
            layer, node_index, tensor_index = get_keras_history(x)
            self._output_layers.append(layer)
            self._output_coordinates.append((layer, node_index, tensor_index))
        for x in self.inputs:
            layer, node_index, tensor_index = get_keras_history(x)
            self._input_layers.append(layer)
            self._input_coordinates.append((layer, node_index, tensor_index))
        (self._network_nodes, self._nodes_by_depth, self._layers,
         self._layers_by_depth) = _map_graph_network(self.inputs, self.outputs)
        self.input_names = [layer.name for layer in self._input_layers]
        self.output_names = [layer.name for layer in self._output_layers]
        self._feed_input_names = list(self.input_names)
        self._feed_inputs = list(self.inputs)
        self._feed_input_shapes = [backend.int_shape(x) for x in self.inputs]
        # The network's own node: what it was built on (Keras's convention). A re-mapped
        # network (Sequential.add) replaces its previous one.
        own = self.__dict__.get("_own_node")
        if own is not None and own in self._inbound_nodes:
            self._inbound_nodes.remove(own)
        node = Node(self, inbound_layers=[], node_indices=[], tensor_indices=[],
                    input_tensors=self.inputs, output_tensors=self.outputs)
        self._inbound_nodes.remove(node)
        self._inbound_nodes.insert(0, node)
        self._own_node = node

    def _init_subclassed_network(self, name=None, **kwargs):
        self._base_init(name=name, **kwargs)
        self._is_graph_network = False
        self.built = False

    # -- structure ------------------------------------------------------------------------------
    @property
    def graph(self):
        """The tf.Graph the model's ops live in."""
        if self._graph is None and self.outputs:
            self._graph = self.outputs[0].graph
        return self._graph

    @property
    def layers(self):
        if self._is_graph_network:
            return list(self._layers)
        return [layer for layer in self._gather_tracked() if isinstance(layer, Layer)]

    def _gather_tracked(self):
        return Layer._gather_sublayers(self)

    def _gather_sublayers(self):
        if self._is_graph_network:
            return [layer for layer in self._layers if layer is not self]
        return self._gather_tracked()

    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or at position ``index`` in ``model.layers``."""
        if index is not None and name is not None:
            raise ValueError("Provide only a layer name or a layer index.")
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError("Was asked to retrieve layer at index %d but model only has %d "
                                 "layers." % (index, len(layers)))
            return layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index.")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError("No such layer: %s. The model's layers are: %s"
                         % (name, ", ".join(l.name for l in layers)))

    @property
    def state_updates(self):
        updates = []
        for layer in self.layers:
            if getattr(layer, "stateful", False) and hasattr(layer, "updates"):
                updates += layer.updates
        return updates

    def get_updates_for(self, inputs):
        updates = Layer.get_updates_for(self, inputs)
        for layer in self._gather_sublayers():
            if inputs is None:
                updates += layer.get_updates_for(None)
            else:
                for node in layer._inbound_nodes:
                    updates += layer.get_updates_for(node.input_tensors)
        return _dedup(updates)

    @property
    def input_spec(self):
        return None

    @input_spec.setter
    def input_spec(self, value):
        pass

    # -- calling ---------------------------------------------------------------------------------
    def build(self, input_shape):
        """Build a subclassed model for inputs of ``input_shape`` (batch dimension included)."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("Input shape must be defined when calling build on a model "
                             "subclass network.")
        from tfone.ops import array_ops
        graph = self._graph or backend.get_graph()
        with graph.as_default():
            if isinstance(input_shape, list) and input_shape and isinstance(
                    input_shape[0], (list, tuple)):
                x = [array_ops.placeholder(backend.floatx(), shape=s) for s in input_shape]
            else:
                x = array_ops.placeholder(backend.floatx(), shape=backend.int_shape(input_shape)
                                          if hasattr(input_shape, "as_list") else input_shape)
            self._trace_subclassed(x)

    def _trace_subclassed(self, inputs):
        """Make the inputs/outputs of a subclassed model by calling it on ``inputs``."""
        self._graph = flatten(inputs)[0].graph
        self.built = True  # the layers build themselves inside call
        with self._graph.as_default():
            outputs = self(inputs)
        self.inputs = flatten(inputs)
        self.outputs = flatten(outputs)
        self._nested_inputs = inputs
        self._nested_outputs = outputs
        self.input_names = ["input_%d" % (i + 1) for i in range(len(self.inputs))]
        self.output_names = ["output_%d" % (i + 1) for i in range(len(self.outputs))]
        self._feed_input_names = list(self.input_names)
        self._feed_inputs = list(self.inputs)
        self._feed_input_shapes = [backend.int_shape(x) for x in self.inputs]
        return outputs

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            raise NotImplementedError("When subclassing the `Model` class, you should implement "
                                      "a `call` method.")
        return self._run_internal_graph(inputs, training=training, mask=mask)

    def _run_internal_graph(self, inputs, training=None, mask=None):
        """Re-run the network's layer calls on new ``inputs`` (deepest nodes first)."""
        inputs = flatten(inputs)
        if len(inputs) != len(self.inputs):
            raise ValueError("Model %s expects %d input(s), but it received %d input tensors."
                             % (self.name, len(self.inputs), len(inputs)))
        tensor_map = {}
        for x, y in zip(self.inputs, inputs):
            tensor_map[id(x)] = y
        for depth in sorted(self._nodes_by_depth, reverse=True):
            for node in self._nodes_by_depth[depth]:
                layer = node.outbound_layer
                if isinstance(layer, InputLayer) or layer is self:
                    continue
                refs = node.input_tensors
                if not all(id(x) in tensor_map for x in refs if get_keras_history(x)):
                    continue
                computed = [tensor_map.get(id(x), x) for x in refs]
                kwargs = dict(node.arguments or {})
                if training is not None and getattr(layer, "_expects_training_arg", False):
                    kwargs.setdefault("training", training)
                outputs = layer(_unpack_singleton(computed), **kwargs)
                for x, y in zip(node.output_tensors, flatten(outputs)):
                    tensor_map[id(x)] = y
        results = []
        for x in self.outputs:
            if id(x) not in tensor_map:
                raise ValueError("Could not compute output %s of model %s" % (x, self.name))
            results.append(tensor_map[id(x)])
        from tfone.keras.engine.base_layer_utils import pack_sequence_as
        return pack_sequence_as(self._nested_outputs, results)

    def compute_output_shape(self, input_shape):
        if not self._is_graph_network:
            return Layer.compute_output_shape(self, input_shape)
        shapes = [backend.int_shape(x) for x in self.outputs]
        input_shapes = [tuple(s) for s in _to_list(input_shape)] if isinstance(
            input_shape, list) and input_shape and isinstance(input_shape[0], (list, tuple)) \
            else [tuple(input_shape)]
        if [tuple(s[1:]) for s in input_shapes] != [tuple(s[1:]) for s in self._feed_input_shapes]:
            raise NotImplementedError("compute_output_shape of model %s is only known for its "
                                      "own input shapes %s" % (self.name, self._feed_input_shapes))
        batch = input_shapes[0][0]
        shapes = [(batch,) + tuple(s[1:]) for s in shapes]
        return shapes[0] if len(shapes) == 1 else shapes

    # -- weights ------------------------------------------------------------------------------------
    def count_params(self):
        """The number of scalars in the model's weights."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by "
                             "calling `build()` or calling `fit()` with some data, or specify "
                             "an `input_shape` argument in the first layer(s) for automatic "
                             "build.")
        return int(sum(int(np.prod(w.shape.as_list())) for w in self.weights))

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        weights = list(self._trainable_weights)
        for layer in self._gather_sublayers():
            weights += layer.trainable_weights
        return _dedup(weights)

    @property
    def weights(self):
        """All weights layer by layer (each layer's trainable weights first), then the model's
        own: the order of ``get_weights``/``set_weights`` in Keras 2 and TF 1.15's tf.keras."""
        weights = []
        for layer in self._gather_sublayers():
            weights += layer.weights
        weights += list(self._trainable_weights) + list(self._non_trainable_weights)
        return _dedup(weights)

    @property
    def non_trainable_weights(self):
        weights = list(self._non_trainable_weights)
        if self.trainable:
            for layer in self._gather_sublayers():
                weights += layer.non_trainable_weights
        else:
            weights = list(self._trainable_weights) + weights
            for layer in self._gather_sublayers():
                weights += layer.weights
        return _dedup(weights)

    @property
    def losses(self):
        """The regularization (and other added) losses of the model's layers."""
        losses = [loss for loss, _ in self._losses]
        for layer in self._gather_sublayers():
            losses += layer.losses
        return _dedup(losses)

    # -- configs ------------------------------------------------------------------------------
    def get_config(self):
        if not self._is_graph_network:
            raise NotImplementedError("get_config is only available for models built from "
                                      "layers (Sequential or functional), not for subclassed "
                                      "models: they are defined by Python code.")
        config = {"name": self.name}
        node_conversion_map = {}
        for layer in self.layers:
            kept_nodes = 1 if _should_skip_first_node(layer) else 0
            for original_index, node in enumerate(layer._inbound_nodes):
                key = _make_node_key(layer.name, original_index)
                if key in self._network_nodes:
                    node_conversion_map[key] = kept_nodes
                    kept_nodes += 1
        layer_configs = []
        for layer in self.layers:
            filtered_inbound_nodes = []
            for original_index, node in enumerate(layer._inbound_nodes):
                key = _make_node_key(layer.name, original_index)
                if key not in self._network_nodes:
                    continue
                kwargs = _serialize_call_kwargs(node.arguments, layer)
                node_data = []
                for inbound_layer, node_id, tensor_id, _ in _iterate_inbound(node):
                    new_index = node_conversion_map.get(_make_node_key(inbound_layer.name,
                                                                       node_id), 0)
                    node_data.append([inbound_layer.name, new_index, tensor_id, kwargs])
                if node_data:
                    filtered_inbound_nodes.append(node_data)
            layer_configs.append({"name": layer.name, "class_name": type(layer).__name__,
                                  "config": layer.get_config(),
                                  "inbound_nodes": filtered_inbound_nodes})
        config["layers"] = layer_configs

        def coordinates(layers_coords):
            result = []
            for layer, node_index, tensor_index in layers_coords:
                key = _make_node_key(layer.name, node_index)
                if key not in self._network_nodes:
                    continue
                result.append([layer.name, node_conversion_map[key], tensor_index])
            return result
        config["input_layers"] = coordinates(self._input_coordinates)
        config["output_layers"] = coordinates(self._output_coordinates)
        return copy.deepcopy(config)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild a functional model from ``get_config()`` (new layers, same connections)."""
        from tfone.keras import layers as layer_module
        created_layers = collections.OrderedDict()
        unprocessed_nodes = {}

        def add_unprocessed_node(layer, node_data):
            unprocessed_nodes.setdefault(layer, []).append(node_data)

        def process_node(layer, node_data):
            input_tensors = []
            kwargs = {}
            for input_data in node_data:
                inbound_layer_name, inbound_node_index, inbound_tensor_index = input_data[:3]
                kwargs = input_data[3] if len(input_data) > 3 else {}
                if inbound_layer_name not in created_layers:
                    raise ValueError("Unknown layer %r in the inbound nodes of layer %s"
                                     % (inbound_layer_name, layer.name))
                inbound_layer = created_layers[inbound_layer_name]
                if len(inbound_layer._inbound_nodes) <= inbound_node_index:
                    add_unprocessed_node(layer, node_data)
                    return False
                inbound_node = inbound_layer._inbound_nodes[inbound_node_index]
                input_tensors.append(inbound_node.output_tensors[inbound_tensor_index])
            if input_tensors:
                layer(_unpack_singleton(input_tensors), **(kwargs or {}))
            return True

        for layer_data in config["layers"]:
            layer = layer_module.deserialize(
                {"class_name": layer_data["class_name"], "config": layer_data["config"]},
                custom_objects=custom_objects)
            created_layers[layer_data["name"]] = layer
            for node_data in layer_data["inbound_nodes"]:
                add_unprocessed_node(layer, node_data)
        while unprocessed_nodes:
            progress = False
            for layer_data in config["layers"]:
                layer = created_layers[layer_data["name"]]
                if layer in unprocessed_nodes:
                    for node_data in unprocessed_nodes.pop(layer):
                        progress = process_node(layer, node_data) or progress
            if not progress:
                raise ValueError("The model config cannot be rebuilt: some layer calls depend on "
                                 "calls that never happen (a corrupt or cyclic config).")

        def tensors(entries):
            result = []
            for layer_name, node_index, tensor_index in entries:
                layer = created_layers[layer_name]
                result.append(layer._inbound_nodes[node_index].output_tensors[tensor_index])
            return result
        inputs = tensors(config["input_layers"])
        outputs = tensors(config["output_layers"])
        return cls(inputs=_unpack_singleton(inputs) if len(inputs) == 1 else inputs,
                   outputs=_unpack_singleton(outputs) if len(outputs) == 1 else outputs,
                   name=config.get("name"))

    def to_json(self, **kwargs):
        """The model's architecture as a JSON string (``keras.models.model_from_json``)."""
        model_config = {"class_name": type(self).__name__, "config": self.get_config(),
                        "keras_version": _keras_version(), "backend": "tensorflow"}
        return json.dumps(model_config, default=_json_default, **kwargs)

    def to_yaml(self, **kwargs):
        raise NotImplementedError("to_yaml needs PyYAML, which tfone does not use; use "
                                  "to_json() instead.")

    # -- summaries, saving ------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None):
        """Print Keras 2's table: layers, output shapes, parameter counts and totals."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by "
                             "calling `build()` or calling `fit()` with some data, or specify "
                             "an `input_shape` argument in the first layer(s) for automatic "
                             "build.")
        from tfone.keras.utils import layer_utils
        layer_utils.print_summary(self, line_length=line_length, positions=positions,
                                  print_fn=print_fn)

    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None):
        """Save architecture, weights and compile state (optimizer included) to ``filepath``:
        Keras 2's HDF5 layout for ``.h5`` / ``.hdf5`` / ``.keras``, otherwise tfone's ``.npz``
        format (see :mod:`tfone.keras.saving`)."""
        from tfone.keras import saving
        saving.save_model(self, filepath, overwrite=overwrite,
                          include_optimizer=include_optimizer, save_format=save_format)

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """Save the weights only (HDF5 for ``.h5``/``.hdf5``, tfone's ``.npz`` otherwise)."""
        from tfone.keras import saving
        saving.save_weights(self, filepath, overwrite=overwrite, save_format=save_format)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        """Load weights saved by ``save_weights`` or ``save``: by layer order (default, the
        architectures must match) or ``by_name`` (layers with the same name)."""
        from tfone.keras import saving
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def reset_states(self):
        for layer in self.layers:
            if hasattr(layer, "reset_states") and getattr(layer, "stateful", False):
                layer.reset_states()


# -- graph mapping ----------------------------------------------------------------------------------
def _map_graph_network(inputs, outputs):
    """(network node keys, {depth: nodes}, layers from inputs to outputs, {depth: layers})."""
    network_nodes = set()
    nodes_depths = {}
    layers_depths = {}
    layer_indices = {}
    nodes_in_decreasing_depth = []
    finished_nodes = set()
    nodes_in_progress = set()

    def build_map(tensor, layer, node_index):
        node = layer._inbound_nodes[node_index]
        if node in nodes_in_progress:
            raise ValueError("The tensor %s at layer \"%s\" is part of a cycle."
                             % (tensor, layer.name))
        if node in finished_nodes:
            return
        network_nodes.add(_make_node_key(layer.name, node_index))
        if layer not in layer_indices:
            layer_indices[layer] = len(layer_indices)
        nodes_in_progress.add(node)
        for inbound_layer, inbound_index, _, inbound_tensor in _iterate_inbound(node):
            build_map(inbound_tensor, inbound_layer, inbound_index)
        finished_nodes.add(node)
        nodes_in_progress.remove(node)
        nodes_in_decreasing_depth.append(node)

    for x in outputs:
        layer, node_index, _ = get_keras_history(x)
        build_map(x, layer, node_index)

    for node in reversed(nodes_in_decreasing_depth):
        depth = nodes_depths.setdefault(node, 0)
        previous_depth = layers_depths.get(node.outbound_layer, 0)
        depth = max(depth, previous_depth)
        layers_depths[node.outbound_layer] = depth
        nodes_depths[node] = depth
        for inbound_layer, inbound_index, _, _ in _iterate_inbound(node):
            dep = inbound_layer._inbound_nodes[inbound_index]
            nodes_depths[dep] = max(depth + 1, nodes_depths.get(dep, 0))

    for x in inputs:
        input_layer = get_keras_history(x).layer
        if input_layer not in layers_depths:
            layers_depths[input_layer] = 0
            layer_indices[input_layer] = -1
            nodes_depths[input_layer._inbound_nodes[0]] = 0
            network_nodes.add(_make_node_key(input_layer.name, 0))

    nodes_by_depth = collections.defaultdict(list)
    for node, depth in nodes_depths.items():
        nodes_by_depth[depth].append(node)
    layers_by_depth = collections.defaultdict(list)
    for layer, depth in layers_depths.items():
        layers_by_depth[depth].append(layer)

    layers = []
    for depth in sorted(layers_by_depth, reverse=True):
        for_depth = sorted(layers_by_depth[depth], key=lambda l: layer_indices[l])
        layers.extend(for_depth)

    computable = {id(x) for x in inputs}
    seen_layers = []
    for depth in sorted(nodes_by_depth, reverse=True):
        for node in nodes_by_depth[depth]:
            layer = node.outbound_layer
            for x in node.input_tensors:
                if get_keras_history(x) is not None and id(x) not in computable:
                    raise ValueError(
                        "Graph disconnected: cannot obtain value for tensor %s at layer \"%s\". "
                        "The following previous layers were accessed without issue: %s"
                        % (x, layer.name, seen_layers))
            for x in node.output_tensors:
                computable.add(id(x))
            seen_layers.append(layer.name)

    names = [layer.name for layer in layers]
    for name in names:
        if names.count(name) != 1:
            raise ValueError("The name \"%s\" is used %d times in the model. All layer names "
                             "should be unique." % (name, names.count(name)))
    return network_nodes, dict(nodes_by_depth), layers, dict(layers_by_depth)


def _serialize_call_kwargs(arguments, layer):
    kwargs = {}
    for key, value in (arguments or {}).items():
        try:
            json.dumps(value, default=_json_default)
        except TypeError:
            raise TypeError("Layer %s was called with the argument %s=%r, which cannot be saved "
                            "in a model config (only JSON-serializable call arguments can)."
                            % (layer.name, key, value)) from None
        kwargs[key] = value
    return kwargs


def _json_default(obj):
    """JSON for numpy values and shapes in configs (Keras's ``get_json_type``)."""
    if hasattr(obj, "get_config"):
        return {"class_name": type(obj).__name__, "config": obj.get_config()}
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if hasattr(obj, "as_list"):
        return obj.as_list()
    if hasattr(obj, "as_numpy_dtype") or type(obj).__name__ == "DType":
        return obj.name
    if isinstance(obj, (set, frozenset)):
        return list(obj)
    raise TypeError("Not JSON Serializable: %r" % (obj,))


def _keras_version():
    return "2.2.4-tf"


def _dedup(items):
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out
