"""Occlusion saliency on real digits: the evidence lies on the ink, and no ink means no evidence."""

import numpy as np
import pytest

from mnist_core.inside.saliency import erase, saliency


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
