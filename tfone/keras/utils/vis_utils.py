"""``keras.utils.plot_model``: a layer-level picture of a model, drawn by ``viz``.

viz (and Graphviz) are imported only when a picture is made.
"""
import os

__all__ = ["plot_model", "model_to_dot"]


def model_to_dot(model, show_shapes=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False):
    """A ``graphviz.Digraph`` of ``model``: one node per layer (its name scope folded), edges
    labelled with shapes if ``show_shapes``. ``expand_nested=True`` shows the ops inside each
    layer (the layer scopes become clusters)."""
    try:
        import viz
    except ImportError as e:
        raise ImportError("plot_model draws with tfone's `viz` package, which could not be "
                          "imported (%s)." % e) from e
    if not model.built or not model.outputs:
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or calling `fit()` with some data, or specify an "
                         "`input_shape` argument in the first layer(s) for automatic build.")
    return viz.draw_graph(list(model.outputs), rankdir=rankdir, show_shapes=show_shapes,
                          depth=None if expand_nested else 1, show_gradients=False,
                          title=model.name if show_layer_names else None, legend=False)


def plot_model(model, to_file="model.png", show_shapes=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=96):
    """Draw ``model`` (see ``model_to_dot``) and write it to ``to_file`` (the format comes
    from the extension: .png, .svg, .pdf); returns the diagram (it displays in Jupyter)."""
    diagram = model_to_dot(model, show_shapes=show_shapes, show_layer_names=show_layer_names,
                           rankdir=rankdir, expand_nested=expand_nested, dpi=dpi)
    if to_file:
        import viz
        viz.render(diagram, os.fspath(to_file))
    return diagram
