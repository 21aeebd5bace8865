"""The fair experiment's models: for each question, every model was trained the same way, and its card
(written by the CLI when it was trained) says so."""

import pytest

from mnist_core import MODELS
from mnist_core.models.shipped import MODELS_DIR
from mnist_core.models.variants import card, trained_with


@pytest.mark.parametrize("augment", [False, True])
def test_compared_models_were_trained_alike(augment):
    cards = {name: card(trained_with(name, augment)) for name in MODELS}
    assert {c["config"]["augment"] for c in cards.values()} == {augment}
    assert {c["config"]["train_size"] for c in cards.values()} == {None}  # all of MNIST's training digits
    for name, c in cards.items():
        assert c["config"]["model"] == name and trained_with(name, augment).is_file()


def test_a_variant_differs_from_its_shipped_model_only_in_augmentation():
    for name in MODELS:
        shipped = card(MODELS_DIR / f"{name}.keras")
        other = card(trained_with(name, not shipped["config"]["augment"]))
        changed = {k for k in shipped["config"] if shipped["config"][k] != other["config"].get(k)}
        assert changed == {"augment"}, (name, changed)
