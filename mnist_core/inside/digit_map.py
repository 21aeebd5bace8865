"""The map of digits: the test digits as a model sees them, flattened to 2-D by PCA.

A model's "view" of a digit is its last hidden layer: the input of its output Dense layer. PCA
(principal component analysis) finds the two directions along which those features vary most
over the test set; every digit, and any new drawing, is placed by the same formula
`(features - mean) @ components.T`, so the star for a drawing is exactly where a test digit with
the same features would be.
"""

from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from mnist_core.i18n import _
from mnist_core.models.inference import forward, submodel


@dataclass(frozen=True)
class DigitMap:
    """Where each test digit lands, what the model read, and the projection that placed it."""

    coords: np.ndarray       # (N, 2) float64: each test digit's place on the map
    labels: np.ndarray       # (N,) true labels
    predictions: np.ndarray  # (N,) the model's verdicts
    mean: np.ndarray         # (D,) mean feature vector of the test digits
    components: np.ndarray   # (2, D) orthonormal rows: the two principal directions
    explained: np.ndarray    # (2,) fraction of the features' total variance along each direction

    @property
    def misread(self) -> np.ndarray:
        """Indices of the test digits the model got wrong."""
        return np.flatnonzero(self.predictions != self.labels)


def _view(model: keras.Model) -> keras.Model:
    """A sub-model returning (last hidden features (N, D), probabilities (N, 10)) in one pass."""
    head = next((layer for layer in reversed(model.layers) if isinstance(layer, layers.Dense)), None)
    if head is None:
        raise ValueError(_("{model} has no Dense output layer whose input could be mapped.").format(model=model.name))
    return submodel(model, "map view", lambda: [head.input, model.outputs[0]])


def features(model: keras.Model, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`(features (N, D) float64, probabilities (N, 10))` for uint8 or [0, 1] float images."""
    feats, probs = forward(_view(model), images)
    return feats.reshape(len(feats), -1).astype(np.float64), probs


def principal_axes(points: np.ndarray, k: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PCA: `(mean (D,), components (k, D), explained fraction (k,))` of points (N, D).

    The components are the top eigenvectors of the centred points' D×D scatter matrix (`eigh`): for
    10,000 × 512 features that is several times faster than an SVD of the points themselves. Each
    component's sign is fixed so that its largest-magnitude weight is positive: the same data always
    gives the same picture, not a randomly mirrored one.
    """
    mean = points.mean(axis=0)
    centred = points - mean
    variance, vectors = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues
    components = vectors[:, ::-1][:, :k].T
    signs = np.sign(components[np.arange(k), np.abs(components).argmax(axis=1)])
    total = variance.sum()
    explained = variance[::-1][:k] / total if total > 0 else np.zeros(k)
    return mean, components * signs[:, None], explained


def build_map(model: keras.Model, images: np.ndarray, labels: np.ndarray) -> DigitMap:
    """Embed every image with `model`, fit PCA on those features, and place each one."""
    feats, probs = features(model, images)
    mean, components, explained = principal_axes(feats)
    return DigitMap(coords=(feats - mean) @ components.T, labels=np.asarray(labels),
                    predictions=probs.argmax(axis=1), mean=mean, components=components,
                    explained=explained)


def place(digit_map: DigitMap, model: keras.Model, image: np.ndarray) -> tuple[float, float]:
    """Where one (28, 28) image lands on `digit_map`: the map's own projection of its features."""
    feats, _probs = features(model, image)
    x, y = (feats[0] - digit_map.mean) @ digit_map.components.T
    return float(x), float(y)


def nearest(digit_map: DigitMap, point: tuple[float, float], k: int = 5) -> np.ndarray:
    """Indices of the `k` test digits closest to `point` on the map (closest first)."""
    distances = np.linalg.norm(digit_map.coords - np.asarray(point), axis=1)
    return np.argsort(distances)[:k]
