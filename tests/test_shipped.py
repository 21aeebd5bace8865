"""The committed models: loadable in safe mode, above their published accuracy, and fast to query."""

import json
import shutil

import numpy as np
import pytest

from mnist_core import ShippedModelError, evaluate_model, load_mnist, load_shipped_models, predict_digit
from mnist_core.predict import MODELS_DIR

# The bar: above LeCun 1998 (LeNet-5 0.95 % error), keras.io's convnet and Chollet's MLP.
THRESHOLDS = {"mlp": 0.982, "cnn": 0.994, "lenet5": 0.991}


@pytest.fixture(scope="module")
def models():
    return load_shipped_models()


@pytest.fixture(scope="module")
def test_set():
    return load_mnist()[1]


@pytest.mark.parametrize("name", THRESHOLDS)
def test_shipped_accuracy_on_the_full_test_set(models, test_set, name):
    evaluation = evaluate_model(models[name], *test_set)
    assert evaluation.confusion.sum() == 10_000
    assert evaluation.accuracy >= THRESHOLDS[name]
    card = json.loads((MODELS_DIR / f"{name}.json").read_text())
    assert card["test_accuracy"] == pytest.approx(evaluation.accuracy, abs=1e-4)  # the card tells the truth


def test_predict_digit_reads_real_test_digits(models, test_set):
    images, labels = test_set
    for image, label in zip(images[:20], labels[:20]):
        probabilities = predict_digit(models, image.astype(np.float32) / 255)
        assert set(probabilities) == {"mlp", "cnn", "lenet5"}
        for p in probabilities.values():
            assert p.shape == (10,) and p.sum() == pytest.approx(1, abs=1e-4)
        assert probabilities["cnn"].argmax() == label


def test_predict_digit_refuses_a_wrong_shape(models):
    with pytest.raises(ValueError, match=r"Expected a \(28, 28\) image"):
        predict_digit(models, np.zeros((28, 29), np.float32))


def test_missing_model_names_the_file_and_the_rebuild_command(tmp_path):
    for name in ("mlp", "cnn"):
        shutil.copy(MODELS_DIR / f"{name}.keras", tmp_path)
    with pytest.raises(ShippedModelError, match=r"lenet5\.keras is missing; rebuild it with "
                                                r"`python -m mnist_core\.train --model lenet5"):
        load_shipped_models(tmp_path)


def test_corrupt_model_names_the_file(tmp_path):
    for name in ("mlp", "lenet5"):
        shutil.copy(MODELS_DIR / f"{name}.keras", tmp_path)
    (tmp_path / "cnn.keras").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ShippedModelError, match=r"cnn\.keras could not be loaded .*rebuild it with"):
        load_shipped_models(tmp_path)
