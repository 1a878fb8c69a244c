"""``keras.Sequential``: a linear stack of layers.

``Sequential([Dense(4, input_dim=3), Dense(1)])`` or ``model.add(layer)``. When the first
layer knows its input shape (``input_shape=``, ``input_dim=``, ``batch_input_shape=``, or a
``keras.Input`` / ``InputLayer`` added first), the model makes an input placeholder named
``<first layer>_input`` and calls each layer as it is added, so it is a graph network from the
start (``summary()``, ``model.outputs`` work at once). Otherwise it is built the first time it
sees data (``fit``/``predict``), a tensor, or ``build(input_shape)``.
"""
from tfone.framework.graph import Tensor
from tfone.keras import backend as K
from tfone.keras.engine.base_layer import Layer, get_keras_history, flatten
from tfone.keras.engine.input_layer import Input, InputLayer
from tfone.keras.engine.training import Model

__all__ = ["Sequential"]


def _input_shape_and_dtype(layer):
    """(batch input shape, dtype) a first layer declares (via input_shape etc.), or (None,
    None)."""
    if isinstance(layer, Model) and layer._is_graph_network and layer.inputs:
        x = layer.inputs[0]
        return K.int_shape(x), x.dtype.base_dtype.name
    shape = getattr(layer, "_batch_input_shape", None)
    if shape is not None:
        return tuple(shape), layer.dtype
    return None, None


