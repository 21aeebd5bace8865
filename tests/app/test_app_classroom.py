"""The classroom page under AppTest (a teacher and students in separate sessions, one database): a drawing added
in one step from the page's own canvas, scored by every model and checked against each model called directly
and the test accuracy in its model card; the teacher key kept off the projector; duplicates, shared caps and
database faults each given one sentence."""

import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from sqlalchemy.exc import OperationalError
from streamlit.runtime.context import ContextProxy
from streamlit.testing.v1 import AppTest

from mnist_core import MODELS, load_mnist, load_shipped_models
from mnist_core.classroom.rules import time_left
from mnist_core.classroom.store import ClassroomStore, database_url
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import MODELS_DIR
from tests.support import ROOT
from tests.support.apptest import assert_ok
from tests.support.images import data_url
from ui.classroom_view import open_store

PAGE = str(ROOT / "app_pages" / "classroom.py")  # the page alone, fast
CANVAS = 400  # ui.draw_view.CANVAS_PX
MISLABELLED = (1, 3)  # drawings the student labels wrong on purpose: every model must "miss" them


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MNIST_LAB_CACHE", str(tmp_path))
    monkeypatch.delenv("MNIST_LAB_DATABASE_URL", raising=False)


def visit() -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=300)
    at.run()
    assert_ok(at)
    return at


def shown_code(at: AppTest) -> str:
    return re.search(r">([A-Z2-9]{6})</div>", at.markdown[0].value).group(1)


def teacher_opens() -> tuple[AppTest, str]:
    at = visit()
    at.button(key="class_open").click().run()
    assert_ok(at)
    return at, shown_code(at)


def student_joins(code: str) -> AppTest:
    student = visit()
    student.text_input(key="class_code_input").input(f"{code[:3].lower()} {code[3:]}")
    student.button(key="class_join").click().run()
    assert_ok(student)
    return student


def canvas_value(digit: np.ndarray) -> dict:
    """What the browser's canvas sends for an MNIST digit drawn large: white ink on black, a 400×400 PNG."""
    ink = np.zeros((CANVAS, CANVAS), np.uint8)
    ink[4:396, 4:396] = np.kron(digit, np.ones((14, 14), np.uint8))
    rgba = np.empty((CANVAS, CANVAS, 4), np.uint8)
    rgba[..., :3], rgba[..., 3] = ink[..., None], 255
    png = io.BytesIO()
    Image.fromarray(rgba).save(png, "PNG")
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": data_url(png.getvalue())}}


def draw_and_tap(at: AppTest, digit_image: np.ndarray, digit: int) -> None:
    at.session_state["draw_canvas"] = canvas_value(digit_image)
    at.run()
    assert at.button_group(key="class_digit").value is None  # no digit chosen for the student
    at.button_group(key="class_digit").set_value(digit).run()
    assert_ok(at)


def all_text(at: AppTest) -> str:
    return " ".join(e.value for kind in ("markdown", "caption", "text", "success", "error", "info")
                    for e in getattr(at, kind))


def test_a_student_adds_drawings_in_one_step_and_sees_the_class_scored():
    _, code = teacher_opens()
    student = student_joins(code)
    assert shown_code(student) == code and "Teacher key" not in all_text(student)
    assert student.button_group(key="class_digit").disabled  # nothing drawn yet
    images, labels = load_mnist()[1][0][:5], load_mnist()[1][1][:5]
    meant = [(int(d) + 1) % 10 if i in MISLABELLED else int(d) for i, d in enumerate(labels)]
    for image, digit in zip(images, meant):
        draw_and_tap(student, image, digit)
        assert [m.label for m in student.metric] == [display_name(n) for n in MODELS]  # every model read it
        assert student.success[0].value.startswith(f"Saved your {digit}: you have added")
    stored, stored_labels = ClassroomStore(database_url()).drawings(code)
    assert stored_labels.tolist() == meant and len(stored) == 5
    table = student.dataframe[0].value.set_index("model")
    for name, model in load_shipped_models().items():  # oracle: the model called directly on what was stored
        right = int(np.sum(np.argmax(model(stored[..., None] / 255, training=False), axis=1) == meant))
        row = table.loc[display_name(name)]
        assert row["read right"] == f"{right} of 5" and row["our drawings (95% interval)"] == (
            "too few drawings to compare")
        card = MODELS_DIR / f"{name}.json"
        if card.exists():
            assert row["MNIST test set"] == f"{100 * json.loads(card.read_text())['test_accuracy']:.2f}%"
    assert "**5** drawings · closes in" in all_text(student)


