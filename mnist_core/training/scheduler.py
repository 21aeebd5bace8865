"""Background training for many visitors on one server: a fair queue, per-run caps, Stop and a reaper.

Each `Run` is looked after by its own daemon thread so that a Streamlit rerun or a closed tab does not
cut it off; the page only polls it. That thread trains the run itself, or, given `TrainingProcesses`
(as the app does), in a child process that gives the CPU to pages first and its memory back when done.
`TrainingSlots` lets N runs train at once and queues the rest first come, first served. The reaper
stops runs whose page stopped sending heartbeats or that outlast the server's time per run, and lets go
of a run whose thread does not answer Stop, so that its slot is always freed. A run's state and its slot
change only through the run's own methods (`run.py` lists every move and who makes it).
"""

import ctypes
import gc
import logging
import sys
import threading
import time
from dataclasses import dataclass
from functools import partial

from mnist_core.i18n import N_, _, integer, minutes, ngettext
from mnist_core.training.config import TRAIN_IMAGES, TrainConfig
from mnist_core.training.device import chosen_devices
from mnist_core.training.engine import train
from mnist_core.training.run import Run, Sentence, failure_sentence
from mnist_core.training.slots import TrainingSlots
from mnist_core.training.workers import TrainingProcesses

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServerLimits:
    """What one server allows: runs training at once, runs waiting, and the size of any one run."""

    max_concurrent: int = 1
    max_epochs: int = 20
    max_train_size: int = TRAIN_IMAGES
    max_minutes: int = 60      # a longer run is stopped (its model so far is kept)
    max_waiting: int = 20      # runs in the line, server-wide
    per_visitor: int = 1       # runs queued or training per visitor (all their tabs together)
    per_address: int = 5       # runs queued or training per client address (its browsers, cookies or not)


def check_limits(config: TrainConfig, limits: ServerLimits) -> str | None:
    """One sentence saying which per-run cap `config` exceeds, or None when it fits (in the visitor's language)."""
    images = config.train_size or TRAIN_IMAGES
    if config.epochs > limits.max_epochs:
        return _("This server allows at most {most} epochs per run, not {epochs}.").format(
            most=integer(limits.max_epochs), epochs=integer(config.epochs))
    if images > limits.max_train_size:
        return _("This server trains on at most {most} images per run, not {images}.").format(
            most=integer(limits.max_train_size), images=integer(images))
    return None


