"""The registry's architectures: published parameter counts, shapes, the registry's own claims, pure Keras 3."""

import ast
import json
from pathlib import Path

import numpy as np
import pytest
from keras import layers

from mnist_core import MODELS, build_model
from mnist_core.models.inference import to_model_input
from mnist_core.models.shipped import MODELS_DIR
from tests.support.known import PUBLISHED_PARAMETERS


@pytest.mark.parametrize("name", MODELS)
def test_parameter_counts_and_output(name):
    model = build_model(name)
    card = json.loads((MODELS_DIR / f"{name}.json").read_text())
    assert model.count_params() == PUBLISHED_PARAMETERS.get(name, card["parameters"]) == card["parameters"]
    probabilities = np.asarray(model(np.random.rand(3, 28, 28, 1).astype("float32")))
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("name", MODELS)
def test_the_registry_says_the_truth_about_each_model(name):
    """`convolutional` matches the layers; each model has its own colour and a description of its design."""
    spec, model = MODELS[name], build_model(name)
    assert spec.convolutional == any(isinstance(layer, layers.Conv2D) for layer in model.layers)
    assert [s.colour for s in MODELS.values()].count(spec.colour) == 1
    assert spec.display_name and len(spec.description.split()) > 30


def test_lenet5_layer_shapes_are_the_papers():
    model = build_model("lenet5")
    shapes = {layer.name: layer.output.shape[1:] for layer in model.layers}
    assert shapes["pad_to_32"] == (32, 32, 1)
    assert shapes["c1"] == (28, 28, 6) and shapes["s2"] == (14, 14, 6)
    assert shapes["c3"] == (10, 10, 16) and shapes["s4"] == (5, 5, 16)
    assert shapes["c5"] == (1, 1, 120) and shapes["f6"] == (84,)


def test_the_modern_cnn_normalises_every_layer_and_has_a_small_receptive_stack():
    model = build_model("modern_cnn")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Conv2D") == 4 and kinds.count("BatchNormalization") == 5
    assert all(layer.kernel_size == (3, 3) for layer in model.layers if isinstance(layer, layers.Conv2D))


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=", ".join(MODELS)):
        build_model("resnet")


def test_no_model_name_is_typed_outside_the_registry():
    """Pages, the app layer and the core read names from MODELS; only the registry spells them."""
    names = [f'"{name}"' for name in MODELS] + [f"'{name}'" for name in MODELS]
    for path in [*Path("app_pages").glob("*.py"), *Path("ui").rglob("*.py"), *Path("mnist_core").rglob("*.py"),
                 Path("app.py")]:
        if path != Path("mnist_core/models/registry.py"):
            text = path.read_text()
            assert not [n for n in names if n in text], path


def test_core_is_pure_keras_and_ui_free():
    """No tensorflow in the model code (so jax/torch backends run it), no streamlit anywhere in the core."""
    for path in Path("mnist_core").rglob("*.py"):
        imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Import | ast.ImportFrom)
                    for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
        assert "streamlit" not in imported, path
        # TensorBoard files, GPU names and the tf.data pipeline (other backends read the arrays) need TensorFlow
        if path.relative_to("mnist_core").as_posix() not in ("training/export.py", "training/device.py",
                                                             "data/batches.py"):
            assert "tensorflow" not in imported, path


def test_model_input_is_pixels_over_255_and_leaves_the_images_alone():
    pixels = np.array([[0, 51, 255] + [0] * 781], dtype=np.uint8).reshape(1, 28, 28)
    x = to_model_input(pixels)
    assert x.shape == (1, 28, 28, 1) and x.dtype == np.float32
    np.testing.assert_array_equal(x.ravel()[:3], np.float32([0.0, 0.2, 1.0]))
    assert pixels.ravel()[:3].tolist() == [0, 51, 255]  # scaled in place, but in a copy
    floats = np.full((2, 28, 28), 0.5, dtype=np.float32)  # already in [0, 1]: taken as they are, in a copy
    x = to_model_input(floats)
    x += 1
    assert (to_model_input(floats) == np.float32(0.5)).all() and (floats == np.float32(0.5)).all()
