"""A class's drawings in a real database (SQLAlchemy Core), shared by every app server of a school.

Where the database is, its tables and its timeouts: `database.py`. Every write commits before it returns,
and SQLite runs with `synchronous=FULL`, so a killed server loses no drawing it reported saved. Every public
method answers within `deadline.DEADLINE_S`, or raises ClassroomError with one sentence (never a traceback).

Rules kept here, not in the page: a class is reached only by its code; it and its drawings vanish when its
time is up (the clock is injectable for tests), when its teacher deletes it with the teacher key, and from the
disk at the next purge (`purge_every` runs one on a schedule); a class holds at most `class_cap` drawings,
each browser adds at most `visitor_cap` to one class and each client address at most `client_cap` (less than
the class holds, so one address cannot fill it alone); the same 28×28 drawing is taken once per class. Caps and
the duplicate check run in one transaction that holds the class's lock (SQLite: BEGIN IMMEDIATE; PostgreSQL:
SELECT … FOR UPDATE on the class row), so concurrent adds on several servers lose nothing and overshoot nothing.
"""

import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from mnist_core.classroom import rules
from mnist_core.classroom.database import CLASSES, DRAWINGS, METADATA, connect, database_url, unreachable
from mnist_core.classroom.deadline import DEADLINE_S, within
from mnist_core.classroom.rules import ClassroomError, check_code
from mnist_core.i18n import _, integer, ngettext

__all__ = ["CLASSES", "DRAWINGS", "METADATA", "ClassInfo", "ClassroomStore", "database_url"]
CLASS_CAP = 2_000
VISITOR_CAP = 50
PURGE_EVERY_S = 600  # expired classes leave the disk within 10 minutes, whoever visits
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClassInfo:
    code: str
    expires_at: float  # Unix seconds
    drawings: int
    latest: int = 0    # the newest drawing's id: with `drawings`, changes whenever a drawing is added


def _answered(method: Callable) -> Callable:
    """A public method run within the store's deadline; a database fault becomes one sentence."""
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        def call():
            try:
                return method(self, *args, **kwargs)
            except SQLAlchemyError as err:
                raise unreachable(err) from None
        return within(call, self.deadline)
    return guarded


