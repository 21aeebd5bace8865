"""Background training for many visitors on one server: a fair queue, per-run caps, Stop and a reaper.

Each `Run` trains in its own daemon thread so that a Streamlit rerun or a closed tab does not cut it
off; the page only polls it. `TrainingSlots` lets N runs train at once and queues the rest first
come, first served. The reaper stops runs whose page stopped sending heartbeats.
"""

import logging
import threading
from dataclasses import dataclass

from mnist_core.config import TRAIN_IMAGES, TrainConfig
from mnist_core.runs import Run
from mnist_core.slots import TrainingSlots
from mnist_core.training import train

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


class RunQueue:
    """The server's runs: submits within the limits and stops those nobody watches any more."""

    def __init__(self, slots: TrainingSlots | None = None, *, limits: ServerLimits = ServerLimits(),
                 abandon_after_s: float = 60.0):
        self.slots = slots or TrainingSlots(limits.max_concurrent)
        self.limits, self.abandon_after_s = limits, abandon_after_s
        self._lock, self._closed = threading.Lock(), threading.Event()
        self._runs: list[Run] = []
        self._reaper: threading.Thread | None = None

    def submit(self, config: TrainConfig, number: int = 0) -> Run:
        """Queue `config` and train it in the background; ValueError (one sentence) over a limit."""
        problem = check_limits(config, self.limits)
        if problem:
            raise ValueError(problem)
        run = Run(config, number, self.slots)
        with self._lock:
            self._runs.append(run)
        self.slots.enqueue(run)
        threading.Thread(target=self._work, args=(run,), name=f"train-{config.model}", daemon=True).start()
        return run

    def reap(self) -> int:
        """Stop the runs without a heartbeat for `abandon_after_s`, forget ended ones; how many stopped."""
        with self._lock:
            self._runs = [run for run in self._runs if not run.done]  # the page keeps its own reference
            orphans = [run for run in self._runs
                       if not run.stop_requested and run.is_abandoned(self.abandon_after_s)]
        for run in orphans:
            log.info("Stopping %s: no heartbeat for %.0f s", run.config, self.abandon_after_s)
            run.stop()
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

    def _work(self, run: Run) -> None:
        """The run's thread: wait for a slot, train, and always end in a state the page can show."""
        try:
            if self.slots.acquire(run, lambda: run.stop_requested):
                train(run.config, run=run)
        except Exception as exc:  # the thread must end with a state the page can show, never a traceback
            log.exception("Training %s failed", run.config)
            run.fail(_sentence(exc))
        finally:
            self.slots.release(run)
            run.close()  # only now, so that an ended run never still holds a slot


def _sentence(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    detail = lines[0].rstrip(".") if lines else "no details"
    return f"Training failed ({type(exc).__name__}): {detail}."
