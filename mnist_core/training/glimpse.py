"""A glimpse of a model while it learns: how it reads a strip of fixed test digits, and its first
layer's kernels, taken every few batches so that a page can show learning happen (as ConvNetJS does)."""

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from mnist_core.models.inference import to_model_input


def strip_indices(labels: np.ndarray, per_digit: int = 1) -> np.ndarray:
    """The first `per_digit` test digits of each class 0..9, in digit order: a strip for the page."""
    return np.concatenate([np.flatnonzero(labels == d)[:per_digit] for d in range(10)])


@dataclass(frozen=True)
class Glimpse:
    """One look at a model in training: step, what it reads on the strip, and its first kernels."""

    step: int
    predictions: np.ndarray     # (S,) the digit it reads on each strip image
    confidences: np.ndarray     # (S,) its probability for that digit
    kernels: np.ndarray | None  # (C, kh, kw) first Conv2D layer's kernels, None for a model without one


def look(model: keras.Model, images: np.ndarray, step: int) -> Glimpse:
    """Read the strip `images` (uint8 (S, 28, 28)) with `model` in inference mode, and copy its first kernels.

    A direct call, not `forward`: the engine calls this between training batches on the model being trained.
    """
    probabilities = keras.ops.convert_to_numpy(model(to_model_input(images), training=False)).astype(np.float32)
    conv = next((layer for layer in _layers(model) if isinstance(layer, layers.Conv2D)), None)
    kernels = None if conv is None else np.moveaxis(keras.ops.convert_to_numpy(conv.kernel)[:, :, 0, :], -1, 0)
    return Glimpse(step, probabilities.argmax(axis=1), probabilities.max(axis=1), kernels)


def _layers(model: keras.Model) -> list[layers.Layer]:
    """Every layer, nested models (augmentation wrappers) opened up."""
    found = []
    for layer in model.layers:
        found += _layers(layer) if isinstance(layer, keras.Model) else [layer]
    return found
