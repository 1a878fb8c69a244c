"""tfone's op library, one module per family. Importing this registers every op type."""
from tfone.framework.op_registry import registered_ops, get_opdef  # noqa: F401
from tfone.ops import constant_op, array_ops, math_ops, state_ops, control_flow_ops  # noqa: F401
from tfone.ops import variables, variable_scope, operators  # noqa: F401
from tfone.ops import random_ops, init_ops  # noqa: F401
from tfone.ops import nn_ops, conv_ops  # noqa: F401
from tfone.ops import logging_ops, check_ops  # noqa: F401
from tfone.ops import clip_ops  # noqa: F401
from tfone.ops import linalg_ops, segment_ops, manip_ops, sort_ops, script_ops  # noqa: F401
from tfone.ops import candidate_sampling_ops, image_ops, data_flow_ops  # noqa: F401
from tfone.data import iterator_ops  # noqa: F401  (tf.data iterators; the rest loads lazily)
