"""How the models read a class's own drawings, next to how they read MNIST's test set.

Scoring is the app's ordinary evaluation (`evaluate_model`, through `forward`) run on the class's
drawings; every sentence (the comparisons, the teacher's questions) is chosen and filled from the counts it
states at run time, and with fewer than `stats.MIN_TO_COMPARE` drawings it says so instead of giving percentages.
"""

import numpy as np

from mnist_core.classroom.stats import MIN_TO_COMPARE, Comparison, Verdict
from mnist_core.data.sources import SHAPES
from mnist_core.i18n import N_, _, integer, ngettext, number, percent
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


def comparisons(ours: dict[str, Evaluation], mnist: dict[str, float]) -> dict[str, Comparison]:
    """Each model's count of our drawings read right, against its accuracy on MNIST's test set."""
    return {name: Comparison(int(np.trace(e.confusion)), len(e.labels), mnist[name]) for name, e in ours.items()}


def compared(c: Comparison, name: str) -> str:
    """One sentence on how model `name` reads our drawings next to MNIST's, chosen by the figures it states."""
    verdict = c.verdict
    if verdict is Verdict.TOO_FEW:
        # TRANSLATORS: {model} is a model name; {least} the number of drawings a comparison needs, e.g. 20.
        sentence = ngettext("{model} read {right} of our {n} drawing right: too few drawings to compare with MNIST "
                            "(at least {least} are needed).",
                            "{model} read {right} of our {n} drawings right: too few drawings to compare with MNIST "
                            "(at least {least} are needed).", c.n)
    elif verdict is Verdict.SAME:
        sentence = _("{model} reads {accuracy} of our {n} drawings right, exactly as on MNIST's test digits.")
    else:
        # TRANSLATORS: {accuracy}, {low}, {high}, {mnist} are percentages, {low} to {high} the 95% interval of
        # our accuracy; {gap} is a number of percentage points, e.g. 19.5.
        sentence = {
            Verdict.HIGHER: _("{model} reads our drawings better than MNIST's: {accuracy} (95% interval {low} to "
                              "{high}) against {mnist}, {gap} percentage points higher."),
            Verdict.LOWER: _("{model} reads our drawings worse than MNIST's: {accuracy} (95% interval {low} to "
                             "{high}) against {mnist}, {gap} percentage points lower."),
            Verdict.UNCLEAR_HIGHER: _("{model} reads {accuracy} of our drawings right (95% interval {low} to {high}), "
                                      "{gap} percentage points higher than on MNIST ({mnist}); MNIST's figure lies "
                                      "inside our interval, so this is no clear difference."),
            Verdict.UNCLEAR_LOWER: _("{model} reads {accuracy} of our drawings right (95% interval {low} to {high}), "
                                     "{gap} percentage points lower than on MNIST ({mnist}); MNIST's figure lies "
                                     "inside our interval, so this is no clear difference."),
        }[verdict]
    low, high = c.interval
    return _capitalised(sentence.format(model=_name(name), right=integer(c.right), n=integer(c.n),
                                        least=integer(MIN_TO_COMPARE), accuracy=percent(c.accuracy, 1),
                                        low=percent(low, 1), high=percent(high, 1), mnist=percent(c.mnist, 2),
                                        gap=number(abs(c.gap), 1)))


VERDICT_WORDS = {Verdict.SAME: N_("the same"), Verdict.HIGHER: N_("higher"), Verdict.LOWER: N_("lower"),
                 Verdict.UNCLEAR_HIGHER: N_("higher, within our interval"),
                 Verdict.UNCLEAR_LOWER: N_("lower, within our interval")}


def accuracy_rows(ours: dict[str, Evaluation], mnist: dict[str, float]) -> list[dict]:
    """One row of text per model, its columns named in the visitor's language: drawings read right, our accuracy
    with its 95% Wilson interval (or "too few drawings to compare"), MNIST's, and which is higher."""
    rows = []
    for name, c in comparisons(ours, mnist).items():
        few = c.verdict is Verdict.TOO_FEW
        low, high = c.interval
        rows.append({
            _("model"): _name(name),
            _("read right"): _("{right} of {n}").format(right=integer(c.right), n=integer(c.n)),
            # TRANSLATORS: e.g. "85.0% (64.0% to 94.8%)": our accuracy and its 95% interval.
            _("our drawings (95% interval)"): _("too few drawings to compare") if few else _(
                "{accuracy} ({low} to {high})").format(accuracy=percent(c.accuracy, 1), low=percent(low, 1),
                                                       high=percent(high, 1)),
            _("MNIST test set"): percent(c.mnist, 2),
            _("ours compared with MNIST"): "—" if few else _(VERDICT_WORDS[c.verdict]),
        })
    return rows


