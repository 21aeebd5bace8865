"""A class's drawings in a real database (SQLAlchemy Core), shared by every app server of a school.

By default SQLite in WAL mode at `classroom.sqlite` in the app's data folder (`$MNIST_LAB_CACHE`,
default ~/.cache/mnist-lab); any SQLAlchemy URL in `$MNIST_LAB_DATABASE_URL` instead (PostgreSQL when several
servers serve one school). Every write commits before it returns, and SQLite runs with
`synchronous=FULL`, so a killed server loses no drawing it reported saved.

Rules kept here, not in the page: a class is reached only by its code; it and its drawings vanish
when its time is up (the clock is injectable for tests) or when its teacher deletes it with the
teacher key; each class holds at most `class_cap` drawings and each visitor token adds at most
`visitor_cap` to one class. The caps are checked and the drawing inserted in one transaction that
holds the class's lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: SELECT … FOR UPDATE on the class row).
"""

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import ArgumentError, IntegrityError, NoSuchModuleError, OperationalError, ProgrammingError

from mnist_core.classroom import rules
from mnist_core.classroom.rules import CODE_LENGTH, ClassroomError, check_code
from mnist_core.data.sources import cache_dir
from mnist_core.i18n import _, integer, ngettext

CLASS_CAP = 2_000
VISITOR_CAP = 50

METADATA = sa.MetaData()
CLASSES = sa.Table(
    "classroom_classes", METADATA,
    sa.Column("code", sa.String(CODE_LENGTH), primary_key=True),
    sa.Column("teacher_key_hash", sa.String(64), nullable=False),  # SHA-256 of the key; the key stays with the teacher
    sa.Column("created_at", sa.Float, nullable=False),  # Unix seconds
    sa.Column("expires_at", sa.Float, nullable=False, index=True),
)
DRAWINGS = sa.Table(
    "classroom_drawings", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("class_code", sa.String(CODE_LENGTH), sa.ForeignKey(CLASSES.c.code, ondelete="CASCADE"), nullable=False),
    sa.Column("visitor", sa.String(32), nullable=False),  # a random per-session token, not a person
    sa.Column("label", sa.SmallInteger, nullable=False),
    sa.Column("pixels", sa.LargeBinary(784), nullable=False),  # 28×28 uint8, row-major
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Index("ix_classroom_drawings_class_visitor", "class_code", "visitor"),
)


def database_url(environ: dict | None = None) -> str:
    """`$MNIST_LAB_DATABASE_URL`, else SQLite in the app's data folder, `$MNIST_LAB_CACHE` (default
    ~/.cache/mnist-lab), where the verified MNIST cache lives too."""
    environ = os.environ if environ is None else environ
    if environ.get("MNIST_LAB_DATABASE_URL"):
        return environ["MNIST_LAB_DATABASE_URL"]
    return f"sqlite:///{cache_dir(environ) / 'classroom.sqlite'}"


def _sqlite_engine(url: str) -> Engine:
    """SQLite set up for several threads and processes: WAL, full sync, foreign keys, BEGIN IMMEDIATE."""
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below open each transaction
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock first: no lost cap checks

    return engine


def _create_tables(engine: Engine) -> None:
    """The tables, unless they exist. Two servers starting at once on one PostgreSQL both see none and both
    CREATE; the loser's CREATE fails on the winner's table (seen with two test processes), and a second look
    then finds every table made."""
    try:
        METADATA.create_all(engine)
    except (IntegrityError, ProgrammingError):
        METADATA.create_all(engine)


def connect(url: str) -> Engine:
    """An engine for `url` with the tables created; a bad URL or server gives one sentence (no password)."""
    try:
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = _sqlite_engine(url) if url.startswith("sqlite") else sa.create_engine(url, pool_pre_ping=True)
        _create_tables(engine)
    except (ArgumentError, NoSuchModuleError, OperationalError, OSError) as err:
        # TRANSLATORS: {error} is the name of a Python exception, such as OperationalError.
        raise ClassroomError(_("The classroom database cannot be opened ({error}); check MNIST_LAB_DATABASE_URL "
                               "or MNIST_LAB_CACHE.").format(error=type(err).__name__)) from None
    return engine


