"""Generators of toy problems: moons, spirals, blobs and sine-wave sequences.

Each returns ``(x, y)`` with x float32 and y int32 (or float32 for regression targets). With
``seed=None`` the numbers come from numpy's global generator, so ``np.random.seed`` /
``keras.utils.set_random_seed`` make them reproducible; an int ``seed`` always gives the same
data.
"""
import numpy as np

__all__ = ["make_moons", "make_spirals", "make_blobs", "sine_sequences"]


def _rng(seed):
    return np.random.mtrand._rand if seed is None else np.random.RandomState(seed)


def _positive_int(value, name):
    if int(value) != value or value <= 0:
        raise ValueError("%s must be a positive integer, got %r" % (name, value))
    return int(value)


def _shuffled(x, y, rng, shuffle):
    if shuffle:
        order = rng.permutation(len(x))
        x, y = x[order], y[order]
    return x, y


def make_moons(n_samples=100, noise=None, seed=None, shuffle=True):
    """Two interleaving half circles in 2-D: class 0 is the upper moon, class 1 the lower.

    ``noise`` is the standard deviation of Gaussian noise added to the points.
    Returns x (n_samples, 2) float32 and y (n_samples,) int32.
    """
    n_samples = _positive_int(n_samples, "n_samples")
    rng = _rng(seed)
    n_out = n_samples // 2
    n_in = n_samples - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
                        np.stack([1 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1)])
    y = np.concatenate([np.zeros(n_out, np.int32), np.ones(n_in, np.int32)])
    if noise:
        x = x + rng.normal(scale=noise, size=x.shape)
    return _shuffled(x.astype(np.float32), y, rng, shuffle)


def make_spirals(n_samples=300, n_classes=3, noise=0.2, seed=None, shuffle=True):
    """``n_classes`` spiral arms around the origin (CS231n's classic), one class per arm.

    Each arm has ``n_samples // n_classes`` points (the first arms get the remainder);
    ``noise`` jitters the angle. Returns x (n_samples, 2) float32 and y (n_samples,) int32.
    """
    n_samples = _positive_int(n_samples, "n_samples")
    n_classes = _positive_int(n_classes, "n_classes")
    rng = _rng(seed)
    sizes = [n_samples // n_classes + (1 if k < n_samples % n_classes else 0)
             for k in range(n_classes)]
    xs, ys = [], []
    for k, n in enumerate(sizes):
        r = np.linspace(0.0, 1.0, n)
        t = np.linspace(k * 4.0, (k + 1) * 4.0, n) + rng.normal(scale=noise, size=n)
        xs.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1))
        ys.append(np.full(n, k, np.int32))
    return _shuffled(np.concatenate(xs).astype(np.float32), np.concatenate(ys), rng, shuffle)


def make_blobs(n_samples=300, centers=3, n_features=2, cluster_std=1.0,
               center_box=(-10.0, 10.0), seed=None, shuffle=True):
    """Isotropic Gaussian clusters, one class per cluster.

    ``centers`` is a number of clusters (centres drawn uniformly in ``center_box``) or an
    array of centres (n_centers, n_features). Returns x (n_samples, n_features) float32 and
    y (n_samples,) int32.
    """
    n_samples = _positive_int(n_samples, "n_samples")
    rng = _rng(seed)
    if np.ndim(centers) == 0:
        n_centers = _positive_int(centers, "centers")
        centres = rng.uniform(center_box[0], center_box[1], size=(n_centers, n_features))
    else:
        centres = np.asarray(centers, dtype=np.float64)
        if centres.ndim != 2:
            raise ValueError("centers must be an int or an array (n_centers, n_features), got "
                             "shape %s" % (centres.shape,))
        n_centers, n_features = centres.shape
    stds = np.broadcast_to(np.asarray(cluster_std, dtype=np.float64), (n_centers,))
    sizes = [n_samples // n_centers + (1 if k < n_samples % n_centers else 0)
             for k in range(n_centers)]
    xs = [centres[k] + rng.normal(scale=stds[k], size=(n, n_features))
          for k, n in enumerate(sizes)]
    y = np.concatenate([np.full(n, k, np.int32) for k, n in enumerate(sizes)])
    return _shuffled(np.concatenate(xs).astype(np.float32), y, rng, shuffle)


def sine_sequences(n_samples=1000, timesteps=20, n_classes=None, noise=0.05, seed=None):
    """Windows of noisy sine waves with random phase, for recurrent models.

    Each sample is a sequence x[i] of shape (timesteps, 1): ``sin(2*pi*f*t + phase) + noise``
    for t = 0, 1, ..., timesteps - 1 (in units of 1/timesteps of a period at f = 1).

    - ``n_classes=None`` (regression): the frequency is drawn in [0.5, 2.0) and y[i] is the
      next value of the clean wave, shape (n_samples, 1) float32;
    - ``n_classes=k`` (classification): the frequency is one of k values evenly spaced in
      [0.5, 2.0] and y[i] is its index (int32), so the task is to recognise the frequency.
    """
    n_samples = _positive_int(n_samples, "n_samples")
    timesteps = _positive_int(timesteps, "timesteps")
    rng = _rng(seed)
    phase = rng.uniform(0.0, 2 * np.pi, size=(n_samples, 1))
    if n_classes is None:
        freq = rng.uniform(0.5, 2.0, size=(n_samples, 1))
        labels = None
    else:
        n_classes = _positive_int(n_classes, "n_classes")
        levels = np.linspace(0.5, 2.0, n_classes) if n_classes > 1 else np.array([1.0])
        labels = rng.randint(0, n_classes, size=n_samples).astype(np.int32)
        freq = levels[labels][:, None]
    t = np.arange(timesteps + 1)[None, :] / float(timesteps)
    wave = np.sin(2 * np.pi * freq * t + phase)
    x = wave[:, :timesteps] + (rng.normal(scale=noise, size=(n_samples, timesteps))
                               if noise else 0.0)
    x = x[:, :, None].astype(np.float32)
    if labels is None:
        return x, wave[:, timesteps:].astype(np.float32)
    return x, labels
