"""The class's numbers against known answers: Wilson intervals against Newcombe's published table and against
the quadratic they solve, and every comparison sentence fed known counts (none, one, too few, a tie, a class
better than MNIST, clearly and not clearly worse), so that each word is chosen by the figures beside it."""

import numpy as np
import pytest

from mnist_core.classroom.scoring import accuracy_rows, compared, teacher_questions
from mnist_core.classroom.stats import MIN_TO_COMPARE, Comparison, Verdict, wilson
from mnist_core.models.metrics import evaluate_model

# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Statistics in Medicine 17,
# Table I, method 3 (the Wilson score interval without continuity correction), 95 %.
NEWCOMBE = [((81, 263), (0.2553, 0.3662)), ((15, 148), (0.0624, 0.1605)), ((0, 20), (0.0, 0.1611)),
            ((1, 29), (0.0061, 0.1718)), ((29, 29), (0.8830, 1.0))]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE)
def test_wilson_matches_newcombes_published_table(counts, published):
    assert wilson(*counts) == pytest.approx(published, abs=5e-5)


@pytest.mark.parametrize(("right", "n"), [(0, 1), (1, 1), (3, 7), (50, 100), (999, 1000), (7, 2000)])
def test_wilson_bounds_solve_the_score_equation(right, n):
    """The bounds are the p where |p̂ − p| = z·√(p(1 − p)/n): the roots of (n + z²)p² − (2np̂ + z²)p + np̂² = 0."""
    z, p_hat = 1.959963984540054, right / n
    roots = sorted(np.roots([n + z * z, -(2 * n * p_hat + z * z), n * p_hat * p_hat]).real)
    assert wilson(right, n) == pytest.approx(roots, abs=1e-9)


def test_nothing_is_known_from_no_drawings():
    assert wilson(0, 0) == (0.0, 1.0) and Comparison(0, 0, 0.99).verdict is Verdict.TOO_FEW


@pytest.mark.parametrize(("right", "n", "mnist", "verdict"), [
    (1, 1, 0.99, Verdict.TOO_FEW),                   # one drawing, read right: 100 % means nothing
    (19, MIN_TO_COMPARE - 1, 0.5, Verdict.TOO_FEW),  # just below the sample size
    (19, 20, 0.95, Verdict.SAME),                    # a tie, exactly
    (200, 200, 0.95, Verdict.HIGHER),                # better than MNIST, and MNIST outside [98.1 %, 100 %]
    (20, 20, 0.90, Verdict.UNCLEAR_HIGHER),          # better, but 90 % lies inside [83.9 %, 100 %]
    (10, 20, 0.99, Verdict.LOWER),                   # worse, clearly
    (19, 20, 0.99, Verdict.UNCLEAR_LOWER),           # worse, but 99 % lies inside [76.4 %, 99.1 %]
])
def test_verdicts_come_from_the_counts(right, n, mnist, verdict):
    assert Comparison(right, n, mnist).verdict is verdict


@pytest.mark.parametrize(("right", "n", "mnist", "sentence"), [
    (1, 1, 0.99, "CNN read 1 of our 1 drawing right: too few drawings to compare with MNIST (at least 20 are "
                 "needed)."),
    (0, 5, 0.99, "CNN read 0 of our 5 drawings right: too few drawings to compare"),
    (19, 20, 0.95, "CNN reads 95.0% of our 20 drawings right, exactly as on MNIST's test digits."),
    (200, 200, 0.95, "CNN reads our drawings better than MNIST's: 100.0% (95% interval 98.1% to 100.0%) against "
                     "95.00%, 5.0 percentage points higher."),
    (10, 20, 0.99, "CNN reads our drawings worse than MNIST's: 50.0% (95% interval 29.9% to 70.1%) against 99.00%, "
                   "49.0 percentage points lower."),
    (19, 20, 0.99, "CNN reads 95.0% of our drawings right (95% interval 76.4% to 99.1%), 4.0 percentage points "
                   "lower than on MNIST (99.00%); MNIST's figure lies inside our interval"),
    (20, 20, 0.90, "10.0 percentage points higher than on MNIST (90.00%)"),
])
def test_each_sentence_states_the_figures_it_was_chosen_by(right, n, mnist, sentence):
    assert sentence in compared(Comparison(right, n, mnist), "cnn")


class Fixed:
    """A stand-in model that reads each drawing as a given digit, with probability 0.9."""

    def __init__(self, readings: list[int]) -> None:
        self.probabilities = np.full((len(readings), 10), 0.1 / 9)
        self.probabilities[np.arange(len(readings)), readings] = 0.9

    def predict_on_batch(self, x: np.ndarray) -> np.ndarray:
        return self.probabilities[:len(x)]


def scored(labels: list[int], readings: list[int]):
    return evaluate_model(Fixed(readings), np.zeros((len(labels), 28, 28), np.uint8), np.array(labels))


def test_too_few_drawings_show_counts_not_percentages():
    row, = accuracy_rows({"cnn": scored([1] * 6, [1] * 6)}, {"cnn": 0.9912})
    assert row["read right"] == "6 of 6" and row["our drawings (95% interval)"] == "too few drawings to compare"
    assert row["ours compared with MNIST"] == "—" and row["MNIST test set"] == "99.12%"


def test_a_class_better_than_mnist_is_called_higher_with_no_excuse_attached():
    labels = [i % 10 for i in range(200)]
    ours, mnist = {"cnn": scored(labels, labels)}, {"cnn": 0.95}
    row, = accuracy_rows(ours, mnist)
    assert row["our drawings (95% interval)"] == "100.0% (98.1% to 100.0%)"
    assert row["ours compared with MNIST"] == "higher"
    answers = dict(teacher_questions(ours, mnist))
    gap = answers["Is our accuracy as high as on MNIST? Why might it not be?"]
    assert "5.0 percentage points higher" in gap and "pens" not in gap
    assert answers["Which of our digits did the models find hardest?"] == (
        "CNN read all 200 of our drawings right: none was hard for it.")


def test_a_class_clearly_worse_than_mnist_gets_lower_and_the_reason():
    labels = [i % 10 for i in range(40)]
    readings = [(d + 1) % 10 if i < 10 else d for i, d in enumerate(labels)]  # the first ten misread
    ours, mnist = {"cnn": scored(labels, readings)}, {"cnn": 0.99}
    row, = accuracy_rows(ours, mnist)
    assert row["read right"] == "30 of 40" and row["ours compared with MNIST"] == "lower"
    gap = dict(teacher_questions(ours, mnist))["Is our accuracy as high as on MNIST? Why might it not be?"]
    assert "24.0 percentage points lower" in gap and "pens" in gap
