"""``tf.nn``: neural-network ops (activations, softmax, cross-entropies, convolution, pooling,
dropout, normalisation, embeddings, top-k), as in TensorFlow 1.

``tf.nn.sigmoid`` and ``tf.nn.tanh`` are the same functions as ``tf.sigmoid`` / ``tf.tanh``.
"""
from tfone.ops.math_ops import sigmoid, tanh  # noqa: F401
from tfone.ops.nn_ops import (  # noqa: F401
    relu, relu6, leaky_relu, elu, selu, softplus, softsign, crelu, swish, relu_layer, softmax,
    log_softmax, bias_add, xw_plus_b, dropout, l2_loss, l2_normalize, moments,
    sufficient_statistics, normalize_moments, weighted_moments, batch_normalization,
    fused_batch_norm, lrn, local_response_normalization, sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits,
    softmax_cross_entropy_with_logits_v2, sparse_softmax_cross_entropy_with_logits,
    weighted_cross_entropy_with_logits, log_poisson_loss, embedding_lookup, in_top_k, top_k,
    zero_fraction)
from tfone.ops.conv_ops import (  # noqa: F401
    conv1d, conv2d, conv2d_backprop_input, conv2d_backprop_filter, conv2d_transpose,
    depthwise_conv2d, depthwise_conv2d_native, depthwise_conv2d_native_backprop_input,
    depthwise_conv2d_native_backprop_filter, separable_conv2d, max_pool, avg_pool, max_pool2d,
    avg_pool2d)
from tfone.ops.candidate_sampling_ops import (  # noqa: F401
    nce_loss, sampled_softmax_loss, log_uniform_candidate_sampler, uniform_candidate_sampler)
from tfone.nn import rnn_cell  # noqa: F401,E402  (tf.nn.rnn_cell.*)
from tfone.ops.rnn import (  # noqa: F401,E402
    static_rnn, dynamic_rnn, bidirectional_dynamic_rnn, static_bidirectional_rnn)
