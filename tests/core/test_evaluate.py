"""Evaluation metrics against a hand-computed answer, with the confusion matrix's orientation pinned."""

import numpy as np
import pytest

from mnist_core import evaluate_model


class fixed_model:  # noqa: N801 - reads like the function it stands in for
    """A stand-in model that answers `predicted`, one-hot, whatever the images."""

    def __init__(self, predicted: list[int]):
        self.predicted = predicted

    def predict_on_batch(self, x):
        return np.eye(10, dtype=np.float32)[self.predicted[: len(x)]]


def test_precision_recall_f1_and_orientation_by_hand():
    labels = np.array([0, 0, 0, 1], np.uint8)  # three 0s and a 1
    predicted = [0, 0, 1, 1]                   # one 0 read as 1
    result = evaluate_model(fixed_model(predicted), np.zeros((4, 28, 28), np.uint8), labels)
    assert result.accuracy == pytest.approx(3 / 4)
    assert result.confusion[0, 1] == 1 and result.confusion[1, 0] == 0  # rows: true, columns: predicted
    assert result.confusion[0, 0] == 2 and result.confusion[1, 1] == 1
    np.testing.assert_allclose(result.precision[:2], [2 / 2, 1 / 2])  # of those called d, how many were d
    np.testing.assert_allclose(result.recall[:2], [2 / 3, 1 / 1])     # of the ds, how many were found
    np.testing.assert_allclose(result.f1[:2], [2 * (2 / 3) / (1 + 2 / 3), 2 * 0.5 / 1.5])
    assert result.precision[5] == result.recall[5] == result.f1[5] == 0  # absent digits: 0, not NaN
