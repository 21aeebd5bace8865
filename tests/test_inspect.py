"""mnist_core.inspect against independent references: scipy, Keras layers, and the models' weights."""

import keras
import numpy as np
import pytest
from keras import layers, ops
from scipy.signal import correlate2d

from mnist_core import TrainConfig, build_model, load_mnist, train
from mnist_core.anatomy import conv_kernels, dense_templates, feature_maps, layer_parameters, template_activations
from mnist_core.convolution import CLASSIC_KERNELS, apply_kernel, dot_at, output_size, pool
from mnist_core.invariance import invariance_curve, transform
from mnist_core.predict import MODELS_DIR, load_model_file
from mnist_core.saliency import saliency

CNN_MAPS = {"conv1": (26, 26, 32), "pool1": (13, 13, 32), "conv2": (11, 11, 64),
            "pool2": (5, 5, 64), "conv3": (3, 3, 64)}
LENET5_MAPS = {"c1": (28, 28, 6), "s2": (14, 14, 6), "c3": (10, 10, 16), "s4": (5, 5, 16),
               "c5": (1, 1, 120)}
RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def test_set() -> tuple[np.ndarray, np.ndarray]:
    _, (x_test, y_test) = load_mnist()
    return x_test[:100].astype(np.float32) / 255, y_test[:100]  # (100, 28, 28), (100,)


@pytest.fixture(scope="module")
def trained_cnn() -> keras.Model:
    if (MODELS_DIR / "cnn.keras").is_file():
        return load_model_file(MODELS_DIR / "cnn.keras")
    return train(TrainConfig(model="cnn", epochs=1, learning_rate=3e-3, train_size=20000)).model


@pytest.mark.parametrize(("name", "shapes"), [
    ("cnn", [(3, 3, 1, 32), (3, 3, 32, 64), (3, 3, 64, 64)]),
    ("lenet5", [(5, 5, 1, 6), (5, 5, 6, 16), (5, 5, 16, 120)]),
    ("mlp", []),
])
def test_conv_kernels_are_the_models_own_weights(name, shapes):
    model = build_model(name)
    kernels = conv_kernels(model)
    assert [k.shape for _, k in kernels] == shapes
    for layer_name, kernel in kernels:
        np.testing.assert_array_equal(kernel, ops.convert_to_numpy(model.get_layer(layer_name).kernel))


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


@pytest.mark.parametrize(("name", "total"), [("mlp", 407_050), ("cnn", 93_322), ("lenet5", 61_706)])
def test_layer_parameters_add_up(name, total):
    model = build_model(name)
    rows = layer_parameters(model)
    assert [n for n, _, _ in rows] == [layer.name for layer in model.layers]
    assert sum(count for _, _, count in rows) == model.count_params() == total