class Sequential(Model):
    """A linear stack of layers (Keras 2)."""

    def __init__(self, layers=None, name=None):
        super().__init__(name=name)
        self.supports_masking = True
        self._build_input_shape = None
        if layers:
            if not isinstance(layers, (list, tuple)):
                layers = [layers]
            for layer in layers:
                self.add(layer)

    @property
    def layers(self):
        """The layers added (without the automatic InputLayer)."""
        layers = list(self._layers)
        if layers and isinstance(layers[0], InputLayer):
            return layers[1:]
        return layers

    def _gather_sublayers(self):
        return [layer for layer in self._layers if layer is not self]

    def add(self, layer):
        """Add a layer on top of the stack (a ``keras.Input`` tensor may start the stack)."""
        if isinstance(layer, Tensor):
            history = get_keras_history(layer)
            if history is not None and isinstance(history.layer, InputLayer):
                layer = history.layer
        if not isinstance(layer, Layer):
            raise TypeError("The added layer must be an instance of class Layer. Found: %r"
                            % (layer,))
        self._is_compiled = False
        set_inputs = False
        if not self._layers:
            if isinstance(layer, InputLayer):
                set_inputs = True
            else:
                batch_shape, dtype = _input_shape_and_dtype(layer)
                if batch_shape:
                    graph = self._graph or K.get_graph()
                    with graph.as_default():
                        x = Input(batch_shape=batch_shape, dtype=dtype,
                                  name=layer.name + "_input")
                        layer(x)
                    set_inputs = True
            if set_inputs:
                outputs = flatten(layer._inbound_nodes[-1].output_tensors)
                if len(outputs) != 1:
                    raise ValueError("All layers in a Sequential model should have a single "
                                     "output tensor. For multi-output layers, use the "
                                     "functional API.")
                self.outputs = [outputs[0]]
                self.inputs = _source_inputs(outputs[0])
                self._graph = outputs[0].graph
        elif self.outputs:
            with self.graph.as_default():
                output = layer(self.outputs[0])
            if len(flatten(output)) != 1:
                raise TypeError("All layers in a Sequential model should have a single output "
                                "tensor. For multi-output layers, use the functional API.")
            self.outputs = [output]
        if set_inputs or self._is_graph_network:
            self._init_graph_network(self.inputs, self.outputs, name=self.name)
            self.built = True
        else:
            self._layers.append(layer)
            self.built = False

    def pop(self):
        """Remove the last layer."""
        layers = self.layers
        if not layers:
            raise TypeError("There are no layers in the model.")
        self._is_compiled = False
        if not self._is_graph_network:
            self._layers.pop()
            return
        remaining = layers[:-1]
        if not remaining:
            self._layers = []
            self.outputs, self.inputs = [], []
            self._is_graph_network = False
            self.built = False
            return
        last = remaining[-1]
        self.outputs = [flatten(last._inbound_nodes[-1].output_tensors)[0]]
        self._init_graph_network(self.inputs, self.outputs, name=self.name)
        self.built = True

    def build(self, input_shape=None):
        """Build the stack for inputs of ``input_shape`` (batch dimension included)."""
        if self._is_graph_network:
            self.built = True
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        input_shape = tuple(input_shape)
        self._build_for_shapes([input_shape], [K.floatx()])

    def _build_for_shapes(self, shapes, dtypes_):
        if len(shapes) != 1:
            raise ValueError("A Sequential model has one input, but the data has %d arrays."
                             % len(shapes))
        layers = list(self._layers)
        if not layers:
            raise ValueError("The Sequential model has no layers to build.")
        self._build_input_shape = tuple(shapes[0])
        graph = self._graph or K.get_graph()
        with graph.as_default():
            x = Input(batch_shape=shapes[0], dtype=dtypes_[0], name=layers[0].name + "_input")
            self._layers = []
            self.add(get_keras_history(x).layer)
            for layer in layers:
                self.add(layer)

    def call(self, inputs, training=None, mask=None):
        if not self._is_graph_network:
            self._build_for_shapes([K.int_shape(flatten(inputs)[0])],
                                   [flatten(inputs)[0].dtype.base_dtype.name])
        return self._run_internal_graph(inputs, training=training, mask=mask)

    def predict_proba(self, x, batch_size=32, verbose=0):
        """``predict(x)``, for a model whose outputs are probabilities (a warning is logged
        when they are not in [0, 1])."""
        preds = self.predict(x, batch_size, verbose)
        if preds.min() < 0. or preds.max() > 1.:
            from tfone.platform import tf_logging
            tf_logging.warning(
                "Network returning invalid probability values. The last layer might not "
                "normalize predictions into probabilities (like softmax or sigmoid would).")
        return preds

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Class indices for ``x``: the argmax of each prediction when the output has several
        units (softmax), else ``(prediction > 0.5)`` as int32 (one sigmoid unit)."""
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return proba.argmax(axis=-1)
        return (proba > 0.5).astype("int32")

    def get_config(self):
        layer_configs = [{"class_name": type(layer).__name__, "config": layer.get_config()}
                         for layer in self.layers]
        if (self._is_graph_network and layer_configs
                and "batch_input_shape" not in layer_configs[0]["config"]
                and self._layers and isinstance(self._layers[0], InputLayer)):
            first = self._layers[0]
            layer_configs.insert(0, {"class_name": "InputLayer", "config": {
                "batch_input_shape": first._batch_input_shape, "dtype": first.dtype,
                "sparse": first.sparse, "name": first.name}})
        config = {"name": self.name, "layers": layer_configs}
        if self._build_input_shape:
            config["build_input_shape"] = self._build_input_shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from tfone.keras import layers as layer_module
        if "name" in config:
            name = config["name"]
            build_input_shape = config.get("build_input_shape")
            layer_configs = config["layers"]
        else:
            name, build_input_shape, layer_configs = None, None, config
        model = cls(name=name)
        for layer_config in layer_configs:
            model.add(layer_module.deserialize(layer_config, custom_objects=custom_objects))
        if not model.inputs and build_input_shape:
            model.build(build_input_shape)
        return model


def _source_inputs(tensor):
    """The keras.Input tensors ``tensor`` was computed from."""
    history = get_keras_history(tensor)
    if history is None:
        return [tensor]
    layer, node_index, _ = history
    if isinstance(layer, InputLayer) or not layer._inbound_nodes:
        return flatten(layer._inbound_nodes[node_index].output_tensors)
    node = layer._inbound_nodes[node_index]
    sources = []
    for x in node.input_tensors:
        for s in _source_inputs(x):
            if not any(s is t for t in sources):
                sources.append(s)
    return sources
