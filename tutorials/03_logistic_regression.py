"""03: logistic regression, twice -- the TF1 low-level way and the Keras way, on the same data.

Logistic regression predicts p(y = 1 | x) = sigmoid(x . W + b) and is trained by minimising
the cross-entropy. First the classic TF1 program (placeholders, W and b, sigmoid,
cross-entropy, GradientDescentOptimizer), then the same model in three lines of Keras.
Started from the same weights, with the same learning rate and full-batch steps, the two
follow the same path.

    python tutorials/03_logistic_regression.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons

import numpy as np

import tfone as tf
from tfone import keras
from tfone.keras.datasets import make_blobs
import viz

lesson = _common.Lesson("03_logistic_regression", __doc__)

# ---------------------------------------------------------------------------------------------
lesson.section("The data: two overlapping clouds of points")
x_all, y_all = make_blobs(300 if lesson.fast else 600, centers=[[-1.0, -0.5], [1.2, 1.0]],
                          cluster_std=1.0, seed=3)
y_all = y_all.astype(np.float32).reshape(-1, 1)          # labels 0/1 as a column
split = int(0.75 * len(x_all))
x_train, y_train, x_test, y_test = x_all[:split], y_all[:split], x_all[split:], y_all[split:]
print("%d training and %d test points in 2-D; %.0f%% of the training labels are 1"
      % (len(x_train), len(x_test), 100 * y_train.mean()))
EPOCHS = 40 if lesson.fast else 150
LEARNING_RATE = 0.5

# ---------------------------------------------------------------------------------------------
lesson.section("1. TF1, low level")
lesson.code("""
X = tf.placeholder(tf.float32, [None, 2]); Y = tf.placeholder(tf.float32, [None, 1])
W = tf.Variable(tf.zeros([2, 1])); b = tf.Variable(tf.zeros([1]))
logits = tf.matmul(X, W) + b;  probability = tf.sigmoid(logits)
loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=logits))
train_op = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
""")
X = tf.placeholder(tf.float32, [None, 2], name="X")
Y = tf.placeholder(tf.float32, [None, 1], name="Y")
with tf.name_scope("model"):
    W = tf.Variable(tf.zeros([2, 1]), name="W")
    b = tf.Variable(tf.zeros([1]), name="b")
    logits = tf.matmul(X, W) + b
    probability = tf.sigmoid(logits, name="probability")
with tf.name_scope("loss"):
    # The cross-entropy -[y log p + (1-y) log(1-p)], computed from the logits so that it
    # stays finite when p rounds to 0 or 1.
    loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=Y, logits=logits))
with tf.name_scope("accuracy"):
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.cast(probability > 0.5, tf.float32), Y),
                                      tf.float32))
train_op = tf.train.GradientDescentOptimizer(LEARNING_RATE).minimize(loss)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
low_level = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
train_feed, test_feed = {X: x_train, Y: y_train}, {X: x_test, Y: y_test}
for epoch in range(1, EPOCHS + 1):
    # Record the loss and accuracy the step starts from (what Keras's history reports too).
    step_loss, step_acc, _ = sess.run([loss, accuracy, train_op], train_feed)
    val_loss, val_acc = sess.run([loss, accuracy], test_feed)
    for key, value in zip(low_level, (step_loss, val_loss, step_acc, val_acc)):
        low_level[key].append(float(value))
    if epoch == 1 or epoch % (EPOCHS // 5) == 0:
        print("  epoch %3d  loss %.4f  accuracy %.3f  |  test loss %.4f  test accuracy %.3f"
              % (epoch, step_loss, step_acc, val_loss, val_acc))
W_low, b_low = sess.run([W, b])
print("learned W = %s, b = %s" % (_common.fmt(W_low.ravel(), 4), _common.fmt(b_low, 4)))


def low_level_predict(points):
    return sess.run(probability, {X: points})[:, 0]


lesson.save(viz.draw_graph(train_op, title="logistic regression, TF1 low level"),
            "graph_low_level.png", "placeholders, W and b, loss, gradients and the update")

# ---------------------------------------------------------------------------------------------
lesson.section("2. Keras")
lesson.code("""
model = keras.Sequential([keras.layers.Dense(1, activation='sigmoid', input_shape=(2,))])
model.compile(optimizer=keras.optimizers.SGD(lr=0.5), loss='binary_crossentropy',
              metrics=['accuracy'])
history = model.fit(x_train, y_train, batch_size=len(x_train), epochs=...,
                    validation_data=(x_test, y_test))
