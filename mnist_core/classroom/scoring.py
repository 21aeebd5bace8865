"""How the models read a class's own drawings, next to how they read MNIST's test set.

Scoring is the app's ordinary evaluation (`evaluate_model`, through `forward`) run on the class's
drawings; the teacher's questions are answered from those numbers at run time.
"""

import numpy as np

from mnist_core.models.metrics import Evaluation, evaluate_model
from mnist_core.models.registry import display_name


def score_class(models: dict, images: np.ndarray, labels: np.ndarray) -> dict[str, Evaluation]:
    """Each model's evaluation on the class's drawings (uint8 (N, 28, 28), N ≥ 1)."""
    if len(images) == 0:
        raise ValueError("A class needs at least one drawing before it can be scored.")
    return {name: evaluate_model(model, images, labels) for name, model in models.items()}


def true_probability(evaluation: Evaluation) -> np.ndarray:
    """(N,) the probability each image got for the digit it really is."""
    return evaluation.probabilities[np.arange(len(evaluation.labels)), evaluation.labels]


def hardest(evaluation: Evaluation, count: int) -> np.ndarray:
    """Indices of the `count` images with the lowest probability for their true digit, hardest first."""
    return np.argsort(true_probability(evaluation), kind="stable")[:count]


def _name(name: str) -> str:
    return "your model" if name == "yours" else display_name(name)


def weakest_digit(evaluation: Evaluation) -> tuple[int, int, int, int | None]:
    """(digit, read right, drawn, most common wrong reading) for the drawn digit with the lowest recall."""
    drawn = evaluation.confusion.sum(axis=1)
    recall = np.where(drawn > 0, np.diag(evaluation.confusion) / np.maximum(drawn, 1), np.inf)
    digit = int(recall.argmin())
    wrong = evaluation.confusion[digit] * (np.arange(10) != digit)
    confused = int(wrong.argmax()) if wrong.any() else None
    return digit, int(evaluation.confusion[digit, digit]), int(drawn[digit]), confused


def teacher_questions(ours: dict[str, Evaluation], mnist: dict[str, float]) -> list[tuple[str, str]]:
    """Questions for the class with answers computed from its drawings; `mnist` is name → test accuracy."""
    n = len(next(iter(ours.values())).labels)
    best = max(ours, key=lambda name: (ours[name].accuracy, mnist[name]))  # ties go to the better on MNIST
    best_mnist = max(mnist, key=mnist.get)
    same = "the same model" if best == best_mnist else f"a different model: on MNIST {_name(best_mnist)} leads"
    digit, right, drawn, confused = weakest_digit(ours[best])
    mistake = f", most often as a {confused}" if confused is not None else ""
    gap = 100 * (mnist[best] - ours[best].accuracy)
    direction = f"{gap:.1f} percentage points lower" if gap >= 0 else f"{-gap:.1f} percentage points higher"
    return [
        ("Which model reads our drawings best, and is it the best one on MNIST?",
         f"{_name(best)} reads {ours[best].accuracy:.0%} of our {n} drawing{'s' * (n != 1)} right; that is {same} "
         f"({mnist[best_mnist]:.2%} on MNIST's 10,000 test digits)."),
        ("Which of our digits did the models find hardest?",
         f"Our {digit}s: {_name(best)} read {right} of {drawn} right{mistake}."),
        ("Is our accuracy as high as on MNIST? Why might it not be?",
         f"{_name(best)} scores {direction} on our drawings than on MNIST. MNIST's digits were written with "
         "pens on paper and scanned; ours were drawn with a mouse or a finger, with other stroke widths and "
         "shapes. A model is only sure of the kind of data it was trained on."),
    ]


def accuracy_rows(ours: dict[str, Evaluation], mnist: dict[str, float]) -> list[dict]:
    """One row per model: its accuracy on our drawings, on MNIST's test set, and the gap in points."""
    return [{"model": _name(name), "our drawings": ours[name].accuracy, "MNIST test set": mnist[name],
             "gap (points)": 100 * (mnist[name] - ours[name].accuracy)} for name in ours]


def caption(evaluation: Evaluation, i: int) -> str:
    """What a model made of image i: the digit meant, its probability, and the model's reading."""
    meant, p = int(evaluation.labels[i]), evaluation.probabilities[i]
    return f"meant {meant}: P({meant}) = {p[meant]:.1%}, read {int(p.argmax())}"
