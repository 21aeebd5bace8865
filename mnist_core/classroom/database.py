"""The classroom's tables and the engine that reaches them: SQLite in the app's data folder, or any SQLAlchemy
URL in `$MNIST_LAB_DATABASE_URL` (PostgreSQL when several servers serve one school).

Every fault is bounded in time: SQLite waits at most `TIMEOUT_S` for another writer's lock; PostgreSQL gets a
connect timeout and statement and lock timeouts of the same length; `deadline.within` bounds the rest (a
server that accepted the connection and went silent).
"""

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, ProgrammingError, SQLAlchemyError

from mnist_core.classroom.rules import CODE_LENGTH, ClassroomError
from mnist_core.data.sources import cache_dir
from mnist_core.i18n import _

TIMEOUT_S = 2  # each wait on the database: a lock, a connection (libpq's least), a statement
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
    sa.Column("visitor", sa.String(32), nullable=False),  # a random per-browser token, not a person
    sa.Column("label", sa.SmallInteger, nullable=False),
    sa.Column("pixels", sa.LargeBinary(784), nullable=False),  # 28×28 uint8, row-major
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("client", sa.String(32)),  # a hash of the client's address (added later: NULL in older rows)
    sa.Index("ix_classroom_drawings_class_visitor", "class_code", "visitor"),
)
ADDED_COLUMNS = ("client",)  # columns a database made by an older version lacks; added at start


def database_url(environ: dict | None = None) -> str:
    """`$MNIST_LAB_DATABASE_URL`, else SQLite in the app's data folder, `$MNIST_LAB_CACHE` (default
    ~/.cache/mnist-lab), where the verified MNIST cache lives too."""
    environ = os.environ if environ is None else environ
    if environ.get("MNIST_LAB_DATABASE_URL"):
        return environ["MNIST_LAB_DATABASE_URL"]
    return f"sqlite:///{cache_dir(environ) / 'classroom.sqlite'}"


def unreachable(err: Exception) -> ClassroomError:
    """The one sentence for a database fault: the error's kind, never its text (which holds host and port)."""
    # TRANSLATORS: {error} is the name of a Python exception, such as OperationalError.
    return ClassroomError(_("The classroom database cannot be reached ({error}); try again in a moment, or ask "
                            "whoever runs this server to check MNIST_LAB_DATABASE_URL or MNIST_LAB_CACHE.").format(
        error=type(err).__name__))


def _sqlite_engine(url: str) -> Engine:
    """SQLite set up for several threads and processes: WAL, full sync, foreign keys, BEGIN IMMEDIATE."""
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": TIMEOUT_S})

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # let the "begin" hook below open each transaction
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # take the write lock first: no lost cap checks

    return engine


def _server_engine(url: str) -> Engine:
    """A client-server database; PostgreSQL (psycopg or psycopg2, both libpq) gets its timeouts as libpq options."""
    args = {}
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        ms = TIMEOUT_S * 1000
        args = {"connect_timeout": TIMEOUT_S, "options": f"-c statement_timeout={ms} -c lock_timeout={ms}"}
    return sa.create_engine(url, pool_pre_ping=True, pool_timeout=TIMEOUT_S, connect_args=args)


def _create_tables(engine: Engine) -> None:
    """The tables, unless they exist, with the columns later versions added. Two servers starting at once on one
    PostgreSQL both see none and both CREATE (or ALTER); the loser's fails on the winner's table (seen with two
    test processes), and a second look then finds every table and column made."""
    for attempt in range(2):
        try:
            METADATA.create_all(engine)
            with engine.begin() as conn:  # SQLite: under the write lock, so two processes do not both ALTER
                present = {column["name"] for column in sa.inspect(conn).get_columns(DRAWINGS.name)}
                for name in ADDED_COLUMNS:
                    if name not in present:
                        column = DRAWINGS.c[name]
                        kind = column.type.compile(dialect=engine.dialect)
                        conn.exec_driver_sql(f"ALTER TABLE {DRAWINGS.name} ADD COLUMN {name} {kind}")
            return
        except (IntegrityError, ProgrammingError):  # a race lost; a server that is down raises at once
            if attempt:
                raise


def connect(url: str) -> Engine:
    """An engine for `url` with the tables created; a bad URL or server gives one sentence (no password)."""
    try:
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = _sqlite_engine(url) if url.startswith("sqlite") else _server_engine(url)
        _create_tables(engine)
    except (SQLAlchemyError, OSError) as err:  # a bad URL, a missing driver, no server
        # TRANSLATORS: {error} is the name of a Python exception, such as OperationalError.
        raise ClassroomError(_("The classroom database cannot be opened ({error}); check MNIST_LAB_DATABASE_URL "
                               "or MNIST_LAB_CACHE.").format(error=type(err).__name__)) from None
    return engine
