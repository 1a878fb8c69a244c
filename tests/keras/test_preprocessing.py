"""keras.preprocessing: pad_sequences, Tokenizer and friends, ImageDataGenerator.

Expected values are Keras's (keras_preprocessing 1.1 / tf_keras), frozen from runs of the
reference implementation on the same inputs."""
import json

import numpy as np
import pytest

from tfone import keras
from tfone.keras.preprocessing.image import ImageDataGenerator
from tfone.keras.preprocessing.sequence import pad_sequences
from tfone.keras.preprocessing.text import (Tokenizer, hashing_trick, one_hot,
                                            text_to_word_sequence, tokenizer_from_json)

SEQS = [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10], []]
TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Cats and dogs: the end?",
         "a b c a b a"]


# -- sequence -----------------------------------------------------------------------------------
def test_pad_sequences_defaults_pre_padding_and_truncation():
    out = pad_sequences(SEQS)
    assert out.dtype == np.int32 and out.shape == (4, 5)
    np.testing.assert_array_equal(out, [[0, 0, 1, 2, 3], [0, 0, 0, 4, 5], [6, 7, 8, 9, 10],
                                        [0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=2),
                                  [[2, 3], [4, 5], [9, 10], [0, 0]])


def test_pad_sequences_post_value_dtype_and_item_shapes():
    np.testing.assert_array_equal(pad_sequences(SEQS, maxlen=4, padding="post"),
                                  [[1, 2, 3, 0], [4, 5, 0, 0], [7, 8, 9, 10], [0, 0, 0, 0]])
    np.testing.assert_array_equal(
        pad_sequences(SEQS, maxlen=3, truncating="post", value=-1),
        [[1, 2, 3], [-1, 4, 5], [6, 7, 8], [-1, -1, -1]])
    floats = pad_sequences([[0.5, 1.5]], maxlen=3, dtype="float32", value=0.25)
    assert floats.dtype == np.float32 and floats.tolist() == [[0.25, 0.5, 1.5]]
    vectors = pad_sequences([np.ones((2, 3)), np.zeros((1, 3))], maxlen=3)
    assert vectors.shape == (2, 3, 3)
    np.testing.assert_array_equal(vectors[0], [[0, 0, 0], [1, 1, 1], [1, 1, 1]])
    words = pad_sequences([["a", "b"], ["c"]], dtype=object, value="<pad>")
    assert words.tolist() == [["a", "b"], ["<pad>", "c"]]


def test_pad_sequences_errors():
    with pytest.raises(ValueError, match="not understood"):
        pad_sequences(SEQS, padding="middle")
    with pytest.raises(ValueError, match="not understood"):
        pad_sequences(SEQS, truncating="both")
    with pytest.raises(ValueError, match="non-iterable"):
        pad_sequences([1, 2])
    with pytest.raises(ValueError, match="dtype=object"):
        pad_sequences([["a"]], value="x")
    with pytest.raises(ValueError, match="different from expected shape"):
        pad_sequences([np.ones((2, 3)), np.ones((2, 4))])
    assert keras.preprocessing.sequence.pad_sequences is pad_sequences


# -- text ---------------------------------------------------------------------------------------
def test_text_to_word_sequence_and_hashing():
    assert text_to_word_sequence("Cats and dogs: the end?") == ["cats", "and", "dogs", "the",
                                                                "end"]
    assert text_to_word_sequence("Hello, World", lower=False, filters=",") == ["Hello",
                                                                               "World"]
    assert text_to_word_sequence("a-b--c", filters="-", split="-") == ["a", "b", "c"]
    assert hashing_trick("the cat the dog", 7, "md5") == [6, 3, 6, 6]     # Keras's numbers
    ids = one_hot("the cat the dog", 10)
    assert len(ids) == 4 and ids[0] == ids[2] and all(1 <= i < 10 for i in ids)


def test_tokenizer_word_index_and_sequences():
    tokenizer = Tokenizer()
    tokenizer.fit_on_texts(TEXTS)
    # most frequent first; ties in order of first appearance; 0 is never used
    assert list(tokenizer.word_index.items())[:6] == [("the", 1), ("a", 2), ("b", 3),
                                                      ("cat", 4), ("sat", 5), ("on", 6)]
    assert len(tokenizer.word_index) == 16 and tokenizer.document_count == 4
    assert tokenizer.index_word[1] == "the" and tokenizer.word_counts["the"] == 4
    assert tokenizer.word_docs["the"] == 3 and tokenizer.index_docs[1] == 3
    assert tokenizer.texts_to_sequences(["The cat ate homework, unknown!"]) == [[1, 4, 9, 11]]
    limited = Tokenizer(num_words=4)
    limited.fit_on_texts(TEXTS)
    assert limited.texts_to_sequences(["the cat b a zebra"]) == [[1, 3, 2]]
    oov = Tokenizer(num_words=4, oov_token="<UNK>")
    oov.fit_on_texts(TEXTS)
    assert oov.word_index["<UNK>"] == 1 and oov.word_index["the"] == 2
    assert oov.texts_to_sequences(["the cat b a zebra"]) == [[2, 1, 1, 3, 1]]
    assert oov.sequences_to_texts([[2, 1, 3, 9]]) == ["the <UNK> a <UNK>"]
    chars = Tokenizer(char_level=True)
    chars.fit_on_texts(["abba", "Ac"])
    assert chars.word_index == {"a": 1, "b": 2, "c": 3}
    assert chars.texts_to_sequences(["cab"]) == [[3, 1, 2]]
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        Tokenizer(max_words=3)


def test_tokenizer_matrices_match_keras():
    tokenizer = Tokenizer(num_words=6)
    tokenizer.fit_on_texts(TEXTS)
    texts = ["the the cat", "a b zebra"]
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(texts, "binary"),
                                  [[0, 1, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0]])
    np.testing.assert_array_equal(tokenizer.texts_to_matrix(texts, "count"),
                                  [[0, 2, 0, 0, 1, 0], [0, 0, 1, 1, 0, 0]])
    np.testing.assert_allclose(tokenizer.texts_to_matrix(texts, "freq"),
                               [[0, 2 / 3, 0, 0, 1 / 3, 0], [0, 0, 0.5, 0.5, 0, 0]])
    tfidf = tokenizer.texts_to_matrix(texts, "tfidf")
    # (1 + log count) * log(1 + documents / (1 + documents with the word)), Keras's scheme
    np.testing.assert_allclose(tfidf[0, [1, 4]], [(1 + np.log(2)) * np.log(1 + 4 / 4),
                                                  np.log(1 + 4 / 2)])
    np.testing.assert_allclose(tfidf[1, [2, 3]], [np.log(1 + 4 / 2)] * 2)
    assert tokenizer.sequences_to_matrix([[1, 9, 1]], mode="count").tolist() == [
        [0, 2, 0, 0, 0, 0]]
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tokenizer.texts_to_matrix(texts, "onehot")
    with pytest.raises(ValueError, match="fit on some text data"):
        Tokenizer().texts_to_matrix(texts)


