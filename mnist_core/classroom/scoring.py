"""How the models read a class's own drawings, next to how they read MNIST's test set.

Scoring is the app's ordinary evaluation (`evaluate_model`, through `forward`) run on the class's
drawings; the teacher's questions are answered from those numbers at run time.
"""

import numpy as np

from mnist_core.data.sources import SHAPES
from mnist_core.i18n import _, integer, ngettext, number, percent
from mnist_core.models.metrics import Evaluation, evaluate_model
from mnist_core.models.registry import display_name


def score_class(models: dict, images: np.ndarray, labels: np.ndarray) -> dict[str, Evaluation]:
    """Each model's evaluation on the class's drawings (uint8 (N, 28, 28), N ≥ 1)."""
    if len(images) == 0:
        raise ValueError(_("A class needs at least one drawing before it can be scored."))
    return {name: evaluate_model(model, images, labels) for name, model in models.items()}


def true_probability(evaluation: Evaluation) -> np.ndarray:
    """(N,) the probability each image got for the digit it really is."""
    return evaluation.probabilities[np.arange(len(evaluation.labels)), evaluation.labels]


def hardest(evaluation: Evaluation, count: int) -> np.ndarray:
    """Indices of the `count` images with the lowest probability for their true digit, hardest first."""
    return np.argsort(true_probability(evaluation), kind="stable")[:count]


def _name(name: str) -> str:
    return _("your model") if name == "yours" else display_name(name)


def _capitalised(sentence: str) -> str:
    """`sentence` with a capital first letter, for one that starts with "your model"."""
    return sentence[:1].upper() + sentence[1:]


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
    best = max(ours, key=lambda name: (ours[name].accuracy, mnist[name]))  # ties go to the better on MNIST
    return [
        (_("Which model reads our drawings best, and is it the best one on MNIST?"), _best_answer(ours, mnist, best)),
        (_("Which of our digits did the models find hardest?"), _hardest_answer(ours[best], best)),
        (_("Is our accuracy as high as on MNIST? Why might it not be?"), _gap_answer(ours[best], mnist[best], best)),
    ]


def _best_answer(ours: dict[str, Evaluation], mnist: dict[str, float], best: str) -> str:
    """How well the best model on our drawings reads them, and whether it also leads on MNIST."""
    n, leader = len(ours[best].labels), max(mnist, key=mnist.get)
    # TRANSLATORS: {model} and {leader} are model names (or "your model"); {accuracy} and {mnist} are percentages.
    if best == leader:
        answer = ngettext("{model} reads {accuracy} of our {n} drawing right; that is the same model ({mnist} on "
                          "MNIST's {test_digits} test digits).",
                          "{model} reads {accuracy} of our {n} drawings right; that is the same model ({mnist} on "
                          "MNIST's {test_digits} test digits).", n)
    else:
        answer = ngettext("{model} reads {accuracy} of our {n} drawing right; that is a different model: on MNIST "
                          "{leader} leads ({mnist} on MNIST's {test_digits} test digits).",
                          "{model} reads {accuracy} of our {n} drawings right; that is a different model: on MNIST "
                          "{leader} leads ({mnist} on MNIST's {test_digits} test digits).", n)
    return _capitalised(answer.format(model=_name(best), accuracy=percent(ours[best].accuracy, 0), n=integer(n),
                                      leader=_name(leader), mnist=percent(mnist[leader], 2),
                                      test_digits=integer(SHAPES["y_test"][0])))


def _hardest_answer(evaluation: Evaluation, name: str) -> str:
    """Which digit `name` read worst among ours, and what it took it for most often."""
    digit, right, drawn, confused = weakest_digit(evaluation)
    # TRANSLATORS: {digit} and {confused} are digits 0-9: "Our 7s" means the sevens the class drew;
    # {model} is a model name.
    if confused is None:
        answer = _("Our {digit}s: {model} read {right} of {drawn} right.")
    else:
        answer = _("Our {digit}s: {model} read {right} of {drawn} right, most often as {confused}.")
    return answer.format(digit=digit, model=_name(name), right=integer(right), drawn=integer(drawn),
                         confused=confused)


def _gap_answer(evaluation: Evaluation, mnist: float, name: str) -> str:
    """How far `name`'s accuracy on our drawings lies from its accuracy on MNIST, and why."""
    gap = 100 * (mnist - evaluation.accuracy)
    # TRANSLATORS: {model} is a model name; {gap} a number of percentage points, e.g. 19.5.
    if gap >= 0:
        answer = _("{model} scores {gap} percentage points lower on our drawings than on MNIST.")
    else:
        answer = _("{model} scores {gap} percentage points higher on our drawings than on MNIST.")
    return _capitalised(answer.format(model=_name(name), gap=number(abs(gap), 1))) + " " + _(
        "MNIST's digits were written with pens on paper and scanned; ours were drawn with a mouse or a finger, with "
        "other stroke widths and shapes. A model is only sure of the kind of data it was trained on.")


def accuracy_rows(ours: dict[str, Evaluation], mnist: dict[str, float]) -> list[dict]:
    """One row per model: its accuracy on our drawings, on MNIST's test set, and the gap in points (its columns
    named in the visitor's language)."""
    return [{_("model"): _name(name), _("our drawings"): ours[name].accuracy, _("MNIST test set"): mnist[name],
             _("gap (points)"): 100 * (mnist[name] - ours[name].accuracy)} for name in ours]


def caption(evaluation: Evaluation, i: int) -> str:
    """What a model made of image i: the digit meant, its probability, and the model's reading."""
    meant, p = int(evaluation.labels[i]), evaluation.probabilities[i]
    # TRANSLATORS: under a drawing: the digit it was meant to be, the model's probability for that digit, and the
    # digit the model read; e.g. "meant 7: P(7) = 12.5%, read 1".
    return _("meant {meant}: P({meant}) = {probability}, read {reading}").format(
        meant=meant, probability=percent(p[meant], 1), reading=int(p.argmax()))
