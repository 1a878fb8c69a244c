"""Learning-rate decay and gradient clipping: exponential_decay, compute/apply_gradients.

A deep-ish tanh network on the two-spirals problem, trained with Momentum. The learning
rate is tf.train.exponential_decay(global_step) (staircase), the gradients are computed
with optimizer.compute_gradients, clipped together with tf.clip_by_global_norm and applied
with optimizer.apply_gradients(global_step=...), which also increments the step.
"""
import _example

import tfone as tf
from tfone.keras.datasets import spirals
import viz

args = _example.parse_args(__doc__)
n_steps = 300 if args.fast else 2000
(x_train, y_train), (x_test, y_test) = spirals.load_data()
print("spirals: %d training points, %d classes" % (len(x_train), y_train.max() + 1))

tf.set_random_seed(8)
x = tf.placeholder(tf.float32, [None, 2], name="x")
y = tf.placeholder(tf.int32, [None], name="y")
h = x
for i in range(4):
    h = tf.layers.dense(h, 32, activation=tf.nn.tanh, name="dense%d" % i)
logits = tf.layers.dense(h, int(y_train.max()) + 1, name="logits")
loss = tf.losses.sparse_softmax_cross_entropy(labels=y, logits=logits)
accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32), y),
                                  tf.float32))

global_step = tf.Variable(0, trainable=False, name="global_step")
starter_learning_rate = 0.1
learning_rate = tf.train.exponential_decay(starter_learning_rate, global_step,
                                           decay_steps=n_steps // 4, decay_rate=0.5,
                                           staircase=True)
optimizer = tf.train.MomentumOptimizer(learning_rate, momentum=0.9)
grads_and_vars = optimizer.compute_gradients(loss)
gradients, variables = zip(*grads_and_vars)
clipped, global_norm = tf.clip_by_global_norm(gradients, clip_norm=0.25)
train_op = optimizer.apply_gradients(zip(clipped, variables), global_step=global_step)
clipped_norm = tf.global_norm(clipped)

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    clipped_steps = 0
    for i in range(n_steps):
        _, lr, norm, cnorm = sess.run([train_op, learning_rate, global_norm, clipped_norm],
                                      feed_dict={x: x_train, y: y_train})
        clipped_steps += norm > 0.25
        assert cnorm <= 0.25 + 1e-5, cnorm
        if i % (n_steps // 5) == 0:
            l, acc = sess.run([loss, accuracy], feed_dict={x: x_train, y: y_train})
            print("step %4d  lr %.4f  grad norm %.3f  loss %.4f  train acc %.3f"
                  % (sess.run(global_step), lr, norm, l, acc))
    print("global step %d; the gradient was clipped on %d of %d steps"
          % (sess.run(global_step), clipped_steps, n_steps))
    print("learning rate now %.5f" % sess.run(learning_rate))
    test_acc = sess.run(accuracy, feed_dict={x: x_test, y: y_test})
    print("test accuracy %.4f" % test_acc)

viz.render(viz.draw_graph(train_op, depth=1, title="exponential decay and clip_by_global_norm"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % test_acc)
