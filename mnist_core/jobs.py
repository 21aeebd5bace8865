"""Background training for many users on one server: a fair queue, per-run caps, Stop and a reaper.

A `TrainingJob` trains in its own daemon thread so that a Streamlit rerun or a closed tab does not
cut it off; the UI only polls its state. `TrainingSlots` lets N runs train at once and queues the
rest first come, first served. A `JobRegistry` stops runs whose page stopped sending heartbeats.
"""

import logging
import threading
import time
from dataclasses import dataclass

from mnist_core.slots import TrainingSlots
from mnist_core.training import TRAIN_IMAGES, Progress, TrainConfig, TrainResult, train

__all__ = ["JobRegistry", "ServerLimits", "TrainingJob", "TrainingSlots", "check_limits"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerLimits:
    """What one server allows: runs training at once, and the size of any one run."""

    max_concurrent: int = 1
    max_epochs: int = 20
    max_train_size: int = TRAIN_IMAGES


def check_limits(config: TrainConfig, limits: ServerLimits) -> str | None:
    """One sentence saying which per-run cap `config` exceeds, or None when it fits."""
    images = config.train_size or TRAIN_IMAGES
    if config.epochs > limits.max_epochs:
        return f"This server allows at most {limits.max_epochs} epochs per run, not {config.epochs}."
    if images > limits.max_train_size:
        return f"This server trains on at most {limits.max_train_size:,} images per run, not {images:,}."
    return None


class TrainingJob:
    """One training run in a daemon thread; every property is safe to read from any thread."""

    def __init__(self, config: TrainConfig, slots: TrainingSlots):
        self.config, self._slots = config, slots
        self._lock = threading.Lock()
        self._stop, self._done = threading.Event(), threading.Event()
        self._status, self._progress = "queued", []
        self._result: TrainResult | None = None
        self._error: str | None = None
        self.started_at: float | None = None   # time.time() when training began
        self.finished_at: float | None = None  # time.time() when it ended, however it ended
        self._beat = time.monotonic()

    def start(self) -> "TrainingJob":
        self._slots.enqueue(self)
        threading.Thread(target=self._run, name=f"train-{self.config.model}", daemon=True).start()
        return self

    def stop(self) -> None:
        """Ask the run to end after the current batch; a queued job leaves the line at once."""
        self._stop.set()
        with self._lock:
            if self._status == "queued":
                self._end("stopped")
        self._slots.cancel(self)
        if self._status == "stopped" and self._slots.position(self) is None:
            self._done.set()  # else the worker holds a slot, and sets it once the slot is free

    def heartbeat(self) -> None:
        """Called by the page on every poll: proof that somebody is still watching."""
        self._beat = time.monotonic()

    def is_abandoned(self, timeout_s: float) -> bool:
        return time.monotonic() - self._beat > timeout_s

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the job has ended and freed its slot (True), or `timeout_s` has passed (False)."""
        return self._done.wait(timeout_s)

    status = property(lambda self: self._status, doc="queued, running, finished, stopped or failed")
    result = property(lambda self: self._result, doc="the TrainResult, also after Stop; None otherwise")
    error = property(lambda self: self._error, doc="one sentence when the run failed")
    done = property(lambda self: self._done.is_set())
    stop_requested = property(lambda self: self._stop.is_set())
    queue_position = property(lambda self: self._slots.position(self))

    @property
    def progress(self) -> tuple[Progress, ...]:
        with self._lock:
            return tuple(self._progress)  # Progress is frozen, so sharing the records is safe

    @property
    def latest(self) -> Progress | None:
        with self._lock:
            return self._progress[-1] if self._progress else None

    def _record(self, report: Progress) -> None:
        with self._lock:
            self._progress.append(report)

    def _run(self) -> None:
        try:
            if self._slots.acquire(self, self._stop.is_set) and self._begin():
                result = train(self.config, on_progress=self._record, should_stop=self._stop.is_set)
                with self._lock:
                    self._result = result
                    self._end("stopped" if result.stopped else "finished")
        except Exception as exc:  # the thread must end with a state the page can show, never a traceback
            log.exception("Training %s failed", self.config)
            with self._lock:
                self._error = _sentence(exc)
                self._end("failed")
        finally:
            self._slots.release(self)
            self._done.set()  # only now, so that a finished job never still holds a slot

    def _begin(self) -> bool:
        """Mark the job running, unless stop() took it out of the line while it was granted a slot."""
        with self._lock:
            if self._status != "queued":
                return False
            self._status, self.started_at = "running", time.time()
            return True

    def _end(self, status: str) -> None:
        """Record the final state; the caller holds `self._lock`."""
        self._status, self.finished_at = status, time.time()


def _sentence(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    detail = lines[0].rstrip(".") if lines else "no details"
    return f"Training failed ({type(exc).__name__}): {detail}."


class JobRegistry:
    """The server's jobs: submits within the limits and stops those nobody watches any more."""

    def __init__(self, slots: TrainingSlots | None = None, *, limits: ServerLimits = ServerLimits(),
                 abandon_after_s: float = 60.0):
        self.slots = slots or TrainingSlots(limits.max_concurrent)
        self.limits, self.abandon_after_s = limits, abandon_after_s
        self._lock, self._closed = threading.Lock(), threading.Event()
        self._jobs: list[TrainingJob] = []
        self._reaper: threading.Thread | None = None

    def submit(self, config: TrainConfig) -> TrainingJob:
        """Start `config` in the background; ValueError (one sentence) when it exceeds the limits."""
        problem = check_limits(config, self.limits)
        if problem:
            raise ValueError(problem)
        job = TrainingJob(config, self.slots)
        with self._lock:
            self._jobs.append(job)
        return job.start()

    def reap(self) -> int:
        """Stop the jobs without a heartbeat for `abandon_after_s`, forget ended ones; how many stopped."""
        with self._lock:
            self._jobs = [job for job in self._jobs if not job.done]  # the page keeps its own reference
            orphans = [job for job in self._jobs
                       if not job.stop_requested and job.is_abandoned(self.abandon_after_s)]
        for job in orphans:
            log.info("Stopping %s: no heartbeat for %.0f s", job.config, self.abandon_after_s)
            job.stop()
        return len(orphans)

    def start_reaper(self, every_s: float = 5.0) -> None:
        """Call reap() every `every_s` seconds in a daemon thread, until close(); starts only once."""
        with self._lock:
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap_until_closed, args=(every_s,),
                                                name="training-reaper", daemon=True)
                self._reaper.start()

    def close(self) -> None:
        self._closed.set()

    def _reap_until_closed(self, every_s: float) -> None:
        while not self._closed.wait(every_s):
            self.reap()