def test_tokenizer_json_round_trip():
    tokenizer = Tokenizer(num_words=5, oov_token="?")
    tokenizer.fit_on_texts(TEXTS)
    text = tokenizer.to_json()
    assert json.loads(text)["class_name"] == "Tokenizer"
    again = tokenizer_from_json(text)
    assert again.word_index == tokenizer.word_index and again.num_words == 5
    assert again.texts_to_sequences(TEXTS) == tokenizer.texts_to_sequences(TEXTS)
    assert again.index_docs == tokenizer.index_docs


# -- image --------------------------------------------------------------------------------------
IMAGES = np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5, 1)


def test_image_data_generator_flow_matches_keras():
    gen = ImageDataGenerator(width_shift_range=0.3, height_shift_range=0.2,
                             horizontal_flip=True, rescale=0.1)
    flow = gen.flow(IMAGES, np.array([10, 11, 12]), batch_size=2, seed=3)
    assert len(flow) == 2
    x, y = next(flow)
    assert x.dtype == np.float32 and x.shape == (2, 4, 5, 1) and y.tolist() == [11, 10]
    # Keras's numbers (keras_preprocessing: np.random reseeded with seed + batches seen)
    np.testing.assert_allclose(x[0, :, :, 0], [
        [2.1665, 2.2038, 2.3038, 2.4038, 2.5038], [2.6665, 2.7038, 2.8038, 2.9038, 3.0038],
        [3.1665, 3.2038, 3.3038, 3.4038, 3.5038], [3.5, 3.5373, 3.6373, 3.7373, 3.8373]],
        atol=1e-4)
    np.testing.assert_allclose(x[1, :, :, 0], [
        [0.6047, 0.5047, 0.4047, 0.317, 0.317], [1.1047, 1.0047, 0.9047, 0.817, 0.817],
        [1.6047, 1.5047, 1.4047, 1.317, 1.317], [1.7877, 1.6877, 1.5877, 1.5, 1.5]], atol=1e-4)
    x, y = next(flow)                        # the last, smaller batch of the epoch
    assert y.tolist() == [12] and x.shape == (1, 4, 5, 1)
    np.testing.assert_allclose(x[0, 3], [[5.5142], [5.6142], [5.7142], [5.8142], [5.9]],
                               atol=1e-4)
    params = gen.get_random_transform((4, 5, 1), seed=7)
    assert params["tx"] == pytest.approx(-0.6779067370016686)      # rows (height)
    assert params["ty"] == pytest.approx(0.839756376720344)        # columns (width)
    assert params["flip_horizontal"] == 1 and params["flip_vertical"] == 0


