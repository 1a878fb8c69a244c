"""``tf.losses``: weighted, reduced, collected losses (TF1's ``tf.compat.v1.losses``)."""
from tfone.ops.losses_impl import (  # noqa: F401
    Reduction, compute_weighted_loss, absolute_difference, cosine_distance, hinge_loss,
    huber_loss, log_loss, mean_pairwise_squared_error, mean_squared_error,
    sigmoid_cross_entropy, softmax_cross_entropy, sparse_softmax_cross_entropy, add_loss,
    get_losses, get_regularization_losses, get_regularization_loss, get_total_loss)
