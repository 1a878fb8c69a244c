"""Keras Lambda, TimeDistributed, RepeatVector, Permute, SpatialDropout, GaussianNoise/Dropout,
ActivityRegularization, PReLU, ThresholdedReLU: values vs numpy, training/inference behaviour,
weight names, configs (including Lambda's saving rules), gradients."""
import numpy as np
import pytest

import tfone as tf
from tfone import keras
from tfone.keras import backend as K
from tfone.keras import layers
from tfone.keras.engine.base_layer import get_keras_mask
from tests.layers.test_keras_layers import gradient_error, names, run

RNG = np.random.RandomState(5)


def scaled_square(x, scale=1.0):
    return K.square(x) * scale


def double_shape(input_shape):
    return tuple(input_shape[:-1]) + (2 * input_shape[-1],)


def concat_with_itself(x):
    return K.concatenate([x, x])


# -- Lambda ----------------------------------------------------------------------------------------
def test_lambda_calls_its_function_with_arguments_mask_and_training():
    x = tf.placeholder(tf.float32, [None, 3])
    y = layers.Lambda(scaled_square, arguments={"scale": 3.0})(x)
    xv = RNG.randn(4, 3).astype(np.float32)
    np.testing.assert_allclose(run(y, {x: xv}), 3 * xv ** 2, rtol=1e-6)
    assert y.op.name.startswith("lambda/")

    seen = {}

    def with_training(t, training=None):
        seen["training"] = training
        return t
    layers.Lambda(with_training)(x, training=True)
    assert seen["training"] is True

    ids = tf.placeholder(tf.int32, [None, 3])
    e = layers.Embedding(4, 2, mask_zero=True)(ids)

    def masked_sum(t, mask=None):
        return K.sum(t * K.expand_dims(K.cast(mask, "float32")), axis=1)
    s = layers.Lambda(masked_sum)(e)
    assert get_keras_mask(s) is None                      # no mask argument: none passes on
    keep = layers.Lambda(lambda t: t, mask=lambda inputs, mask: mask)(e)
    assert get_keras_mask(keep) is not None
    table = run(tf.trainable_variables()[0])
    np.testing.assert_allclose(run(s, {ids: [[1, 2, 0]]}), [table[1] + table[2]], rtol=1e-6)


def test_lambda_output_shapes():
    x = tf.placeholder(tf.float32, [None, 3])
    assert layers.Lambda(concat_with_itself).compute_output_shape((None, 3)).as_list() == [
        None, 6]
    assert layers.Lambda(concat_with_itself, output_shape=(6,)).compute_output_shape(
        (5, 3)).as_list() == [5, 6]
    assert layers.Lambda(concat_with_itself, output_shape=double_shape).compute_output_shape(
        (None, 3)).as_list() == [None, 6]
    model = keras.Sequential([layers.Dense(3, input_shape=(2,)), layers.Lambda(concat_with_itself)])
    assert model.output_shape == (None, 6)
    with pytest.raises(TypeError, match="must be callable"):
        layers.Lambda(3)
    del x


def test_lambda_config_stores_a_named_function_and_needs_custom_objects():
    layer = layers.Lambda(scaled_square, output_shape=(3,), arguments={"scale": 2.0})
    config = layer.get_config()
    assert config["function"] == "scaled_square" and config["function_type"] == "function"
    assert config["module"] == __name__
    assert config["output_shape"] == (3,) and config["output_shape_type"] == "raw"
    assert config["arguments"] == {"scale": 2.0}
    with pytest.raises(ValueError, match=r"calls the function 'scaled_square'.*custom_objects="
                                         r"\{'scaled_square': scaled_square\}"):
        layers.Lambda.from_config(dict(config))
    clone = layers.Lambda.from_config(dict(config), {"scaled_square": scaled_square})
    assert clone.function is scaled_square and clone.get_config() == config
    again = layers.deserialize(layers.serialize(layer),
                               custom_objects={"scaled_square": scaled_square})
    assert again.arguments == {"scale": 2.0}
    with keras.utils.CustomObjectScope({"scaled_square": scaled_square}):
        assert layers.deserialize(layers.serialize(layer)).function is scaled_square
    shape_fn = layers.Lambda(concat_with_itself, output_shape=double_shape).get_config()
    assert (shape_fn["output_shape"], shape_fn["output_shape_type"]) == ("double_shape",
                                                                         "function")


def test_lambda_with_an_anonymous_function_cannot_be_saved(tmp_path):
    model = keras.Sequential([layers.Dense(2, input_shape=(3,)), layers.Lambda(lambda t: t * 2)])
    with pytest.raises(ValueError, match=r"Lambda layer 'lambda'.*cannot be saved.*bytecode"):
        model.to_json()
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="Define it with `def`"):
        model.save(str(tmp_path / "m.h5"))
    model.save_weights(str(tmp_path / "w.h5"))             # weights alone are fine


