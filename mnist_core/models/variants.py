"""Every registry model trained both ways, with and without augmentation, for a fair comparison.

The MLP vs CNN experiment asks whether a model survives a moved digit because of its architecture or
because it saw moved digits in training. Comparing the shipped models would mix the two (the shipped
convolutional models were trained with augmentation, the MLP without), so each question compares
models trained alike: the shipped file where its card says it was trained that way, otherwise the
variant in models/variants/, made by the same CLI command with only `--augment` switched.
"""

import json
from pathlib import Path

import keras

from mnist_core.models.registry import MODELS
from mnist_core.models.shipped import MODELS_DIR, load_model_file

VARIANTS = "variants"  # the folder under models/


def card(path: Path) -> dict:
    """The CLI's card beside a .keras file: how it was trained and what it scored."""
    return json.loads(path.with_suffix(".json").read_text())


def trained_with(name: str, augment: bool, directory: Path | None = None) -> Path:
    """The .keras file of registry model `name` trained with (or without) augmentation."""
    directory = directory or MODELS_DIR
    shipped = directory / f"{name}.keras"
    if shipped.with_suffix(".json").is_file() and card(shipped)["config"]["augment"] == augment:
        return shipped
    return directory / VARIANTS / f"{name}-{'augment' if augment else 'plain'}.keras"


def load_trained_alike(augment: bool, directory: Path | None = None) -> dict[str, keras.Model]:
    """`{name: model}` for every registry model, all trained with augmentation or all without."""
    return {name: load_model_file(trained_with(name, augment, directory), name) for name in MODELS}
