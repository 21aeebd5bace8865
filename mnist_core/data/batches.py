"""What `fit` and `evaluate` read: batches of images and labels, shuffled each epoch for training.

On the TensorFlow backend Keras turns arrays into a `tf.data` pipeline with autotuning on. Each epoch it
makes a new iterator and drops the old one, and dropping one waits for its autotuning thread (seen in
stack dumps; that the thread sleeps out a tuning interval unwoken is inferred from timings, not read in
TensorFlow's source): seen here as a pause of up to 4.8 s before an epoch's first batch, in about half of the
runs from the Train page and in some from the CLI (`bench/RESULTS.md`, "The epoch-boundary stall"). The
pipeline here is the same in kind (a seeded shuffle of indices, whole batches gathered from the arrays in
memory, one batch prepared ahead) with autotuning off: there is nothing to tune when batches are slices
of arrays, and with no autotuning thread, dropping an iterator is immediate. Other backends read the
arrays as Keras does.

Images are given as they are stored (uint8 pixels, (N, 28, 28)) and each batch is scaled as it is gathered,
exactly as `inference.to_model_input` scales them (tests/core/test_feed.py): scaling all 54,000 training images
first made two 169 MB float copies, 0.9 s before a fresh training process's first batch.
"""

import keras
import numpy as np

from mnist_core.models.inference import SIDE, to_model_input


def fit_batches(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int | None = None) -> dict:
    """Keyword arguments for `fit`: `images` (uint8 pixels, scaled here as `to_model_input` scales them; or
    model inputs already) and `labels` in batches of `batch_size`, in an order shuffled anew each epoch from
    `seed` (None: in order). On other backends: the arrays, which `fit` shuffles from the seed
    `keras.utils.set_random_seed` set."""
    if keras.backend.backend() != "tensorflow":
        images = to_model_input(images) if images.dtype == np.uint8 else images
        return {"x": images, "y": labels, "batch_size": batch_size, "shuffle": seed is not None}
    return {"x": _pipeline(images, labels, batch_size, seed), "shuffle": False}  # it shuffles itself


def evaluate_batches(images: np.ndarray, labels: np.ndarray, batch_size: int) -> dict:
    """Keyword arguments for `evaluate`: `images` and `labels` in order, in batches of `batch_size`."""
    fed = fit_batches(images, labels, batch_size)
    del fed["shuffle"]
    return fed


def validation_data(images: np.ndarray, labels: np.ndarray, batch_size: int):
    """`fit`'s validation_data: `images` and `labels` in order, in batches of `batch_size` (`fit`'s own)."""
    fed = evaluate_batches(images, labels, batch_size)
    return (fed["x"], fed["y"]) if "y" in fed else fed["x"]


def _pipeline(images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int | None):
    import tensorflow as tf

    n, whole = len(images), len(images) // batch_size * batch_size
    if seed is None:
        orders = tf.data.Dataset.from_tensors(tf.range(n, dtype=tf.int64))
    else:  # one permutation per epoch, drawn whole (as Keras does): a new random key each time it is iterated
        keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(1)
        orders = keys.map(lambda key: tf.random.experimental.stateless_shuffle(
            tf.range(n, dtype=tf.int64), seed=tf.stack([key, tf.constant(seed, tf.int64)])))

    def in_batches(order):
        rows = tf.data.Dataset.from_tensor_slices(tf.reshape(order[:whole], (-1, batch_size)))
        return rows.concatenate(tf.data.Dataset.from_tensors(order[whole:])) if whole < n else rows

    arrays = tf.convert_to_tensor(images), tf.convert_to_tensor(labels)
    pixels = images.dtype == np.uint8

    def batch(rows):
        x = tf.gather(arrays[0], rows)
        if pixels:  # as to_model_input: to float32, divided by 255, a channel axis
            x = tf.reshape(tf.cast(x, tf.float32) / 255, (-1, SIDE, SIDE, 1))
        return x, tf.gather(arrays[1], rows)

    data = orders.flat_map(in_batches).map(batch)
    # flat_map hides the length: said here, so that Keras knows an epoch's batches before the first one ends
    data = data.apply(tf.data.experimental.assert_cardinality(-(-n // batch_size))).prefetch(1)
    options = tf.data.Options()
    options.autotune.enabled = False
    options.experimental_optimization.apply_default_optimizations = False  # as Keras does: nothing to rewrite
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return data.with_options(options)