def test_lambda_model_round_trip_with_custom_objects(tmp_path):
    model = keras.Sequential([layers.Dense(2, input_shape=(3,)),
                              layers.Lambda(scaled_square, arguments={"scale": 0.5})])
    model.compile("sgd", "mse")
    path = str(tmp_path / "lambda.h5")
    model.save(path)
    with pytest.raises(ValueError, match="custom_objects"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"scaled_square": scaled_square})
    x = RNG.randn(4, 3).astype(np.float32)
    np.testing.assert_allclose(loaded.predict(x), model.predict(x), rtol=1e-6)
    clone = keras.models.model_from_json(model.to_json(),
                                         custom_objects={"scaled_square": scaled_square})
    assert isinstance(clone.layers[-1], layers.Lambda)


def test_lambda_bytecode_from_keras_is_refused():
    config = {"name": "lambda", "trainable": True, "dtype": "float32",
              "function": ["4wEAAAAAAAAA", None, None], "function_type": "lambda",
              "module": "__main__", "output_shape": None, "output_shape_type": "raw",
              "output_shape_module": None, "arguments": {}}
    with pytest.raises(ValueError, match="marshalled Python bytecode.*load_weights"):
        layers.Lambda.from_config(config)


# -- TimeDistributed ------------------------------------------------------------------------------
def test_time_distributed_dense_matches_numpy_and_names_weights_after_the_wrapper():
    x = tf.placeholder(tf.float64, [None, 4, 3])
    td = layers.TimeDistributed(layers.Dense(2, activation="tanh"))
    y = td(x)
    assert names(td) == ["time_distributed/kernel:0", "time_distributed/bias:0"]
    assert y.shape.as_list() == [None, 4, 2] and td.count_params() == 8
    w, b = RNG.randn(3, 2), RNG.randn(2)
    td.set_weights([w, b])
    xv = RNG.randn(5, 4, 3)
    np.testing.assert_allclose(run(y, {x: xv}), np.tanh(xv @ w + b), rtol=1e-10)
    assert td.compute_output_shape((None, 4, 3)).as_list() == [None, 4, 2]
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(tf.placeholder(tf.float32, [None, 3]))
    with pytest.raises(ValueError, match="with a `Layer` instance"):
        layers.TimeDistributed(lambda t: t)


def test_time_distributed_conv_and_gradient():
    x = tf.placeholder(tf.float32, [None, 3, 5, 5, 2])
    td = layers.TimeDistributed(layers.Conv2D(4, 3))
    y = td(x)
    assert y.shape.as_list() == [None, 3, 3, 3, 4]
    xv = RNG.randn(2, 3, 5, 5, 2).astype(np.float32)
    w, b = td.get_weights()
    inner = tf.nn.conv2d(tf.constant(xv.reshape(6, 5, 5, 2)), tf.constant(w), [1, 1, 1, 1],
                         "VALID") + b
    np.testing.assert_allclose(run(y, {x: xv}), run(inner).reshape(2, 3, 3, 3, 4), rtol=1e-5)

    def build(t):
        layer = layers.TimeDistributed(layers.Dense(2))
        return layer, layer(t)
    assert gradient_error(build, RNG.randn(2, 3, 4), wrt_weights=True) < 1e-7


def test_time_distributed_custom_layer_with_fixed_batch_runs_per_step_with_mask():
    class BatchCentred(layers.Layer):
        """Depends on the whole batch: per-step and folded calls differ."""
        def call(self, inputs):
            return inputs - K.mean(inputs, axis=0, keepdims=True)

        def compute_output_shape(self, input_shape):
            return input_shape

    x = tf.placeholder(tf.float32, [2, 3, 2])
    mask = tf.placeholder(tf.bool, [2, 3])
    y = layers.TimeDistributed(BatchCentred())(x, mask=mask)
    xv = RNG.randn(2, 3, 2).astype(np.float32)
    maskv = np.array([[True, False, True], [True, True, True]])
    per_step = xv - xv.mean(axis=0, keepdims=True)
    # K.rnn with a mask: a masked step repeats the previous output
    want = per_step.copy()
    want[0, 1] = want[0, 0]
    np.testing.assert_allclose(run(y, {x: xv, mask: maskv}), want, rtol=1e-5, atol=1e-6)


