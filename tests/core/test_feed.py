"""What `fit` reads (mnist_core/data/batches.py): every image once per epoch with its own label, in batches of the
size asked for, shuffled anew each epoch and the same from the same seed; in order where no seed is given."""

import keras
import numpy as np
import pytest

from mnist_core.data import batches
from mnist_core.models.inference import to_model_input

pytestmark = pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="other backends read the arrays")

N, BATCH = 10, 4  # two whole batches and a last one of 2


def epochs(seed, count=3):
    """Each epoch's batches as lists of row numbers (the images hold their row number; labels, 100 + it)."""
    images = np.arange(N, dtype=np.float32).reshape(N, 1, 1, 1)
    fed = batches.fit_batches(images, np.arange(N) + 100, BATCH, seed=seed)
    seen = []
    for _ in range(count):  # as fit does: a new iterator each epoch
        rows = []
        for x, y in fed["x"]:
            row = x.numpy().reshape(-1).astype(int)
            np.testing.assert_array_equal(y.numpy(), row + 100)  # each image keeps its label
            rows.append(row.tolist())
        seen.append(rows)
    return seen


def test_without_a_seed_the_batches_come_in_order():
    assert epochs(None, 2) == [[[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]] * 2


def test_with_a_seed_every_epoch_is_a_new_permutation_of_every_image():
    seen = epochs(7)
    for rows in seen:
        assert [len(b) for b in rows] == [4, 4, 2]
        assert sorted(sum(rows, [])) == list(range(N))  # every image once
    orders = [sum(rows, []) for rows in seen]
    assert orders[0] != list(range(N)) and len({tuple(o) for o in orders}) == 3  # shuffled, and anew each epoch


def test_the_same_seed_gives_the_same_epochs_and_another_seed_others():
    assert epochs(7) == epochs(7)
    assert epochs(7) != epochs(8)


def test_keras_knows_an_epochs_length_before_it_ends():
    fed = batches.fit_batches(np.zeros((N, 1, 1, 1), np.float32), np.zeros(N), BATCH, seed=1)
    assert int(fed["x"].cardinality()) == 3 and fed["shuffle"] is False


def test_evaluate_and_validation_read_in_order_and_fit_keras_arguments():
    images = np.arange(N, dtype=np.float32).reshape(N, 1, 1, 1)
    fed = batches.evaluate_batches(images, np.arange(N), BATCH)
    assert set(fed) == {"x"}
    assert [y.numpy().tolist() for _, y in batches.validation_data(images, np.arange(N), BATCH)] == \
        [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


def test_pixels_are_scaled_per_batch_exactly_as_the_models_read_them():
    """uint8 pixels go in as stored; each batch comes out as `to_model_input` makes it, to the last bit."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (N, 28, 28), dtype=np.uint8)
    pixels[0] = np.arange(256, dtype=np.uint8).repeat(4)[:784].reshape(28, 28)  # every grey level
    for x, y in batches.evaluate_batches(pixels, np.arange(N), BATCH)["x"]:
        rows = y.numpy()
        assert x.dtype == "float32" and x.shape == (len(rows), 28, 28, 1)
        np.testing.assert_array_equal(x.numpy(), to_model_input(pixels[rows]))  # not approximately: equal
