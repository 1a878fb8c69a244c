"""Fisher's iris flowers: 150 samples, 4 measurements in cm (float32), 3 species (uint8).

Source: R. A. Fisher (1936), UCI ML repository (CC BY 4.0); see ``data/README.md``.
"""
from tfone.keras.datasets import _common

__all__ = ["load_data", "feature_names", "target_names"]

feature_names = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
target_names = ("setosa", "versicolor", "virginica")


def load_data(test_split=0.2, seed=113):
    """``(x_train, y_train), (x_test, y_test)``: x of shape (n, 4) float32, y uint8 in 0..2.

    The data are shuffled with ``seed`` and the last ``test_split`` fraction is the test set
    (120 / 30 samples with the defaults).
    """
    data = _common.load_npz("iris")
    return _common.split(data["x"], data["y"], test_split, seed)
