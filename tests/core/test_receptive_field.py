"""Receptive fields against brute force: a linear twin of each network, with positive weights, changes a
unit's value exactly when an input pixel inside its field changes, so perturbing each of the 784 pixels
in turn finds the field with no formula at all. Also the top-k search against a full sort."""

import keras
import numpy as np
import pytest
from keras import layers

from mnist_core.inside.receptive_field import Field, activations, receptive_field, top_images, unit_layers
from mnist_core.models.inference import forward
from mnist_core.models.registry import build_model

POSITIVE = keras.initializers.RandomUniform(0.1, 1.0, seed=0)


def linear_twin(model: keras.Model) -> keras.Model:
    """The same geometry, but linear with positive weights: max pooling → average, activations → identity."""
    twin = [keras.Input((28, 28, 1))]
    for layer in model.layers:
        if isinstance(layer, layers.Flatten):
            break
        if isinstance(layer, layers.Conv2D):
            twin.append(layers.Conv2D(layer.filters, layer.kernel_size, strides=layer.strides,
                                      padding=layer.padding, use_bias=False, kernel_initializer=POSITIVE,
                                      name=layer.name))
        elif isinstance(layer, layers.MaxPooling2D | layers.AveragePooling2D):
            twin.append(layers.AveragePooling2D(layer.pool_size, layer.strides, layer.padding, name=layer.name))
        elif isinstance(layer, layers.ZeroPadding2D):
            twin.append(layers.ZeroPadding2D(layer.padding, name=layer.name))
        else:
            twin.append(layers.Identity(name=layer.name))
    return keras.Sequential(twin)


def brute_force(twin: keras.Model, layer: str) -> np.ndarray:
    """(H, W, 28, 28): which input pixels change each unit of channel 0 when set from 0 to 1."""
    probe = keras.Model(twin.inputs[0], twin.get_layer(layer).output)
    unit_images = np.eye(784, dtype=np.float32).reshape(784, 28, 28)  # one lit pixel each
    response = forward(probe, unit_images)[..., 0]  # (784, H, W); the twin is 0 on a black image
    return np.moveaxis(response > 0, 0, -1).reshape(*response.shape[1:], 28, 28)


def as_mask(field: Field) -> np.ndarray:
    mask = np.zeros((28, 28), dtype=bool)
    mask[field.slices] = True
    return mask


def odd_model() -> keras.Model:
    """Geometry the shipped models lack: 'same' padding, strides, overlapping pools, uneven kernels and padding."""
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.ZeroPadding2D(((1, 3), (0, 2)), name="pad"),
        layers.Conv2D(4, (3, 5), strides=2, padding="same", name="conv_a"),
        layers.MaxPooling2D(3, strides=2, padding="same", name="pool_a"),
        layers.Conv2D(4, 2, strides=(1, 2), padding="valid", activation="relu", name="conv_b"),
        layers.AveragePooling2D(2, strides=1, padding="same", name="pool_b"),
    ])


@pytest.mark.parametrize("build", [lambda: build_model("cnn"), lambda: build_model("lenet5"),
                                   lambda: build_model("modern_cnn"), odd_model])
def test_every_unit_field_equals_brute_force(build):
    model = build()
    twin = linear_twin(model)
    for layer in unit_layers(model):
        truth = brute_force(twin, layer)
        for row in range(truth.shape[0]):
            for col in range(truth.shape[1]):
                assert np.array_equal(as_mask(receptive_field(model, layer, row, col)), truth[row, col]), \
                    (layer, row, col)


def test_known_field_sizes():
    # By hand: CNN 3 → pool 4 → 8 → pool 10 → 18; LeNet-5 5 → 6 → 14 → 16 → 32, padded by 2.
    assert receptive_field(build_model("cnn"), "conv3", 2, 2) == Field(8, 8, 25, 25, (18, 18))
    assert receptive_field(build_model("lenet5"), "c5", 0, 0) == Field(0, 0, 27, 27, (32, 32))
    assert receptive_field(build_model("lenet5"), "c1", 0, 0) == Field(0, 0, 2, 2, (5, 5))


def test_layers_without_a_field_are_refused():
    dilated = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(2, 3, dilation_rate=2, name="d")])
    with pytest.raises(ValueError, match="dilated"):
        receptive_field(dilated, "d", 0, 0)
    with pytest.raises(ValueError, match="does not keep"):
        receptive_field(build_model("cnn"), "dense_64", 0, 0)
    assert unit_layers(build_model("mlp")) == []


def test_top_images_equal_a_full_sort():
    model = build_model("cnn")
    images = np.random.default_rng(0).integers(0, 256, (1200, 28, 28), dtype=np.uint8)
    indices, values = top_images(model, "pool1", images, k=9, batch_size=500)  # three uneven batches
    every = activations(model, "pool1", images)  # (1200, 13, 13, 32)
    expected = -np.sort(-every, axis=0)[:9]
    np.testing.assert_allclose(values, expected, rtol=1e-5)
    np.testing.assert_allclose(np.take_along_axis(every, indices, 0), expected, rtol=1e-5)
