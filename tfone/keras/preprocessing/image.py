"""``keras.preprocessing.image``: ``ImageDataGenerator`` for data augmentation on numpy arrays.

    datagen = ImageDataGenerator(rescale=1 / 255., horizontal_flip=True,
                                 width_shift_range=0.1, height_shift_range=0.1)
    model.fit_generator(datagen.flow(x_train, y_train, batch_size=32),
                        steps_per_epoch=len(x_train) // 32, epochs=10)

As keras_preprocessing 1.1: the random parameters come from numpy's global generator
(``flow(..., seed=s)`` reseeds it with ``s + batches seen`` before each batch, so a seeded flow
gives Keras's numbers); shifts move the image by a random fraction of its size (or whole pixels
for int ranges) with bilinear interpolation, filling with the nearest edge pixel.

tfone implements the transforms above plus ``vertical_flip``, ``channel_shift_range``,
``samplewise_center``, ``samplewise_std_normalization``, ``preprocessing_function`` and
``validation_split``; rotations, zooms, shears, brightness, featurewise statistics, ZCA
whitening and reading image files raise an error saying so.
"""
import threading
import warnings

import numpy as np

__all__ = ["ImageDataGenerator", "Iterator", "NumpyArrayIterator", "img_to_array"]

_NO_FILES = ("tfone does not read or write image files. Load images into a numpy array with "
             "PIL (np.array(PIL.Image.open(path))) or matplotlib (plt.imread(path)) and use "
             "ImageDataGenerator.flow(x, y).")


