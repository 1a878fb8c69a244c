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
from tfone.ops.state_ops import (  # noqa: F401
    assign, assign_add, assign_sub, scatter_update, scatter_add, scatter_sub, scatter_nd_update,
    scatter_nd_add, scatter_nd_sub)
from tfone.framework.indexed_slices import IndexedSlices  # noqa: F401
from tfone.ops.variables import *  # noqa: F401,F403
from tfone.ops.variable_scope import *  # noqa: F401,F403
from tfone.ops.control_flow_ops import (  # noqa: F401
    no_op, group, tuple, with_dependencies, cond, case, while_loop, map_fn, scan, foldl, foldr)
from tfone.ops.random_ops import (  # noqa: F401
    random_normal, random_uniform, truncated_normal, random_shuffle, multinomial, set_random_seed,
    get_seed)
from tfone.ops.init_ops import (  # noqa: F401
    zeros_initializer, ones_initializer, constant_initializer, random_normal_initializer,
    truncated_normal_initializer, random_uniform_initializer, glorot_uniform_initializer,
    glorot_normal_initializer, variance_scaling_initializer, orthogonal_initializer,
    uniform_unit_scaling_initializer)
from tfone.ops.linalg_ops import (  # noqa: F401
    matrix_inverse, matrix_determinant, cholesky, cholesky_solve, matrix_solve,
    matrix_triangular_solve, matrix_solve_ls, self_adjoint_eig, self_adjoint_eigvals, svd)
from tfone.ops.init_ops import qr  # noqa: F401
from tfone.ops.segment_ops import (  # noqa: F401
    unique, unique_with_counts, segment_sum, segment_mean, segment_max, segment_min,
    unsorted_segment_max, unsorted_segment_min, unsorted_segment_mean, unsorted_segment_sqrt_n,
    bincount, confusion_matrix)
from tfone.ops.sort_ops import sort, argsort  # noqa: F401
from tfone.ops.manip_ops import roll  # noqa: F401
from tfone.ops.data_flow_ops import dynamic_partition, dynamic_stitch  # noqa: F401
from tfone.ops.script_ops import py_func, numpy_function  # noqa: F401
from tfone.ops.numerics import verify_tensor_all_finite  # noqa: F401
from tfone.ops.tensor_array_ops import TensorArray  # noqa: F401
from tfone import random, initializers  # noqa: F401  (tf.random.*, tf.initializers.*)
from tfone import math, linalg  # noqa: F401  (tf.math.*, tf.linalg.*)
from tfone.linalg import trace  # noqa: F401
from tfone import nn, losses  # noqa: F401  (tf.nn.*, tf.losses.*)
from tfone import image  # noqa: F401  (tf.image.*)
from tfone.ops.image_ops import random_crop  # noqa: F401
from tfone.ops.logging_ops import Print, print, check_numerics, add_check_numerics_ops  # noqa: F401,A004
from tfone.ops.check_ops import (  # noqa: F401
    Assert, assert_equal, assert_none_equal, assert_less, assert_less_equal, assert_greater,
    assert_greater_equal, assert_positive, assert_non_negative, assert_negative,
    assert_non_positive, assert_near, assert_rank, assert_rank_at_least, assert_rank_in,
    assert_type, assert_integer, assert_scalar, assert_proper_iterable, is_numeric_tensor,
    is_non_decreasing, is_strictly_increasing)
from tfone import summary, debugging  # noqa: F401  (tf.summary.*, tf.debugging.*)
from tfone.ops.clip_ops import (  # noqa: F401
    clip_by_norm, clip_by_global_norm, global_norm, clip_by_average_norm)
from tfone.framework.graph_io import GraphDef, NodeDef, import_graph_def  # noqa: F401
from tfone import train  # noqa: F401  (tf.train.*)
from tfone.train.moving_averages import moving_average_variables  # noqa: F401
from tfone import layers  # noqa: F401  (tf.layers.*)
from tfone.ops import operators as _operators  # noqa: F401  (x + y, x[...], ...)
from tfone.framework.config import (  # noqa: F401  (tf.Session(config=tf.ConfigProto(...)))
    ConfigProto, GPUOptions, GraphOptions, OptimizerOptions)
from tfone.platform import tf_logging as logging, app, flags, gfile  # noqa: F401
from tfone import compat  # noqa: F401  (tf.compat.v1 is tfone itself)
from tfone import contrib  # noqa: F401  (the most used tf.contrib.layers / .rnn functions)
from tfone import metrics  # noqa: F401  (tf.metrics: streaming metrics on local variables)
from tfone import test  # noqa: F401  (tf.test: gradient checks, is_gpu_available)
from tfone import graph_util  # noqa: F401  (tf.graph_util: freeze and prune GraphDefs)
from tfone.compat import (  # noqa: F401
    disable_v2_behavior, enable_v2_behavior, disable_eager_execution, enable_eager_execution,
    executing_eagerly)

newaxis = None
VERSION = __version__   # TF1's tf.VERSION (tfone's own version)


def __getattr__(name):
    # TF1's top-level protobuf classes (tf.Summary(value=[tf.Summary.Value(...)]), tf.Event,
    # tf.SessionLog) come from the optional tensorboard package, imported on first use.
    if name in ("Summary", "Event", "SessionLog", "SummaryMetadata", "HistogramProto"):
        from tfone.summary._tensorboard import proto
        return getattr(proto("event_pb2" if name in ("Event", "SessionLog") else "summary_pb2"),
                       name)
    if name == "distribute":  # tf.distribute imports Dask, so only when first used
        import importlib
        return importlib.import_module("tfone.distribute")
    if name in ("keras", "data"):  # tf.keras / tf.data, imported when first used
        import importlib
        return importlib.import_module("tfone." + name)
    raise AttributeError("module 'tfone' has no attribute %r" % name)