@dataclass(frozen=True)
class ClassInfo:
    code: str
    expires_at: float  # Unix seconds
    drawings: int


class ClassroomStore:
    """Classes and their drawings in one database; every method is one short transaction."""

    def __init__(self, url: str | None = None, clock: Callable[[], float] = time.time,
                 class_cap: int = CLASS_CAP, visitor_cap: int = VISITOR_CAP) -> None:
        self.engine = connect(url or database_url())
        self.clock, self.class_cap, self.visitor_cap = clock, class_cap, visitor_cap

    def open_class(self, hours: float) -> tuple[str, str]:
        """A new class open for `hours`: its code (for the projector) and its teacher key (keep it)."""
        hours, key, now = rules.check_hours(hours), rules.new_secret(), self.clock()
        self.purge_expired()
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

    def info(self, code: str) -> ClassInfo:
        """The open class with this code, or ClassroomError (unknown and expired read the same)."""
        with self.engine.begin() as conn:
            return self._info(conn, check_code(code))

    def add_drawing(self, code: str, visitor: str, image: np.ndarray, label: int) -> int:
        """Save one drawing with the digit its author meant; returns how many this visitor has saved here."""
        code, visitor = check_code(code), rules.check_visitor(visitor)
        pixels, label = rules.to_pixels(image), rules.check_label(label)
        with self.engine.begin() as conn:
            total = self._info(conn, code, lock=True).drawings
            if total >= self.class_cap:
                raise ClassroomError(ngettext("This class is full: it already holds {n} drawing.",
                                              "This class is full: it already holds {n} drawings.",
                                              self.class_cap).format(n=integer(self.class_cap)))
            mine = conn.scalar(sa.select(sa.func.count())
                               .where(DRAWINGS.c.class_code == code, DRAWINGS.c.visitor == visitor))
            if mine >= self.visitor_cap:
                raise ClassroomError(ngettext("You have added {n} drawing to this class, the most one visitor may.",
                                              "You have added {n} drawings to this class, the most one visitor may.",
                                              self.visitor_cap).format(n=integer(self.visitor_cap)))
            conn.execute(sa.insert(DRAWINGS).values(class_code=code, visitor=visitor, label=label, pixels=pixels,
                                                 created_at=self.clock()))
        return mine + 1

    def drawings(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """The class's drawings in the order they were added: uint8 (N, 28, 28) and uint8 labels (N,)."""
        code = check_code(code)
        with self.engine.begin() as conn:
            self._info(conn, code)
            rows = conn.execute(sa.select(DRAWINGS.c.pixels, DRAWINGS.c.label)
                                .where(DRAWINGS.c.class_code == code).order_by(DRAWINGS.c.id)).all()
        return rules.from_pixels([bytes(r.pixels) for r in rows]), np.array([r.label for r in rows], np.uint8)

    def is_teacher(self, code: str, key: str) -> bool:
        with self.engine.begin() as conn:
            stored = conn.scalar(sa.select(CLASSES.c.teacher_key_hash).where(CLASSES.c.code == check_code(code),
                                                                         CLASSES.c.expires_at > self.clock()))
        return stored is not None and rules.key_matches(key, stored)

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

    def purge_expired(self) -> int:
        """Delete every class whose time is up, with its drawings; returns how many classes went."""
        expired = sa.select(CLASSES.c.code).where(CLASSES.c.expires_at <= self.clock())
        with self.engine.begin() as conn:
            conn.execute(sa.delete(DRAWINGS).where(DRAWINGS.c.class_code.in_(expired)))
            return conn.execute(sa.delete(CLASSES).where(CLASSES.c.code.in_(expired))).rowcount

    def _info(self, conn: Connection, code: str, lock: bool = False) -> ClassInfo:
        query = sa.select(CLASSES.c.expires_at).where(CLASSES.c.code == code, CLASSES.c.expires_at > self.clock())
        expires_at = conn.scalar(query.with_for_update() if lock else query)
        if expires_at is None:
            raise ClassroomError(_("No open class has the code {code}: check it with your teacher (a class closes "
                                   "when its time is up).").format(code=code))
        count = conn.scalar(sa.select(sa.func.count()).where(DRAWINGS.c.class_code == code))
        return ClassInfo(code, expires_at, count)