def test_time_distributed_passes_masks_and_learning_phase():
    ids = tf.placeholder(tf.int32, [None, 2, 3])
    td = layers.TimeDistributed(layers.Embedding(5, 2, mask_zero=True))
    e = td(ids)
    assert e.shape.as_list() == [None, 2, 3, 2]
    m = run(get_keras_mask(e), {ids: [[[1, 0, 2], [0, 0, 3]]]})
    np.testing.assert_array_equal(m, [[[True, False, True], [False, False, True]]])
    x = tf.placeholder(tf.float32, [None, 2, 50])
    drop = layers.TimeDistributed(layers.Dropout(0.5))(x)
    ones = np.ones((4, 2, 50), np.float32)
    np.testing.assert_array_equal(run(drop, {x: ones}), ones)
    trained = run(drop, {x: ones, K.learning_phase(): True})
    assert set(np.unique(trained)) == {0.0, 2.0}


# -- RepeatVector, Permute ------------------------------------------------------------------------
def test_repeat_vector_and_permute_match_numpy():
    x2 = tf.placeholder(tf.float32, [None, 3])
    x3 = tf.placeholder(tf.float32, [None, 2, 3, 4])
    rv = layers.RepeatVector(4)(x2)
    pm = layers.Permute((3, 1, 2))(x3)
    x2v, x3v = RNG.randn(2, 3).astype(np.float32), RNG.randn(2, 2, 3, 4).astype(np.float32)
    got = run([rv, pm], {x2: x2v, x3: x3v})
    np.testing.assert_array_equal(got[0], np.repeat(x2v[:, None], 4, axis=1))
    np.testing.assert_array_equal(got[1], x3v.transpose(0, 3, 1, 2))
    assert rv.shape.as_list() == [None, 4, 3] and pm.shape.as_list() == [None, 4, 2, 3]
    assert layers.Permute((2, 1)).compute_output_shape((None, 5, 6)).as_list() == [None, 6, 5]
    with pytest.raises(ValueError, match="consecutive and start from 1"):
        layers.Permute((0, 1))
    with pytest.raises(ValueError, match="expected ndim=2, found ndim=3"):
        layers.RepeatVector(2)(tf.placeholder(tf.float32, [None, 2, 3]))


