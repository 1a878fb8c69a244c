"""``keras.preprocessing.sequence``: padding variable-length sequences into one array."""
import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.):
    """A ``[len(sequences), maxlen]`` array (``maxlen`` defaults to the longest sequence).

    Shorter sequences are padded with ``value`` at the start (``padding='pre'``, the default)
    or end (``'post'``); longer ones lose their first (``truncating='pre'``, the default) or
    last (``'post'``) elements. Sequence items may be arrays of one common shape, which
    becomes the trailing shape of the result.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)
    lengths = []
    sample_shape = ()
    found_shape = False
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError:
            raise ValueError("`sequences` must be a list of iterables. Found non-iterable: "
                             + str(s)) from None
        if not found_shape and len(s):
            sample_shape = np.asarray(s).shape[1:]
            found_shape = True
    if maxlen is None:
        if not lengths:
            raise ValueError("pad_sequences got no sequences; pass maxlen to make an empty "
                             "[0, maxlen] array.")
        maxlen = int(np.max(lengths))
    is_text_dtype = np.issubdtype(dtype, np.str_)
    if isinstance(value, str) and dtype != object and not is_text_dtype:
        raise ValueError("`dtype` {} is not compatible with `value`'s type: {}\nYou should set "
                         "`dtype=object` for variable length strings."
                         .format(dtype, type(value)))
    if truncating not in ("pre", "post"):
        raise ValueError('Truncating type "%s" not understood' % truncating)
    if padding not in ("pre", "post"):
        raise ValueError('Padding type "%s" not understood' % padding)
    x = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue  # an empty sequence is all padding
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError("Shape of sample %s of sequence at position %s is different from "
                             "expected shape %s" % (trunc.shape[1:], idx, sample_shape))
        if padding == "post":
            x[idx, :len(trunc)] = trunc
        else:
            x[idx, -len(trunc):] = trunc
    return x
