"""The engine's core: dtypes, shapes, graph, op registry, session, gradients."""
