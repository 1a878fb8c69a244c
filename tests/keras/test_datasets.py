"""keras.datasets: shipped data and generators (shapes, dtypes, determinism)."""
import numpy as np
import pytest

from tfone.keras import datasets


@pytest.mark.parametrize("module,train_shape,test_shape,n_classes", [
    (datasets.digits, (1437, 8, 8), (360, 8, 8), 10),
    (datasets.iris, (120, 4), (30, 4), 3),
    (datasets.moons, (800, 2), (200, 2), 2),
    (datasets.spirals, (720, 2), (180, 2), 3),
    (datasets.blobs, (480, 2), (120, 2), 3),
])
def test_load_data_shapes_and_determinism(module, train_shape, test_shape, n_classes):
    (x_train, y_train), (x_test, y_test) = module.load_data()
    assert x_train.shape == train_shape and x_test.shape == test_shape
    assert y_train.shape == train_shape[:1] and y_test.shape == test_shape[:1]
    assert set(np.unique(np.concatenate([y_train, y_test]))) == set(range(n_classes))
    (x2, y2), (x3, y3) = module.load_data()
    np.testing.assert_array_equal(x_train, x2)
    np.testing.assert_array_equal(y_test, y3)


def test_digits_values():
    (x, y), _ = datasets.digits.load_data()
    assert x.dtype == np.uint8 and x.max() == 16 and x.min() == 0
    (x_all, _), (x_none, _) = datasets.digits.load_data(test_split=0.0)
    assert len(x_all) == 1797 and len(x_none) == 0


def test_iris_values():
    (x, y), _ = datasets.iris.load_data(test_split=0.0)
    assert x.dtype == np.float32 and np.bincount(y).tolist() == [50, 50, 50]
    np.testing.assert_allclose(x.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=1e-3)
    assert datasets.iris.target_names == ("setosa", "versicolor", "virginica")


def test_generators_seeded_and_global():
    a = datasets.make_moons(50, noise=0.1, seed=1)
    b = datasets.make_moons(50, noise=0.1, seed=1)
    np.testing.assert_array_equal(a[0], b[0])
    np.random.seed(3)
    c = datasets.make_spirals(30)
    np.random.seed(3)
    d = datasets.make_spirals(30)
    np.testing.assert_array_equal(c[0], d[0])
    x, y = datasets.make_blobs(100, centers=[[0, 0], [5, 5]], cluster_std=0.1, seed=0)
    assert x.shape == (100, 2) and np.bincount(y).tolist() == [50, 50]
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [5, 5], atol=0.1)


def test_moons_geometry():
    x, y = datasets.make_moons(200, noise=None, seed=0, shuffle=False)
    upper, lower = x[y == 0], x[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)


def test_sine_sequences():
    x, y = datasets.sine_sequences(10, timesteps=8, noise=0.0, seed=0)
    assert x.shape == (10, 8, 1) and y.shape == (10, 1) and x.dtype == np.float32
    xc, yc = datasets.sine_sequences(40, timesteps=8, n_classes=4, seed=0)
    assert yc.dtype == np.int32 and set(yc.tolist()) <= {0, 1, 2, 3}
    (xt, yt), (xv, yv) = datasets.sine.load_data(n_samples=100, timesteps=5)
    assert xt.shape == (80, 5, 1) and yv.shape == (20, 1)
