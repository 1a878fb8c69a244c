"""Model summaries (Keras 2's ``print_summary``) and parameter counts."""
import numpy as np

__all__ = ["print_summary", "count_params"]


def count_params(weights):
    """The number of scalars in a list of variables."""
    return int(sum(int(np.prod(w.shape.as_list())) for w in set_of(weights)))


def set_of(weights):
    seen, out = set(), []
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def _sequential_like(model):
    if type(model).__name__ == "Sequential" or not model._is_graph_network:
        return True
    nodes = []
    for v in model._nodes_by_depth.values():
        inbound = [l for l in v[0].inbound_layers if l is not None] if v else []
        if len(v) > 1 or (len(v) == 1 and len(inbound) > 1):
            return False
        nodes += v
    for layer in model.layers:
        seen = False
        for node in layer._inbound_nodes:
            if node in nodes:
                if seen:
                    return False
                seen = True
    return True


def print_summary(model, line_length=None, positions=None, print_fn=None):
    """Print a table of the model's layers, as Keras 2 does::

        Model: "sequential"
        _________________________________________________________________
        Layer (type)                 Output Shape              Param #
        =================================================================
        dense (Dense)                (None, 1)                 4
        ...
        Total params: 4
        Trainable params: 4
        Non-trainable params: 0

    Models that are not a simple chain get a fourth column, "Connected to".
    """
    print_fn = print_fn or print
    sequential_like = _sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [.45, .85, 1.]
        to_display = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [.33, .55, .67, 1.]
        to_display = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
        relevant_nodes = []
        for v in model._nodes_by_depth.values():
            relevant_nodes += v
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]

    def print_row(fields):
        line = ""
        for i, field in enumerate(fields):
            if i > 0:
                line = line[:-1] + " "
            line += str(field)
            line = line[:positions[i]]
            line += " " * (positions[i] - len(line))
        print_fn(line)

    def output_shape_of(layer):
        try:
            return layer.output_shape
        except AttributeError:
            return "multiple"
        except RuntimeError:
            return "?"

    def params_of(layer):
        try:
            return layer.count_params()
        except ValueError:
            return 0

    print_fn('Model: "{}"'.format(model.name))
    print_fn("_" * line_length)
    print_row(to_display)
    print_fn("=" * line_length)
    layers = model.layers
    for i, layer in enumerate(layers):
        name = "%s (%s)" % (layer.name, type(layer).__name__)
        if sequential_like:
            print_row([name, output_shape_of(layer), params_of(layer)])
        else:
            connections = []
            for node in layer._inbound_nodes:
                if relevant_nodes and node not in relevant_nodes:
                    continue
                for inbound, node_index, tensor_index in zip(
                        node.inbound_layers, node.node_indices, node.tensor_indices):
                    if inbound is not None:
                        connections.append("%s[%d][%d]" % (inbound.name, node_index,
                                                           tensor_index))
            print_row([name, output_shape_of(layer), params_of(layer),
                       connections[0] if connections else ""])
            for extra in connections[1:]:
                print_row(["", "", "", extra])
        print_fn(("=" if i == len(layers) - 1 else "_") * line_length)
    if not layers:
        print_fn("=" * line_length)
    trainable_count = count_params(model.trainable_weights)
    non_trainable_count = count_params(model.non_trainable_weights)
    print_fn("Total params: {:,}".format(trainable_count + non_trainable_count))
    print_fn("Trainable params: {:,}".format(trainable_count))
    print_fn("Non-trainable params: {:,}".format(non_trainable_count))
    print_fn("_" * line_length)
