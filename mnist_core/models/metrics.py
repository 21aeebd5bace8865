"""A model's scores on labelled digits: accuracy, per-class precision, recall and F1, and the confusion matrix."""

from dataclasses import dataclass

import keras
import numpy as np

from mnist_core.data.sources import load_mnist
from mnist_core.models.inference import forward


@dataclass(frozen=True)
class Evaluation:
    """Test-set results; arrays are indexed by digit 0..9."""

    accuracy: float
    precision: np.ndarray   # (10,)
    recall: np.ndarray      # (10,)
    f1: np.ndarray          # (10,)
    confusion: np.ndarray   # (10, 10) int, rows = true digit, columns = predicted digit
    probabilities: np.ndarray  # (N, 10)
    labels: np.ndarray      # (N,)

    @property
    def predictions(self) -> np.ndarray:
        return self.probabilities.argmax(axis=1)


def evaluate_model(model: keras.Model, images: np.ndarray | None = None,
                   labels: np.ndarray | None = None) -> Evaluation:
    """Evaluate on the given images, or on the official test set when none are given."""
    if images is None:
        _, (images, labels) = load_mnist()
    probabilities = forward(model, images)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (labels, probabilities.argmax(axis=1)), 1)
    hits = np.diag(confusion).astype(np.float64)
    precision = hits / np.maximum(confusion.sum(axis=0), 1)
    recall = hits / np.maximum(confusion.sum(axis=1), 1)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return Evaluation(hits.sum() / len(labels), precision, recall, f1, confusion, probabilities,
                      np.asarray(labels))
