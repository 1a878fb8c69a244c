"""``tf.graph_util``: prune a GraphDef, and freeze its variables into constants for export.

    frozen = tf.graph_util.convert_variables_to_constants(
        sess, sess.graph_def, ["output"])          # output node names
    tf.train.write_graph(frozen, "export", "frozen.json", as_text=True)
    ...
    tf.import_graph_def(frozen, name="")           # runs without a checkpoint

Works on tfone's GraphDef (JSON, see tfone/framework/graph_io.py), as TF1's works on its
protocol buffer.
"""
import copy

from tfone.framework import graph_io
from tfone.platform import tf_logging

__all__ = ["extract_sub_graph", "convert_variables_to_constants", "must_run_on_cpu",
           "tensor_shape_from_node_def_name"]


def _node_name(text):
    text = text[1:] if text.startswith("^") else text
    return text.split(":")[0]


def extract_sub_graph(graph_def, dest_nodes):
    """The part of ``graph_def`` that ``dest_nodes`` (node names) need, through data and
    control inputs, with the nodes in their original order."""
    if isinstance(dest_nodes, str):
        raise TypeError("dest_nodes must be a list.")
    nodes = {n["name"]: n for n in graph_def["node"]}
    for name in dest_nodes:
        if _node_name(name) not in nodes:
            raise AssertionError("%s is not in graph" % name)
    keep, stack = set(), [_node_name(n) for n in dest_nodes]
    while stack:
        name = stack.pop()
        if name in keep:
            continue
        keep.add(name)
        stack.extend(_node_name(i) for i in nodes[name]["input"])
    out = graph_io.GraphDef({k: v for k, v in graph_def.items()
                             if k not in ("node", "variables", "collections")})
    out["node"] = [graph_io.NodeDef(copy.deepcopy(n)) for n in graph_def["node"]
                   if n["name"] in keep]
    return out


def convert_variables_to_constants(sess, input_graph_def, output_node_names,
                                   variable_names_whitelist=None,
                                   variable_names_blacklist=None):
    """A copy of the subgraph ``output_node_names`` need, with each variable replaced by a
    Const node holding its current value in ``sess`` (optionally only the whitelisted names,
    never the blacklisted ones). The result needs no checkpoint and no initializer."""
    sub = extract_sub_graph(input_graph_def, output_node_names)
    variables = [n for n in sub["node"] if n["op"] == "VariableV2"
                 and (variable_names_whitelist is None
                      or n["name"] in variable_names_whitelist)
                 and (variable_names_blacklist is None
                      or n["name"] not in variable_names_blacklist)]
    values = sess.run([n["name"] + ":0" for n in variables]) if variables else []
    frozen = {n["name"]: v for n, v in zip(variables, values)}
    for i, node in enumerate(sub["node"]):
        if node["name"] in frozen:
            value = frozen[node["name"]]
            const = graph_io.NodeDef(name=node["name"], op="Const", input=[],
                                     device=node.get("device", ""),
                                     attr={"value": graph_io.encode_value(value),
                                           "dtype": node["attr"]["dtype"]},
                                     output=node.get("output", []))
            if "location" in node:
                const["location"] = node["location"]
            sub["node"][i] = const
    tf_logging.info("Froze %d variables.", len(frozen))
    tf_logging.info("Converted %d variables to const ops.", len(frozen))
    return sub


def must_run_on_cpu(node, pin_variables_on_cpu=False):
    """Always True in tfone: every op runs on the CPU."""
    return True


def tensor_shape_from_node_def_name(graph, input_name):
    """The static shape of tensor ``input_name`` (``'name'`` means ``'name:0'``) in ``graph``."""
    if ":" not in input_name:
        input_name += ":0"
    return graph.get_tensor_by_name(input_name).shape
