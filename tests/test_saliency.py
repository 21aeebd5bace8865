"""Occlusion saliency on real digits: the evidence lies on the ink, and no ink means no evidence."""

import numpy as np
import pytest

from mnist_core.saliency import saliency


def test_saliency_lies_on_the_ink(trained_cnn, test_set):
    images, labels = test_set
    correct = trained_cnn.predict_on_batch(images[..., None]).argmax(axis=1) == labels
    border = np.ones((28, 28), dtype=bool)
    border[3:-3, 3:-3] = False
    ink_means, border_means = [], []
    for image, label in zip(images[correct], labels[correct], strict=True):
        heat = saliency(trained_cnn, image, int(label))
        assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() == pytest.approx(1)
        ink_means.append(heat[image > 0.5].mean())
        border_means.append(heat[border & (image == 0)].mean())
    assert correct.sum() >= 90
    assert np.mean(ink_means) > 5 * np.mean(border_means)
    np.testing.assert_array_equal(saliency(trained_cnn, np.zeros((28, 28)), 3), 0)  # no ink, no drop
