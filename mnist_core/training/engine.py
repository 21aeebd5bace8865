"""The training engine behind the CLI and the app: a validated config in, a trained `Run` out.

`train(config, on_progress, run=run)` begins the `Run`, fills it with `Progress` records (no UI code
here), checks `run.stop_requested` after every batch, so a caller can draw live curves and stop a run,
and finishes it; `run.py` says what each of those does to the run's state.
"""

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
from keras import layers

from mnist_core.data import batches
from mnist_core.data.sources import load_mnist
from mnist_core.models.registry import INPUT_SHAPE, build_model
from mnist_core.training.config import SGD_MOMENTUM, TrainConfig
from mnist_core.training.curves import BatchSmoother
from mnist_core.training.device import distribution_strategy
from mnist_core.training.glimpse import Glimpse, look, strip_indices
from mnist_core.training.run import Progress, Run

# Seeding is process-wide in Keras (`set_random_seed`): runs that start at once seed and build one
# at a time, so that each run's initial weights come from its own seed.
_SEEDING = threading.Lock()
# The page polls a run once a second: a look at the model more often than twice a second is never shown,
# and each costs a forward pass (≈ 25 ms: every 10 batches, that was a tenth of a CNN epoch's time).
LOOK_EVERY_S = 0.5
log = logging.getLogger(__name__)