def test_an_identical_drawing_is_refused_with_a_sentence():
    _, code = teacher_opens()
    student = student_joins(code)
    digit = load_mnist()[1][0][0]
    draw_and_tap(student, digit, 7)
    draw_and_tap(student, digit, 7)  # the same pixels sent again
    assert [e.value for e in student.error] == [
        "This class already has exactly this drawing; draw the digit again to add another."]
    assert ClassroomStore(database_url()).info(code).drawings == 1


def test_the_teacher_key_is_shown_only_on_request_and_deletes_the_class():
    teacher, code = teacher_opens()
    key = open_store(database_url())  # the same store the page uses
    assert "Teacher key" not in all_text(teacher) and not re.search(r"[0-9a-f]{32}", all_text(teacher))
    teacher.toggle(key="class_show_key").set_value(True).run()
    shown = re.search(r"Teacher key: `([0-9a-f]{32})`", all_text(teacher)).group(1)
    assert key.is_teacher(code, shown)
    teacher.button(key="class_delete").click().run()
    assert_ok(teacher)
    assert teacher.button(key="class_open")  # back at the first screen
    with pytest.raises(ValueError, match="No open class"):
        key.info(code)


def test_the_teachers_first_drawing_is_counted_at_once_and_in_the_singular():
    teacher, _ = teacher_opens()
    teacher.segmented_control(key="class_view").set_value("add").run()
    draw_and_tap(teacher, load_mnist()[1][0][0], 7)
    assert "**1** drawing · closes in" in all_text(teacher)
    assert "MLP read 1 of our 1 drawing right: too few drawings to compare" in all_text(teacher) or \
        "MLP read 0 of our 1 drawing right: too few drawings to compare" in all_text(teacher)


def test_a_new_session_from_the_same_address_keeps_the_addresses_count(monkeypatch):
    """Issue 30: the per-visitor count reset with every page session. Counted per client address, a new session
    (a new browser id: AppTest sends no cookie) from the same address is still refused."""
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: "203.0.113.7"))
    _, code = teacher_opens()
    open_store(database_url()).client_cap = 1
    test_digits = load_mnist()[1][0]
    draw_and_tap(student_joins(code), test_digits[0], 1)
    late = student_joins(code)  # a fresh session: a new browser id
    draw_and_tap(late, test_digits[1], 1)
    assert [e.value for e in late.error] == ["Your network has added 1 drawing to this class, the most one address "
                                             "may, so that others can add theirs too."]
    monkeypatch.setattr(ContextProxy, "ip_address", property(lambda self: "198.51.100.2"))
    elsewhere = student_joins(code)
    draw_and_tap(elsewhere, test_digits[1], 1)
    assert not elsewhere.error and ClassroomStore(database_url()).info(code).drawings == 2


def test_a_database_fault_mid_class_is_one_sentence_not_a_traceback(monkeypatch):
    _, code = teacher_opens()
    student = student_joins(code)
    fault = OperationalError("SELECT", {}, Exception("connection to server at 10.1.2.3, port 5432 failed"))
    monkeypatch.setattr(open_store(database_url()).engine, "begin", lambda: (_ for _ in ()).throw(fault))
    student.run()
    assert_ok(student)
    sentences = {e.value for e in student.error}
    assert sentences == {"The classroom database cannot be reached (OperationalError); try again in a moment, or ask "
                         "whoever runs this server to check MNIST_LAB_DATABASE_URL or MNIST_LAB_CACHE."}


def test_wrong_codes_get_one_sentence():
    at = visit()
    for typed, message in (("ZZZZZZ", "No open class has the code ZZZZZZ"), ("abc", "A class code is 6 letters")):
        at.text_input(key="class_code_input").input(typed)
        at.button(key="class_join").click().run()
        assert_ok(at)
        assert message in at.error[0].value and "/" not in at.error[0].value


@pytest.mark.parametrize(("seconds", "words"), [(59, "less than a minute"), (61, "1 minute"),
                                                 (7140, "1 hour 59 minutes"), (86400 * 30, "30 days"),
                                                 (90000, "1 day 1 hour")])
def test_time_left(seconds, words):
    assert time_left(seconds) == words
