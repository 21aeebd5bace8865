"""A database call that answers within a few seconds, or one sentence instead: never a page that waits minutes.

Driver timeouts (connect, statement, lock) cover most faults, but not a server that accepted the connection
and then stopped answering: a socket read then waits for the operating system's TCP timeout (minutes). So
each call runs on a thread of its own, and the caller waits at most `DEADLINE_S`. A call still stuck after
that keeps its thread; at most `WORKERS` calls run at once, so a hung database costs the server at most that
many threads, and later calls wait for a free one only until their own deadline. The threads are daemons: a
server stopping is never held up by a stuck call.
"""

import contextvars
import math
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from mnist_core.classroom.rules import ClassroomError
from mnist_core.i18n import _, integer

T = TypeVar("T")
DEADLINE_S = 4.5  # a visitor reads the sentence within 5 s of asking
WORKERS = 8
_RUNNING = threading.BoundedSemaphore(WORKERS)


class TooSlow(ClassroomError):
    """The database did not answer in time; the message is one sentence for the visitor."""


def within(call: Callable[[], T], seconds: float = DEADLINE_S) -> T:
    """`call()`'s result or exception, in the caller's language; TooSlow if it takes longer than `seconds`."""
    end = time.monotonic() + seconds
    if not _RUNNING.acquire(timeout=seconds):
        raise _too_slow(seconds)
    outcome: dict = {}
    done = threading.Event()
    context = contextvars.copy_context()  # the visitor's language goes along

    def run() -> None:
        try:
            outcome["value"] = context.run(call)
        except BaseException as err:  # handed to the caller, who raises it as its own
            outcome["error"] = err
        finally:
            _RUNNING.release()
            done.set()

    threading.Thread(target=run, name="classroom-db", daemon=True).start()
    if not done.wait(max(0.0, end - time.monotonic())):
        raise _too_slow(seconds)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _too_slow(seconds: float) -> TooSlow:
    return TooSlow(_("The classroom database did not answer within {seconds} seconds; try again in a moment, "
                     "or ask whoever runs this server to check MNIST_LAB_DATABASE_URL.").format(
        seconds=integer(math.ceil(seconds))))
