"""One training run, from the engine to the page, and the one place where its state changes.

A run's status moves only through `Run._move`, and only along `TRANSITIONS`:

    queued ──begin()──▶ running ──finish()──▶ finished, or stopped after a Stop (its model kept)
     │ │                ╰──fail(), let_go()──▶ failed
     │ ╰──fail()──▶ failed (its thread raised before training began)
     ╰──stop()──▶ stopped (it leaves the line at once)

Where a run ends: `finish` or `fail` (the engine, `engine.train`; or `workers.TrainingProcesses` for a
run trained in a child process; or the scheduler's thread when training raised), `stop` while it waits,
or `let_go` (the reaper in `scheduler.RunQueue`, when its thread does not answer Stop in time). An ended
status never changes again, so `finished_at` is set once, and whatever a let-go thread does later is
ignored. Who frees its slot: a run made with `TrainingSlots` waits for one in `take_slot`, and `close`
(its thread, done with it) or `let_go` frees it. A run is `done`, and `wait` returns, once it has ended
and holds no slot; `_settle` alone marks that. Every property is safe to read from any thread.
"""

import threading
import time
from collections.abc import Callable
from contextvars import copy_context
from dataclasses import dataclass

import keras

from mnist_core.i18n import N_, SOURCE, _, integer, ngettext, use
from mnist_core.models.registry import display_name
from mnist_core.training.config import TrainConfig
from mnist_core.training.glimpse import Glimpse
from mnist_core.training.slots import TrainingSlots

STATUSES = ("queued", "running", "finished", "stopped", "failed")
# (from, to) → the one method that makes that move; no move leaves an ended status.
TRANSITIONS = {
    ("queued", "running"): "begin",
    ("queued", "stopped"): "stop",      # out of the line at once, untrained
    ("queued", "failed"): "fail",       # its thread raised before training began
    ("running", "finished"): "finish",
    ("running", "stopped"): "finish",   # a Stop came first: ended after that batch, the model kept
    ("running", "failed"): "fail",      # let_go() too, through fail()
}


@dataclass(frozen=True)
class Progress:
    """One report from a running training: enough for live curves, a progress bar and an ETA."""

    epoch: int              # 1-based
    epochs: int
    step: int               # batches done so far in the whole run
    total_steps: int
    loss: float             # per-batch training loss, smoothed across epochs (curves.BatchSmoother)
    accuracy: float         # per-batch training accuracy, smoothed alike
    images_per_s: float | None  # measured after the first batch (which traces the graph); None until then
    elapsed_s: float
    eta_s: float | None         # from that measured speed; None until a few batches are timed
    epoch_end: bool = False
    val_loss: float | None = None       # only at epoch ends, when there is validation data
    val_accuracy: float | None = None


