"""Moving digits: transforms against exact answers (rotations by 90°, centre-of-mass shifts), and the
invariance curve against the model's own reading of the untouched digit."""

import numpy as np
import pytest

from mnist_core import build_model
from mnist_core.inside.invariance import invariance_curve, transform, verdict


def centre_of_mass(image: np.ndarray) -> np.ndarray:
    rows, cols = np.indices(image.shape)
    return np.array([(cols * image).sum(), (rows * image).sum()]) / image.sum()  # (x, y)


def test_transform(test_set):
    image = test_set[0][2]
    rows, cols = np.nonzero(image)
    assert min(rows.min(), cols.min()) >= 4 and max(rows.max(), cols.max()) <= 23  # room to move 3 px
    np.testing.assert_allclose(transform(image), image, atol=1e-5)
    np.testing.assert_allclose(transform(image, angle=90), np.rot90(image), atol=1e-5)  # anticlockwise
    for shift in [(3, 0), (0, 3), (-3, 2)]:
        moved = transform(image, shift=shift)
        np.testing.assert_allclose(centre_of_mass(moved) - centre_of_mass(image), shift, atol=1e-3)
    bigger = transform(image, scale=1.5)
    assert bigger.dtype == np.float32 and bigger.min() >= 0 and bigger.max() <= 1
    assert (bigger > 0.5).sum() > (image > 0.5).sum()


def test_invariance_curve(trained_cnn, test_set):
    image, digit = test_set[0][0], int(test_set[1][0])
    models = {"cnn": trained_cnn, "mlp": build_model("mlp")}
    curves = invariance_curve(models, image, digit, "shift_x", np.arange(-4, 5))
    for name, model in models.items():
        assert curves[name].shape == (9,)
        p = model.predict_on_batch(image[None, :, :, None])[0, digit]
        assert curves[name][4] == pytest.approx(p, abs=1e-5)  # shift 0 is the image itself


@pytest.mark.parametrize("plain, augmented, says", [
    ({"mlp": 2, "cnn": 4, "lenet5": 3}, {"mlp": 5, "cnn": 6, "lenet5": 6},
     ["every convolutional model goes further than the MLP: the architecture helps.",
      "the MLP goes ±5px instead of ±2px: the data helps too."]),
    ({"mlp": 3, "cnn": 4, "lenet5": 3}, {"mlp": 3, "cnn": 6, "lenet5": 6},
     ["not every convolutional model goes further than the MLP here: the architecture alone does not decide.",
      "Moved copies in training did not take the MLP further here."]),
])
def test_the_verdict_follows_the_ranges_it_is_given(plain, augmented, says):
    sentence = verdict(plain, augmented, "mlp", 7, "px")
    assert sentence.startswith("Each model keeps reading 7 (P ≥ 50 %) over — without augmentation: "
                               f"MLP ±{plain['mlp']}px, CNN ±{plain['cnn']}px")
    assert all(part in sentence for part in says)
