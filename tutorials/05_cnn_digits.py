"""05: a convolutional network on digits -- conv2d, max_pool, and what the filters learn.

A convolution slides small learned filters over the image, so the same pattern detector is
used at every position; max pooling keeps the strongest response in each 2x2 window. Two
conv/pool stages and a dense layer read the 8x8 digits with fewer weights than the MLP of
lesson 04.

    python tutorials/05_cnn_digits.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons
import numpy as np

import tfone as tf
from tfone.keras.datasets import digits
import viz

lesson = _common.Lesson("05_cnn_digits", __doc__)

# ---------------------------------------------------------------------------------------------
lesson.section("1. Images as NHWC tensors")
(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train[..., None].astype(np.float32) / 16.0    # (n, 8, 8) -> (n, 8, 8, 1)
x_test = x_test[..., None].astype(np.float32) / 16.0
y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
if lesson.fast:
    x_train, y_train = x_train[:300], y_train[:300]
print("x_train %s, x_test %s: batch, height, width, channels (TF's default NHWC layout)"
      % (x_train.shape, x_test.shape))

# ---------------------------------------------------------------------------------------------
lesson.section("2. The network: conv -> pool -> conv -> pool -> dense")
tf.set_random_seed(2)
images = tf.placeholder(tf.float32, [None, 8, 8, 1], name="images")
labels = tf.placeholder(tf.int32, [None], name="labels")


def conv_layer(inputs, n_filters, size, name):
    """conv2d (stride 1, 'SAME' padding) + bias + ReLU, then 2x2 max pooling."""
    with tf.variable_scope(name):
        n_in = inputs.shape[-1].value
        kernel = tf.get_variable("kernel", [size, size, n_in, n_filters],
                                 initializer=tf.glorot_uniform_initializer())
        bias = tf.get_variable("bias", [n_filters], initializer=tf.zeros_initializer())
        conv = tf.nn.conv2d(inputs, kernel, strides=[1, 1, 1, 1], padding="SAME")
        activation = tf.nn.relu(tf.nn.bias_add(conv, bias))
        pooled = tf.nn.max_pool(activation, ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1],
                                padding="SAME")
    return kernel, activation, pooled


kernel1, act1, pool1 = conv_layer(images, 12, 3, "conv1")    # 8x8x1  -> 8x8x12 -> 4x4x12
kernel2, act2, pool2 = conv_layer(pool1, 24, 3, "conv2")     # 4x4x12 -> 4x4x24 -> 2x2x24
with tf.variable_scope("output"):
    flat = tf.reshape(pool2, [-1, 2 * 2 * 24])
    W = tf.get_variable("W", [96, 10], initializer=tf.glorot_uniform_initializer())
    b = tf.get_variable("b", [10], initializer=tf.zeros_initializer())
    logits = tf.matmul(flat, W) + b
with tf.name_scope("loss"):
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=labels, logits=logits))
with tf.name_scope("accuracy"):
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1, output_type=tf.int32),
                                               labels), tf.float32))
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
for t in (images, act1, pool1, act2, pool2, flat, logits):
    print("  %-22s %s" % (t.op.name, t.shape))
n_params = sum(int(np.prod(v.shape.as_list())) for v in tf.trainable_variables())
print("  %d trainable parameters" % n_params)

# ---------------------------------------------------------------------------------------------
lesson.section("3. Training")
sess = tf.Session()
sess.run(tf.global_variables_initializer())
first_filters = sess.run(kernel1)
rng = np.random.RandomState(0)
batch_size, epochs = 64, (3 if lesson.fast else 15)
for epoch in range(1, epochs + 1):
    order = rng.permutation(len(x_train))
    for start in range(0, len(x_train), batch_size):
        batch = order[start:start + batch_size]
        sess.run(train_op, {images: x_train[batch], labels: y_train[batch]})
    if epoch == 1 or epoch % 3 == 0 or epoch == epochs:
        tr = sess.run([loss, accuracy], {images: x_train, labels: y_train})
        te = sess.run([loss, accuracy], {images: x_test, labels: y_test})
        print("  epoch %2d   loss %.4f  accuracy %.3f   |  test loss %.4f  test accuracy %.3f"
              % ((epoch,) + tuple(tr) + tuple(te)))
test_accuracy = float(sess.run(accuracy, {images: x_test, labels: y_test}))
print("final test accuracy: %.1f%%" % (100 * test_accuracy))

# ---------------------------------------------------------------------------------------------
lesson.section("4. What the first layer learned")
lesson.say("""Each first-layer filter is a 3x3 grid of weights. Before training they are
random; after training they have become small edge and stroke detectors. Feature maps show
where in one digit each filter responds.""")
learned = sess.run(kernel1)
print("  conv1 filter norm: %.3f before training, %.3f after; relative change %.2f"
      % (np.linalg.norm(first_filters), np.linalg.norm(learned),
         np.linalg.norm(learned - first_filters) / np.linalg.norm(first_filters)))
plt = _common.pyplot()
fig, axes = plt.subplots(2, 12, figsize=(10, 2.3))
limit = np.abs(np.concatenate([first_filters, learned])).max()
for k in range(12):
    for row, weights in enumerate((first_filters, learned)):
        ax = axes[row, k]
        ax.imshow(weights[:, :, 0, k], cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, k].set_title("#%d" % k, fontsize=8)
axes[0, 0].set_ylabel("initial", fontsize=8)
axes[1, 0].set_ylabel("learned", fontsize=8)
fig.suptitle("conv1 filters, 3x3 (red positive, blue negative weights)", fontsize=10, y=1.04)
lesson.save(fig, "filters.png", "first-layer filters before and after training")

sample = x_test[:1]
maps1, maps2, probs = sess.run([act1, act2, tf.nn.softmax(logits)], {images: sample})
fig, axes = plt.subplots(2, 7, figsize=(10, 3.2))
axes[0, 0].imshow(sample[0, :, :, 0], cmap="gray_r")
axes[0, 0].set_title("input: %d" % y_test[0], fontsize=9)
axes[1, 0].bar(range(10), probs[0], color="#0072B2")
axes[1, 0].set_title("p(digit)", fontsize=9)
axes[1, 0].set_xticks(range(0, 10, 3))
for k in range(1, 7):
    axes[0, k].imshow(maps1[0, :, :, k - 1], cmap="viridis")
    axes[0, k].set_title("conv1 #%d" % (k - 1), fontsize=9)
    axes[1, k].imshow(maps2[0, :, :, k - 1], cmap="viridis")
    axes[1, k].set_title("conv2 #%d" % (k - 1), fontsize=9)
for ax in axes.ravel()[1:7].tolist() + axes.ravel()[8:].tolist() + [axes[0, 0]]:
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
lesson.save(fig, "feature_maps.png", "activations for one test digit")
print("  first test image: label %d; the network says %d with probability %.3f"
      % (y_test[0], int(np.argmax(probs[0])), float(np.max(probs[0]))))

# ---------------------------------------------------------------------------------------------
lesson.section("5. The graph")
lesson.save(viz.draw_graph(loss, show_gradients=False, title="CNN forward pass"),
            "graph.png", "the forward pass with tensor shapes")
lesson.save(viz.draw_graph(train_op, depth=0, title="CNN training graph, by scope"),
            "graph_by_scope.png", "forward, gradients and Adam, one box per scope")
sess.close()

lesson.done()
