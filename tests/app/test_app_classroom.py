"""The classroom page under AppTest (a teacher and a student in separate sessions, one database), and the
class's scores against independent answers: each model's own forward pass, and the test accuracy
recorded in its model card when it was trained."""

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from mnist_core import load_mnist, load_shipped_models
from mnist_core.classroom.rules import time_left
from mnist_core.classroom.scoring import hardest, teacher_questions, weakest_digit
from mnist_core.classroom.store import ClassroomStore, database_url
from mnist_core.models.metrics import evaluate_model
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import MODELS_DIR
from tests.support import ROOT
from tests.support.apptest import assert_ok
from ui.state import Drawing, part_key

PAGE = str(ROOT / "app_pages" / "classroom.py")  # the page alone, fast
MISLABELLED = (3, 8)  # drawings the student labels wrong on purpose: every model must "miss" them


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


def test_a_student_joins_adds_drawings_and_sees_the_class_scored():
    _, code = teacher_opens()
    student = visit()
    student.text_input(key="class_code_input").input(f"{code[:3].lower()} {code[3:]}")
    student.button(key="class_join").click().run()
    assert shown_code(student) == code and not any("Teacher key" in c.value for c in student.caption)
    assert student.button(key="class_add_current").disabled  # no drawing yet: the sample digit is not added
    images, labels = load_mnist()[1][0][:10], load_mnist()[1][1][:10]
    meant = [(int(d) + 1) % 10 if i in MISLABELLED else int(d) for i, d in enumerate(labels)]
    for image, digit in zip(images, meant):
        student.session_state[part_key(Drawing)] = Drawing(image=image.astype(np.float32) / 255)
        student.selectbox(key="class_label").set_value(digit).run()
        student.button(key="class_add_current").click().run()
        assert_ok(student)
    stored, stored_labels = ClassroomStore(database_url()).drawings(code)
    assert stored.tobytes() == images.tobytes() and stored_labels.tolist() == meant
    table = student.dataframe[0].value.set_index("model")
    for name, model in load_shipped_models().items():  # oracle: the model called directly
        right = np.mean(np.argmax(model(images[..., None] / 255, training=False), axis=1) == meant)
        row = table.loc[display_name(name)]
        assert row["our drawings"] == pytest.approx(right)
        card = MODELS_DIR / f"{name}.json"
        if card.exists():
            assert row["MNIST test set"] == pytest.approx(json.loads(card.read_text())["test_accuracy"], abs=5e-5)
    assert "10 drawings" in " ".join(c.value for c in student.caption)
    assert any("of our 10 drawings right" in m.value for m in student.markdown)


def test_wrong_codes_get_one_sentence():
    at = visit()
    for typed, message in (("ZZZZZZ", "No open class has the code ZZZZZZ"), ("abc", "A class code is 6 letters")):
        at.text_input(key="class_code_input").input(typed)
        at.button(key="class_join").click().run()
        assert_ok(at)
        assert message in at.error[0].value and "/" not in at.error[0].value


def test_the_teachers_first_drawing_is_counted_at_once_and_in_the_singular():
    teacher, _ = teacher_opens()
    teacher.session_state[part_key(Drawing)] = Drawing(image=load_mnist()[1][0][0].astype(np.float32) / 255)
    teacher.selectbox(key="class_label").set_value(7).run()
    teacher.button(key="class_add_current").click().run()  # the download is drawn after the drawing is saved
    assert_ok(teacher)
    assert "Download the 1 drawing (.npz)" in [b.label for b in teacher.get("download_button")]
    assert any(c.value.startswith("Class code · 1 drawing · closes in") for c in teacher.caption)
    assert "How the models read our 1 drawing" in [h.value for h in teacher.subheader]


def test_the_teacher_deletes_the_class_and_the_drawings():
    teacher, code = teacher_opens()
    store = ClassroomStore(database_url())
    assert any("Teacher key" in c.value for c in teacher.caption)
    teacher.button(key="class_delete").click().run()
    assert_ok(teacher)
    assert teacher.button(key="class_open")  # back at the first screen
    with pytest.raises(ValueError, match="No open class"):
        store.info(code)


class Fixed:
    """A stand-in model that answers with given probabilities (for hand-checkable confusion matrices)."""

    def __init__(self, probabilities: np.ndarray) -> None:
        self.probabilities = probabilities

    def predict_on_batch(self, x: np.ndarray) -> np.ndarray:
        return self.probabilities[:len(x)]


def test_weakest_digit_hardest_drawings_and_questions_are_computed():
    labels = np.array([1, 1, 1, 7, 7])
    readings = [1, 1, 1, 1, 7]  # one 7 read as a 1
    p_true = [0.9, 0.6, 0.99, 0.2, 0.8]
    probabilities = np.full((5, 10), 0.0)
    for i, (digit, read, p) in enumerate(zip(labels, readings, p_true)):
        probabilities[i, read] = p if read == digit else 1 - p
        probabilities[i, digit] = p
    evaluation = evaluate_model(Fixed(probabilities), np.zeros((5, 28, 28), np.uint8), labels)
    assert evaluation.accuracy == 0.8
    assert weakest_digit(evaluation) == (7, 1, 2, 1)
    assert hardest(evaluation, 3).tolist() == [3, 1, 4]
    questions = dict(teacher_questions({"cnn": evaluation}, {"cnn": 0.9947}))
    answers = " ".join(questions.values())
    assert "CNN reads 80% of our 5 drawings right" in answers
    assert "Our 7s: CNN read 1 of 2 right, most often as 1" in answers
    assert "19.5 percentage points lower" in answers


@pytest.mark.parametrize(("seconds", "words"), [(59, "less than a minute"), (61, "1 minute"),
                                                 (7140, "1 hour 59 minutes"), (86400 * 30, "30 days"),
                                                 (90000, "1 day 1 hour")])
def test_time_left(seconds, words):
    assert time_left(seconds) == words
