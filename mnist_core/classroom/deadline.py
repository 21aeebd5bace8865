"""A database call that answers within a few seconds, or one sentence instead: never a page that waits minutes.

Driver timeouts (connect, statement, lock) cover most faults, but not a server that accepted the connection
and then stopped answering: a socket read then waits for the operating system's TCP timeout (minutes). So
each call runs on a small pool of threads, and the caller waits at most `DEADLINE_S`. A call still stuck after
that keeps its thread; the pool's size bounds how many can be stuck at once, and calls queued behind them are
cancelled at their own deadline, so a hung database costs the server at most `WORKERS` threads.
"""

import contextvars
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as Late
from typing import TypeVar

from mnist_core.classroom.rules import ClassroomError
from mnist_core.i18n import _, integer

T = TypeVar("T")
DEADLINE_S = 4.5  # a visitor reads the sentence within 5 s of asking
WORKERS = 8
_POOL = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="classroom-db")


class TooSlow(ClassroomError):
    """The database did not answer in time; the message is one sentence for the visitor."""


def within(call: Callable[[], T], seconds: float = DEADLINE_S) -> T:
    """`call()`'s result or exception, in the caller's language; TooSlow if it takes longer than `seconds`."""
    future = _POOL.submit(contextvars.copy_context().run, call)  # the visitor's language goes along
    try:
        return future.result(timeout=seconds)
    except Late:
        future.cancel()  # still queued behind stuck calls: never run it
        raise TooSlow(_("The classroom database did not answer within {seconds} seconds; try again in a moment, "
                        "or ask whoever runs this server to check MNIST_LAB_DATABASE_URL.").format(
            seconds=integer(math.ceil(seconds)))) from None