def train(config: TrainConfig, on_progress: Callable[[Progress], None] | None = None, run: Run | None = None,
          *, validation_data: tuple[np.ndarray, np.ndarray] | None = None, prepared: "Prepared | None" = None,
          scored: bool = True) -> Run:
    """Train `config.model` on MNIST into `run` (a new one if None) and return it.

    `validation_data` (uint8 images, labels) replaces the validation split. `prepared` (from `prepare`, for
    this same config) skips building the model and tracing its steps: the run starts at its first batch,
    and is the run it would have been without it. A run stopped before it began is returned untouched.
    `scored=False` skips scoring the finished run on the test set (a training child's warm-up, which nobody
    reads: 1 s of its start).
    """
    run = run or Run(config)
    if not run.begin():
        return run
    (x, y), (x_test, y_test) = load_mnist()
    (x_train, y_train), (x_val, y_val) = _split(config, x, y)
    strip = x_test[strip_indices(y_test)]  # fixed test digits the page watches being read as it learns
    if validation_data is not None:
        x_val, y_val = validation_data
    steps_per_epoch = math.ceil(len(x_train) / config.batch_size)
    usable = prepared is not None and prepared.config == config and validation_data is None
    model, trainer = (prepared.model, prepared.trainer) if usable else _compiled(config, steps_per_epoch)
    with _SEEDING:  # the shuffle reads the global seed as it is made: each run's order comes from its own seed
        keras.utils.set_random_seed(config.seed)
        fed = batches.fit_batches(x_train, y_train, config.batch_size, seed=config.seed)
    validation = batches.validation_data(x_val, y_val, config.batch_size) if len(x_val) else None
    reporter = _Reporter(run, steps_per_epoch, on_progress, strip)
    try:
        trainer.fit(**fed, epochs=config.epochs, validation_data=validation, callbacks=[reporter], verbose=0)
    except _Stopped:  # the weights are those after the last batch; the epoch's validation is skipped
        pass
    seconds = time.perf_counter() - reporter.start
    if trainer is not model:  # saved with the optimizer that trained it, so load_model().evaluate works
        model.compile(optimizer=trainer.optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    tested = None if run.stop_requested or not scored else _accuracy(trainer, x_test, y_test, config.batch_size)
    run.finish(model, seconds, None if run.stop_requested else tested)  # a Stop during the scoring drops it
    return run


def _accuracy(trainer: keras.Model, images: np.ndarray, labels: np.ndarray, batch_size: int) -> float:
    """The share of `images` read right, by the run's own compiled test step (traced for validation already,
    and spread over the replicas where there are several). A run that trained to its end is scored on the
    official test set: what a preset promises ("Reach 99 %") is there, which validation digits, taken from
    the training set, do not show (≈ 0.3 s for the CNN; a Stop is answered without it)."""
    fed = batches.evaluate_batches(images, labels, batch_size)
    scores = trainer.evaluate(**fed, verbose=0, return_dict=True)
    return float(scores["accuracy"])


@dataclass(frozen=True)
class Prepared:
    """A run's model built and compiled, its training and validation steps already traced: `prepare`."""

    config: TrainConfig
    model: keras.Model    # what the run trains and returns
    trainer: keras.Model  # what `fit` is called on: the model, or it wrapped in augmentation


def prepare(config: TrainConfig) -> Prepared:
    """Do before Start what a run does before its first batch: build and compile the model as `train` does,
    and trace its training and validation steps on one batch (about 1 s of a 2 s wait on a CPU).

    The traced steps changed the weights, seed states and optimizer slots: they are put back, so the run
    that uses this is the run `train` would have made from the config alone (tests/core/test_training.py)."""
    (x, y), _ = load_mnist()
    (x_train, y_train), (x_val, _) = _split(config, x, y)
    model, trainer = _compiled(config, math.ceil(len(x_train) / config.batch_size))
    optimizer = trainer.optimizer
    optimizer.build(trainer.trainable_variables)
    state = trainer.variables + optimizer.variables
    saved = [keras.ops.convert_to_numpy(v) for v in state]
    # One step on a batch and a bit: data that is whole batches is traced for that batch size, and a run's
    # (usually with a smaller last batch) would be traced again; this traces for any batch size. Fed as the run
    # is (so the steps are traced for what the run feeds them), but in order: a shuffle here would draw from
    # the global random state, and the run's own shuffle would then draw something else.
    n = 2 * config.batch_size - 1
    images, labels = x_train[:n], y_train[:n]
    trainer.fit(**batches.fit_batches(images, labels, config.batch_size), epochs=1, steps_per_epoch=1, verbose=0,
                validation_data=batches.validation_data(images, labels, config.batch_size) if len(x_val) else None,
                validation_steps=1)
    for variable, value in zip(state, saved, strict=True):
        variable.assign(value)
    return Prepared(config, model, trainer)


def _compiled(config: TrainConfig, steps_per_epoch: int) -> tuple[keras.Model, keras.Model]:
    """`config`'s model freshly built from its seed, and the compiled model `fit` trains (it, or it augmented)."""
    strategy = distribution_strategy()
    with _SEEDING, strategy.scope() if strategy else contextlib.nullcontext():  # several GPUs: a replica each
        keras.utils.set_random_seed(config.seed)
        model = build_model(config.model, config.dropout)
        model = _with_precision(model, config.precision) if config.precision != "float32" else model
        trainer = _with_augmentation(model, config.seed) if config.augment else model
        trainer.compile(optimizer=_optimizer(config, steps_per_epoch * config.epochs),
                        loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model, trainer


def _split(config: TrainConfig, x: np.ndarray, y: np.ndarray):
    """A seeded shuffle of the 60,000 training images, cut into (subset) training and validation."""
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
    """Turns Keras callbacks into `Progress` records and honours Stop after every batch."""

    def __init__(self, run: Run, steps_per_epoch: int, on_progress, strip: np.ndarray):
        super().__init__()
        self.run, self.on_progress, self.strip = run, on_progress, strip
        self.steps_per_epoch = steps_per_epoch
        self.total_steps = steps_per_epoch * run.config.epochs
        self.every = max(1, min(10, steps_per_epoch // 10))
        self.start = time.perf_counter()
        self.step = self.epoch = 0
        self.train_seconds = 0.0  # excludes validation, for an honest images/s
        self.smooth = {"loss": BatchSmoother(), "accuracy": BatchSmoother()}
        self.values = {"loss": math.nan, "accuracy": math.nan}
        self.timed_from: tuple[int, float] | None = None  # (step, train seconds) after the first batch
        self.looked_at = -math.inf  # perf_counter of the latest look at the model

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.epoch_start = epoch + 1, time.perf_counter()
        for smoother in self.smooth.values():
            smoother.new_epoch()

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        self.values = {name: smoother.add(float(logs[name])) for name, smoother in self.smooth.items()}
        if self.timed_from is None:  # the first batch also traced the graph: time from its end
            self.timed_from = (self.step, self._train_seconds())
        if self.step % self.every == 0 or self.step == 1 or self.run.stop_requested:  # the first: "it has begun"
            self._report(logs)
        if self.run.stop_requested:  # end now: Keras's own stop_training would still validate the epoch
            raise _Stopped

    def on_test_begin(self, logs=None):
        self.train_seconds += time.perf_counter() - self.epoch_start

    def on_epoch_end(self, epoch, logs=None):
        if "val_loss" not in logs:
            self.train_seconds += time.perf_counter() - self.epoch_start
        self._report(logs, epoch_end=True)

    def _train_seconds(self, epoch_end: bool = False) -> float:
        return self.train_seconds + (0 if epoch_end else time.perf_counter() - self.epoch_start)

    def _report(self, logs, epoch_end: bool = False) -> None:
        first_step, first_seconds = self.timed_from or (self.step, 0.0)
        timed = self.step - first_step  # batches timed after the first; an ETA needs a few of them
        steps_per_s = timed / max(self._train_seconds(epoch_end) - first_seconds, 1e-9) if timed >= 3 else None
        eta = None if steps_per_s is None else (self.total_steps - self.step) / steps_per_s
        record = Progress(
            epoch=self.epoch, epochs=self.run.config.epochs, step=self.step, total_steps=self.total_steps,
            loss=self.values["loss"], accuracy=self.values["accuracy"],
            images_per_s=steps_per_s * self.run.config.batch_size if steps_per_s else None,
            elapsed_s=time.perf_counter() - self.start, eta_s=0.0 if self.run.stop_requested else eta,
            epoch_end=epoch_end, val_loss=_maybe(logs, "val_loss"), val_accuracy=_maybe(logs, "val_accuracy"))
        now = time.perf_counter()
        looking = epoch_end or self.run.stop_requested or now - self.looked_at >= LOOK_EVERY_S
        self.looked_at = now if looking else self.looked_at
        self.run.record(record, self._look() if looking else None)
        if self.on_progress is not None:
            self.on_progress(record)


    def _look(self) -> Glimpse | None:
        """The page's look at the model learning; a failure here costs that look, never the run.

        Seen once on the server (not reproduced alone): a mixed-bfloat16 CNN's eager call here raised
        "Incompatible type conversion requested to type bfloat16" in Conv2D while other visitors' pages ran.
        """
        try:
            return look(self.model, self.strip, self.step)
        except Exception:  # the glimpse is a view of the run, not part of it
            log.warning("No glimpse of %s at step %d", self.run.config, self.step, exc_info=True)
            return None


class _Stopped(Exception):
    """Raised by the reporter after the batch in which Stop was asked for, to leave `fit` at once."""


def _maybe(logs, key: str) -> float | None:
    return float(logs[key]) if key in logs else None