def teacher_questions(ours: dict[str, Evaluation], mnist: dict[str, float]) -> list[tuple[str, str]]:
    """Questions for the class with answers computed from its drawings; `mnist` is name → test accuracy."""
    best = max(ours, key=lambda name: (ours[name].accuracy, mnist[name]))  # ties go to the better on MNIST
    return [
        (_("Which model reads our drawings best, and is it the best one on MNIST?"), _best_answer(ours, mnist, best)),
        (_("Which of our digits did the models find hardest?"), _hardest_answer(ours[best], best)),
        (_("Is our accuracy as high as on MNIST? Why might it not be?"), _gap_answer(ours, mnist, best)),
    ]


def _best_answer(ours: dict[str, Evaluation], mnist: dict[str, float], best: str) -> str:
    """How many of our drawings the best model on them reads right, and whether it also leads on MNIST."""
    c, leader = comparisons(ours, mnist)[best], max(mnist, key=mnist.get)
    # TRANSLATORS: {model} and {leader} are model names (or "your model"); {mnist} is a percentage.
    if best == leader:
        answer = ngettext("{model} reads {right} of our {n} drawing right; that is the same model ({mnist} on "
                          "MNIST's {test_digits} test digits).",
                          "{model} reads {right} of our {n} drawings right; that is the same model ({mnist} on "
                          "MNIST's {test_digits} test digits).", c.n)
    else:
        answer = ngettext("{model} reads {right} of our {n} drawing right; that is a different model: on MNIST "
                          "{leader} leads ({mnist} on MNIST's {test_digits} test digits).",
                          "{model} reads {right} of our {n} drawings right; that is a different model: on MNIST "
                          "{leader} leads ({mnist} on MNIST's {test_digits} test digits).", c.n)
    return _capitalised(answer.format(model=_name(best), right=integer(c.right), n=integer(c.n),
                                      leader=_name(leader), mnist=percent(mnist[leader], 2),
                                      test_digits=integer(SHAPES["y_test"][0])))


def _hardest_answer(evaluation: Evaluation, name: str) -> str:
    """Which digit `name` read worst among ours, and what it took it for most often."""
    digit, right, drawn, confused = weakest_digit(evaluation)
    if confused is None:  # the weakest digit was read right every time: so was every drawing
        n = len(evaluation.labels)
        return _capitalised(ngettext("{model} read our {n} drawing right: none was hard for it.",
                                     "{model} read all {n} of our drawings right: none was hard for it.", n).format(
            model=_name(name), n=integer(n)))
    # TRANSLATORS: {digit} and {confused} are digits 0-9: "Our 7s" means the sevens the class drew;
    # {model} is a model name.
    if confused is None:
        answer = _("Our {digit}s: {model} read {right} of {drawn} right.")
    else:
        answer = _("Our {digit}s: {model} read {right} of {drawn} right, most often as {confused}.")
    return answer.format(digit=digit, model=_name(name), right=integer(right), drawn=integer(drawn),
                         confused=confused)


def _gap_answer(ours: dict[str, Evaluation], mnist: dict[str, float], name: str) -> str:
    """How `name`'s accuracy on our drawings stands against MNIST's; a reason only when it is clearly lower."""
    c = comparisons(ours, mnist)[name]
    if c.verdict is not Verdict.LOWER:
        return compared(c, name)
    return compared(c, name) + " " + _(
        "MNIST's digits were written with pens on paper and scanned; ours were drawn with a mouse or a finger, with "
        "other stroke widths and shapes. A model is only sure of the kind of data it was trained on.")


def caption(evaluation: Evaluation, i: int) -> str:
    """What a model made of image i: the digit meant, its probability, and the model's reading."""
    meant, p = int(evaluation.labels[i]), evaluation.probabilities[i]
    # TRANSLATORS: under a drawing: the digit it was meant to be, the model's probability for that digit, and the
    # digit the model read; e.g. "meant 7: P(7) = 12.5%, read 1".
    return _("meant {meant}: P({meant}) = {probability}, read {reading}").format(
        meant=meant, probability=percent(p[meant], 1), reading=int(p.argmax()))
