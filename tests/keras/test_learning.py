"""Small models learn real tasks on shipped / generated data (a few seconds each)."""
from tfone import keras


def test_cnn_learns_the_8x8_digits_above_85_percent():
    keras.utils.set_random_seed(1)
    (x, y), (x_test, y_test) = keras.datasets.digits.load_data()
    x = x[..., None].astype("float32") / 16.0
    x_test = x_test[..., None].astype("float32") / 16.0
    model = keras.Sequential([
        keras.layers.Conv2D(8, 3, activation="relu", input_shape=(8, 8, 1)),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert accuracy > 0.85, accuracy


def test_lstm_recognises_sine_frequencies_above_90_percent():
    keras.utils.set_random_seed(1)
    (x, y), (x_test, y_test) = keras.datasets.sine.load_data(n_samples=600, timesteps=10,
                                                             n_classes=3)
    model = keras.Sequential([keras.layers.LSTM(16, input_shape=(10, 1)),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=8, verbose=0)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy > 0.9, accuracy


def test_mlp_on_iris_with_one_hot_targets_above_90_percent():
    keras.utils.set_random_seed(0)
    (x, y), (x_test, y_test) = keras.datasets.iris.load_data()
    mean, std = x.mean(axis=0), x.std(axis=0)
    model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(4,)),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(keras.optimizers.Adam(0.05), "categorical_crossentropy", metrics=["acc"])
    model.fit((x - mean) / std, keras.utils.to_categorical(y, 3), batch_size=16, epochs=30,
              verbose=0)
    _, accuracy = model.evaluate((x_test - mean) / std, keras.utils.to_categorical(y_test, 3),
                                 verbose=0)
    assert accuracy > 0.9, accuracy