def _backend():
    from tfone.keras import backend
    return backend


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image or array as a float array: [height, width, channels] (a channel axis is
    added to 2-D images; ``data_format='channels_first'`` puts it first)."""
    data_format = data_format or _backend().image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("Unknown data_format: %s" % (data_format,))
    x = np.asarray(img, dtype=dtype or _backend().floatx())
    if x.ndim == 3:
        if data_format == "channels_first":
            x = x.transpose(2, 0, 1)
    elif x.ndim == 2:
        x = x.reshape((1,) + x.shape if data_format == "channels_first" else x.shape + (1,))
    else:
        raise ValueError("Unsupported image shape: %s" % (x.shape,))
    return x


def _shift_axis(x, shift, axis):
    """out[i] = x[i + shift] along ``axis``, linearly interpolated, edges repeated (the
    translation part of scipy's affine_transform with order=1, mode='nearest')."""
    n = x.shape[axis]
    position = np.arange(n) + shift
    lower = np.floor(position)
    frac = (position - lower).reshape([-1 if a == axis else 1 for a in range(x.ndim)])
    lower = lower.astype(np.intp)
    low = np.take(x, np.clip(lower, 0, n - 1), axis=axis)
    high = np.take(x, np.clip(lower + 1, 0, n - 1), axis=axis)
    return low * (1 - frac) + high * frac


class ImageDataGenerator:
    """Random augmentation and normalization of image batches (Keras 2 arguments; see the
    module docstring for what tfone supports)."""

    def __init__(self, featurewise_center=False, samplewise_center=False,
                 featurewise_std_normalization=False, samplewise_std_normalization=False,
                 zca_whitening=False, zca_epsilon=1e-6, rotation_range=0,
                 width_shift_range=0., height_shift_range=0., brightness_range=None,
                 shear_range=0., zoom_range=0., channel_shift_range=0., fill_mode="nearest",
                 cval=0., horizontal_flip=False, vertical_flip=False, rescale=None,
                 preprocessing_function=None, data_format=None, validation_split=0.0,
                 interpolation_order=1, dtype=None):
        unsupported = [name for name, value, default in (
            ("featurewise_center", featurewise_center, False),
            ("featurewise_std_normalization", featurewise_std_normalization, False),
            ("zca_whitening", zca_whitening, False), ("rotation_range", rotation_range, 0),
            ("brightness_range", brightness_range, None), ("shear_range", shear_range, 0),
            ("zoom_range", zoom_range, 0), ("interpolation_order", interpolation_order, 1))
            if not _same(value, default)]
        if fill_mode != "nearest":
            if fill_mode not in ("constant", "reflect", "wrap"):
                raise ValueError("fill_mode should be one of 'constant', 'nearest', 'reflect' "
                                 "or 'wrap', got %r" % (fill_mode,))
            unsupported.append("fill_mode=%r" % fill_mode)
        if unsupported:
            raise ValueError("tfone's ImageDataGenerator does not support %s (it implements "
                             "rescale, horizontal/vertical flips, width/height shifts with "
                             "nearest fill, channel_shift_range, samplewise normalization, "
                             "preprocessing_function and validation_split)."
                             % ", ".join(unsupported))
        data_format = data_format or _backend().image_data_format()
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError("`data_format` should be `\"channels_last\"` (channel after row "
                             "and column) or `\"channels_first\"` (channel before row and "
                             "column). Received: %s" % (data_format,))
        if validation_split and not 0 < validation_split < 1:
            raise ValueError("`validation_split` must be strictly between 0 and 1. Received: "
                             "%s" % (validation_split,))
        self.samplewise_center = samplewise_center
        self.samplewise_std_normalization = samplewise_std_normalization
        self.width_shift_range = width_shift_range
        self.height_shift_range = height_shift_range
        self.channel_shift_range = channel_shift_range
        self.fill_mode = fill_mode
        self.cval = cval
        self.horizontal_flip = horizontal_flip
        self.vertical_flip = vertical_flip
        self.rescale = rescale
        self.preprocessing_function = preprocessing_function
        self.data_format = data_format
        self.dtype = dtype or _backend().floatx()
        self.interpolation_order = interpolation_order
        self._validation_split = validation_split
        if data_format == "channels_first":
            self.channel_axis, self.row_axis, self.col_axis = 1, 2, 3
        else:
            self.channel_axis, self.row_axis, self.col_axis = 3, 1, 2
        if samplewise_std_normalization and not samplewise_center:
            warnings.warn("This ImageDataGenerator specifies `samplewise_std_normalization`, "
                          "which overrides setting of `samplewise_center`.")
            self.samplewise_center = True

    def flow(self, x, y=None, batch_size=32, shuffle=True, sample_weight=None, seed=None,
             save_to_dir=None, save_prefix="", save_format="png", subset=None):
        """An endless iterator of augmented batches ``(x_batch, y_batch)`` (``x_batch`` alone
        without ``y``; ``sample_weight`` adds a third entry) from a 4-D array ``x``; reshuffled
        every epoch when ``shuffle``. ``len()`` is the number of batches per epoch."""
        return NumpyArrayIterator(x, y, self, batch_size=batch_size, shuffle=shuffle,
                                  sample_weight=sample_weight, seed=seed,
                                  data_format=self.data_format, save_to_dir=save_to_dir,
                                  save_prefix=save_prefix, save_format=save_format,
                                  subset=subset, dtype=self.dtype)

    def flow_from_directory(self, directory, *args, **kwargs):
        """Not available: tfone does not read image files (see ``flow``)."""
        raise NotImplementedError("ImageDataGenerator.flow_from_directory: " + _NO_FILES)

    def flow_from_dataframe(self, dataframe, *args, **kwargs):
        """Not available: tfone does not read image files (see ``flow``)."""
        raise NotImplementedError("ImageDataGenerator.flow_from_dataframe: " + _NO_FILES)

    def fit(self, x, augment=False, rounds=1, seed=None):
        """Only needed for featurewise statistics and ZCA, which tfone does not implement."""
        raise ValueError("ImageDataGenerator.fit computes featurewise statistics / ZCA "
                         "whitening, which tfone does not implement.")

    def standardize(self, x):
        """``preprocessing_function``, ``rescale`` and samplewise normalization, applied to one
        image (in place, as Keras does)."""
        if self.preprocessing_function:
            x = self.preprocessing_function(x)
        if self.rescale:
            x *= self.rescale
        if self.samplewise_center:
            x -= np.mean(x, keepdims=True)
        if self.samplewise_std_normalization:
            x /= (np.std(x, keepdims=True) + 1e-6)
        return x

    def get_random_transform(self, img_shape, seed=None):
        """Random parameters for one image (``tx``/``ty``: row and column shift in pixels,
        ``flip_horizontal``, ``flip_vertical``, ...), drawn as Keras draws them."""
        img_row_axis, img_col_axis = self.row_axis - 1, self.col_axis - 1
        if seed is not None:
            np.random.seed(seed)
        tx = _random_shift(self.height_shift_range, img_shape[img_row_axis])
        ty = _random_shift(self.width_shift_range, img_shape[img_col_axis])
        flip_horizontal = (np.random.random() < 0.5) * self.horizontal_flip
        flip_vertical = (np.random.random() < 0.5) * self.vertical_flip
        channel_shift_intensity = None
        if self.channel_shift_range != 0:
            channel_shift_intensity = np.random.uniform(-self.channel_shift_range,
                                                        self.channel_shift_range)
        return {"theta": 0, "tx": tx, "ty": ty, "shear": 0, "zx": 1, "zy": 1,
                "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
                "channel_shift_intensity": channel_shift_intensity, "brightness": None}

    def apply_transform(self, x, transform_parameters):
        """One 3-D image transformed with ``transform_parameters`` (from
        ``get_random_transform``): shift, channel shift, then flips."""
        img_row_axis, img_col_axis = self.row_axis - 1, self.col_axis - 1
        for key, neutral in (("theta", 0), ("shear", 0), ("zx", 1), ("zy", 1),
                             ("brightness", None)):
            if transform_parameters.get(key, neutral) != neutral:
                raise ValueError("tfone's ImageDataGenerator cannot apply %r transforms"
                                 % key)
        tx, ty = transform_parameters.get("tx", 0), transform_parameters.get("ty", 0)
        if tx != 0 or ty != 0:
            shifted = _shift_axis(x.astype(np.float64), tx, img_row_axis)
            x = _shift_axis(shifted, ty, img_col_axis).astype(x.dtype)
        intensity = transform_parameters.get("channel_shift_intensity")
        if intensity is not None:
            x = np.clip(x + intensity, np.min(x), np.max(x)).astype(x.dtype)
        if transform_parameters.get("flip_horizontal", False):
            x = np.flip(x, img_col_axis)
        if transform_parameters.get("flip_vertical", False):
            x = np.flip(x, img_row_axis)
        return np.ascontiguousarray(x)

    def random_transform(self, x, seed=None):
        """``x`` (one 3-D image) with random augmentation applied."""
        return self.apply_transform(x, self.get_random_transform(x.shape, seed))


def _same(value, default):
    if value is None or default is None:
        return value is default
    return np.all(np.asarray(value) == default)


def _random_shift(shift_range, size):
    """Keras's draw for width/height_shift_range: a float is a fraction of the size (uniform in
    +-range), an int n gives whole pixels in -(n-1)..n-1, a list is a set of choices."""
    if not shift_range:
        return 0
    try:
        shift = np.random.choice(shift_range)
        shift *= np.random.choice([-1, 1])
    except ValueError:  # a float
        shift = np.random.uniform(-shift_range, shift_range)
    if np.max(shift_range) < 1:
        shift *= size
    return shift


class Iterator:
    """Base of the batch iterators: index bookkeeping, shuffling, seeding (Keras's
    ``keras.preprocessing.image.Iterator``, also a ``keras.utils.Sequence``)."""

    def __init__(self, n, batch_size, shuffle, seed):
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array = None
        self.index_generator = self._flow_index()

    def _set_index_array(self):
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx):
        if idx >= len(self):
            raise ValueError("Asked to retrieve element {idx}, but the Sequence has length "
                             "{length}".format(idx=idx, length=len(self)))
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        index_array = self.index_array[self.batch_size * idx:self.batch_size * (idx + 1)]
        return self._get_batches_of_transformed_samples(index_array)

    def __len__(self):
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self):
        self._set_index_array()

    def reset(self):
        self.batch_index = 0

    def _flow_index(self):
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current_index = (self.batch_index * self.batch_size) % self.n if self.n else 0
            if self.n > current_index + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current_index:current_index + self.batch_size]

    def __iter__(self):
        return self

    def __next__(self):
        return self.next()

    def next(self):
        """The next batch (the last batch of an epoch may be smaller)."""
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array):
        raise NotImplementedError