class RunQueue:
    """The server's runs: submits within the limits and stops those nobody watches any more."""

    def __init__(self, slots: TrainingSlots | None = None, *, limits: ServerLimits = ServerLimits(),
                 abandon_after_s: float = 60.0, stop_grace_s: float = 10.0,
                 processes: TrainingProcesses | None = None):
        self.slots = slots or TrainingSlots(limits.max_concurrent)
        self.processes = processes  # None: train in the run's own thread, in this process
        self.limits, self.abandon_after_s, self.stop_grace_s = limits, abandon_after_s, stop_grace_s
        self._lock, self._closed = threading.Lock(), threading.Event()
        self._runs: list[Run] = []
        self._speed: dict[tuple[str, str], float] = {}  # (model, precision) → images/s its last run trained at
        self._reaper: threading.Thread | None = None

    def submit(self, config: TrainConfig, number: int = 0, owner: str | None = None,
               address: str | None = None) -> Run:
        """Queue `config` for `owner` (a browser) connected from `address` and train it in the background.

        ValueError (one sentence) over a limit or with a device setting this machine cannot honour,
        checked before the run takes a place in the line."""
        problem = check_limits(config, self.limits)
        if problem:
            raise ValueError(problem)
        chosen_devices()
        with self._lock:
            self._refuse_beyond_caps(owner, address)
            run = Run(config, number, self.slots, owner, address)  # in line from now on
            self._runs.append(run)
        threading.Thread(target=self._work, args=(run,), name=f"train-{config.model}", daemon=True).start()
        return run

    def prewarm(self) -> None:
        """Somebody may start a run soon: have a training process ready (with TrainingProcesses only)."""
        if self.processes:
            self.processes.prewarm()

    def expect(self, config: TrainConfig) -> None:
        """A visitor is looking at these settings: a free training process gets them ready to start."""
        if self.processes:
            self.processes.expect(config)

    def runs(self) -> list[Run]:
        """The runs queued or training now, oldest first."""
        with self._lock:
            return [run for run in self._runs if not run.done]

    def wait_estimate(self, run: Run) -> float | None:
        """Seconds until queued `run` may start: the time left of every run ahead of it, shared by the slots.

        None while any of them has neither an ETA nor a past run of its kind to time it by."""
        position = run.queue_position
        if not position:
            return None
        ahead = [r for r in self.runs() if r.queue_position is not None and r.queue_position < position]
        left = [self._time_left(r) for r in ahead]
        return None if None in left else sum(left) / self.limits.max_concurrent

    def _time_left(self, run: Run) -> float | None:
        latest = run.latest
        if latest is not None and latest.eta_s is not None:
            return latest.eta_s
        speed = self._speed.get((run.config.model, run.config.precision))
        if speed is None:
            return None
        total = run.config.epochs * run.config.train_images / speed
        return max(total - (latest.elapsed_s if latest else 0.0), 0.0)

    def reap(self) -> int:
        """Stop runs nobody watches or that outlast the server's limit, let go of runs that ignore Stop,
        and forget ended ones (giving their memory back); how many it stopped or let go."""
        with self._lock:
            ended = any(run.done for run in self._runs)
            self._runs = [run for run in self._runs if not run.done]  # the page keeps its own reference
            live = list(self._runs)
        if ended:
            give_memory_back()
        stopped = 0
        for run in live:
            why = self._why_stop(run)
            if why:
                log.info("Stopping %s: %s", run.config, why)
                run.stop(note=why)
                stopped += 1
            elif run.stop_requested and time.monotonic() - (run.stop_asked_at or 0) > self.stop_grace_s:
                log.warning("Letting go of %s: no answer to Stop in %.0f s", run.config, self.stop_grace_s)
                run.let_go(Sentence(N_("It did not answer Stop within {seconds} s, so the server ended it."),
                                    seconds=round(self.stop_grace_s)))
                stopped += 1
        return stopped

    def start_reaper(self, every_s: float = 5.0) -> None:
        """Call reap() every `every_s` seconds in a daemon thread, until close(); starts only once."""
        with self._lock:
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap_until_closed, args=(every_s,),
                                                name="training-reaper", daemon=True)
                self._reaper.start()

    def close(self) -> None:
        self._closed.set()
        if self.processes:
            self.processes.close()

    def _refuse_beyond_caps(self, owner: str | None, address: str | None) -> None:
        """ValueError (one sentence) when the line is full, `owner` already has a run or `address` its share;
        caller holds the lock."""
        live = [run for run in self._runs if not run.done]
        if owner is not None and sum(run.owner == owner for run in live) >= self.limits.per_visitor:
            raise ValueError(_("You already have a run queued or training (in this tab or another); "
                               "wait for it to end, or stop it, before starting another."))
        most = self.limits.per_address
        if address is not None and sum(run.address == address for run in live) >= most:
            raise ValueError(ngettext(
                "Your network address already has {most} run queued or training, this server's most for one "
                "address; try again when it has ended.",
                "Your network address already has {most} runs queued or training, this server's most for one "
                "address; try again when one of them has ended.", most).format(most=integer(most)))
        if sum(run.status == "queued" for run in live) >= self.limits.max_waiting:
            raise ValueError(_("The training queue is full ({waiting} runs waiting); try again when one has "
                               "ended.").format(waiting=integer(self.limits.max_waiting)))

    def _why_stop(self, run: Run) -> str | None:
        """Why the server stops `run` now, in one sentence for its visitor, or None."""
        if run.stop_requested:
            return None
        if run.is_abandoned(self.abandon_after_s):
            return Sentence(N_("Stopped: no page had shown it for {seconds} s."), seconds=round(self.abandon_after_s))
        began = run.started_at
        if run.status == "running" and began and time.time() - began > 60 * self.limits.max_minutes:
            # TRANSLATORS: {duration} is e.g. "60 minutes".
            return Sentence(N_("Stopped after {duration}, this server's limit for one run; the model trained so "
                               "far is kept."), duration=partial(minutes, self.limits.max_minutes))
        return None

    def _reap_until_closed(self, every_s: float) -> None:
        while not self._closed.wait(every_s):
            self.reap()

    def _work(self, run: Run) -> None:
        """The run's thread: wait for a slot, train, and always end in a state the page can show."""
        try:
            if run.take_slot():
                if self.processes:
                    self.processes.train(run)
                else:
                    train(run.config, run=run)
                speeds = [p.images_per_s for p in run.progress if p.images_per_s]
                if speeds:
                    self._speed[(run.config.model, run.config.precision)] = speeds[-1]
        except Exception as exc:  # the thread must end with a state the page can show, never a traceback
            log.exception("Training %s failed", run.config)
            run.fail(failure_sentence(exc))
        finally:
            run.close()  # frees its slot: only now is the run done


def give_memory_back() -> None:
    """A full collection (visitors' state and runs sit in reference cycles) and, on glibc, the freed heap
    handed back to the system. Measured after 8 runs: −56 MB (`python -m bench.visitors`, bench/RESULTS.md)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc (musl, say): the collection alone
            pass

