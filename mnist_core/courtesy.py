"""Training that gives way to pages: between batches, a run pauses while any visitor's page is running.

On a small server a training run would otherwise take every core, and a visitor's stroke waits behind
it. The app layer reports page runs (`PAGES.begin(key)` / `PAGES.end(key)`); the engine calls
`PAGES.give_way(batch_s)` after each batch. A pause lasts until no page runs, but never longer than the
batch itself took (so training keeps at least half of its speed) nor `MAX_PAUSE_S`. Nobody reports
page runs in the CLI, so there training never pauses.
"""

import threading
import time
from collections.abc import Hashable

MAX_PAUSE_S = 0.25


class PageWork:
    """The page runs in progress now, and a way for training to wait until there are none."""

    def __init__(self):
        self._cond = threading.Condition()
        self._running: set[Hashable] = set()
        self.paused_s = 0.0  # total time training gave way, for benchmarks

    def begin(self, key: Hashable) -> None:
        with self._cond:
            self._running.add(key)

    def end(self, key: Hashable) -> None:
        with self._cond:
            self._running.discard(key)
            self._cond.notify_all()

    def busy(self) -> bool:
        with self._cond:
            return bool(self._running)

    def give_way(self, batch_s: float) -> float:
        """Wait while pages run, at most min(batch_s, MAX_PAUSE_S); the seconds waited."""
        start = time.perf_counter()
        with self._cond:
            if self._running:
                self._cond.wait_for(lambda: not self._running, timeout=min(batch_s, MAX_PAUSE_S))
        waited = time.perf_counter() - start
        self.paused_s += waited
        return waited


PAGES = PageWork()
