"""The map of digits against independent answers: PCA (eigenvectors of the scatter matrix) against the
covariance eigenvectors and against numpy's SVD of the data, and a test digit placed afresh landing
exactly where the map put it."""

import keras
import numpy as np
import pytest
from keras import layers

from mnist_core import load_mnist, load_model_file
from mnist_core.inside.digit_map import build_map, nearest, place, principal_axes
from mnist_core.models.shipped import MODELS_DIR


def covariance_oracle(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The top two eigenvectors (2, D) and eigenvalues of the sample covariance, largest first."""
    values, vectors = np.linalg.eigh(np.cov(points, rowvar=False))
    return vectors[:, ::-1][:, :2].T, values[::-1]


def same_up_to_sign(a: np.ndarray, b: np.ndarray) -> None:
    for u, v in zip(a, b, strict=True):
        np.testing.assert_allclose(u * np.sign(u @ v), v, atol=1e-8)


@pytest.fixture(scope="module")
def test_set():
    return load_mnist()[1]


def test_principal_axes_match_covariance_eigenvectors():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(2000, 6)) @ rng.normal(size=(6, 6)) + rng.normal(size=6) * 5  # correlated, shifted
    mean, components, explained = principal_axes(points)
    vectors, values = covariance_oracle(points)
    np.testing.assert_allclose(components @ components.T, np.eye(2), atol=1e-12)  # orthonormal
    same_up_to_sign(components, vectors)
    np.testing.assert_allclose(explained, values[:2] / values.sum(), rtol=1e-9)
    np.testing.assert_allclose(mean, points.mean(axis=0))
    _, singular, vt = np.linalg.svd(points - points.mean(axis=0), full_matrices=False)  # a second algorithm
    same_up_to_sign(components, vt[:2])
    np.testing.assert_allclose(explained, singular[:2] ** 2 / (singular ** 2).sum(), rtol=1e-9)


def test_known_axes_and_signs():
    # Points spread 10 along y, 1 along x: y is the first direction, x the second, both pointing positive.
    points = np.array([[0, 10], [0, -10], [1, 0], [-1, 0]], dtype=float)
    _, components, explained = principal_axes(points)
    np.testing.assert_allclose(components, [[0, 1], [1, 0]], atol=1e-12)
    np.testing.assert_allclose(explained, [200 / 202, 2 / 202])


def test_pixel_model_maps_the_pixels_pca(test_set):
    """A model whose last hidden layer is the raw pixels: its map is the PCA of the pixels themselves."""
    images, labels = test_set[0][:1000], test_set[1][:1000]
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Flatten(), layers.Dense(10, activation="softmax")])
    digit_map = build_map(model, images, labels)
    pixels = images.reshape(1000, -1) / 255.0
    vectors, _ = covariance_oracle(pixels)
    same_up_to_sign(digit_map.components, vectors)
    signs = np.sign((digit_map.components * vectors).sum(axis=1))  # PCA fixes no sign; match the oracle's
    expected = (pixels - pixels.mean(axis=0)) @ vectors.T
    np.testing.assert_allclose(digit_map.coords * signs, expected, atol=1e-4)


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_a_test_digit_lands_where_the_map_put_it(name, test_set):
    images, labels = test_set[0][:2000], test_set[1][:2000]
    model = load_model_file(MODELS_DIR / f"{name}.keras", name)
    digit_map = build_map(model, images, labels)
    spread = digit_map.coords.std()
    for i in (0, 7, 1999):
        x, y = place(digit_map, model, images[i].astype(np.float32) / 255)
        np.testing.assert_allclose([x, y], digit_map.coords[i], atol=1e-4 * spread)
        assert nearest(digit_map, (x, y), 1)[0] == i
    # The shipped models are accurate, so the map's verdicts agree with the labels about 98 % of the time.
    assert (digit_map.predictions == labels).mean() > 0.95
    assert len(digit_map.misread) == (digit_map.predictions != labels).sum()