class ClassroomStore:
    """Classes and their drawings in one database; every method is one short transaction."""

    def __init__(self, url: str | None = None, clock: Callable[[], float] = time.time, class_cap: int = CLASS_CAP,
                 visitor_cap: int = VISITOR_CAP, client_cap: int | None = None, deadline: float = DEADLINE_S) -> None:
        self.clock, self.class_cap, self.visitor_cap, self.deadline = clock, class_cap, visitor_cap, deadline
        self.client_cap = class_cap // 2 if client_cap is None else client_cap
        self.engine = within(lambda: connect(url or database_url()), deadline)

    @_answered
    def open_class(self, hours: float) -> tuple[str, str]:
        """A new class open for `hours`: its code (for the projector) and its teacher key (keep it)."""
        hours, key, now = rules.check_hours(hours), rules.new_secret(), self.clock()
        self._purge()
        for _try in range(5):  # a clash among ~887 million codes is rare; five in a row would be a broken RNG
            code = rules.new_code()
            try:
                with self.engine.begin() as conn:
                    conn.execute(sa.insert(CLASSES).values(code=code, teacher_key_hash=rules.key_hash(key),
                                                        created_at=now, expires_at=now + hours * 3600))
                return code, key
            except IntegrityError:
                continue
        raise ClassroomError(_("No free class code was found; try again."))

    @_answered
    def info(self, code: str) -> ClassInfo:
        """The open class with this code, or ClassroomError (unknown and expired read the same). Two indexed
        queries: cheap enough for every projector to ask every two seconds whether a drawing came."""
        with self.engine.begin() as conn:
            return self._info(conn, check_code(code))

    @_answered
    def add_drawing(self, code: str, visitor: str, image: np.ndarray, label: int, client: str | None = None) -> int:
        """Save one drawing with the digit its author meant; returns how many this browser has saved here.

        `visitor`: the browser's token; `client`: a token of the client's address (rules.client_token), counted
        across browsers, so a cleared cookie does not reset it."""
        code, visitor = check_code(code), rules.check_visitor(visitor)
        client = None if client is None else rules.check_visitor(client)
        pixels, label = rules.to_pixels(image), rules.check_label(label)
        with self.engine.begin() as conn:
            self._check_room(conn, code, client)
            mine = conn.scalar(sa.select(sa.func.count())
                               .where(DRAWINGS.c.class_code == code, DRAWINGS.c.visitor == visitor))
            if mine >= self.visitor_cap:
                raise ClassroomError(ngettext("You have added {n} drawing to this class, the most one visitor may.",
                                              "You have added {n} drawings to this class, the most one visitor may.",
                                              self.visitor_cap).format(n=integer(self.visitor_cap)))
            same = sa.select(DRAWINGS.c.id).where(DRAWINGS.c.class_code == code, DRAWINGS.c.pixels == pixels)
            if conn.scalar(same.limit(1)) is not None:
                raise ClassroomError(_("This class already has exactly this drawing; draw the digit again to add "
                                       "another."))
            conn.execute(sa.insert(DRAWINGS).values(class_code=code, visitor=visitor, client=client, label=label,
                                                 pixels=pixels, created_at=self.clock()))
        return mine + 1

    def _check_room(self, conn: Connection, code: str, client: str | None) -> None:
        """Refuse when the class is full, or when this client address has added its share (the class is locked)."""
        if self._info(conn, code, lock=True).drawings >= self.class_cap:
            raise ClassroomError(ngettext("This class is full: it already holds {n} drawing.",
                                          "This class is full: it already holds {n} drawings.",
                                          self.class_cap).format(n=integer(self.class_cap)))
        ours = client and conn.scalar(sa.select(sa.func.count())
                                      .where(DRAWINGS.c.class_code == code, DRAWINGS.c.client == client))
        if ours and ours >= self.client_cap:
            raise ClassroomError(ngettext("Your network has added {n} drawing to this class, the most one address "
                                          "may, so that others can add theirs too.",
                                          "Your network has added {n} drawings to this class, the most one address "
                                          "may, so that others can add theirs too.",
                                          self.client_cap).format(n=integer(self.client_cap)))

    @_answered
    def drawings(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """The class's drawings in the order they were added: uint8 (N, 28, 28) and uint8 labels (N,)."""
        code = check_code(code)
        with self.engine.begin() as conn:
            self._info(conn, code)
            rows = conn.execute(sa.select(DRAWINGS.c.pixels, DRAWINGS.c.label)
                                .where(DRAWINGS.c.class_code == code).order_by(DRAWINGS.c.id)).all()
        return rules.from_pixels([bytes(r.pixels) for r in rows]), np.array([r.label for r in rows], np.uint8)

    @_answered
    def is_teacher(self, code: str, key: str) -> bool:
        with self.engine.begin() as conn:
            stored = conn.scalar(sa.select(CLASSES.c.teacher_key_hash).where(CLASSES.c.code == check_code(code),
                                                                         CLASSES.c.expires_at > self.clock()))
        return stored is not None and rules.key_matches(key, stored)

    @_answered
    def delete_class(self, code: str, key: str) -> int:
        """Delete a class and all its drawings with its teacher key; returns how many drawings went."""
        code = check_code(code)
        with self.engine.begin() as conn:
            stored = conn.scalar(sa.select(CLASSES.c.teacher_key_hash).where(CLASSES.c.code == code).with_for_update())
            if stored is None or not rules.key_matches(key, stored):
                raise ClassroomError(_("Only the teacher who opened this class can delete it."))
            gone = conn.execute(sa.delete(DRAWINGS).where(DRAWINGS.c.class_code == code)).rowcount
            conn.execute(sa.delete(CLASSES).where(CLASSES.c.code == code))
        return gone

    @_answered
    def purge_expired(self) -> int:
        """Delete every class whose time is up, with its drawings; returns how many classes went."""
        return self._purge()

    def _purge(self) -> int:
        expired = sa.select(CLASSES.c.code).where(CLASSES.c.expires_at <= self.clock())
        with self.engine.begin() as conn:
            conn.execute(sa.delete(DRAWINGS).where(DRAWINGS.c.class_code.in_(expired)))
            return conn.execute(sa.delete(CLASSES).where(CLASSES.c.code.in_(expired))).rowcount

    def purge_every(self, seconds: float = PURGE_EVERY_S) -> threading.Thread:
        """Purge expired classes every `seconds` from a daemon thread, for as long as this store is in use (the
        thread holds only a weak reference, so a store that is dropped stops its purging)."""
        ref = weakref.ref(self)

        def loop() -> None:
            while time.sleep(seconds) is None and (store := ref()) is not None:
                try:
                    store.purge_expired()
                except ClassroomError as err:  # the database is away: try again next time
                    log.warning("classroom purge skipped: %s", err)
                del store

        thread = threading.Thread(target=loop, name="classroom-purge", daemon=True)
        thread.start()
        return thread

    def _info(self, conn: Connection, code: str, lock: bool = False) -> ClassInfo:
        query = sa.select(CLASSES.c.expires_at).where(CLASSES.c.code == code, CLASSES.c.expires_at > self.clock())
        expires_at = conn.scalar(query.with_for_update() if lock else query)
        if expires_at is None:
            raise ClassroomError(_("No open class has the code {code}: check it with your teacher (a class closes "
                                   "when its time is up).").format(code=code))
        count, latest = conn.execute(sa.select(sa.func.count(), sa.func.max(DRAWINGS.c.id))
                                     .where(DRAWINGS.c.class_code == code)).one()
        return ClassInfo(code, expires_at, count, latest or 0)
