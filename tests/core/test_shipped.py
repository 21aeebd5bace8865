"""The committed models: loadable in safe mode, above their published accuracy, and fast to query."""

import json
import shutil

import keras
import numpy as np
import pytest

from mnist_core import MODELS, ShippedModelError, evaluate_model, load_mnist, load_shipped_models, predict_digit
from mnist_core.models.shipped import MODELS_DIR, percent
from tests.support.known import ACCURACY_BARS


@pytest.fixture(scope="module")
def models():
    return load_shipped_models()


@pytest.fixture(scope="module")
def test_set():
    return load_mnist()[1]


@pytest.mark.parametrize("name", MODELS)
def test_shipped_accuracy_on_the_full_test_set(models, test_set, name):
    """Re-measured independently of the app's evaluation code: plain Keras calls and numpy argmax."""
    images, labels = test_set
    probabilities = np.concatenate([keras.ops.convert_to_numpy(models[name](images[i:i + 2000, ..., None] / 255.0))
                                    for i in range(0, len(images), 2000)])
    accuracy = float((probabilities.argmax(axis=1) == labels).mean())
    card = json.loads((MODELS_DIR / f"{name}.json").read_text())
    assert card["test_accuracy"] == pytest.approx(accuracy, abs=1e-4)  # the card tells the truth
    assert accuracy >= ACCURACY_BARS.get(name, card["test_accuracy"])
    assert evaluate_model(models[name], images, labels).accuracy == pytest.approx(accuracy, abs=1e-4)


def test_predict_digit_reads_real_test_digits(models, test_set):
    images, labels = test_set
    for image, label in zip(images[:20], labels[:20]):
        probabilities = predict_digit(models, image.astype(np.float32) / 255)
        assert set(probabilities) == set(MODELS)
        for p in probabilities.values():
            assert p.shape == (10,) and p.sum() == pytest.approx(1, abs=1e-4)
        assert probabilities["cnn"].argmax() == label


@pytest.mark.parametrize("image, words", [
    (np.zeros((28, 29), np.float32), "A drawing must be a 28×28 image, not one of shape (28, 29)."),
    (np.full((28, 28), np.nan, np.float32), "some are NaN or infinite"),
    (np.where(np.eye(28) > 0, -np.inf, 0).astype(np.float32), "some are NaN or infinite"),
    (np.full((28, 28), 255.0, np.float32), "must lie in [0, 1], not run from 255 to 255."),
    (np.zeros((28, 28), bool), "must be floats in [0, 1], not bool values."),
    (np.zeros((28, 28), np.uint8), "must be floats in [0, 1], not uint8 values."),
])
def test_predict_digit_refuses_what_is_not_a_drawing(models, image, words):
    with pytest.raises(ValueError) as refused:
        predict_digit(models, image)
    assert words in str(refused.value)


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


@pytest.mark.parametrize("p, shown", [(0.9996, ">99.9%"), (0.9990, "99.9%"), (0.5, "50.0%"), (0.0006, "0.1%"),
                                       (0.0004, "<0.1%"), (0.0, "<0.1%")])
def test_percent_never_rounds_a_doubt_into_certainty(p, shown):
    assert percent(p) == shown
