"""04: an MLP on handwritten digits -- mini-batches, Adam, accuracy and a confusion matrix.

The UCI digits data set ships with tfone: 1797 grey images of 8x8 pixels, a pocket-sized
MNIST that trains in seconds on a laptop. A two-layer perceptron (64 -> 64 ReLU -> 10)
trained with Adam on mini-batches reaches 97-99% test accuracy.

    python tutorials/04_mlp_digits.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons
import numpy as np

import tfone as tf
from tfone.keras.datasets import digits
import viz

lesson = _common.Lesson("04_mlp_digits", __doc__)

# ---------------------------------------------------------------------------------------------
lesson.section("1. The data")
(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0    # pixels 0..16 -> 0..1
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
if lesson.fast:
    x_train, y_train = x_train[:400], y_train[:400]
print("train: %s images, test: %s images, %d classes; pixel values in [0, 1]"
      % (len(x_train), len(x_test), len(np.unique(y_train))))

plt = _common.pyplot()
fig, axes = plt.subplots(2, 10, figsize=(8, 1.9))
for k, ax in enumerate(axes.ravel()):
    ax.imshow(x_train[k].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(str(y_train[k]), fontsize=9)
    ax.axis("off")
fig.suptitle("20 training images (8x8 pixels) and their labels", fontsize=10, y=1.06)
lesson.save(fig, "samples.png", "what the data look like")

# ---------------------------------------------------------------------------------------------
lesson.section("2. The model: placeholders, two dense layers, a loss, Adam")
tf.set_random_seed(1)
images = tf.placeholder(tf.float32, [None, 64], name="images")
labels = tf.placeholder(tf.int32, [None], name="labels")
hidden = tf.layers.dense(images, 64, activation=tf.nn.relu, name="hidden")
logits = tf.layers.dense(hidden, 10, name="output")
with tf.name_scope("loss"):
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
with tf.name_scope("accuracy"):
    predictions = tf.argmax(logits, axis=1, output_type=tf.int32)
    accuracy = tf.reduce_mean(tf.cast(tf.equal(predictions, labels), tf.float32))
train_op = tf.train.AdamOptimizer(learning_rate=0.01).minimize(loss)
for v in tf.trainable_variables():
    print("  variable %-16s shape %s" % (v.op.name, v.shape))
n_params = sum(int(np.prod(v.shape.as_list())) for v in tf.trainable_variables())
print("  %d trainable parameters; the graph has %d ops (forward, backward and Adam's updates)"
      % (n_params, len(tf.get_default_graph().get_operations())))

# ---------------------------------------------------------------------------------------------
lesson.section("3. Training on mini-batches")
batch_size = 64
epochs = 4 if lesson.fast else 30
rng = np.random.RandomState(0)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
for epoch in range(1, epochs + 1):
    order = rng.permutation(len(x_train))          # a new shuffle every epoch
    for start in range(0, len(x_train), batch_size):
        batch = order[start:start + batch_size]
        sess.run(train_op, {images: x_train[batch], labels: y_train[batch]})
    train_loss, train_acc = sess.run([loss, accuracy], {images: x_train, labels: y_train})
    test_loss, test_acc = sess.run([loss, accuracy], {images: x_test, labels: y_test})
    for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc)):
        history[key].append(float(value))
    if epoch == 1 or epoch % max(1, epochs // 6) == 0 or epoch == epochs:
        print("  epoch %2d   loss %.4f  accuracy %.3f   |  test loss %.4f  test accuracy %.3f"
              % (epoch, train_loss, train_acc, test_loss, test_acc))
print("final test accuracy: %.1f%% (%d of %d test images)"
      % (100 * history["val_accuracy"][-1], round(history["val_accuracy"][-1] * len(x_test)),
         len(x_test)))

# ---------------------------------------------------------------------------------------------
lesson.section("4. Which digits get confused?")
predicted = sess.run(predictions, {images: x_test})
confusion = np.zeros((10, 10), dtype=np.int64)
np.add.at(confusion, (y_test, predicted), 1)        # rows: true digit, columns: predicted
off = confusion - np.diag(np.diag(confusion))
worst = np.dstack(np.unravel_index(np.argsort(off.ravel())[::-1][:3], off.shape))[0]
for true, pred in worst:
    if off[true, pred]:
        print("  true %d predicted as %d: %d test image%s"
              % (true, pred, off[true, pred], "" if off[true, pred] == 1 else "s"))
per_class = np.diag(confusion) / confusion.sum(axis=1)
print("  accuracy per digit:", " ".join("%d:%.2f" % (d, a) for d, a in enumerate(per_class)))

fig, ax = plt.subplots(figsize=(4.6, 4.0))
image = ax.imshow(confusion, cmap="Blues")
for i in range(10):
    for j in range(10):
        if confusion[i, j]:
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if confusion[i, j] > confusion.max() / 2 else "black")
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.set_xlabel("predicted digit")
ax.set_ylabel("true digit")
ax.set_title("confusion matrix (test set, %.1f%% correct)" % (100 * np.trace(confusion)
                                                             / confusion.sum()))
fig.colorbar(image, ax=ax, fraction=0.046)
lesson.save(fig, "confusion_matrix.png", "true vs predicted digit")

axes = viz.plot_history(history)
axes[0].figure.suptitle("MLP on digits: Adam, batch size %d" % batch_size, fontsize=10)
lesson.save(axes[0].figure, "training_curves.png", "loss and accuracy per epoch")

# ---------------------------------------------------------------------------------------------
lesson.section("5. The graph, collapsed by name scope")
lesson.say("""The training graph has %d ops: the forward pass, the backward pass built by
tf.gradients, and Adam's slots and updates. Drawn with depth=0, each top-level name scope
becomes one box: the two layers, the loss, the gradients and Adam."""
           % len(tf.get_default_graph().get_operations()))
lesson.save(viz.draw_graph(train_op, depth=0, title="MLP on digits, one box per name scope"),
            "graph_by_scope.png", "the training graph with depth=0")
lesson.save(viz.draw_graph(loss, show_gradients=False, title="the forward pass"),
            "graph_forward.png", "just the forward pass, every op")
sess.close()

lesson.done()
