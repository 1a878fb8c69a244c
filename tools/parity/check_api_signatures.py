"""Parity: public API surface and function signatures (argument names, order, defaults).

For every public callable that tfone exposes in a module TF1 also has (``tf``, ``tf.nn``,
``tf.train``, ``tf.losses``, ``tf.layers``, ``tf.math``, ``tf.linalg``, ``tf.random``,
``tf.nn.rnn_cell``, ``tf.initializers``, ``tf.summary``, ``tf.keras.*``), compares the
signature with TF1's. Then lists which of a curated set of commonly used TF1 names tfone
lacks.

Run: ``/opt/tfref/bin/python tools/parity/check_api_signatures.py``.
"""
import inspect

from harness import Report, main_guard, tf1
import tfone

MODULES = ["", "nn", "train", "losses", "layers", "math", "linalg", "random", "nn.rnn_cell",
           "initializers", "summary", "keras.layers", "keras.optimizers", "keras.losses",
           "keras.activations", "keras.initializers", "keras.backend", "keras.metrics",
           "keras.regularizers", "keras.callbacks", "keras.models", "keras.utils", "data", "image",
           "keras.preprocessing.sequence", "keras.preprocessing.text", "keras.preprocessing.image"]

# Names a TF1 textbook / course commonly uses (checked for presence in tfone).
COMMON = """
cond while_loop case map_fn scan foldl py_func
sort argsort unique unique_with_counts segment_sum segment_mean unsorted_segment_max
unsorted_segment_mean dynamic_partition dynamic_stitch
trace matrix_inverse matrix_determinant svd cholesky self_adjoint_eig qr
reduce_std reduce_variance math.reduce_std math.reduce_variance math.rint math.softplus
math.top_k math.in_top_k math.bincount math.confusion_matrix confusion_matrix
nn.depthwise_conv2d nn.separable_conv2d nn.conv1d nn.conv3d nn.atrous_conv2d nn.convolution
nn.pool nn.max_pool_with_argmax nn.max_pool2d nn.avg_pool2d nn.max_pool3d nn.lrn
nn.local_response_normalization nn.embedding_lookup_sparse nn.nce_loss nn.sampled_softmax_loss
nn.ctc_loss nn.crelu nn.swish nn.gelu nn.normalize_moments nn.sufficient_statistics
nn.weighted_moments nn.zero_fraction nn.raw_rnn nn.bidirectional_dynamic_rnn nn.softmax_cross_entropy_with_logits_v2
nn.log_poisson_loss nn.relu_layer nn.l2_normalize nn.conv2d_transpose nn.conv3d_transpose
nn.conv1d_transpose nn.fractional_max_pool nn.dilation2d nn.space_to_depth nn.depth_to_space
image.resize_images image.resize_bilinear image.flip_left_right image.random_flip_left_right
image.per_image_standardization image.rgb_to_grayscale image.resize_image_with_crop_or_pad
layers.conv1d layers.conv2d_transpose layers.conv3d layers.separable_conv2d layers.max_pooling1d
layers.average_pooling1d layers.Layer layers.flatten layers.dropout
train.AdagradDAOptimizer train.ProximalGradientDescentOptimizer train.ProximalAdagradOptimizer
train.SyncReplicasOptimizer train.ExponentialMovingAverage train.MonitoredTrainingSession
train.Coordinator train.start_queue_runners train.string_input_producer train.batch
train.shuffle_batch train.noisy_linear_cosine_decay train.linear_cosine_decay
train.cosine_decay_restarts train.init_from_checkpoint train.Scaffold train.SessionRunHook
train.StopAtStepHook train.LoggingTensorHook train.CheckpointSaverHook train.summary_iterator
metrics.accuracy metrics.mean metrics.auc metrics.precision metrics.recall metrics.mean_iou
metrics.mean_squared_error
losses.mean_pairwise_squared_error losses.Reduction
summary.FileWriter summary.merge_all summary.scalar summary.histogram summary.image
summary.text summary.audio summary.tensor_summary summary.merge
random.categorical random.shuffle random.normal random.uniform random.truncated_normal
random.gamma random.poisson random_gamma random_poisson random_crop
string_to_number as_string strings.join strings.format regex_replace
sparse_placeholder SparseTensor sparse_tensor_to_dense sparse.SparseTensor IndexedSlices
to_float to_int32 to_int64 to_double to_bfloat16 saturate_cast bitcast complex real imag angle
squeeze expand_dims batch_to_space space_to_batch depth_to_space space_to_depth extract_image_patches
setdiff1d searchsorted histogram_fixed_width clip_by_average_norm
get_variable get_local_variable make_template variable_scope variable_op_scope
global_variables local_variables model_variables trainable_variables moving_average_variables
initialize_variables initialize_all_variables initialize_local_variables
variables_initializer assert_variables_initialized report_uninitialized_variables
ConfigProto GPUOptions GraphOptions OptimizerOptions RunOptions RunMetadata
placeholder_with_default sparse_to_dense tensor_scatter_nd_update tensor_scatter_update
scatter_update scatter_add scatter_sub scatter_nd_update scatter_nd_add assign assign_add
count_nonzero reduce_join verify_tensor_all_finite identity_n ensure_shape
app.run app.flags flags.FLAGS logging.info logging.set_verbosity gfile.GFile gfile.Exists
io.gfile.GFile
keras.Sequential keras.Model keras.layers.Dense keras.layers.Conv2D keras.layers.LSTM
keras.layers.GRU keras.layers.SimpleRNN keras.layers.BatchNormalization keras.layers.Dropout
keras.layers.Flatten keras.layers.MaxPooling2D keras.layers.Embedding keras.layers.Input
keras.optimizers.SGD keras.optimizers.Adam keras.optimizers.RMSprop keras.optimizers.Adagrad
keras.callbacks.EarlyStopping keras.callbacks.ModelCheckpoint keras.callbacks.TensorBoard
keras.utils.to_categorical keras.backend.clear_session keras.backend.get_session
keras.datasets.mnist keras.datasets.cifar10 keras.preprocessing.sequence.pad_sequences
estimator.Estimator feature_column.numeric_column data.Dataset data.TFRecordDataset
data.make_one_shot_iterator data.Iterator compat.v1 Session InteractiveSession
"""


