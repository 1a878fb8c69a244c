"""model.fit(..., distribute=cluster): same history keys and values, same weights as fit()."""
import numpy as np
import pytest

from tfone import keras
from tfone.distribute.keras_training import distributed_train_step


def _data(n=90, seed=0):
    rng = np.random.RandomState(seed)
    x = rng.randn(n, 6).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.randint(0, 3, n)]
    return x, y


def _model(weights=None, batch_norm=False):
    keras.backend.clear_session()
    layers = [keras.layers.Dense(16, activation="relu", input_shape=(6,))]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization())
    layers.append(keras.layers.Dense(3, activation="softmax"))
    model = keras.models.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy", "mse"])
    if weights is not None:
        model.set_weights(weights)
    return model


def test_fit_with_distribute_matches_fit(two_workers):
    x, y = _data()
    sample_weight = np.linspace(0.5, 1.5, len(x)).astype(np.float32)
    reference = _model()
    initial = reference.get_weights()
    expected = reference.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0,
                             sample_weight=sample_weight).history
    expected_weights = reference.get_weights()

    model = _model(initial)
    history = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0,
                        sample_weight=sample_weight, distribute=two_workers).history
    assert list(history) == list(expected)
    for key in expected:
        np.testing.assert_allclose(history[key], expected[key], rtol=1e-5, atol=1e-6)
    for got, want in zip(model.get_weights(), expected_weights):
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)
    # The optimizer state on the driver is the model's own: 3 epochs x 3 batches.
    assert keras.backend.get_value(model.optimizer.iterations) == 9
    step = distributed_train_step(model, two_workers)
    assert step.data_parallel.last_step.shard_sizes == [13, 13]     # last batch: 26 rows
    # A second fit reuses the replicas already on the workers.
    model.fit(x, y, batch_size=45, epochs=1, verbose=0, distribute=two_workers)
    assert distributed_train_step(model, two_workers) is step
    step.close()


def test_fit_with_distribute_refuses_layer_updates(two_workers):
    x, y = _data(n=8)
    model = _model(batch_norm=True)
    with pytest.raises(NotImplementedError, match="BatchNormalization"):
        model.fit(x, y, epochs=1, verbose=0, distribute=two_workers)
