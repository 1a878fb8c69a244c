"""07: a Keras tour -- Sequential and functional models, callbacks, saving and resuming.

Keras builds the same kind of graph you wrote by hand in lessons 03-05, and runs it with
sess.run under the hood. This lesson goes through the everyday workflow on the digits data:
define a model two ways, train it with callbacks that stop early, save the best model and
lower the learning rate, then save to .h5, load it back and continue training.

    python tutorials/07_keras_tour.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons

import json
import os

import h5py
import numpy as np

from tfone import keras
from tfone.keras.datasets import digits
import viz

lesson = _common.Lesson("07_keras_tour", __doc__)
keras.utils.set_random_seed(0)

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype(np.float32) / 16.0
x_test = x_test.reshape(-1, 64).astype(np.float32) / 16.0
if lesson.fast:
    x_train, y_train = x_train[:500], y_train[:500]
print("digits: %d training and %d test images of 64 pixels, labels 0..9"
      % (len(x_train), len(x_test)))

# ---------------------------------------------------------------------------------------------
lesson.section("1. A Sequential model: a stack of layers")
sequential = keras.Sequential([
    keras.layers.Dense(64, activation="relu", input_shape=(64,), name="hidden"),
    keras.layers.Dropout(0.2, name="dropout"),
    keras.layers.Dense(10, activation="softmax", name="digit"),
], name="sequential_mlp")
sequential.summary()
sequential.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                   metrics=["accuracy"])
history = sequential.fit(x_train, y_train, batch_size=32, epochs=3 if lesson.fast else 10,
                         verbose=0)
loss, acc = sequential.evaluate(x_test, y_test, verbose=0)
print("after %d epochs: training accuracy %.3f, test accuracy %.3f"
      % (len(history.epoch), history.history[sequential.metrics_names[1]][-1], acc))

# ---------------------------------------------------------------------------------------------
lesson.section("2. A functional model: layers called on tensors")
lesson.say("""The functional API wires layers like functions, so a model can branch and merge.
Here the input feeds a wide ReLU path and a narrow tanh path, concatenated before the
classifier.""")
keras.backend.clear_session()      # a fresh graph, so the layer names start over
inputs = keras.Input(shape=(64,), name="pixels")
wide = keras.layers.Dense(48, activation="relu", name="wide")(inputs)
narrow = keras.layers.Dense(16, activation="tanh", name="narrow")(inputs)
merged = keras.layers.concatenate([wide, narrow], name="merged")
outputs = keras.layers.Dense(10, activation="softmax", name="digit")(merged)
model = keras.Model(inputs=inputs, outputs=outputs, name="two_paths")
model.summary()
diagram = keras.utils.plot_model(model, to_file=lesson.path("functional_model.png"),
                                 show_shapes=True)
lesson.record(lesson.path("functional_model.png"),
              "keras.utils.plot_model: one box per layer")

# ---------------------------------------------------------------------------------------------
lesson.section("3. Training with callbacks")
lesson.say("""Three callbacks watch the validation loss after every epoch:
ReduceLROnPlateau halves the learning rate when it stops improving for 2 epochs,
ModelCheckpoint writes the model whenever it improves (save_best_only), and EarlyStopping ends
training after 5 epochs without improvement and restores the best weights.""")
checkpoint_path = lesson.path("best_model.h5")
callbacks = [
    keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, verbose=1),
    keras.callbacks.ModelCheckpoint(checkpoint_path, monitor="val_loss", save_best_only=True),
    keras.callbacks.EarlyStopping(monitor="val_loss", patience=5, restore_best_weights=True,
                                  verbose=1),
]
model.compile(optimizer=keras.optimizers.Adam(lr=0.01), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
max_epochs = 12 if lesson.fast else 100
history = model.fit(x_train, y_train, batch_size=32, epochs=max_epochs, validation_split=0.2,
                    callbacks=callbacks, verbose=0)
ran = len(history.epoch)
val_losses = history.history["val_loss"]
best_epoch = int(np.argmin(val_losses)) + 1
print("trained %d of at most %d epochs; best val_loss %.4f at epoch %d"
      % (ran, max_epochs, min(val_losses), best_epoch))
if "lr" in history.history:
    rates = history.history["lr"]
    changes = [(e + 1, rates[e]) for e in range(1, len(rates)) if rates[e] != rates[e - 1]]
    print("learning rate: %g at the start%s" % (rates[0], "".join(
        ", %g from epoch %d" % (r, e) for e, r in changes)))
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print("test accuracy with the restored best weights: %.3f (test loss %.4f)" % (acc, loss))
print("ModelCheckpoint wrote %s (%d bytes)"
      % (checkpoint_path, os.path.getsize(checkpoint_path)))

axes = viz.plot_history(history)
for ax in axes:
    ax.axvline(best_epoch, color="#009E73", linestyle=":", label="best epoch")
axes[0].legend(fontsize=8)
axes[0].figure.suptitle("functional model with ReduceLROnPlateau, ModelCheckpoint and "
                        "EarlyStopping", y=1.03, fontsize=10)
lesson.save(axes[0].figure, "training_with_callbacks.png", "loss and accuracy, best epoch marked")

# ---------------------------------------------------------------------------------------------
lesson.section("4. Save to .h5, load, and continue training")
model_path = lesson.path("two_paths.h5")
model.save(model_path)
with h5py.File(model_path, "r") as f:      # a Keras 2 HDF5 file: read it with h5py
    print("%s: groups %s, attributes %s" % (os.path.basename(model_path), sorted(f.keys()),
                                            sorted(f.attrs.keys())))
    print("  model_weights/ has one group per layer: %s" % sorted(f["model_weights"].keys()))
    config = f.attrs["training_config"]
    config = json.loads(config if isinstance(config, str) else config.decode("utf-8"))
    print("  training_config: optimizer %s, loss %s"
          % (config["optimizer_config"]["class_name"], config["loss"]))

keras.backend.clear_session()      # forget everything: a fresh graph and session
loaded = keras.models.load_model(model_path)
loaded_loss, loaded_acc = loaded.evaluate(x_test, y_test, verbose=0)
print("loaded model: test loss %.4f, accuracy %.3f (before saving: %.4f, %.3f)"
      % (loaded_loss, loaded_acc, loss, acc))
assert np.isclose(loaded_loss, loss, rtol=1e-5, atol=1e-6)
print("the optimizer came back too: Adam has taken %d steps"
      % int(keras.backend.get_value(loaded.optimizer.iterations)))

more = 2 if lesson.fast else 5
resumed = loaded.fit(x_train, y_train, batch_size=32, epochs=ran + more, initial_epoch=ran,
                     validation_split=0.2, verbose=0)
print("continued from epoch %d to %d: val_loss %s"
      % (ran, ran + more, " ".join("%.4f" % v for v in resumed.history["val_loss"])))
print("Adam's step counter is now %d" % int(keras.backend.get_value(loaded.optimizer.iterations)))
final_loss, final_acc = loaded.evaluate(x_test, y_test, verbose=0)
print("test accuracy after continuing: %.3f" % final_acc)

# ---------------------------------------------------------------------------------------------
lesson.section("5. What Keras built")
lesson.say("""A Keras model is an ordinary tfone graph: viz draws it like any other, here with
one box per name scope: the layers, the loss, and `training` (the gradients and Adam's
updates, which write the layers' variables).""")
lesson.save(viz.draw_graph(loaded, depth=0, title="the loaded model's training graph"),
            "keras_graph.png", "the training graph Keras built, one box per scope")

lesson.done()
