"""What defines a training run: a frozen, validated config that pages build from widgets.

Every bad value raises ValueError with one sentence on construction, before any work starts.
"""

import math
from dataclasses import dataclass

from mnist_core.models import MODELS

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("cosine", "constant")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
TRAIN_IMAGES = 60_000


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run; invalid values raise ValueError on construction."""

    model: str = "cnn"              # registry name: mlp, cnn or lenet5
    epochs: int = 3
    batch_size: int = 128
    learning_rate: float = 1e-3     # peak rate: "cosine" warms up to it, then decays to 0
    optimizer: str = "adam"         # adam, sgd (with momentum) or rmsprop
    schedule: str = "cosine"        # or "constant"
    dropout: float = 0.0            # before the output layer
    augment: bool = False           # random shifts, rotations and zooms of the training images
    validation_split: float = 0.1   # fraction of the training images held out for val metrics
    seed: int = 0
    train_size: int | None = None   # use a seeded random subset of this many training images
    precision: str = "float32"      # or mixed_float16 (GPUs) / mixed_bfloat16 (CPUs with bf16 units)

    def __post_init__(self) -> None:
        for message in _problems(self):
            raise ValueError(message)

    @property
    def train_images(self) -> int:
        """Images the model learns from, after the subset and the validation hold-out."""
        total = self.train_size or TRAIN_IMAGES
        return total - round(total * self.validation_split)


def _problems(c: TrainConfig):
    def whole(value, low, high=None) -> bool:
        return type(value) is int and value >= low and (high is None or value <= high)

    def real(value) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)

    if c.model not in MODELS:
        yield f"Unknown model {c.model!r}: choose one of {', '.join(MODELS)}."
    if not whole(c.epochs, 1):
        yield f"Epochs must be a whole number of at least 1, not {c.epochs!r}."
    if not whole(c.batch_size, 1):
        yield f"Batch size must be a whole number of at least 1, not {c.batch_size!r}."
    if not (real(c.learning_rate) and c.learning_rate > 0):
        yield f"Learning rate must be a positive number, not {c.learning_rate!r}."
    if c.optimizer not in OPTIMIZERS:
        yield f"Optimizer must be one of {', '.join(OPTIMIZERS)}, not {c.optimizer!r}."
    if c.schedule not in SCHEDULES:
        yield f"Schedule must be one of {', '.join(SCHEDULES)}, not {c.schedule!r}."
    if not (real(c.dropout) and 0 <= c.dropout < 1):
        yield f"Dropout must be at least 0 and below 1, not {c.dropout!r}."
    if not (real(c.validation_split) and 0 <= c.validation_split < 1):
        yield f"Validation split must be at least 0 and below 1, not {c.validation_split!r}."
    if type(c.augment) is not bool:
        yield f"Augment must be True or False, not {c.augment!r}."
    if c.precision not in PRECISIONS:
        yield f"Precision must be one of {', '.join(PRECISIONS)}, not {c.precision!r}."
    if not whole(c.seed, 0):
        yield f"Seed must be a whole number of at least 0, not {c.seed!r}."
    if c.train_size is not None and not whole(c.train_size, 1, TRAIN_IMAGES):
        yield f"Training-set size must be a whole number from 1 to {TRAIN_IMAGES:,}, not {c.train_size!r}."
    elif c.train_images < c.batch_size:
        yield (f"After holding out the validation split only {c.train_images:,} images are left "
               f"to train on, fewer than one batch of {c.batch_size}.")
