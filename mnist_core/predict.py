"""The shipped models, loaded safely, and fast single-drawing predictions for the app."""

import json
from pathlib import Path

import keras
import numpy as np

from mnist_core.models import MODELS

MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


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
        raise ShippedModelError(f"{path} is missing; rebuild it with `{rebuild_command(name or path.stem)}`.")
    try:
        return keras.saving.load_model(path, safe_mode=True)
    except Exception as err:
        raise ShippedModelError(f"{path} could not be loaded ({type(err).__name__}: {err}); rebuild it "
                                f"with `{rebuild_command(name or path.stem)}`.") from err


def load_shipped_models(directory: Path | None = None) -> dict[str, keras.Model]:
    """`{"mlp": model, "cnn": model, "lenet5": model}` from the committed .keras files (or `directory`)."""
    directory = directory or MODELS_DIR
    return {name: load_model_file(directory / f"{name}.keras", name) for name in MODELS}


def predict_digit(models: dict[str, keras.Model], image: np.ndarray) -> dict[str, np.ndarray]:
    """One (28, 28) float32 image in [0, 1] → `{name: probabilities (10,)}` for every model given.

    `predict_on_batch` runs each model's compiled graph without `predict`'s data pipeline, which
    alone costs tens of milliseconds per call.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.shape != (28, 28):
        raise ValueError(f"Expected a (28, 28) image, got shape {image.shape}.")
    x = image.reshape(1, 28, 28, 1)
    return {name: np.asarray(model.predict_on_batch(x))[0] for name, model in models.items()}
