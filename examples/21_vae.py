"""A variational autoencoder on the digits: the reparameterization trick and a KL term.

The encoder outputs a mean and a log-variance; z = mean + exp(0.5 * log_var) * eps with
eps ~ tf.random_normal(tf.shape(mean)) keeps the sampling differentiable. The loss is the
Bernoulli reconstruction cross-entropy plus KL(q(z|x) || N(0, I)). New digits are decoded
from z ~ N(0, I) with the same decoder weights (a function called twice in one
variable_scope with reuse=tf.AUTO_REUSE).
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_epochs = 20 if args.fast else 100
batch_size, n_latent = 64, 2

(x_train, _), (x_test, _) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0

tf.set_random_seed(21)
X = tf.placeholder(tf.float32, [None, 64], name="X")


def encoder(x):
    with tf.variable_scope("encoder"):
        h = tf.layers.dense(x, 64, activation=tf.nn.elu, name="hidden")
        mean = tf.layers.dense(h, n_latent, name="mean")
        log_var = tf.layers.dense(h, n_latent, name="log_var")
        return mean, log_var


def decoder(z):
    with tf.variable_scope("decoder", reuse=tf.AUTO_REUSE):
        h = tf.layers.dense(z, 64, activation=tf.nn.elu, name="hidden")
        return tf.layers.dense(h, 64, name="logits")


mean, log_var = encoder(X)
eps = tf.random_normal(tf.shape(mean), name="eps")
z = mean + tf.exp(0.5 * log_var) * eps
logits = decoder(z)
reconstruction = tf.sigmoid(logits)

with tf.name_scope("loss"):
    xentropy = tf.nn.sigmoid_cross_entropy_with_logits(labels=X, logits=logits)
    reconstruction_loss = tf.reduce_mean(tf.reduce_sum(xentropy, axis=1))
    kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var), axis=1)
    latent_loss = tf.reduce_mean(kl)
    loss = reconstruction_loss + latent_loss
training_op = tf.train.AdamOptimizer(0.005).minimize(loss)

z_prior = tf.random_normal([8, n_latent], name="z_prior")
generated = tf.sigmoid(decoder(z_prior))
assert len(tf.trainable_variables(scope="decoder")) == 4   # the decoder was reused

rng = np.random.RandomState(21)
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    for epoch in range(n_epochs):
        order = rng.permutation(len(x_train))
        for start in range(0, len(x_train), batch_size):
            sess.run(training_op, {X: x_train[order[start:start + batch_size]]})
        if epoch % max(1, n_epochs // 5) == 0 or epoch == n_epochs - 1:
            rec, lat = sess.run([reconstruction_loss, latent_loss], {X: x_test})
            print("epoch %2d  reconstruction %.3f  KL %.3f" % (epoch, rec, lat))
    test_loss = sess.run(loss, {X: x_test})
    codes = sess.run(mean, {X: x_test[:5]})
    samples = sess.run(generated)
    print("latent means of five test digits:\n", np.round(codes, 2))
    print("eight generated digits (ink per image):", np.round(samples.sum(axis=1), 1))

viz.render(viz.draw_graph(loss, show_gradients=False, depth=2, title="variational autoencoder"),
           _example.path(args, "graph.png"))
# per-pixel loss relative to the entropy of predicting each pixel's mean intensity
p = np.clip(x_train.mean(axis=0), 1e-6, 1 - 1e-6)
baseline = -np.mean(np.sum(x_test * np.log(p) + (1 - x_test) * np.log(1 - p), axis=1))
print("test loss %.3f (mean-image baseline %.3f)" % (test_loss, baseline))
print("final loss_vs_baseline: %.4f" % (test_loss / baseline))
