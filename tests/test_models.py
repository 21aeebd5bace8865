"""The three architectures: published parameter counts, shapes, and pure Keras 3."""

import ast
from pathlib import Path

import numpy as np
import pytest

from mnist_core import MODELS, build_model

PUBLISHED_PARAMETERS = {"mlp": 407_050, "cnn": 93_322, "lenet5": 61_706}


@pytest.mark.parametrize("name", PUBLISHED_PARAMETERS)
def test_parameter_counts_and_output(name):
    model = build_model(name)
    assert model.count_params() == PUBLISHED_PARAMETERS[name]
    probabilities = np.asarray(model(np.random.rand(3, 28, 28, 1).astype("float32")))
    assert probabilities.shape == (3, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)


def test_lenet5_layer_shapes_are_the_papers():
    model = build_model("lenet5")
    shapes = {layer.name: layer.output.shape[1:] for layer in model.layers}
    assert shapes["pad_to_32"] == (32, 32, 1)
    assert shapes["c1"] == (28, 28, 6) and shapes["s2"] == (14, 14, 6)
    assert shapes["c3"] == (10, 10, 16) and shapes["s4"] == (5, 5, 16)
    assert shapes["c5"] == (1, 1, 120) and shapes["f6"] == (84,)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="mlp, cnn, lenet5"):
        build_model("resnet")


def test_every_model_is_described_for_the_app():
    for spec in MODELS.values():
        assert spec.display_name and len(spec.description.split()) > 30


def test_core_is_pure_keras_and_ui_free():
    """No tensorflow in the model code (so jax/torch backends run it), no streamlit anywhere in the core."""
    for path in Path("mnist_core").glob("*.py"):
        imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(path.read_text()))
                    if isinstance(node, ast.Import | ast.ImportFrom)
                    for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
        assert "streamlit" not in imported, path
        if path.name in ("models.py", "training.py", "predict.py", "inspect.py", "preprocess.py"):
            assert "tensorflow" not in imported, path
