"""One training run, from the engine to the page: its config, live progress, outcome and model.

The engine (`training.train`) fills a `Run` as it trains, the CLI reads it when it ends, the server's
queue (`run_queue`) trains one in a background thread, and a page polls it. Every property is safe
to read from any thread; only the engine writes progress and the outcome.
"""

import threading
import time
from dataclasses import dataclass

import keras

from mnist_core.models.registry import display_name
from mnist_core.training.config import TrainConfig
from mnist_core.training.glimpse import Glimpse
from mnist_core.training.slots import TrainingSlots

STATUSES = ("queued", "running", "finished", "stopped", "failed")


@dataclass(frozen=True)
class Progress:
    """One report from a running training: enough for live curves, a progress bar and an ETA."""

    epoch: int              # 1-based
    epochs: int
    step: int               # batches done so far in the whole run
    total_steps: int
    loss: float             # per-batch training loss, smoothed across epochs (training.BatchSmoother)
    accuracy: float         # per-batch training accuracy, smoothed alike
    images_per_s: float | None  # measured after the first batch (which traces the graph); None until then
    elapsed_s: float
    eta_s: float | None         # from that measured speed; None until a few batches are timed
    epoch_end: bool = False
    val_loss: float | None = None       # only at epoch ends, when there is validation data
    val_accuracy: float | None = None


class Run:
    """A training run: queued → running → finished, stopped or failed."""

    def __init__(self, config: TrainConfig, number: int = 0, slots: TrainingSlots | None = None):
        self.config, self.number, self._slots = config, number, slots
        self._lock = threading.Lock()
        self._stop, self._done = threading.Event(), threading.Event()
        self._status, self._progress = "queued", []
        self._model: keras.Model | None = None
        self._glimpse: Glimpse | None = None
        self._error: str | None = None
        self.owner: str | None = None          # who started it (the app's visitor id), for per-visitor caps
        self.note: str | None = None           # one sentence saying why the server stopped it, if it did
        self.stop_asked_at: float | None = None  # time.monotonic() of the first stop()
        self.seconds = 0.0                     # training time, as the engine measured it
        self.test_accuracy: float | None = None  # on the 10,000 official test digits, once trained to its end
        self.started_at: float | None = None   # time.time() when training began
        self.finished_at: float | None = None  # time.time() when it ended, however it ended
        self._beat = time.monotonic()

    @property
    def label(self) -> str:
        c = self.config
        return f"Run {self.number}: {display_name(c.model)}, {c.epochs} ep, {c.train_images:,} images"

    status = property(lambda self: self._status, doc="one of STATUSES")
    model = property(lambda self: self._model, doc="the trained model, also after Stop; None otherwise")
    error = property(lambda self: self._error, doc="one sentence when the run failed")
    done = property(lambda self: self._done.is_set(), doc="ended, and its slot (if any) is free")
    stop_requested = property(lambda self: self._stop.is_set())

    @property
    def queue_position(self) -> int | None:
        """0 while training in a slot, k while k-th in line, None otherwise."""
        return self._slots.position(self) if self._slots else None

    @property
    def progress(self) -> tuple[Progress, ...]:
        with self._lock:
            return tuple(self._progress)  # Progress is frozen, so sharing the records is safe

    @property
    def glimpse(self) -> Glimpse | None:
        """The latest look at the model as it learns: its reading of a strip of test digits, its kernels."""
        with self._lock:
            return self._glimpse

    @property
    def latest(self) -> Progress | None:
        with self._lock:
            return self._progress[-1] if self._progress else None

    def stop(self, note: str | None = None) -> None:
        """Ask the run to end after the current batch; a queued run leaves the line at once.

        `note` says why when the server, not the visitor, stops it."""
        if not self._stop.is_set():
            self.stop_asked_at, self.note = time.monotonic(), note
        self._stop.set()
        with self._lock:
            if self._status == "queued":
                self._end("stopped")
        if self._slots:
            self._slots.cancel(self)
            if self._slots.position(self) is None and self._status == "stopped":
                self._done.set()  # else the worker holds a slot, and sets it once the slot is free

    def heartbeat(self) -> None:
        """Called by the page on every poll: proof that somebody is still watching."""
        self._beat = time.monotonic()

    def is_abandoned(self, timeout_s: float) -> bool:
        return time.monotonic() - self._beat > timeout_s

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the run has ended and freed its slot (True), or `timeout_s` has passed (False)."""
        return self._done.wait(timeout_s)

    def forget_model(self) -> None:
        """Drop the trained model (a dropped run must give its memory back)."""
        with self._lock:
            self._model = None

    # The engine's side: only `training.train` and the queue's worker call these.
    def begin(self) -> bool:
        """Mark the run running, unless stop() took it out of the line first."""
        with self._lock:
            if self._status != "queued":
                return False
            self._status, self.started_at = "running", time.time()
            return True

    def record(self, report: Progress, glimpse: Glimpse | None = None) -> None:
        """Add a progress report, and the latest look at the model learning (only the latest is kept)."""
        with self._lock:
            self._progress.append(report)
            self._glimpse = glimpse or self._glimpse

    def finish(self, model: keras.Model, seconds: float, test_accuracy: float | None = None) -> None:
        with self._lock:
            if self.finished_at is None:  # not let go of meanwhile
                self._model, self.seconds, self.test_accuracy = model, seconds, test_accuracy
                self._end("stopped" if self._stop.is_set() else "finished")

    def fail(self, sentence: str) -> None:
        with self._lock:
            if self.finished_at is None:
                self._error = sentence
                self._end("failed")

    def let_go(self, sentence: str) -> None:
        """End a run whose thread did not answer Stop: it fails with `sentence`, and whatever that thread
        does later is ignored. The caller frees its slot and then calls close()."""
        self.fail(sentence)

    def close(self) -> None:
        """The run has ended and holds no slot: wake everyone waiting for it."""
        self._done.set()

    def _end(self, status: str) -> None:
        """Record the final state; the caller holds `self._lock`."""
        self._status, self.finished_at = status, time.time()


def failure_sentence(exc: BaseException) -> str:
    """What the page says about a run that raised `exc`: its type and the first line of its message."""
    lines = str(exc).strip().splitlines()
    detail = lines[0].rstrip(".") if lines else "no details"
    return f"Training failed ({type(exc).__name__}): {detail}."
