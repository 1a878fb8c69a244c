"""How things look: a colour-blind-safe palette, one shape per kind of node, edge styles, legend.

Colours come from the Okabe–Ito palette (distinguishable with the common colour-vision
deficiencies), and every category is also told apart without colour: by node shape
(placeholder = inverted house, variable = cylinder, constant = note, op = rounded box,
update = hexagon, collapsed scope = folder, repeated scopes = 3-D box) and line style
(gradient ops and links dashed, control dependencies dotted, writes bold).
"""
import math

__all__ = ["OKABE_ITO", "FONT", "CATEGORY_STYLE", "EDGE_STYLE", "GRAPH_ATTRS", "NODE_ATTRS",
           "EDGE_ATTRS", "colour_scale", "cluster_attrs", "legend_items"]

OKABE_ITO = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7", "black": "#000000",
}

FONT = "Helvetica,Arial,sans-serif"
TEXT = "#1A1A1A"
SUBTLE = "#555555"       # secondary label lines
DIM_FILL, DIM_LINE, DIM_TEXT = "#F4F4F4", "#CFCFCF", "#A8A8A8"

GRAPH_ATTRS = {
    "fontname": FONT, "fontsize": "12", "rankdir": "TB", "nodesep": "0.3", "ranksep": "0.35",
    "newrank": "true", "compound": "true", "labelloc": "t", "labeljust": "c",
    "bgcolor": "white", "pad": "0.2", "outputorder": "edgesfirst",
}
NODE_ATTRS = {"fontname": FONT, "fontsize": "11", "fontcolor": TEXT, "penwidth": "1.2",
              "margin": "0.10,0.05", "height": "0.32", "width": "0.4"}
EDGE_ATTRS = {"fontname": FONT, "fontsize": "9", "fontcolor": SUBTLE, "color": "#4D4D4D",
              "arrowsize": "0.7", "penwidth": "1.1"}

# category -> (legend text, node attributes)
CATEGORY_STYLE = {
    "placeholder": ("placeholder (fed input)", {
        "shape": "invhouse", "style": "filled", "fillcolor": "#D4ECF9", "color": OKABE_ITO["blue"]}),
    "variable": ("variable (state)", {
        "shape": "cylinder", "style": "filled", "fillcolor": "#FBE3B0", "color": "#A56F00"}),
    "constant": ("constant", {
        "shape": "note", "style": "filled", "fillcolor": "#EFEFEF", "color": "#7A7A7A"}),
    "op": ("op", {
        "shape": "box", "style": "rounded,filled", "fillcolor": "#FFFFFF", "color": "#333333"}),
    "gradient": ("gradient op (backward pass)", {
        "shape": "box", "style": "rounded,filled,dashed", "fillcolor": "#F3DCE9",
        "color": "#A24F7F"}),
    "update": ("update (writes a variable)", {
        "shape": "hexagon", "style": "filled", "fillcolor": "#F8D3BC",
        "color": OKABE_ITO["vermillion"], "penwidth": "2"}),
    "scope": ("collapsed name scope", {
        "shape": "folder", "style": "filled", "fillcolor": "#CDEBE2",
        "color": OKABE_ITO["bluish_green"]}),
    "gradient_scope": ("collapsed gradient scope", {
        "shape": "folder", "style": "filled,dashed", "fillcolor": "#F3DCE9", "color": "#A24F7F"}),
    "repeat": ("identical scopes (×N)", {
        "shape": "box3d", "style": "filled", "fillcolor": "#CDEBE2",
        "color": OKABE_ITO["bluish_green"]}),
    "stub": ("used in many places (see side)", {
        "shape": "plaintext", "fontsize": "9", "fontcolor": SUBTLE, "height": "0.2",
        "margin": "0.02,0.01"}),
}

EDGE_STYLE = {
    "data": ("tensor (label: shape)", {}),
    "control": ("control dependency (runs after)", {
        "style": "dotted", "color": "#6E6E6E", "arrowhead": "odot"}),
    "writes": ("writes the variable", {
        "style": "bold", "color": OKABE_ITO["vermillion"], "penwidth": "2"}),
    "gradient": ("gradient from the (hidden) backward pass", {
        "style": "dashed", "color": "#A24F7F", "fontcolor": "#A24F7F"}),
    "gradlink": ("∇ op linked to the forward op it differentiates", {
        "style": "dashed", "color": OKABE_ITO["reddish_purple"], "arrowhead": "none",
        "penwidth": "0.8"}),
}

CLUSTER_FILLS = ("#F5F5F5", "#EAEAEA")
GRADIENT_CLUSTER_FILLS = ("#FBF1F6", "#F5E4EE")


def cluster_attrs(depth, gradient=False, aux=False):
    if aux:
        return {"style": "rounded,dashed", "color": "#9A9A9A", "fontcolor": SUBTLE,
                "fontsize": "10", "labeljust": "l", "margin": "8"}
    fills = GRADIENT_CLUSTER_FILLS if gradient else CLUSTER_FILLS
    return {"style": "rounded,filled" + (",dashed" if gradient else ""),
            "fillcolor": fills[depth % 2], "color": "#A24F7F" if gradient else "#B5B5B5",
            "fontcolor": "#333333", "fontsize": "11", "labeljust": "l", "margin": "8",
            "penwidth": "1"}


def dim_attrs():
    return {"fillcolor": DIM_FILL, "color": DIM_LINE, "fontcolor": DIM_TEXT}


# -- colour scale for numbers (gradient norms, times) ---------------------------------------------
# viridis: perceptually uniform, readable in grey scale and with colour-vision deficiencies.
_VIRIDIS = ["#440154", "#482878", "#3E4A89", "#31688E", "#26828E", "#1F9E89", "#35B779",
            "#6DCD59", "#B4DE2C", "#FDE725"]


def colour_scale(fraction):
    """Colour for ``fraction`` in [0, 1] on the viridis scale (dark = low, yellow = high)."""
    if fraction is None or math.isnan(fraction):
        return "#BBBBBB"
    f = min(1.0, max(0.0, fraction)) * (len(_VIRIDIS) - 1)
    i = min(int(f), len(_VIRIDIS) - 2)
    t = f - i
    a, b = _VIRIDIS[i], _VIRIDIS[i + 1]
    rgb = [round(int(a[k:k + 2], 16) * (1 - t) + int(b[k:k + 2], 16) * t) for k in (1, 3, 5)]
    return "#%02X%02X%02X" % tuple(rgb)


def text_colour_on(fill):
    """Black or white text, whichever reads better on ``fill``."""
    r, g, b = (int(fill[k:k + 2], 16) / 255.0 for k in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 0.45 else "#FFFFFF"


def tint(colour, amount=0.75):
    """``colour`` mixed with white (amount = share of white)."""
    rgb = [round(int(colour[k:k + 2], 16) * (1 - amount) + 255 * amount) for k in (1, 3, 5)]
    return "#%02X%02X%02X" % tuple(rgb)


def legend_items(categories, edge_kinds):
    """The legend entries for what a picture contains, in a fixed order."""
    order = ["placeholder", "variable", "constant", "op", "gradient", "update", "scope",
             "gradient_scope", "repeat", "stub"]
    nodes = [(c, CATEGORY_STYLE[c][0], CATEGORY_STYLE[c][1]) for c in order if c in categories]
    edge_order = ["data", "control", "writes", "gradient", "gradlink"]
    edges = [(k, EDGE_STYLE[k][0], EDGE_STYLE[k][1]) for k in edge_order if k in edge_kinds]
    return nodes, edges
