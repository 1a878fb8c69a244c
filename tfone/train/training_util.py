"""The global step: an int64 scalar variable named ``global_step`` counting training steps.

``optimizer.minimize(loss, global_step=step)`` increments it after every update, and the
learning-rate schedules in :mod:`tfone.train.learning_rate_decay` are functions of it.
"""
from tfone.framework import dtypes
from tfone.framework.graph import GraphKeys, Tensor, get_default_graph
from tfone.ops.variables import Variable

__all__ = ["global_step", "get_global_step", "create_global_step", "get_or_create_global_step",
           "assert_global_step"]


def global_step(sess, global_step_tensor):
    """The current value of ``global_step_tensor`` in ``sess``, as a Python int."""
    return int(sess.run(global_step_tensor))


def get_global_step(graph=None):
    """The global step of ``graph`` (its GLOBAL_STEP collection, else the tensor named
    'global_step:0'), or None if there is none."""
    graph = graph or get_default_graph()
    found = graph.get_collection(GraphKeys.GLOBAL_STEP)
    if len(found) == 1:
        step = found[0]
    elif not found:
        try:
            step = graph.get_tensor_by_name("global_step:0")
        except KeyError:
            return None
    else:
        raise ValueError("Multiple tensors in the global_step collection: %s"
                         % [getattr(s, "name", s) for s in found])
    assert_global_step(step)
    return step


def assert_global_step(global_step_tensor):
    """TypeError unless ``global_step_tensor`` is an integer scalar Variable or Tensor."""
    if not isinstance(global_step_tensor, (Variable, Tensor)):
        raise TypeError('Existing "global_step" must be a Variable or Tensor: %s.'
                        % (global_step_tensor,))
    if not global_step_tensor.dtype.base_dtype.is_integer:
        raise TypeError('Existing "global_step" does not have integer type: %s'
                        % global_step_tensor.dtype)
    shape = global_step_tensor.shape
    if shape.ndims != 0 and shape.is_fully_defined():
        raise TypeError('Existing "global_step" is not scalar: %s' % shape)


def create_global_step(graph=None):
    """Create the global step (int64 scalar, initially 0, not trainable) in ``graph``.

    Raises ValueError if it already exists."""
    graph = graph or get_default_graph()
    if get_global_step(graph) is not None:
        raise ValueError('"global_step" already exists.')
    from tfone.ops import array_ops
    from tfone.ops.variable_scope import get_variable

    def zeros_initializer(shape, dtype=dtypes.int64, partition_info=None):
        return array_ops.zeros(shape, dtype=dtype)

    with graph.as_default(), graph.name_scope(None):
        return get_variable(GraphKeys.GLOBAL_STEP, shape=[], dtype=dtypes.int64,
                            initializer=zeros_initializer, trainable=False,
                            collections=[GraphKeys.GLOBAL_VARIABLES, GraphKeys.GLOBAL_STEP])


def get_or_create_global_step(graph=None):
    """The global step of ``graph``, created if needed."""
    graph = graph or get_default_graph()
    step = get_global_step(graph)
    if step is None:
        step = create_global_step(graph)
    return step
