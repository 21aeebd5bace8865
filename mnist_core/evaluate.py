"""Score a model on the official 10,000-image test set: accuracy, per-class P/R/F1, confusion matrix.

    python -m mnist_core.evaluate models/cnn.keras
"""

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from mnist_core.data import load_mnist
from mnist_core.inference import forward


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


def format_report(evaluation: Evaluation) -> str:
    """The text report the CLI prints."""
    lines = [f"accuracy {evaluation.accuracy:.2%} on {len(evaluation.labels):,} test images", "",
             "digit  precision  recall      f1  support"]
    for d in range(10):
        lines.append(f"{d:>5}  {evaluation.precision[d]:>9.4f}  {evaluation.recall[d]:>6.4f}  "
                     f"{evaluation.f1[d]:>6.4f}  {evaluation.confusion[d].sum():>7}")
    lines += ["", "confusion matrix (rows: true digit, columns: predicted)",
              "     " + "".join(f"{d:>6}" for d in range(10))]
    lines += [f"{d:>5}" + "".join(f"{n:>6}" for n in row) for d, row in enumerate(evaluation.confusion)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path, help="a .keras file")
    args = parser.parse_args(argv)
    try:
        model = keras.saving.load_model(args.model, safe_mode=True)
    except Exception as err:
        print(f"Could not load {args.model}: {err}", file=sys.stderr)
        return 2
    print(format_report(evaluate_model(model)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
