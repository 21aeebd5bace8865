"""A fair queue for trainings on one server: at most N at once, the rest first come, first served."""

import threading
from collections.abc import Callable, Hashable

from mnist_core.i18n import _


class TrainingSlots:
    """At most `limit` jobs hold a slot at once; the others wait in a first-come, first-served line."""

    def __init__(self, limit: int = 1):
        self._cond = threading.Condition()
        self._waiting: list[Hashable] = []
        self._running: set[Hashable] = set()
        self.set_limit(limit)

    def set_limit(self, limit: int) -> None:
        """Change the limit; running jobs above a lowered limit finish, and nobody new starts meanwhile."""
        if type(limit) is not int or limit < 1:
            raise ValueError(_("Trainings at once must be a whole number of at least 1, not {limit}.").format(
                limit=repr(limit)))
        with self._cond:
            self._limit = limit
            self._cond.notify_all()  # a higher limit may let waiting jobs in

    def enqueue(self, job: Hashable) -> None:
        """Join the end of the line now, so that `position()` counts the job before its thread runs."""
        with self._cond:
            if job not in self._waiting and job not in self._running:
                self._waiting.append(job)

    def acquire(self, job: Hashable, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """Block until `job` holds a slot (True) or is cancelled (False, out of the line).

        `cancelled` is checked under the lock, so a cancel that comes before this call is not lost.
        """
        self.enqueue(job)
        with self._cond:
            self._cond.wait_for(lambda: job in self._running or job not in self._waiting
                                or cancelled() or self._its_turn(job))
            if job in self._waiting:  # its turn, or cancelled: either way it leaves the line
                self._waiting.remove(job)
                if not cancelled():
                    self._running.add(job)
                self._cond.notify_all()  # with several free slots the next in line may go too
            return job in self._running

    def cancel(self, job: Hashable) -> None:
        """Take a waiting job out of the line at once; a running job keeps its slot until release()."""
        with self._cond:
            if job in self._waiting:
                self._waiting.remove(job)
                self._cond.notify_all()

    def release(self, job: Hashable) -> None:
        """Free `job`'s slot, if it holds one, for the next in line."""
        with self._cond:
            self._running.discard(job)
            self._cond.notify_all()

    def position(self, job: Hashable) -> int | None:
        """0 while `job` trains, k while it is k-th in line, None when it neither trains nor waits."""
        with self._cond:
            if job in self._running:
                return 0
            return self._waiting.index(job) + 1 if job in self._waiting else None

    def _its_turn(self, job: Hashable) -> bool:
        return self._waiting.index(job) < self._limit - len(self._running)