def test_shifts_interpolate_and_repeat_edges():
    gen = ImageDataGenerator()
    image = np.arange(5 * 4, dtype=np.float32).reshape(5, 4, 1)
    rows = gen.apply_transform(image, {"tx": 1.5, "ty": 0})[..., 0]
    # output row r reads input row r + 1.5: halfway between two rows, the last ones repeat
    np.testing.assert_allclose(rows, [[6, 7, 8, 9], [10, 11, 12, 13], [14, 15, 16, 17],
                                      [16, 17, 18, 19], [16, 17, 18, 19]])
    cols = gen.apply_transform(image, {"tx": 0, "ty": -1})[..., 0]
    np.testing.assert_array_equal(cols[:, 0], image[:, 0, 0])
    np.testing.assert_array_equal(cols[:, 1:], image[:, :3, 0])
    flipped = gen.apply_transform(image, {"flip_horizontal": True, "flip_vertical": True})
    np.testing.assert_array_equal(flipped, image[::-1, ::-1])
    first = ImageDataGenerator(data_format="channels_first")
    chw = image.transpose(2, 0, 1)
    np.testing.assert_allclose(first.apply_transform(chw, {"tx": 1.5, "ty": 0})[0], rows)


def test_int_and_list_shift_ranges_give_whole_pixels():
    gen = ImageDataGenerator(width_shift_range=3, height_shift_range=[1, 2])
    for seed in range(20):
        params = gen.get_random_transform((8, 8, 1), seed=seed)
        assert params["ty"] in (-2, -1, 0, 1, 2) and abs(params["tx"]) in (1, 2)


def test_flow_without_labels_shuffling_weights_and_standardization():
    gen = ImageDataGenerator(samplewise_center=True, samplewise_std_normalization=True,
                             preprocessing_function=lambda im: im + 1.0)
    flow = gen.flow(IMAGES, batch_size=2, shuffle=False)
    batch = flow[1]
    assert isinstance(batch, np.ndarray) and batch.shape == (1, 4, 5, 1)
    image = IMAGES[2] + 1.0
    np.testing.assert_allclose(batch[0], (image - image.mean()) / (image.std() + 1e-6),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="has length 2"):
        flow[2]
    flow = ImageDataGenerator().flow(IMAGES, np.arange(3), sample_weight=np.ones(3),
                                     batch_size=3, seed=1)
    x, y, w = next(flow)
    np.testing.assert_array_equal(x, IMAGES[y])
    assert sorted(y.tolist()) == [0, 1, 2] and w.tolist() == [1, 1, 1]
    train = ImageDataGenerator(validation_split=0.34).flow(IMAGES, batch_size=5,
                                                           shuffle=False, subset="training")
    valid = ImageDataGenerator(validation_split=0.34).flow(IMAGES, batch_size=5,
                                                           shuffle=False, subset="validation")
    np.testing.assert_array_equal(next(train), IMAGES[1:])
    np.testing.assert_array_equal(next(valid), IMAGES[:1])


def test_image_data_generator_errors():
    with pytest.raises(ValueError, match="does not support rotation_range"):
        ImageDataGenerator(rotation_range=20)
    with pytest.raises(ValueError, match="zoom_range, fill_mode='constant'"):
        ImageDataGenerator(zoom_range=0.1, fill_mode="constant")
    with pytest.raises(ValueError, match="fill_mode should be one of"):
        ImageDataGenerator(fill_mode="mirror")
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="same length"):
        ImageDataGenerator().flow(IMAGES, np.arange(2))
    with pytest.raises(NotImplementedError, match="PIL"):
        ImageDataGenerator().flow_from_directory("images/")
    with pytest.raises(AttributeError, match="PIL"):
        keras.preprocessing.image.load_img
    with pytest.warns(UserWarning, match="expected either 1, 3, or 4 channels"):
        ImageDataGenerator().flow(np.zeros((2, 4, 4, 5)))


def test_img_to_array():
    gray = np.arange(6, dtype=np.uint8).reshape(2, 3)
    out = keras.preprocessing.image.img_to_array(gray)
    assert out.dtype == np.float32 and out.shape == (2, 3, 1)
    assert keras.preprocessing.image.img_to_array(gray, "channels_first").shape == (1, 2, 3)
    assert keras.preprocessing.image.img_to_array(np.zeros((2, 3, 3)), "channels_first",
                                                  dtype="float64").dtype == np.float64
    with pytest.raises(ValueError, match="Unsupported image shape"):
        keras.preprocessing.image.img_to_array(np.zeros(3))


def test_fit_generator_on_a_flow():
    rng = np.random.RandomState(0)
    x = rng.rand(20, 4, 4, 1).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.float32)
    model = keras.models.Sequential([keras.layers.Flatten(input_shape=(4, 4, 1)),
                                     keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    flow = ImageDataGenerator(horizontal_flip=True).flow(x, y, batch_size=8, seed=0)
    history = model.fit_generator(flow, epochs=2, verbose=0)   # len(flow) batches per epoch
    assert len(history.history["loss"]) == 2 and flow.total_batches_seen == 2 * len(flow) == 6
