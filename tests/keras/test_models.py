"""Keras models: weight order of get_weights/set_weights."""
import numpy as np

from tfone import keras


def test_get_weights_lists_weights_layer_by_layer_as_keras():
    model = keras.Sequential([keras.layers.Dense(3, input_dim=2),
                              keras.layers.BatchNormalization(),
                              keras.layers.Dense(1)])
    names = [w.name for w in model.weights]
    assert names == ["dense/kernel:0", "dense/bias:0", "batch_normalization/gamma:0",
                     "batch_normalization/beta:0", "batch_normalization/moving_mean:0",
                     "batch_normalization/moving_variance:0", "dense_1/kernel:0",
                     "dense_1/bias:0"]
    values = model.get_weights()
    assert [v.shape for v in values] == [(2, 3), (3,), (3,), (3,), (3,), (3,), (3, 1), (1,)]
    model.set_weights([v + 1 for v in values])
    assert all(np.array_equal(a, b + 1) for a, b in zip(model.get_weights(), values))


def test_recurrent_layers_take_keras_positional_arguments():
    lstm = keras.layers.LSTM(4, "relu", "sigmoid")
    assert lstm.activation is keras.activations.relu
    assert lstm.recurrent_activation is keras.activations.sigmoid
    assert keras.layers.SimpleRNN(3, "relu", False).use_bias is False
    assert keras.layers.GRU(2, "tanh", "sigmoid").recurrent_activation is keras.activations.sigmoid
    import pytest
    with pytest.raises(TypeError, match="multiple values"):
        keras.layers.LSTM(4, "relu", activation="tanh")


def test_sequential_predict_classes_and_predict_proba(caplog):
    softmax = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_dim=2)])
    x = np.random.RandomState(0).randn(40, 2).astype(np.float32)
    proba = softmax.predict_proba(x)
    np.testing.assert_array_equal(proba, softmax.predict(x))
    classes = softmax.predict_classes(x, batch_size=7)
    np.testing.assert_array_equal(classes, proba.argmax(axis=-1))
    assert classes.shape == (40,)
    sigmoid = keras.Sequential([keras.layers.Dense(1, activation="sigmoid", input_dim=2)])
    p = sigmoid.predict(x)
    binary = sigmoid.predict_classes(x)
    assert binary.dtype == np.int32 and binary.shape == (40, 1)
    np.testing.assert_array_equal(binary, (p > 0.5).astype(np.int32))
    assert 0 < binary.sum() < 40
    linear = keras.Sequential([keras.layers.Dense(1, input_dim=2, kernel_initializer="ones")])
    with caplog.at_level("WARNING", logger="tensorflow"):
        linear.predict_proba(x)
    assert "invalid probability values" in caplog.text
