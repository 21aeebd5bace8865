"""The training engine behind the CLI and the app: a validated config in, a trained model out.

`train(config, on_progress, should_stop)` reports plain `Progress` records (no UI code here) and
checks `should_stop()` after every batch, so a caller can draw live curves and stop a run.
"""

import contextlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np
from keras import layers

from mnist_core.config import OPTIMIZERS, PRECISIONS, SCHEDULES, TRAIN_IMAGES, TrainConfig
from mnist_core.data import load_mnist
from mnist_core.device import distribution_strategy
from mnist_core.inference import to_model_input
from mnist_core.models import INPUT_SHAPE, build_model

SGD_MOMENTUM = 0.9  # plain SGD crawls in a classroom-length run

__all__ = ["OPTIMIZERS", "PRECISIONS", "SCHEDULES", "SGD_MOMENTUM", "TRAIN_IMAGES", "Progress", "TrainConfig",
           "TrainResult", "train"]

@dataclass(frozen=True)
class Progress:
    """One report from a running training: enough for live curves, a progress bar and an ETA."""

    epoch: int              # 1-based
    epochs: int
    step: int               # batches done so far in the whole run
    total_steps: int
    loss: float             # running mean over the current epoch
    accuracy: float
    images_per_s: float
    elapsed_s: float
    eta_s: float
    epoch_end: bool = False
    val_loss: float | None = None       # only at epoch ends, when there is validation data
    val_accuracy: float | None = None


@dataclass
class TrainResult:
    model: keras.Model
    config: TrainConfig
    history: list[Progress] = field(default_factory=list)
    stopped: bool = False   # True when should_stop() ended the run early
    seconds: float = 0.0


def train(config: TrainConfig, on_progress: Callable[[Progress], None] | None = None,
          should_stop: Callable[[], bool] | None = None, *,
          validation_data: tuple[np.ndarray, np.ndarray] | None = None) -> TrainResult:
    """Train `config.model` on MNIST; `validation_data` (uint8 images, labels) replaces the split."""
    keras.utils.set_random_seed(config.seed)
    (x_train, y_train), (x_val, y_val) = _split(config)
    if validation_data is not None:
        x_val, y_val = validation_data
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    strategy = distribution_strategy()
    with strategy.scope() if strategy else contextlib.nullcontext():  # several GPUs: one replica each
        model = build_model(config.model, config.dropout)
        model = _with_precision(model, config.precision) if config.precision != "float32" else model
        trainer = _with_augmentation(model, config.seed) if config.augment else model
        trainer.compile(optimizer=_optimizer(config, steps_per_epoch * config.epochs),
                        loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    result = TrainResult(model, config)
    reporter = _Reporter(result, steps_per_epoch, on_progress, should_stop)
    trainer.fit(to_model_input(x_train), y_train, batch_size=config.batch_size, epochs=config.epochs,
                validation_data=(to_model_input(x_val), y_val) if len(x_val) else None,
                callbacks=[reporter], verbose=0)
    result.seconds = time.perf_counter() - reporter.start
    if trainer is not model:  # saved with the optimizer that trained it, so load_model().evaluate works
        model.compile(optimizer=trainer.optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return result


def _split(config: TrainConfig):
    """A seeded shuffle of the 60,000 training images, cut into (subset) training and validation."""
    (x, y), _ = load_mnist()
    order = np.random.default_rng(config.seed).permutation(len(x))[: config.train_size]
    n_val = round(len(order) * config.validation_split)
    val, fit = order[:n_val], order[n_val:]
    return (x[fit], y[fit]), (x[val], y[val])


def _with_augmentation(model: keras.Model, seed: int) -> keras.Model:
    """Wrap `model` in random shifts (±10 %), rotations (±10°) and zooms (±10 %) that act only in training."""
    return keras.Sequential([
        keras.Input(INPUT_SHAPE),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=seed),
        layers.RandomRotation(10 / 360, fill_mode="constant", seed=seed + 1),
        layers.RandomZoom(0.1, fill_mode="constant", seed=seed + 2),
        model,
    ], name=f"augmented_{model.name}")


def _with_precision(model: keras.Model, policy: str) -> keras.Model:
    """A copy computing in 16 bits (weights stay float32); the softmax output stays float32 for stability.

    Cloning with per-layer policies, not `keras.config.set_dtype_policy`, keeps concurrent runs independent.
    """
    def clone(layer):
        config = layer.get_config()
        config["dtype"] = "float32" if layer.name == "output" else policy
        return layer.__class__.from_config(config)

    return keras.models.clone_model(model, clone_function=clone)


def _optimizer(config: TrainConfig, total_steps: int) -> keras.optimizers.Optimizer:
    rate = config.learning_rate
    if config.schedule == "cosine":
        warmup = max(1, total_steps // 20)
        rate = keras.optimizers.schedules.CosineDecay(
            0.0, decay_steps=max(1, total_steps - warmup), warmup_target=rate, warmup_steps=warmup)
    if config.optimizer == "sgd":
        optimizer = keras.optimizers.SGD(rate, momentum=SGD_MOMENTUM)
    else:
        optimizer = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}[config.optimizer](rate)
    # float16 gradients underflow without loss scaling; Keras adds it only for a model-wide policy
    return keras.optimizers.LossScaleOptimizer(optimizer) if config.precision == "mixed_float16" else optimizer


class _Reporter(keras.callbacks.Callback):
    """Turns Keras callbacks into `Progress` records and honours `should_stop` after every batch."""

    def __init__(self, result: TrainResult, steps_per_epoch: int, on_progress, should_stop):
        super().__init__()
        self.result, self.on_progress, self.should_stop = result, on_progress, should_stop
        self.steps_per_epoch = steps_per_epoch
        self.total_steps = steps_per_epoch * result.config.epochs
        self.every = max(1, min(10, steps_per_epoch // 10))
        self.start = time.perf_counter()
        self.step = self.epoch = 0
        self.train_seconds = 0.0  # excludes validation, for an honest images/s

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.epoch_start = epoch + 1, time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.should_stop is not None and self.should_stop():
            self.model.stop_training = self.result.stopped = True
        if self.step % self.every == 0 or self.result.stopped:
            self._report(logs)

    def on_test_begin(self, logs=None):
        self.train_seconds += time.perf_counter() - self.epoch_start

    def on_epoch_end(self, epoch, logs=None):
        if "val_loss" not in logs:
            self.train_seconds += time.perf_counter() - self.epoch_start
        self._report(logs, epoch_end=True)

    def _report(self, logs, epoch_end: bool = False) -> None:
        elapsed = time.perf_counter() - self.start
        train_seconds = self.train_seconds + (0 if epoch_end else time.perf_counter() - self.epoch_start)
        steps_per_s = self.step / max(train_seconds, 1e-9)
        record = Progress(
            epoch=self.epoch, epochs=self.result.config.epochs, step=self.step,
            total_steps=self.total_steps, loss=float(logs["loss"]), accuracy=float(logs["accuracy"]),
            images_per_s=steps_per_s * self.result.config.batch_size, elapsed_s=elapsed,
            eta_s=0.0 if self.result.stopped else (self.total_steps - self.step) / steps_per_s,
            epoch_end=epoch_end, val_loss=_maybe(logs, "val_loss"), val_accuracy=_maybe(logs, "val_accuracy"))
        self.result.history.append(record)
        if self.on_progress is not None:
            self.on_progress(record)


def _maybe(logs, key: str) -> float | None:
    return float(logs[key]) if key in logs else None
