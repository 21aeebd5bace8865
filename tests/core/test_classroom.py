"""The classroom store against known answers: MNIST's own bytes round-trip through the database and the
`.npz` export, expiry follows an injected clock, caps and validation hold (also under concurrent
writers), and drawings a SIGKILLed writer reported saved are all there. Runs on SQLite; on PostgreSQL
too when MNIST_LAB_TEST_POSTGRES_URL is set (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres)."""

import hashlib
import io
import itertools
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mnist_core import load_mnist
from mnist_core.classroom import store as store_module
from mnist_core.classroom.rules import CODE_ALPHABET, ClassroomError, export_npz, new_secret
from mnist_core.classroom.store import DRAWINGS, ClassroomStore, database_url
from tests.support import ROOT
from tests.support.images import drawing

POSTGRES = os.environ.get("MNIST_LAB_TEST_POSTGRES_URL")
X_TEST_SHA256 = "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"  # keras's x_test bytes
BACKENDS = ["sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.skipif(
    not POSTGRES, reason="set MNIST_LAB_TEST_POSTGRES_URL to test against PostgreSQL")])]


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'class.sqlite'}" if request.param == "sqlite" else POSTGRES


@pytest.fixture(scope="module")
def mnist_test():
    return load_mnist()[1]


def rows_for(store: ClassroomStore, code: str) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).where(DRAWINGS.c.class_code == code))


def test_mnist_digits_round_trip_through_database_and_npz(url, mnist_test):
    images, labels = mnist_test[0][:120], mnist_test[1][:120]
    store = ClassroomStore(url, visitor_cap=200)
    code, _ = store.open_class(1)
    visitor = new_secret()
    for image, label in zip(images, labels):  # floats in [0, 1], as the Draw page hands them over
        store.add_drawing(code, visitor, image.astype(np.float32) / 255, int(label) if label % 2 else label)
    x, y = store.drawings(code)
    assert x.dtype == y.dtype == np.uint8 and x.shape == (120, 28, 28)
    assert x.tobytes() == images.tobytes() and y.tobytes() == labels.astype(np.uint8).tobytes()
    exported = export_npz(x, y)
    with np.load(io.BytesIO(exported)) as npz:
        assert sorted(npz.files) == ["x_test", "y_test"]
        assert npz["x_test"].tobytes() == images.tobytes() and list(npz["y_test"]) == list(labels)
    assert export_npz(*store.drawings(code)) == exported  # same drawings, same file


def test_npz_export_of_the_whole_test_set_has_keras_bytes(mnist_test):
    with np.load(io.BytesIO(export_npz(*mnist_test))) as npz:
        assert hashlib.sha256(npz["x_test"].tobytes()).hexdigest() == X_TEST_SHA256
        assert np.bincount(npz["y_test"]).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_a_class_expires_when_the_teacher_said(url):
    clock = Clock()
    store = ClassroomStore(url, clock=clock)
    code, _ = store.open_class(2)
    store.add_drawing(code, new_secret(), np.zeros((28, 28), np.float32), 0)
    clock.now += 2 * 3600 - 1
    assert store.info(code).drawings == 1
    clock.now += 1
    for call in (lambda: store.info(code), lambda: store.drawings(code),
                 lambda: store.add_drawing(code, new_secret(), np.zeros((28, 28), np.float32), 0)):
        with pytest.raises(ClassroomError, match=f"No open class has the code {code}"):
            call()
    assert rows_for(store, code) == 1  # gone from view at once, from the disk at the next purge
    assert store.purge_expired() >= 1 and rows_for(store, code) == 0


def test_only_the_teacher_key_deletes_a_class(url):
    store = ClassroomStore(url)
    code, key = store.open_class(1)
    for i in range(3):
        store.add_drawing(code, new_secret(), drawing(i), 1)
    other_code, other_key = store.open_class(1)
    for wrong in (other_key, "", key.upper()):
        with pytest.raises(ClassroomError, match="Only the teacher"):
            store.delete_class(code, wrong)
    assert store.is_teacher(code, key) and not store.is_teacher(code, other_key)
    assert store.delete_class(code, key) == 3 and rows_for(store, code) == 0
    with pytest.raises(ClassroomError, match="No open class"):
        store.info(code)
    assert store.info(other_code).drawings == 0


def test_caps_per_visitor_and_per_class(url):
    store = ClassroomStore(url, class_cap=5, visitor_cap=3)
    code, _ = store.open_class(1)
    a, b, c = new_secret(), new_secret(), new_secret()
    assert [store.add_drawing(code, a, drawing(i), 4) for i in range(3)] == [1, 2, 3]
    with pytest.raises(ClassroomError, match="You have added 3 drawings to this class, the most one visitor may."):
        store.add_drawing(code, a, drawing(3), 4)
    assert [store.add_drawing(code, b, drawing(i), 4) for i in range(4, 6)] == [1, 2]
    with pytest.raises(ClassroomError, match="This class is full: it already holds 5 drawings."):
        store.add_drawing(code, c, drawing(6), 4)
    assert store.info(code).drawings == 5


def test_class_cap_holds_under_concurrent_writers(url):
    store = ClassroomStore(url, class_cap=20, visitor_cap=100)
    code, _ = store.open_class(1)
    refused, numbers = [], itertools.count()

    def write() -> None:
        visitor = new_secret()
        for _ in range(10):
            try:
                store.add_drawing(code, visitor, drawing(next(numbers)), 2)
            except ClassroomError as err:
                refused.append(str(err))

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.info(code).drawings == 20 and len(refused) == 20
    assert set(refused) == {"This class is full: it already holds 20 drawings."}


