"""Weight sharing with tf.get_variable and tf.variable_scope: a siamese network on digits.

One "tower" turns an image into an 8-number embedding. Both images of a pair go through
the *same* tower: the second call re-enters the scope after scope.reuse_variables(), so
tf.get_variable returns the existing weights instead of creating new ones. A logistic
layer on |e1 - e2| says whether the two digits are the same. The program also shows what
happens without reuse (TF1's "Variable ... already exists" error) and tf.AUTO_REUSE.
"""
import _example

import numpy as np
import tfone as tf
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
n_steps = 300 if args.fast else 2000
batch_size = 64

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
rng = np.random.RandomState(15)


def make_pairs(images, labels, n):
    """n pairs, half of them of the same digit."""
    first = rng.randint(0, len(images), n)
    same = rng.rand(n) < 0.5
    by_class = [np.flatnonzero(labels == c) for c in range(10)]
    second = np.array([rng.choice(by_class[labels[i]]) if s else
                       rng.choice(np.flatnonzero(labels != labels[i]))
                       for i, s in zip(first, same)])
    return images[first], images[second], same.astype(np.float32).reshape(-1, 1)


def tower(x):
    with tf.variable_scope("layer1"):
        w = tf.get_variable("weights", [64, 32],
                            initializer=tf.random_normal_initializer(stddev=0.1))
        b = tf.get_variable("biases", [32], initializer=tf.constant_initializer(0.0))
        h = tf.nn.relu(tf.matmul(x, w) + b)
    with tf.variable_scope("layer2"):
        w = tf.get_variable("weights", [32, 8],
                            initializer=tf.random_normal_initializer(stddev=0.1))
        b = tf.get_variable("biases", [8], initializer=tf.constant_initializer(0.0))
        return tf.matmul(h, w) + b


tf.set_random_seed(15)
x1 = tf.placeholder(tf.float32, [None, 64], name="left")
x2 = tf.placeholder(tf.float32, [None, 64], name="right")
same = tf.placeholder(tf.float32, [None, 1], name="same")

with tf.variable_scope("siamese") as scope:
    e1 = tower(x1)
    scope.reuse_variables()
    e2 = tower(x2)

try:
    with tf.variable_scope("siamese"):
        tower(x2)
except ValueError as e:
    print("without reuse:", str(e).splitlines()[0])

with tf.variable_scope("siamese", reuse=tf.AUTO_REUSE):
    e3 = tower(x2)     # AUTO_REUSE: reuse if it exists, create otherwise

with tf.variable_scope("head"):
    distance = tf.abs(e1 - e2)
    w = tf.get_variable("weights", [8, 1], initializer=tf.constant_initializer(-1.0))
    b = tf.get_variable("bias", [1], initializer=tf.constant_initializer(2.0))
    logits = tf.matmul(distance, w) + b

loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=same, logits=logits))
train_op = tf.train.AdamOptimizer(0.005).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(logits > 0, tf.float32), same), tf.float32))

print("trainable variables (one tower + head):")
for v in tf.trainable_variables():
    print("   ", v.name, v.shape)
assert len(tf.trainable_variables()) == 6

test_a, test_b, test_same = make_pairs(x_test, y_test, 1000)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(1, n_steps + 1):
        a, b_, s = make_pairs(x_train, y_train, batch_size)
        _, l = sess.run([train_op, loss], {x1: a, x2: b_, same: s})
        if step % (n_steps // 4) == 0:
            print("step %4d  loss %.4f" % (step, l))
    feed = {x1: test_a, x2: test_b, same: test_same}
    acc, emb2, emb3 = sess.run([accuracy, e2, e3], feed)
    print("the AUTO_REUSE tower gives the same embeddings:", np.array_equal(emb2, emb3))
    print("pair accuracy on test digits: %.4f" % acc)

viz.render(viz.draw_graph(train_op, depth=2, title="siamese towers sharing weights"),
           _example.path(args, "graph.png"))
print("final pair_accuracy: %.4f" % acc)
