"""Occlusion saliency on real digits: the evidence lies on the ink, and no ink means no evidence."""

import numpy as np
import pytest

from mnist_core.inside.saliency import erase, saliency, what_hiding_does


def test_saliency_lies_on_the_ink(trained_cnn, test_set):
    images, labels = test_set
    correct = trained_cnn.predict_on_batch(images[..., None]).argmax(axis=1) == labels
    border = np.ones((28, 28), dtype=bool)
    border[3:-3, 3:-3] = False
    ink_means, border_means = [], []
    for image, label in zip(images[correct], labels[correct], strict=True):
        heat = saliency(trained_cnn, image, int(label)).heat
        assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() <= 1
        ink_means.append(heat[image > 0.5].mean())
        border_means.append(heat[border & (image == 0)].mean())
    assert correct.sum() >= 90
    assert np.mean(ink_means) > 5 * np.mean(border_means)
    np.testing.assert_array_equal(saliency(trained_cnn, np.zeros((28, 28)), 3).heat, 0)  # no ink, no drop


def test_saliency_values_are_probability_drops(trained_cnn, test_set):
    """Brute force, one occluded copy at a time through plain Keras: the map is the mean drop, unscaled."""
    image, label = test_set[0][0], int(test_set[1][0])

    def p(x: np.ndarray) -> float:
        return float(np.asarray(trained_cnn(x[None, :, :, None], training=False))[0, label])

    result = saliency(trained_cnn, image, label, patch=5)
    assert result.before == pytest.approx(p(image), abs=1e-5)
    drops = {}
    for r in range(24):
        for c in range(24):
            hidden = image.copy()
            hidden[r:r + 5, c:c + 5] = 0
            drops[r, c] = max(result.before - p(hidden), 0.0)  # rises count as no evidence
    row, col = 14, 12  # a pixel on the 7's stroke: the mean over the 25 patches that hide it
    expected = np.mean([drops[r, c] for r in range(row - 4, row + 1) for c in range(col - 4, col + 1)])
    assert result.heat[row, col] == pytest.approx(expected, abs=1e-4)
    worst = max(drops, key=drops.get)
    assert result.worst == worst and result.after == pytest.approx(result.before - drops[worst], abs=1e-4)


def test_erasing_paints_the_covered_pixels_black():
    """Known answer: a stroke over the left half of a 280-px canvas blacks out the left 14 columns."""
    image = np.full((28, 28), 0.8, np.float32)
    strokes = np.zeros((280, 280, 4), np.uint8)
    strokes[:, :140, 3] = 255               # fully opaque over the left half
    strokes[:140, 140:150, 3] = 255         # and half of column 14's pixels in the top half
    erased = erase(image, strokes)
    np.testing.assert_array_equal(erased[:, :14], 0)
    np.testing.assert_allclose(erased[:14, 14], 0.0)
    np.testing.assert_allclose(erased[14:, 14], 0.8)
    np.testing.assert_allclose(erased[:, 15:], 0.8)


class ink_at:  # noqa: N801 - reads like the function it stands in for
    """A stand-in model: P(3) is `high` while pixel (10, 12) is inked, `low` once a patch hides it."""

    def __init__(self, high: float, low: float):
        self.high, self.low = high, low

    def predict_on_batch(self, x):
        p3 = np.where(x[:, 10, 12, 0] > 0, self.high, self.low)
        return np.stack([(1 - p3) / 9] * 3 + [p3] + [(1 - p3) / 9] * 6, axis=1)


def test_the_caption_names_the_square_only_when_hiding_changes_what_the_cards_show():
    image = np.zeros((28, 28), np.float32)
    image[10, 12] = 1
    moved = what_hiding_does("cnn", 3, saliency(ink_at(0.9, 0.2), image, 3, patch=5), 5)
    assert moved == "CNN: hiding the 5×5 square at row 6, column 8 lowers P(3) from 90.0% to 20.0%"
    # Below the cards' rounding nothing changes: no square is named, and the probability is written as the cards do.
    assert what_hiding_does("cnn", 3, saliency(ink_at(0.0003, 0.0001), image, 3), 5) == \
        "CNN: hiding any 5×5 square leaves P(3) at <0.1%"
    assert what_hiding_does("mlp", 3, saliency(ink_at(0.99995, 0.9993), image, 3), 5) == \
        "MLP: hiding any 5×5 square leaves P(3) at >99.9%"