# Arguments TensorFlow/Keras added after 1.15 (absent from the TF1 tfone reproduces).
TF2_ONLY_ARGS = {"layout", "bad_indices_policy", "use_legacy_format", "allow_last_axis_squeeze",
                 "optional", "ragged", "type_spec", "robust_masking", "grad_a", "grad_b",
                 "output_type", "exponential_avg_factor", "use_own_namescope_for_non_slot_vars",
                 "beta", "index_type", "align", "k", "padding_value", "num_rows", "num_cols",
                 "keepdims", "groups", "sparse", "axis", "handle_data", "type_enum",
                 "ignore_class", "safe_mode", "start_from_epoch", "options",
                 "initial_value_threshold", "show_dtype", "layer_range",
                 "show_layer_activations", "show_trainable", "multi_label", "num_labels",
                 "label_weights", "return_all_outputs", "gradient_aggregator",
                 "gradient_transformers"}
# Defaults TF 2.x changed (1.15's value in the comment): shape/size out_type (int32),
# Variable trainable (None means True there too), synchronization/aggregation enums.
TF2_CHANGED_DEFAULTS = {"out_type", "trainable", "synchronization", "aggregation",
                        "unconnected_gradients"}
# TF 2.x names for matrix_diag & co (1.15 used the op's own name) and Keras 2.2's
# regularizers.l1(l=0.01) / l2(l=0.01).
IGNORED = {("tf.matrix_diag", "name"), ("tf.matrix_diag_part", "name"),
           ("tf.matrix_set_diag", "name"), ("tf.linalg.diag", "name"),
           ("tf.linalg.diag_part", "name"), ("tf.linalg.set_diag", "name"),
           ("tf.keras.regularizers.l1", "args"), ("tf.keras.regularizers.l2", "args"),
           ("tf.keras.metrics.AUC", "args"), ("tf.keras.utils.serialize_keras_object", "args"),
           ("tf.keras.utils.deserialize_keras_object", "args"),
           # InputSpec(name=...) is TF 2.x; 1.15's Input/InputLayer default sparse=False;
           # './logs' and 'logs' are the same directory
           ("tf.layers.InputSpec", "args"), ("tf.keras.layers.InputSpec", "args"),
           ("tf.keras.layers.Input", "sparse"), ("tf.keras.layers.InputLayer", "sparse"),
           ("tf.keras.callbacks.TensorBoard", "log_dir"),
           # keras_preprocessing 1.1.0 (TF 1.15's Keras) names the text argument `text`; the
           # `analyzer` and `ignore_class_split` arguments came in later releases
           ("tf.keras.preprocessing.text.hashing_trick", "args"),
           ("tf.keras.preprocessing.text.one_hot", "args"),
           ("tf.keras.preprocessing.text.text_to_word_sequence", "args"),
           ("tf.keras.preprocessing.image.NumpyArrayIterator", "args")}


def resolve(root, dotted):
    obj = root
    for part in dotted.split("."):
        if not part:
            continue
        obj = getattr(obj, part)
    return obj


def params_of(fn):
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    out = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            out.append(("*" if p.kind == p.VAR_POSITIONAL else "**") + p.name)
        else:
            default = p.default
            if default is inspect.Parameter.empty:
                out.append(p.name)
            else:
                out.append("%s=%s" % (p.name, _fmt(default)))
    return out


