"""mnist_core.inside.anatomy against independent references: layer-by-layer calls, scipy, parameter counts."""

import keras
import numpy as np
import pytest
from keras import ops
from scipy.signal import correlate2d

from mnist_core import build_model
from mnist_core.inside.anatomy import (
    conv_kernels,
    dark_maps,
    dense_templates,
    feature_maps,
    first_layer_weights,
    journey,
    layer_parameters,
    strongest_slices,
    template_activations,
    weights_and_biases,
)
from tests.support.known import PUBLISHED_PARAMETERS

CNN_MAPS = {"conv1": (26, 26, 32), "pool1": (13, 13, 32), "conv2": (11, 11, 64),
            "pool2": (5, 5, 64), "conv3": (3, 3, 64)}
LENET5_MAPS = {"c1": (28, 28, 6), "s2": (14, 14, 6), "c3": (10, 10, 16), "s4": (5, 5, 16),
               "c5": (1, 1, 120)}


def test_first_conv_kernels_make_the_first_feature_maps(test_set):
    """Each kernel of conv1, correlated with the digit by scipy, plus its bias and a ReLU, is its map."""
    model = build_model("cnn")
    [(name, kernel), *_] = conv_kernels(model)  # (3, 3, 1, 32)
    bias = ops.convert_to_numpy(model.get_layer(name).bias)
    image = test_set[0][0]
    maps = dict(feature_maps(model, image))[name]  # (26, 26, 32)
    for c in range(kernel.shape[-1]):
        expected = np.maximum(correlate2d(image, kernel[:, :, 0, c], mode="valid") + bias[c], 0)
        np.testing.assert_allclose(maps[..., c], expected, atol=1e-5)
    assert [k.shape for _, k in conv_kernels(build_model("lenet5"))] == [(5, 5, 1, 6), (5, 5, 6, 16), (5, 5, 16, 120)]
    assert conv_kernels(build_model("mlp")) == []


def layer_by_layer(model: keras.Model, image: np.ndarray) -> dict[str, np.ndarray]:
    """Every layer's output, by calling the layers one at a time."""
    x, outs = image.reshape(1, 28, 28, 1), {}
    for layer in model.layers:
        x = layer(x, training=False)
        outs[layer.name] = ops.convert_to_numpy(x)[0]
    return outs


@pytest.mark.parametrize(("name", "shapes"), [("cnn", CNN_MAPS), ("lenet5", LENET5_MAPS)])
def test_feature_maps_match_layer_by_layer(name, shapes, test_set, tmp_path):
    built = build_model(name)
    built.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    for model in (built, loaded):
        for image in test_set[0][:2]:  # the second call reuses the cached sub-model
            maps = feature_maps(model, image)
            reference = layer_by_layer(model, image)
            assert [(n, m.shape) for n, m in maps] == list(shapes.items())
            for layer_name, activations in maps:
                np.testing.assert_allclose(activations, reference[layer_name], rtol=1e-5, atol=1e-5)


def test_dense_templates_are_the_first_dense_kernel(test_set):
    mlp = build_model("mlp")
    kernel = ops.convert_to_numpy(mlp.get_layer("dense_512").kernel)  # (784, 512)
    templates = dense_templates(mlp)
    assert templates.shape == (512, 28, 28)
    np.testing.assert_array_equal(templates[7], kernel[:, 7].reshape(28, 28))
    image = test_set[0][0]
    hidden = layer_by_layer(mlp, image)["dense_512"]  # after the ReLU
    np.testing.assert_allclose(np.maximum(template_activations(mlp, image), 0), hidden, atol=1e-5)
    with pytest.raises(ValueError):
        dense_templates(build_model("cnn"))


@pytest.mark.parametrize(("name", "total"), PUBLISHED_PARAMETERS.items())
def test_layer_parameters_add_up(name, total):
    model = build_model(name)
    rows = layer_parameters(model)
    assert [n for n, _, _ in rows] == [layer.name for layer in model.layers]
    assert sum(count for _, _, count in rows) == model.count_params() == total


def test_strongest_slices_pick_the_heaviest_input_channel():
    kernels = np.zeros((3, 3, 4, 2), np.float32)  # 2 output kernels reading 4 input maps
    kernels[:, :, 1, 0] = -1.0                     # kernel 0 weighs map 1 most (by |weight|)
    kernels[:, :, 2, 0] = 0.5
    kernels[1, 1, 3, 1] = 2.0                      # kernel 1 weighs map 3 most
    slices, channel = strongest_slices(kernels)
    assert channel.tolist() == [1, 3] and slices.shape == (2, 3, 3)
    np.testing.assert_array_equal(slices[0], -np.ones((3, 3)))
    np.testing.assert_array_equal(slices[1], kernels[:, :, 3, 1])


def test_a_digits_journey_ends_in_the_models_own_probabilities(test_set):
    model, image = build_model("cnn"), test_set[0][0]
    stages = journey(model, image)
    assert [(s.name, s.kind) for s in stages] == [
        ("conv1", "convolution"), ("pool1", "pooling"), ("conv2", "convolution"), ("pool2", "pooling"),
        ("conv3", "convolution"), ("dense_64", "dense"), ("output", "output")]
    assert [s.values.shape for s in stages[:5]] == list(CNN_MAPS.values())
    direct = ops.convert_to_numpy(model(image[None, :, :, None], training=False))[0]
    np.testing.assert_allclose(stages[-1].values, direct, atol=1e-6)
    assert [s.kind for s in journey(build_model("modern_cnn"), image)][:3] == ["convolution", "ReLU", "convolution"]


@pytest.mark.parametrize("name, layer, weights, biases", [
    ("cnn", "conv1", 3 * 3 * 1 * 32, 32),          # 320 parameters, as Keras's summary of the keras.io convnet
    ("lenet5", "c1", 5 * 5 * 1 * 6, 6),            # 156, LeCun et al. 1998's C1
    ("mlp", "dense_512", 28 * 28 * 512, 512),      # one weight per pixel per unit
    ("modern_cnn", "conv1", 3 * 3 * 1 * 32, 0),    # no bias: BatchNorm's shift replaces it
])
def test_weights_and_biases_are_counted_apart_and_add_up_to_the_parameters(name, layer, weights, biases):
    model = build_model(name)
    first = model.get_layer(layer)
    assert weights_and_biases(first) == (weights, biases) and first.count_params() == weights + biases
    assert first_layer_weights(model) == weights


def test_dark_maps_are_dark_beside_the_strongest_on_their_shared_scale():
    maps = np.zeros((5, 5, 4), np.float32)
    maps[2, 2] = [10.0, 0.5, 0.0, 3.0]  # peaks: the strongest, a twentieth of it, nothing, three tenths
    assert dark_maps(maps).tolist() == [False, True, True, False]
    assert dark_maps(np.zeros((5, 5, 3))).tolist() == [True, True, True]
