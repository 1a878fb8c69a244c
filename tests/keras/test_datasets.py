"""keras.datasets: shipped data and generators (shapes, dtypes, determinism)."""
import gzip

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


# -- Keras's downloadable files: read offline from the user's copy ---------------------------------
def _mnist_like(rng, n):
    return rng.randint(0, 256, size=(n, 28, 28)).astype(np.uint8), \
        rng.randint(0, 10, size=n).astype(np.uint8)


def _write_mnist_npz(path, rng):
    (x_train, y_train), (x_test, y_test) = _mnist_like(rng, 6), _mnist_like(rng, 4)
    np.savez_compressed(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return (x_train, y_train), (x_test, y_test)


def test_mnist_loads_keras_npz_from_a_path_or_the_keras_cache(tmp_path, monkeypatch):
    rng = np.random.RandomState(0)
    want = _write_mnist_npz(tmp_path / "mine.npz", rng)
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data(str(tmp_path / "mine.npz"))
    for got, expected in zip((x_train, y_train, x_test, y_test), [a for p in want for a in p]):
        np.testing.assert_array_equal(got, expected)
        assert got.dtype == np.uint8
    # the default name is looked up in ~/.keras/datasets (or $KERAS_HOME/datasets)
    home = tmp_path / "home"
    (home / ".keras" / "datasets").mkdir(parents=True)
    cached = _write_mnist_npz(home / ".keras" / "datasets" / "mnist.npz", rng)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    (x_train, _), _ = datasets.mnist.load_data()
    np.testing.assert_array_equal(x_train, cached[0][0])
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "elsewhere"))
    with pytest.raises(FileNotFoundError, match="elsewhere"):
        datasets.mnist.load_data()


def test_mnist_without_the_file_explains_how_to_get_it(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError) as info:
        datasets.mnist.load_data()
    message = str(info.value)
    assert "tfone runs offline and never downloads" in message
    assert "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz" in message
    assert str(tmp_path / "datasets") in message
    assert "keras.datasets.digits.load_data()" in message


def test_mnist_rejects_files_that_are_not_keras_archives(tmp_path):
    wrong_keys = tmp_path / "wrong.npz"
    np.savez(wrong_keys, x=np.zeros(3))
    with pytest.raises(ValueError, match=r"lacks the arrays \['x_train'"):
        datasets.mnist.load_data(str(wrong_keys))
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, x_train=np.array([{"a": 1}], dtype=object), y_train=np.zeros(1),
             x_test=np.zeros(1), y_test=np.zeros(1))
    with pytest.raises(ValueError, match="does not unpickle"):
        datasets.mnist.load_data(str(pickled))
    text = tmp_path / "text.npz"
    text.write_text("not a zip file")
    with pytest.raises(ValueError, match="could not be read as a numpy .npz archive"):
        datasets.mnist.load_data(str(text))
    truncated = tmp_path / "truncated.npz"
    _write_mnist_npz(tmp_path / "full.npz", np.random.RandomState(1))
    truncated.write_bytes((tmp_path / "full.npz").read_bytes()[:200])
    with pytest.raises(ValueError, match="truncated"):
        datasets.mnist.load_data(str(truncated))


def _write_idx_gz(path, array):
    header = (0x800 + array.ndim).to_bytes(4, "big") + b"".join(
        d.to_bytes(4, "big") for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist_reads_the_four_idx_files(tmp_path, monkeypatch):
    rng = np.random.RandomState(2)
    folder = tmp_path / ".keras" / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    (x_train, y_train), (x_test, y_test) = _mnist_like(rng, 5), _mnist_like(rng, 3)
    for name, array in zip(datasets.fashion_mnist.FILES, (y_train, x_train, y_test, x_test)):
        _write_idx_gz(folder / name, array)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    got = datasets.fashion_mnist.load_data()
    for a, b in zip([a for p in got for a in p], (x_train, y_train, x_test, y_test)):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.uint8
    assert got[0][0].shape == (5, 28, 28)
    again = datasets.fashion_mnist.load_data(str(folder))        # tfone's path argument
    np.testing.assert_array_equal(again[1][0], x_test)
    assert len(datasets.fashion_mnist.class_names) == 10
    # damaged files
    _write_idx_gz(folder / "t10k-labels-idx1-ubyte.gz", y_test[:2])
    with pytest.raises(ValueError, match="hold 3 images but 2 labels"):
        datasets.fashion_mnist.load_data()
    with gzip.open(folder / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write((0x803).to_bytes(4, "big") + b"\0" * 12)
    with pytest.raises(ValueError, match="not an IDX file of 1 dimension"):
        datasets.fashion_mnist.load_data()
    _write_idx_gz(folder / "t10k-labels-idx1-ubyte.gz", y_test)
    raw = gzip.decompress((folder / "t10k-images-idx3-ubyte.gz").read_bytes())
    with gzip.open(folder / "t10k-images-idx3-ubyte.gz", "wb") as f:
        f.write(raw[:-10])
    with pytest.raises(ValueError, match="truncated or damaged"):
        datasets.fashion_mnist.load_data()
    (folder / "train-images-idx3-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz.*never downloads"):
        datasets.fashion_mnist.load_data()