def _fmt(value):
    if hasattr(value, "name") and hasattr(value, "is_floating"):     # a DType
        return "dtypes." + value.name
    if callable(value) or inspect.isclass(value):
        return getattr(value, "__name__", type(value).__name__)
    return repr(value)


def compare_signature(report, qualname, ref, got):
    if inspect.isclass(ref) and inspect.isclass(got):
        ref, got = ref.__init__, got.__init__
        if ref is object.__init__ or got is object.__init__:
            return
    p_ref, p_got = params_of(ref), params_of(got)
    if p_ref is None or p_got is None:
        return
    report.n_checks += 1
    # TF1's deprecated-argument wrappers and **kwargs catch-alls: compare named params only.
    names_ref = [p.split("=")[0] for p in p_ref if not p.startswith("*")]
    names_got = [p.split("=")[0] for p in p_got if not p.startswith("*")]
    if "self" in names_ref:
        names_ref.remove("self")
    if "self" in names_got:
        names_got.remove("self")
    missing = [n for n in names_ref if n not in names_got and n not in TF2_ONLY_ARGS]
    has_kwargs = any(p.startswith("**") for p in p_got)
    if (qualname, "args") in IGNORED or any(p.startswith("**") for p in p_got):
        missing = []      # tfone forwards **kwargs (checked by behaviour elsewhere)
    if any(p.startswith("*") and not p.startswith("**") for p in p_got):
        return            # (*args, **kwargs): nothing to compare by introspection
    if missing and not (has_kwargs and all(n in ("kwargs",) for n in missing)):
        report.problem(qualname, "args", "sig", "tfone lacks %s (tf1: %s)" % (
            missing, ", ".join(p_ref)))
    common = [n for n in names_ref if n in names_got]
    order_ref = [n for n in names_ref if n in common]
    order_got = [n for n in names_got if n in common]
    positional_ref = order_ref[:len(order_ref)]
    if positional_ref != order_got:
        report.problem(qualname, "order", "sig", "tf1 (%s) vs tfone (%s)" % (
            ", ".join(order_ref), ", ".join(order_got)))
    d_ref = dict(p.split("=", 1) for p in p_ref if "=" in p)
    d_got = dict(p.split("=", 1) for p in p_got if "=" in p)
    for name in common:
        if name in TF2_CHANGED_DEFAULTS or (qualname, name) in IGNORED:
            continue
        if name in d_ref and name in d_got and d_ref[name] != d_got[name]:
            a, b = d_ref[name], d_got[name]
            if _equivalent_default(a, b):
                continue
            report.problem(qualname, name, "default", "tf1 %s tfone %s" % (a, b))
        elif (name in d_ref) != (name in d_got):
            report.problem(qualname, name, "default", "tf1 %s tfone %s" % (
                d_ref.get(name, "<required>"), d_got.get(name, "<required>")))


def _equivalent_default(a, b):
    try:
        return float(a) == float(b)
    except ValueError:
        pass
    aliases = [{"'glorot_uniform'", "GlorotUniform", "glorot_uniform"},
               {"'zeros'", "Zeros", "zeros"}, {"'ones'", "Ones", "ones"},
               {"'orthogonal'", "Orthogonal"}, {"dtypes.float32", "float32"}]
    return any(a in s and b in s for s in aliases)


def run(report):
    tf = tf1()
    for mod in MODULES:
        try:
            m_ref = resolve(tf, mod)
        except AttributeError:
            continue
        try:
            m_got = resolve(tfone, mod)
        except AttributeError:
            report.problem("tf." + mod, "-", "module", "tfone has no tf.%s" % mod)
            continue
        for name in sorted(dir(m_got)):
            if name.startswith("_"):
                continue
            got = getattr(m_got, name)
            if not callable(got) or not hasattr(m_ref, name):
                continue
            try:
                ref = getattr(m_ref, name)
            except Exception:  # noqa: BLE001 - lazy loaders
                continue
            if not callable(ref):
                continue
            report.n_cases += 1
            compare_signature(report, ("tf.%s.%s" % (mod, name)).replace("tf..", "tf."),
                              ref, got)
    missing = []
    for dotted in COMMON.split():
        try:
            resolve(tf, dotted)
        except Exception:  # noqa: BLE001
            continue
        try:
            resolve(tfone, dotted)
        except AttributeError:
            missing.append(dotted)
    print("\nCommonly used TF1 names that tfone does not have (%d):" % len(missing))
    for i in range(0, len(missing), 6):
        print("   " + "  ".join(missing[i:i + 6]))


if __name__ == "__main__":
    rep = Report("API signatures")
    run(rep)
    main_guard(rep)
