"""Keras in TF1: a Sequential classifier and a functional two-input model.

``from tfone import keras`` is ``tf.keras`` of TF 1.x: models build graph ops in the default
graph and run in keras.backend's session. Part 1 is the standard Sequential MLP on the
digits (compile, fit with validation_split, evaluate, predict). Part 2 uses the functional
API: two inputs (the image and its row/column ink profile), a shared Dense layer, a
concatenation and two outputs (the digit and whether it is even), with loss weights.
"""
import _example

import numpy as np
import tfone as tf
from tfone import keras
from tfone.keras.datasets import digits
import viz

args = _example.parse_args(__doc__)
epochs = 4 if args.fast else 30

(x_train, y_train), (x_test, y_test) = digits.load_data()
x_train = x_train.reshape(-1, 64).astype("float32") / 16.0
x_test = x_test.reshape(-1, 64).astype("float32") / 16.0
tf.set_random_seed(16)
np.random.seed(16)

# Part 1: Sequential.
model = keras.models.Sequential([
    keras.layers.Dense(64, activation="relu", input_shape=(64,)),
    keras.layers.Dropout(0.2),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.summary()
history = model.fit(x_train, y_train, batch_size=32, epochs=epochs, validation_split=0.1,
                    verbose=2)
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
print("Sequential: test loss %.4f, test accuracy %.4f" % (test_loss, test_acc))
print("predicted classes of the first test digits:", model.predict(x_test[:8]).argmax(axis=1),
      "true:", y_test[:8])


# Part 2: functional API.
def profiles(x):
    img = x.reshape(-1, 8, 8)
    return np.concatenate([img.sum(axis=1), img.sum(axis=2)], axis=1) / 8.0


p_train, p_test = profiles(x_train), profiles(x_test)
even_train = (y_train % 2 == 0).astype("float32")
even_test = (y_test % 2 == 0).astype("float32")

image_in = keras.layers.Input(shape=(64,), name="image")
profile_in = keras.layers.Input(shape=(16,), name="profile")
shared = keras.layers.Dense(32, activation="relu", name="shared")
image_features = shared(keras.layers.Dense(16, name="image_proj")(image_in))
profile_features = shared(keras.layers.Dense(16, name="profile_proj")(profile_in))
merged = keras.layers.concatenate([image_features, profile_features])
hidden = keras.layers.Dense(32, activation="relu")(merged)
digit_out = keras.layers.Dense(10, activation="softmax", name="digit")(hidden)
even_out = keras.layers.Dense(1, activation="sigmoid", name="even")(hidden)
functional = keras.models.Model(inputs=[image_in, profile_in], outputs=[digit_out, even_out])
functional.compile(optimizer=keras.optimizers.Adam(lr=0.005),
                   loss={"digit": "sparse_categorical_crossentropy",
                         "even": "binary_crossentropy"},
                   loss_weights={"digit": 1.0, "even": 0.5},
                   metrics=["accuracy"])
functional.fit({"image": x_train, "profile": p_train},
               {"digit": y_train, "even": even_train},
               batch_size=32, epochs=epochs, verbose=0)
results = functional.evaluate([x_test, p_test], [y_test, even_test], verbose=0)
for name, value in zip(functional.metrics_names, results):
    print("functional %-16s %.4f" % (name, value))
# TF 1.15 names this metric 'digit_acc'; tfone (like Keras 2.3+) 'digit_accuracy'.
digit_acc = [v for n, v in zip(functional.metrics_names, results) if n.startswith("digit_acc")][0]

viz.render(viz.draw_graph(functional, depth=1, title="functional Keras model"),
           _example.path(args, "graph.png"))
print("final test_accuracy: %.4f" % min(test_acc, digit_acc))
