"""``keras.preprocessing``: Keras 2's numpy-side data preparation (keras_preprocessing 1.1).

- ``sequence.pad_sequences``: lists of token ids to one padded/truncated 2-D array;
- ``text``: ``Tokenizer`` (word index, texts to id sequences or matrices),
  ``text_to_word_sequence``, ``one_hot``, ``hashing_trick``;
- ``image``: ``ImageDataGenerator`` (rescaling, flips, shifts, per-sample standardization) with
  ``flow(x, y)`` batches for ``model.fit_generator``, and ``img_to_array``.

All of it runs on numpy arrays before any graph is built; nothing here reads image files.
"""
from tfone.keras.preprocessing import image, sequence, text  # noqa: F401

__all__ = ["image", "sequence", "text"]