class NumpyArrayIterator(Iterator):
    """The iterator ``ImageDataGenerator.flow`` returns: batches of a 4-D array, each image
    augmented and standardized independently."""

    def __init__(self, x, y, image_data_generator, batch_size=32, shuffle=False,
                 sample_weight=None, seed=None, data_format=None, save_to_dir=None,
                 save_prefix="", save_format="png", subset=None, dtype=None):
        if save_to_dir is not None:
            raise NotImplementedError("save_to_dir: " + _NO_FILES)
        if isinstance(x, (tuple, list)):
            raise ValueError("tfone's flow() takes x as one numpy array of images [n, height, "
                             "width, channels] (np.stack a list of images first).")
        self.dtype = dtype or _backend().floatx()
        data_format = data_format or _backend().image_data_format()
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same "
                             "length. Found: x.shape = %s, y.shape = %s"
                             % (np.asarray(x).shape, np.asarray(y).shape))
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same "
                             "length. Found: x.shape = %s, sample_weight.shape = %s"
                             % (np.asarray(x).shape, np.asarray(sample_weight).shape))
        if subset is not None:
            if subset not in ("training", "validation"):
                raise ValueError("Invalid subset name: %r; expected \"training\" or "
                                 "\"validation\"." % (subset,))
            split_idx = int(len(x) * image_data_generator._validation_split)
            if y is not None and not np.array_equal(np.unique(y[:split_idx]),
                                                    np.unique(y[split_idx:])):
                raise ValueError("Training and validation subsets have different number of "
                                 "classes after the split. If your numpy arrays are sorted by "
                                 "the label, you might want to shuffle them.")
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = x[part]
            y = None if y is None else y[part]
            sample_weight = None if sample_weight is None else sample_weight[part]
        self.x = np.asarray(x, dtype=self.dtype)
        if self.x.ndim != 4:
            raise ValueError("Input data in `NumpyArrayIterator` should have rank 4. You passed "
                             "an array with shape %s" % (self.x.shape,))
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn("NumpyArrayIterator is set to use the data format convention \"%s\" "
                          "(channels on axis %d), i.e. expected either 1, 3, or 4 channels on "
                          "axis %d. However, it was passed an array with shape %s (%d "
                          "channels)." % (data_format, channels_axis, channels_axis,
                                          self.x.shape, self.x.shape[channels_axis]))
        self.y = None if y is None else np.asarray(y)
        self.sample_weight = None if sample_weight is None else np.asarray(sample_weight)
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array):
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        generator = self.image_data_generator
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = generator.get_random_transform(x.shape)
            x = generator.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = generator.standardize(x)
        if self.y is None and self.sample_weight is None:
            return batch_x
        output = (batch_x,) if self.y is None else (batch_x, self.y[index_array])
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


def __getattr__(name):
    if name in ("load_img", "save_img", "array_to_img", "DirectoryIterator",
                "DataFrameIterator"):
        raise AttributeError("tfone has no keras.preprocessing.image.%s: %s" % (name, _NO_FILES))
    raise AttributeError("module 'tfone.keras.preprocessing.image' has no attribute %r" % name)
