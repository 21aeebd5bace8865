"""The one way the app runs a model: images in, numpy out, in inference mode, on any Keras backend.

Every page, the evaluation and the look-inside views call `forward`, so that the conversion to
numpy (`keras.ops.convert_to_numpy`, which also moves a torch tensor off a GPU) and the scaling of
pixels to [0, 1] (`to_model_input`) are written once.
"""

import hashlib
import weakref
from collections.abc import Callable, Hashable

import keras
import numpy as np

SIDE = 28  # MNIST's image side, the one definition every module reads
# Sub-models per model and purpose, dropped with their model; keyed weakly so a freed model's id is never reused.
_SUBMODELS: "weakref.WeakKeyDictionary[keras.Model, dict[Hashable, keras.Model]]" = weakref.WeakKeyDictionary()


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 pixels (0–255) or floats in [0, 1], one (28, 28) image or (N, 28, 28) → (N, 28, 28, 1) float32."""
    images = np.asarray(images)
    scaled = images.astype(np.float32)  # a copy, so scaling it in place leaves `images` alone
    if images.dtype == np.uint8:
        # In place: `/ 255` made a second array, and 60,000 images' fresh pages cost 0.7 s of a run's start.
        scaled /= 255
    return scaled.reshape(-1, SIDE, SIDE, 1)


def forward(model: keras.Model, images: np.ndarray, batch_size: int = 256) -> np.ndarray | list[np.ndarray]:
    """`model`'s outputs for `images` (see `to_model_input`), in batches to bound memory (256 kept
    135 MB less than 1,000 in the server after scoring four models, at the same speed: bench/RESULTS.md).

    `predict_on_batch` runs the model's compiled graph without `predict`'s data pipeline, which
    alone costs tens of milliseconds per call. A model with several outputs gives a list of arrays.
    """
    x = to_model_input(images)
    batches = [model.predict_on_batch(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    if isinstance(batches[0], list | tuple):
        return [np.concatenate([keras.ops.convert_to_numpy(b[k]) for b in batches]) for k in range(len(batches[0]))]
    return np.concatenate([keras.ops.convert_to_numpy(b) for b in batches])


def submodel(model: keras.Model, purpose: Hashable, outputs: Callable[[], list]) -> keras.Model:
    """A model from `model`'s input to `outputs()` (some of its layers' outputs), built once per model and
    purpose: building one costs a graph trace, and the look-inside pages ask on every rerun."""
    built = _SUBMODELS.setdefault(model, {})
    if purpose not in built:
        built[purpose] = keras.Model(model.inputs[0], outputs())
    return built[purpose]


def fingerprint(model: keras.Model) -> str:
    """SHA-256 of a model's weights: what it computes, so that a cache keys it by content, never by `id()`."""
    digest = hashlib.sha256()
    for weights in model.get_weights():
        digest.update(np.ascontiguousarray(weights).tobytes())
    return digest.hexdigest()