def test_encoder_decoder_with_repeat_vector_and_time_distributed_trains():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([layers.LSTM(8, input_shape=(4, 1)), layers.RepeatVector(4),
                              layers.LSTM(8, return_sequences=True),
                              layers.TimeDistributed(layers.Dense(1))])
    model.compile("adam", "mse")
    x = RNG.rand(32, 4, 1).astype(np.float32)
    history = model.fit(x, x[:, ::-1], epochs=3, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.predict(x).shape == (32, 4, 1)


# -- dropout and noise -----------------------------------------------------------------------------
def test_spatial_dropout_drops_whole_channels_in_training_only():
    x1 = tf.placeholder(tf.float32, [None, 5, 40])
    x2 = tf.placeholder(tf.float32, [None, 3, 3, 40])
    d1 = layers.SpatialDropout1D(0.5)(x1)
    d2 = layers.SpatialDropout2D(0.5)(x2)
    d2f = layers.SpatialDropout2D(0.5, data_format="channels_first")(x2)
    v1, v2 = np.ones((4, 5, 40), np.float32), np.ones((4, 3, 3, 40), np.float32)
    a, b, c = run([d1, d2, d2f], {x1: v1, x2: v2, K.learning_phase(): True})
    assert set(np.unique(a)) == {0.0, 2.0} and set(np.unique(b)) == {0.0, 2.0}
    assert (a == a[:, :1]).all()                     # the same for every step
    assert (b == b[:, :1, :1]).all()                 # the same at every pixel
    assert (c == c[:, :, :, :1]).all()               # channels_first: axis 1 is the channel
    np.testing.assert_array_equal(run(d1, {x1: v1}), v1)
    with pytest.raises(ValueError, match="expected ndim=4"):
        layers.SpatialDropout2D(0.1)(x1)
    assert layers.SpatialDropout2D(0.2, data_format="channels_first").get_config()[
        "data_format"] == "channels_first"


def test_gaussian_noise_and_dropout_statistics_and_test_phase():
    x = tf.placeholder(tf.float32, [None, 1000])
    noisy = layers.GaussianNoise(0.5)(x)
    mult = layers.GaussianDropout(0.2)(x)
    ones = np.ones((20, 1000), np.float32)
    a, b = run([noisy, mult], {x: ones, K.learning_phase(): True})
    assert abs(a.mean() - 1.0) < 0.02 and abs(a.std() - 0.5) < 0.02
    assert abs(b.mean() - 1.0) < 0.02 and abs(b.std() - np.sqrt(0.2 / 0.8)) < 0.02
    test_a, test_b = run([noisy, mult], {x: ones})
    np.testing.assert_array_equal(test_a, ones)
    np.testing.assert_array_equal(test_b, ones)
    x64 = tf.placeholder(tf.float64, [None, 3])
    assert layers.GaussianNoise(0.1)(x64, training=True).dtype == tf.float64
    assert layers.GaussianNoise(0.1).get_config()["stddev"] == 0.1


def test_activity_regularization_adds_the_loss():
    x = tf.placeholder(tf.float32, [None, 3])
    layer = layers.ActivityRegularization(l1=0.1, l2=0.01)
    y = layer(x)
    xv = RNG.randn(4, 3).astype(np.float32)
    got, loss = run([y, layer.losses[0]], {x: xv})
    np.testing.assert_array_equal(got, xv)
    want = (0.1 * np.abs(xv).sum() + 0.01 * (xv ** 2).sum()) / 4
    np.testing.assert_allclose(loss, want, rtol=1e-5)
    assert layer.get_config()["l1"] == 0.1
    model = keras.Sequential([layers.Dense(2, input_shape=(3,)),
                              layers.ActivityRegularization(l2=0.5)])
    model.compile("sgd", "mse")
    assert len(model.losses) == 1


# -- PReLU, ThresholdedReLU ------------------------------------------------------------------------
def test_prelu_matches_numpy_with_shared_axes():
    x = tf.placeholder(tf.float64, [None, 2, 3, 4])
    prelu = layers.PReLU(alpha_initializer="random_uniform", shared_axes=[1, 2])
    y = prelu(x)
    assert prelu.name == "p_re_lu" and names(prelu) == ["p_re_lu/alpha:0"]
    assert prelu.alpha.shape.as_list() == [1, 1, 4]
    alpha = RNG.rand(1, 1, 4)
    prelu.set_weights([alpha])
    xv = RNG.randn(2, 2, 3, 4)
    np.testing.assert_allclose(run(y, {x: xv}), np.where(xv > 0, xv, alpha * xv), rtol=1e-12)
    full = layers.PReLU()
    full(tf.placeholder(tf.float32, [None, 3]))
    assert full.alpha.shape.as_list() == [3]
    np.testing.assert_array_equal(full.get_weights()[0], np.zeros(3))       # default zeros
    with pytest.raises(ValueError, match="needs known sizes"):
        layers.PReLU()(tf.placeholder(tf.float32, [None, None, 2]))

    def build(t):
        layer = layers.PReLU(alpha_initializer=keras.initializers.Constant(0.3))
        return layer, layer(t)
    values = RNG.randn(3, 4)
    values[np.abs(values) < 0.1] = 0.5                     # keep away from the kink
    assert gradient_error(build, values, wrt_weights=True) < 1e-7


def test_thresholded_relu():
    x = tf.placeholder(tf.float32, [None, 4])
    y = layers.ThresholdedReLU(theta=0.5)(x)
    xv = np.array([[-1.0, 0.5, 0.6, 2.0]], np.float32)
    np.testing.assert_array_equal(run(y, {x: xv}), np.array([[0.0, 0.0, 0.6, 2.0]], np.float32))
    assert layers.ThresholdedReLU().theta == 1.0
    d = tf.placeholder(tf.float64, [None, 2])
    assert layers.ThresholdedReLU()(d).dtype == tf.float64


# -- configs ---------------------------------------------------------------------------------------
ROUND_TRIP = [
    lambda: layers.TimeDistributed(layers.Dense(3, activation="relu")),
    lambda: layers.RepeatVector(3),
    lambda: layers.Permute((2, 1)),
    lambda: layers.SpatialDropout1D(0.3),
    lambda: layers.SpatialDropout2D(0.3, data_format="channels_first"),
    lambda: layers.GaussianNoise(0.2),
    lambda: layers.GaussianDropout(0.4),
    lambda: layers.ActivityRegularization(0.1, 0.2),
    lambda: layers.PReLU(alpha_regularizer="l2", shared_axes=[1]),
    lambda: layers.ThresholdedReLU(0.3),
    lambda: layers.Lambda(concat_with_itself, output_shape=double_shape),
]
CUSTOM = {"concat_with_itself": concat_with_itself, "double_shape": double_shape}


@pytest.mark.parametrize("make", ROUND_TRIP)
def test_get_config_from_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    again = layers.deserialize(layers.serialize(layer), custom_objects=CUSTOM)
    assert type(again) is type(layer) and again.get_config() == config


def test_time_distributed_model_saves_and_loads(tmp_path):
    model = keras.Sequential([layers.TimeDistributed(layers.Dense(2), input_shape=(3, 4)),
                              layers.Permute((2, 1)), layers.GlobalAveragePooling1D()])
    model.compile("adam", "mse")
    x = RNG.randn(5, 3, 4).astype(np.float32)
    model.fit(x, np.zeros((5, 3)), verbose=0)
    path = str(tmp_path / "td.h5")
    model.save(path)
    want = model.predict(x)
    K.clear_session()
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x), want, rtol=1e-6)
    assert [w.name for w in loaded.weights] == ["time_distributed/kernel:0",
                                                "time_distributed/bias:0"]