class Run:
    """A training run: queued → running → finished, stopped or failed (see TRANSITIONS).

    Made with `slots`, it joins their line at once, so that its place counts before its thread runs."""

    def __init__(self, config: TrainConfig, number: int = 0, slots: TrainingSlots | None = None,
                 owner: str | None = None, address: str | None = None):
        self.config, self.number, self._slots = config, number, slots
        self._lock = threading.Lock()
        self._stop, self._done = threading.Event(), threading.Event()
        self._status, self._progress = "queued", []
        self._model: keras.Model | None = None
        self._glimpse: Glimpse | None = None
        self._error: str | None = None
        self.owner = owner                     # who started it (the app's visitor id), for per-visitor caps
        self.address = address                 # where from (the client's address), for per-address caps
        self.note: str | None = None           # one sentence saying why the server stopped it, if it did
        self.stop_asked_at: float | None = None  # time.monotonic() of the first stop()
        self.seconds = 0.0                     # training time, as the engine measured it
        self.test_accuracy: float | None = None  # on the 10,000 official test digits, once trained to its end
        self.started_at: float | None = None   # time.time() when training began
        self.finished_at: float | None = None  # time.time() when it ended, however it ended
        self._beat = time.monotonic()
        if slots:
            slots.enqueue(self)

    @property
    def label(self) -> str:
        """The run's name in English: also its id on the page, which widgets keep whatever the language."""
        return in_english(self.name)

    def name(self) -> str:
        """The run's name in the reader's language, e.g. "Run 2: CNN, 3 ep, 10,000 images"."""
        c = self.config
        # TRANSLATORS: "ep" abbreviates epochs; {model} is a network's name such as "CNN".
        return ngettext("Run {number}: {model}, {epochs} ep, {images} image",
                        "Run {number}: {model}, {epochs} ep, {images} images", c.train_images).format(
            number=self.number, model=display_name(c.model), epochs=c.epochs, images=integer(c.train_images))

    status = property(lambda self: self._status, doc="one of STATUSES")
    ended = property(lambda self: self._status not in ("queued", "running"), doc="finished, stopped or failed")
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

    # The page's side (and the server's, stopping a run for it).
    def stop(self, note: str | None = None) -> None:
        """Ask the run to end after the current batch; a queued run leaves the line at once.

        `note` says why when the server, not the visitor, stops it."""
        with self._lock:
            if not self._stop.is_set():
                self.stop_asked_at, self.note = time.monotonic(), note
            self._stop.set()  # before the move: a thread waiting in take_slot() sees it and leaves the line
            self._move("stopped", by="stop")
        if self._slots:
            self._slots.cancel(self)
        self._settle()

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

    # The scheduler's side: the run's own thread, and the reaper.
    def take_slot(self) -> bool:
        """Wait in line for a training slot (True), or until stop() takes the run out of the line (False).

        A run made without slots has nothing to wait for."""
        return self._slots.acquire(self, lambda: self._stop.is_set()) if self._slots else True

    def close(self) -> None:
        """Free the run's slot, or its place in line: its thread is done with it. Done once it has ended."""
        if self._slots:
            self._slots.cancel(self)
            self._slots.release(self)
        self._settle()

    def let_go(self, sentence: str) -> None:
        """End a run whose thread did not answer Stop: it fails with `sentence`, its slot goes to the next in
        line, and it is done; whatever that thread does later is ignored."""
        self.fail(sentence)
        self.close()

    # The engine's side: `engine.train`, or `workers.TrainingProcesses` relaying a child's run.
    def begin(self) -> bool:
        """Mark the run running, unless stop() took it out of the line first."""
        with self._lock:
            return self._move("running", by="begin")

    def record(self, report: Progress, glimpse: Glimpse | None = None) -> None:
        """Add a progress report, and the latest look at the model learning (only the latest is kept)."""
        with self._lock:
            self._progress.append(report)
            self._glimpse = glimpse or self._glimpse

    def finish(self, model: keras.Model, seconds: float, test_accuracy: float | None = None) -> None:
        """End a run that trained: finished, or stopped after a Stop, its model kept either way."""
        with self._lock:
            if self._move("stopped" if self._stop.is_set() else "finished", by="finish"):
                self._model, self.seconds, self.test_accuracy = model, seconds, test_accuracy
        self._settle()

    def fail(self, sentence: str) -> None:
        """End the run as failed, saying why in `sentence` (see failure_sentence)."""
        with self._lock:
            if self._move("failed", by="fail"):
                self._error = sentence
        self._settle()

    def _move(self, to: str, by: str) -> bool:
        """Change the status to `to` if TRANSITIONS lets method `by` make that move now; the caller holds
        `self._lock`. False, and nothing changed, otherwise (an ended run, say, that was let go of)."""
        if TRANSITIONS.get((self._status, to)) != by:
            return False
        self._status = to
        if to == "running":
            self.started_at = time.time()
        else:
            self.finished_at = time.time()
        return True

    def _settle(self) -> None:
        """Mark the run done if it has ended and holds no slot nor a place in line (never before)."""
        if self.ended and (self._slots is None or self._slots.position(self) is None):
            self._done.set()


def in_english(say: Callable[[], str]) -> str:
    """What `say` returns in English, whatever language this thread speaks."""
    def english() -> str:
        use(SOURCE)
        return say()
    return copy_context().run(english)


class Sentence(str):
    """A sentence made where nobody's language is known (a run's thread, the reaper, a training process) or
    for another reader (the teacher stopping a student's run): English as a str, for logs and comparisons,
    and said again in the reader's language by `said`. `template` is marked with N_; `values` fill its
    placeholders (see `_written`)."""

    template: str
    values: dict

    def __new__(cls, template: str, **values) -> "Sentence":
        sentence = super().__new__(cls, in_english(lambda: _fill(template, values)))
        sentence.template, sentence.values = template, values
        return sentence

    def __getnewargs_ex__(self) -> tuple[tuple, dict]:  # pickled by a training process for its parent
        return (self.template,), self.values

    def said(self) -> str:
        return _fill(self.template, self.values)


def _fill(template: str, values: dict) -> str:
    return _(template).format(**{name: _written(value) for name, value in values.items()})


def _written(value: "int | str | Callable[[], str]") -> str:
    """A whole number, a sentence, or a picklable callable (`functools.partial(minutes, 2)`) in the reader's words."""
    if isinstance(value, int):
        return integer(value)
    return value() if callable(value) else said(value)


def said(text: str) -> str:
    """`text` in the reader's language if it is a Sentence; any other str as it is."""
    return text.said() if isinstance(text, Sentence) else text


def failure_sentence(exc: BaseException) -> Sentence:
    """What the page says about a run that raised `exc`: its type and the first line of its message (in the
    language it was raised in: English where no visitor's language is known)."""
    lines = str(exc).strip().splitlines()
    detail = lines[0].rstrip(".") if lines else Sentence(N_("no details"))
    # TRANSLATORS: {kind} is a Python exception's name, {detail} its message (often in English).
    return Sentence(N_("Training failed ({kind}): {detail}."), kind=type(exc).__name__, detail=detail)
