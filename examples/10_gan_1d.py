"""A tiny GAN that learns a 1-D Gaussian: two networks, two optimizers, var_list and reuse.

The generator turns uniform noise into samples; the discriminator tells real samples
(drawn from N(4, 1.25)) from generated ones. Both live in their own tf.variable_scope;
the discriminator is applied twice (real and fake) by re-entering its scope with
reuse=True. Each optimizer updates only its own network through var_list, with the
variables picked by scope from tf.GraphKeys.TRAINABLE_VARIABLES.
"""
import _example

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
num_steps = 600 if args.fast else 3000
batch_size, hidden = 64, 16
data_mean, data_std = 4.0, 1.25
rng = np.random.RandomState(2)


def generator(z, reuse=False):
    with tf.variable_scope("generator", reuse=reuse):
        h = tf.layers.dense(z, hidden, activation=tf.nn.softplus, name="h0")
        return tf.layers.dense(h, 1, name="out")


def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.dense(x, hidden, activation=tf.nn.leaky_relu, name="h0")
        h = tf.layers.dense(h, hidden, activation=tf.nn.leaky_relu, name="h1")
        return tf.layers.dense(h, 1, name="out")   # logits


tf.set_random_seed(2)
z = tf.placeholder(tf.float32, [None, 1], name="z")
x = tf.placeholder(tf.float32, [None, 1], name="x")

G = generator(z)
D_real = discriminator(x)
D_fake = discriminator(G, reuse=True)

d_loss_real = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
    logits=D_real, labels=tf.ones_like(D_real)))
d_loss_fake = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
    logits=D_fake, labels=tf.zeros_like(D_fake)))
d_loss = d_loss_real + d_loss_fake
g_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
    logits=D_fake, labels=tf.ones_like(D_fake)))

d_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="discriminator")
g_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="generator")
print("discriminator variables:", [v.name for v in d_vars])
print("generator variables:    ", [v.name for v in g_vars])
assert len(tf.trainable_variables()) == len(d_vars) + len(g_vars)  # reuse made no copies

d_train = tf.train.AdamOptimizer(0.005, beta1=0.5).minimize(d_loss, var_list=d_vars)
g_train = tf.train.AdamOptimizer(0.005, beta1=0.5).minimize(g_loss, var_list=g_vars)


def sample_z(n):
    return rng.uniform(-1.0, 1.0, size=(n, 1)).astype(np.float32)


with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, num_steps + 1):
        real = rng.normal(data_mean, data_std, size=(batch_size, 1)).astype(np.float32)
        _, dl = sess.run([d_train, d_loss], feed_dict={x: real, z: sample_z(batch_size)})
        _, gl = sess.run([g_train, g_loss], feed_dict={z: sample_z(batch_size)})
        if step % (num_steps // 5) == 0:
            samples = sess.run(G, feed_dict={z: sample_z(1000)})
            print("step %4d  d_loss %.4f  g_loss %.4f  generated mean %.3f std %.3f"
                  % (step, dl, gl, samples.mean(), samples.std()))
    samples = sess.run(G, feed_dict={z: sample_z(5000)})

mean_error = abs(samples.mean() - data_mean)
print("generated: mean %.3f std %.3f (target %.2f, %.2f)" % (samples.mean(), samples.std(),
                                                            data_mean, data_std))
viz.render(viz.draw_graph([d_train, g_train], depth=1, title="GAN: two optimizers"),
           _example.path(args, "graph.png"))
print("final mean_error: %.4f" % mean_error)
