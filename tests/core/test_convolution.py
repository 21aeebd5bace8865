"""mnist_core.inside.convolution against independent references: scipy's correlate2d and Keras's own layers."""

import numpy as np
import pytest
from keras import layers, ops
from scipy.signal import correlate2d

from mnist_core.inside.convolution import (
    CLASSIC_KERNELS,
    apply_kernel,
    dot_at,
    inked_positions,
    output_size,
    play_step,
    pool,
)

RNG = np.random.default_rng(0)


def keras_conv(image: np.ndarray, kernel: np.ndarray, stride: int, padding: str) -> np.ndarray:
    conv = layers.Conv2D(1, kernel.shape, strides=stride, padding=padding, use_bias=False)
    conv.build((1, *image.shape, 1))
    conv.set_weights([kernel[:, :, None, None]])
    return ops.convert_to_numpy(conv(image[None, :, :, None]))[0, :, :, 0]


@pytest.mark.parametrize("size", [28, 13])
@pytest.mark.parametrize("k", [3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_apply_kernel_matches_scipy_and_keras(size, k, stride):
    image = RNG.random((size, size), dtype=np.float32)
    kernel = RNG.normal(size=(k, k)).astype(np.float32)
    valid = apply_kernel(image, kernel, stride, "valid")
    np.testing.assert_allclose(valid, correlate2d(image, kernel, "valid")[::stride, ::stride], atol=1e-5)
    for padding in ("valid", "same"):
        out = apply_kernel(image, kernel, stride, padding)
        np.testing.assert_allclose(out, keras_conv(image, kernel, stride, padding), atol=1e-5)
        assert out.shape == (output_size(size, k, stride, padding),) * 2
        row, col = out.shape[0] - 1, out.shape[1] // 2
        patch, value = dot_at(image, kernel, row, col, stride, padding)
        assert patch.shape == (k, k)
        assert value == pytest.approx(out[row, col], abs=1e-5)


def test_output_size_formulas():
    assert output_size(28, 3) == 26
    assert output_size(28, 5, 2, "same") == 14
    assert output_size(28, 5, 3, "valid") == 8
    with pytest.raises(ValueError):
        output_size(28, 3, 1, "full")


def test_classic_kernels():
    image = RNG.random((28, 28), dtype=np.float32)
    assert all(k.shape == (3, 3) for k in CLASSIC_KERNELS.values())
    np.testing.assert_array_equal(apply_kernel(image, CLASSIC_KERNELS["Identity"], padding="same"), image)
    for name in ("Blur (box)", "Gaussian blur", "Sharpen", "Identity"):
        assert CLASSIC_KERNELS[name].sum() == pytest.approx(1)  # keeps brightness
    for name in ("Vertical edges (Sobel)", "Horizontal edges (Sobel)", "Outline (Laplacian)"):
        assert CLASSIC_KERNELS[name].sum() == 0  # flat regions give 0


@pytest.mark.parametrize("shape", [(28, 28), (13, 13), (11, 11, 4)])
@pytest.mark.parametrize(("mode", "layer"), [("max", layers.MaxPooling2D),
                                             ("average", layers.AveragePooling2D)])
def test_pool_matches_keras(shape, mode, layer):
    image = RNG.random(shape, dtype=np.float32)
    x = image.reshape(1, *shape[:2], -1)  # (1, H, W, C)
    expected = ops.convert_to_numpy(layer(2)(x))[0].reshape(pool(image, 2, mode).shape)
    np.testing.assert_allclose(pool(image, 2, mode), expected, rtol=1e-6)


def test_the_inked_positions_are_those_whose_window_covers_ink():
    image = np.zeros((28, 28), np.float32)
    image[10, 10] = 1  # one pixel: the 3×3 windows starting at rows 8–10, columns 8–10 cover it
    assert inked_positions(image, 3).tolist() == [r * 26 + c for r in (8, 9, 10) for c in (8, 9, 10)]
    # 'same', stride 2: TensorFlow pads after, so the window for output r starts at row 2r: 2r ≤ 10 ≤ 2r + 2
    assert inked_positions(image, 3, 2, "same").tolist() == [r * 14 + c for r in (4, 5) for c in (4, 5)]
    assert inked_positions(np.zeros((28, 28)), 3).size == 0


def test_play_moves_along_the_stops_and_wraps_round():
    stops = np.array([5, 9, 20])
    assert [play_step(p, stops, 1) for p in (0, 5, 7, 9, 20, 25)] == [5, 9, 9, 20, 5, 5]
    assert play_step(5, stops, 2) == 20 and play_step(9, stops, 2) == 5


def test_one_pass_of_play_fits_well_within_the_lessons_six_minutes(test_set):
    """At the default speed a pass over the sample digit's ink takes under a minute; the whole image, background
    included, at most three (it took 6.8 minutes at one position every 0.6 s)."""
    from ui.convolution_view import PLAY_EVERY_S, SPEEDS, pass_seconds

    image = test_set[0][0]  # the sample digit, test #0
    inked = inked_positions(image, 3)
    assert 0 < inked.size < 26 * 26
    assert all(image[p // 26:p // 26 + 3, p % 26:p % 26 + 3].any() for p in inked)  # each stop sees ink
    assert pass_seconds(inked.size) <= 60
    assert pass_seconds(26 * 26) <= 180
    assert pass_seconds(26 * 26, max(SPEEDS.values())) <= 60 and PLAY_EVERY_S >= 0.3  # a server-friendly tick