""")
keras.backend.clear_session()
model = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_shape=(2,))])
model.compile(optimizer=keras.optimizers.SGD(lr=LEARNING_RATE), loss="binary_crossentropy",
              metrics=["accuracy"])
model.summary()
# Keras starts from random (Glorot) weights; start from zeros like the low-level version so
# the two runs can be compared step by step.
model.set_weights([np.zeros((2, 1), np.float32), np.zeros((1,), np.float32)])
history = model.fit(x_train, y_train, batch_size=len(x_train), epochs=EPOCHS, shuffle=False,
                    validation_data=(x_test, y_test), verbose=0)
acc = model.metrics_names[1]      # the history key of metrics=["accuracy"]
for epoch in [1] + list(range(EPOCHS // 5, EPOCHS + 1, EPOCHS // 5)):
    h = {k: v[epoch - 1] for k, v in history.history.items()}
    print("  epoch %3d  loss %.4f  accuracy %.3f  |  test loss %.4f  test accuracy %.3f"
          % (epoch, h["loss"], h[acc], h["val_loss"], h["val_" + acc]))
W_keras, b_keras = model.get_weights()
print("learned W = %s, b = %s" % (_common.fmt(W_keras.ravel(), 4), _common.fmt(b_keras, 4)))
loss_gap = np.max(np.abs(np.array(history.history["loss"]) - np.array(low_level["loss"])))
weight_gap = max(np.abs(W_keras - W_low).max(), np.abs(b_keras - b_low).max())
print("largest difference between the two loss curves: %.2e; between the weights: %.2e"
      % (loss_gap, weight_gap))
if loss_gap == 0 and weight_gap == 0:
    lesson.say("""The two runs agree to the last bit. Same model: Dense computes x . kernel +
    bias. Same loss: Keras's binary_crossentropy sees that its input comes from a sigmoid and
    uses the logits, i.e. sigmoid_cross_entropy_with_logits. Same update: SGD subtracts
    lr * gradient.""")
else:
    lesson.say("""The two runs differ only by float32 rounding: the same model, loss and
    update, computed with slightly different ops.""")
keras_test = model.evaluate(x_test, y_test, verbose=0)
print("Keras evaluate on the test set: loss %.4f, accuracy %.3f" % tuple(keras_test))
lesson.save(viz.draw_graph(model, depth=1, title="the Keras model's graph (depth=1)"),
            "graph_keras.png", "the graph Keras built: model, loss, metrics, training")

# ---------------------------------------------------------------------------------------------
lesson.section("3. Pictures: loss curves and decision boundaries")
plt = _common.pyplot()
fig, axes = plt.subplots(1, 2, figsize=(9, 3.4))
epochs = np.arange(1, EPOCHS + 1)
for ax, metric, keras_key, label in ((axes[0], "loss", "loss", "cross-entropy"),
                                     (axes[1], "accuracy", acc, "accuracy")):
    ax.plot(epochs, low_level[metric], color="#0072B2", linewidth=3, alpha=0.6,
            label="TF1 low level, train")
    ax.plot(epochs, low_level["val_" + metric], color="#D55E00", linewidth=3, alpha=0.6,
            label="TF1 low level, test")
    ax.plot(epochs, history.history[keras_key], "k--", linewidth=1, label="Keras, train")
    ax.plot(epochs, history.history["val_" + keras_key], "k:", linewidth=1, label="Keras, test")
    ax.set_xlabel("epoch (one full-batch step)")
    ax.set_title(label)
    ax.grid(alpha=0.3)
axes[0].legend(fontsize=8)
fig.tight_layout()
lesson.save(fig, "loss_curves.png", "both versions' loss and accuracy (they overlap)")

grid_x, grid_y = np.meshgrid(np.linspace(-4.5, 5, 200), np.linspace(-4, 4.5, 200))
grid = np.c_[grid_x.ravel(), grid_y.ravel()].astype(np.float32)
fig, axes = plt.subplots(1, 2, figsize=(9.5, 4), sharey=True)
for ax, title, predict in ((axes[0], "TF1 low level", low_level_predict),
                           (axes[1], "Keras", lambda p: model.predict(p)[:, 0])):
    p = predict(grid).reshape(grid_x.shape)
    image = ax.contourf(grid_x, grid_y, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r",
                        alpha=0.4)
    ax.contour(grid_x, grid_y, p, levels=[0.5], colors="black", linewidths=2)
    for label, marker in ((0, "o"), (1, "^")):
        pts = x_test[y_test[:, 0] == label]
        ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=22, edgecolor="black",
                   facecolor="#0072B2" if label == 0 else "#D55E00",
                   label="test points, class %d" % label)
    accuracy_value = np.mean((predict(x_test) > 0.5) == (y_test[:, 0] > 0.5))
    ax.set_title("%s: test accuracy %.1f%%" % (title, 100 * accuracy_value))
    ax.set_xlabel("x1")
axes[0].set_ylabel("x2")
axes[0].legend(fontsize=8, loc="upper left")
fig.colorbar(image, ax=axes, label="p(class 1)", fraction=0.03)
lesson.save(fig, "decision_boundary.png", "p(class 1) and the 0.5 boundary, both versions")
sess.close()

lesson.done()