BAD_INPUTS = [
    (np.zeros((28, 27), np.float32), 3, "A drawing must be a 28×28 image."),
    (np.zeros((1, 28, 28), np.uint8), 3, "A drawing must be a 28×28 image."),
    (np.zeros((28, 28)).tolist(), 3, "A drawing must be a 28×28 image."),
    (np.full((28, 28), 1.5), 3, "A drawing's pixels must be numbers from 0 to 1."),
    (np.full((28, 28), np.nan), 3, "A drawing's pixels must be numbers from 0 to 1."),
    (np.full((28, 28), -0.1), 3, "A drawing's pixels must be numbers from 0 to 1."),
    (np.zeros((28, 28), np.int64), 3, "A drawing's pixels must be numbers from 0 to 1."),
    (np.zeros((28, 28), np.uint8), 3, "A drawing's pixels must be numbers from 0 to 1."),
    (np.zeros((28, 28)), 10, "The digit you meant must be a whole number from 0 to 9, not 10."),
    (np.zeros((28, 28)), -1, "must be a whole number from 0 to 9"),
    (np.zeros((28, 28)), 3.0, "must be a whole number from 0 to 9"),
    (np.zeros((28, 28)), True, "must be a whole number from 0 to 9"),
    (np.zeros((28, 28)), "3", "must be a whole number from 0 to 9"),
]


@pytest.mark.parametrize(("image", "label", "message"), BAD_INPUTS)
def test_anything_but_a_28x28_image_and_a_digit_is_refused(tmp_path, image, label, message):
    store = ClassroomStore(f"sqlite:///{tmp_path / 'c.sqlite'}")
    code, _ = store.open_class(1)
    with pytest.raises(ClassroomError, match=message.replace("(", r"\(")) as err:
        store.add_drawing(code, new_secret(), image, label)
    assert not re.search(r"\.\s+[A-Z]", str(err.value)) and store.info(code).drawings == 0  # one sentence


def test_codes_hours_tokens_and_urls_are_checked(tmp_path):
    store = ClassroomStore(f"sqlite:///{tmp_path / 'c.sqlite'}")
    code, key = store.open_class(720)
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET) and not set(code) & set("0O1IL")
    assert store.info(f" {code[:3].lower()} {code[3:]} ").code == code  # as typed off a projector
    for hours in (0.5, 721, "2", True):
        with pytest.raises(ClassroomError, match="A class stays open from 1 hour to 30 days"):
            store.open_class(hours)
    for typed in ("ABC", "ABCDE0", 123456):
        with pytest.raises(ClassroomError, match="A class code is 6 letters and digits"):
            store.info(typed)
    with pytest.raises(ClassroomError, match="no valid visitor token"):
        store.add_drawing(code, "Alice", np.zeros((28, 28)), 1)
    with pytest.raises(ClassroomError, match="cannot be opened") as err:
        ClassroomStore("postgresql+nosuchdriver://user:hunter2@localhost/db")
    assert "hunter2" not in str(err.value)


def test_database_url_from_environment(tmp_path):
    assert database_url({"MNIST_LAB_CACHE": str(tmp_path)}) == f"sqlite:///{tmp_path}/classroom.sqlite"
    assert database_url({"MNIST_LAB_DATABASE_URL": "postgresql+psycopg://h/db"}) == "postgresql+psycopg://h/db"
    assert database_url({}) == f"sqlite:///{Path.home()}/.cache/mnist-lab/classroom.sqlite"


WRITER = """
import sys
from mnist_core.classroom.store import ClassroomStore
from tests.support.images import drawing
store = ClassroomStore(sys.argv[1], class_cap=10**6, visitor_cap=10**6)
for i in range(10**6):
    store.add_drawing(sys.argv[2], sys.argv[3], drawing(i), i % 10)
    print(i, flush=True)  # only after the commit returned
"""


def test_no_reported_drawing_is_lost_when_the_server_is_killed(url):
    store = ClassroomStore(url)
    code, _ = store.open_class(1)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, code, new_secret()], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                              env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    acknowledged = [int(writer.stdout.readline()) for _ in range(40)]
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    acknowledged += [int(line) for line in writer.stdout.read().split()]
    x, y = ClassroomStore(url).drawings(code)  # a fresh engine, as after a restart
    assert acknowledged == list(range(len(acknowledged))) and len(x) >= len(acknowledged)
    for i in acknowledged:
        assert x[i].tobytes() == np.round(drawing(i) * 255).astype(np.uint8).tobytes() and y[i] == i % 10


def test_a_server_that_loses_the_race_to_create_the_tables_still_opens_the_store(tmp_path, monkeypatch):
    """Two servers starting at once on one PostgreSQL both CREATE; the loser's fails (UniqueViolation, as two
    test processes showed in CI). Here the first create_all fails as the loser's did, after the winner made
    the tables: the store must open, with its tables, and not report a broken database."""
    url = f"sqlite:///{tmp_path / 'class.sqlite'}"
    create_all, calls = store_module.METADATA.create_all, []

    def loses_once(engine, **kwargs):
        calls.append(engine)
        create_all(engine, **kwargs)  # the winner's tables are there now
        if len(calls) == 1:
            raise IntegrityError("CREATE TABLE classroom_classes", {}, Exception("duplicate key value"))

    monkeypatch.setattr(store_module.METADATA, "create_all", loses_once)
    store = ClassroomStore(url)
    assert len(calls) == 2 and store.open_class(1)[0]
