"""tfone: TensorFlow 1's graph-mode programming model, on numpy, for teaching.

``import tfone as tf`` gives placeholders, variables and ops that build a static graph,
``tf.Session().run(fetches, feed_dict)`` to execute it, and ``tf.gradients`` to add the
backward pass as graph ops. See README.md and docs/HOW_IT_WORKS.md.
"""
__version__ = "0.1.0"

from tfone import errors  # noqa: F401
from tfone.framework.dtypes import (  # noqa: F401
    DType, as_dtype, float16, float32, float64, half, double, int8, int16, int32, int64, uint8,
    uint16, bool, string, complex64, complex128)
from tfone.framework.tensor_shape import TensorShape, Dimension, dimension_value  # noqa: F401
from tfone.framework.graph import (  # noqa: F401
    Graph, Operation, Tensor, GraphKeys, DeviceSpec, get_default_graph, reset_default_graph,
    name_scope, control_dependencies, device, add_to_collection, add_to_collections,
    get_collection, get_collection_ref)
from tfone.framework.session import (  # noqa: F401
    Session, InteractiveSession, get_default_session, RunOptions, RunMetadata)
from tfone.framework.gradients import gradients, hessians  # noqa: F401
from tfone.framework.op_registry import convert_to_tensor, registered_ops  # noqa: F401

from tfone.ops.constant_op import constant  # noqa: F401
from tfone.ops.array_ops import *  # noqa: F401,F403
from tfone.ops.math_ops import *  # noqa: F401,F403
from tfone.ops.state_ops import assign, assign_add, assign_sub  # noqa: F401
from tfone.ops.variables import *  # noqa: F401,F403
from tfone.ops.variable_scope import *  # noqa: F401,F403
from tfone.ops.control_flow_ops import no_op, group, tuple, with_dependencies  # noqa: F401
from tfone.ops.random_ops import (  # noqa: F401
    random_normal, random_uniform, truncated_normal, random_shuffle, multinomial, set_random_seed,
    get_seed)
from tfone.ops.init_ops import (  # noqa: F401
    zeros_initializer, ones_initializer, constant_initializer, random_normal_initializer,
    truncated_normal_initializer, random_uniform_initializer, glorot_uniform_initializer,
    glorot_normal_initializer, variance_scaling_initializer, orthogonal_initializer,
    uniform_unit_scaling_initializer)
from tfone import random, initializers  # noqa: F401  (tf.random.*, tf.initializers.*)
from tfone import math, linalg  # noqa: F401  (tf.math.*, tf.linalg.*)
from tfone.ops import operators as _operators  # noqa: F401  (x + y, x[...], ...)

newaxis = None
