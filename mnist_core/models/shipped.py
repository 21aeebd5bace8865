"""The shipped models, loaded safely, and fast single-drawing predictions for the app."""

import json
from pathlib import Path

import keras
import numpy as np

from mnist_core import i18n
from mnist_core.i18n import _
from mnist_core.models.inference import SIDE, forward
from mnist_core.models.registry import MODELS
from mnist_core.paths import MODELS_DIR


class ShippedModelError(RuntimeError):
    """A shipped .keras file is missing or cannot be loaded."""


def rebuild_command(name: str) -> str:
    """The command that made models/<name>.keras, read from its card when there is one."""
    card = MODELS_DIR / f"{name}.json"
    if card.is_file():
        return json.loads(card.read_text())["command"]
    return f"python -m mnist_core.train --model {name} --out models/{name}.keras"


def load_model_file(path: Path, name: str | None = None) -> keras.Model:
    """Load a .keras file in safe mode; any failure becomes one sentence naming the file."""
    if not path.is_file():
        raise ShippedModelError(_("{path} is missing; rebuild it with `{command}`.").format(
            path=path, command=rebuild_command(name or path.stem)))
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as err:
        # TRANSLATORS: {error} is Python's own message, such as "ValueError: bad file".
        raise ShippedModelError(_("{path} could not be loaded ({error}); rebuild it with `{command}`.").format(
            path=path, error=f"{type(err).__name__}: {err}", command=rebuild_command(name or path.stem))) from err


def load_shipped_models(directory: Path | None = None) -> dict[str, keras.Model]:
    """`{name: model}` for every registry model, from the committed .keras files (or `directory`)."""
    directory = directory or MODELS_DIR
    return {name: load_model_file(directory / f"{name}.keras", name) for name in MODELS}


def predict_digit(models: dict[str, keras.Model], image: np.ndarray) -> dict[str, np.ndarray]:
    """One (28, 28) float32 image in [0, 1] → `{name: probabilities (10,)}` for every model given.

    Anything else (another shape, NaN or infinite pixels, values outside [0, 1], booleans, uint8
    pixels) raises ValueError with one sentence: a wrong input must never become a confident verdict.
    """
    check_image(image)
    return {name: forward(model, image)[0] for name, model in models.items()}


def check_image(image: np.ndarray) -> None:
    """ValueError (one sentence) unless `image` is a (28, 28) float image with every pixel in [0, 1]."""
    image = np.asarray(image)
    if image.shape != (SIDE, SIDE):
        raise ValueError(f"A drawing must be a {SIDE}×{SIDE} image, not one of shape {image.shape}.")
    if not np.issubdtype(image.dtype, np.floating):
        raise ValueError(f"A drawing's pixels must be floats in [0, 1], not {image.dtype} values.")
    if not np.isfinite(image).all():
        raise ValueError("A drawing's pixels must be finite numbers, but some are NaN or infinite.")
    if image.min() < 0 or image.max() > 1:
        raise ValueError(f"A drawing's pixels must lie in [0, 1], not run from {image.min():g} to {image.max():g}.")


def consensus(probabilities: dict[str, np.ndarray]) -> np.ndarray:
    """The models' combined reading: the mean of their probabilities, (10,)."""
    return np.mean(list(probabilities.values()), axis=0)


def percent(p: float) -> str:
    """A probability with one decimal, without rounding a near-certainty up to a flat 100.0 % (or a
    doubt down to 0.0 %), which a class would read as certainty. Written the visitor's language's way."""
    if p > 0.999:
        return ">" + i18n.percent(0.999, 1)
    return "<" + i18n.percent(0.001, 1) if p < 0.0005 else i18n.percent(p, 1)
