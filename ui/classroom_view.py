"""The parts of "Our class's digits": the classroom store, opening or joining a class, the teacher's tools,
adding a drawing, and the scores the page keeps per visitor (so reruns do not rescore)."""

import numpy as np
import streamlit as st

from mnist_core import evaluate_model
from mnist_core.classroom.rules import MAX_HOURS, ClassroomError, export_npz, new_secret
from mnist_core.classroom.scoring import score_class
from mnist_core.classroom.store import ClassroomStore, database_url
from mnist_core.models.registry import YOURS
from mnist_core.plots.live import pixelated
from ui.resources import shipped_evaluation, test_set
from ui.state import current_digit, kept, or_stop, visitor

LIFETIMES = {"1 hour": 1, "2 hours": 2, "1 day": 24, "1 week": 168, "30 days": MAX_HOURS}


def drawings(count: int) -> str:
    """ "1 drawing", "2 drawings"."""
    return f"{count} drawing" + ("" if count == 1 else "s")


@st.cache_resource(show_spinner="Opening the classroom database…")
def open_store(url: str) -> ClassroomStore:
    return ClassroomStore(url)


def store() -> ClassroomStore:
    return open_store(database_url())  # $MNIST_LAB_DATABASE_URL, or SQLite in $MNIST_LAB_DATA_DIR


def attempt(action):
    """Run a classroom action; a refusal (bad code, cap reached, class closed…) is shown as its one sentence."""
    try:
        return action()
    except ClassroomError as err:
        st.error(str(err))
        return None


def enlarged(images: np.ndarray) -> list[np.ndarray]:
    return [pixelated(image) for image in images]


def visitor_token() -> None:
    """A random token for this visitor, for the per-visitor cap only (no names are kept)."""
    me = visitor()
    me.classroom.token = me.classroom.token or new_secret()


def choose_class() -> None:
    """The first screen: open a class (teacher) or join one with its code (student)."""
    me = visitor()
    teach, join = st.columns(2, border=True)
    with teach:
        st.subheader("I am the teacher")
        lifetime = st.select_slider("The class and its drawings are deleted after", list(LIFETIMES), "2 hours",
                                    key=kept("class_lifetime"))
        if st.button("Open a class", key="class_open", type="primary"):
            opened = attempt(lambda: store().open_class(LIFETIMES[lifetime]))
            if opened:
                me.classroom.code, me.classroom.teacher = opened[0], opened
                st.rerun()
    with join:
        st.subheader("I have a class code")
        typed = st.text_input("Class code", max_chars=8, key="class_code_input", placeholder="e.g. K7MP2Q")
        key = st.text_input("Teacher key (teachers only)", type="password", key="class_key_input")
        joined = attempt(lambda: store().info(typed)) if st.button("Join", key="class_join") else None
        if joined:
            code = me.classroom.code = joined.code
            me.classroom.teacher = (code, key) if key and store().is_teacher(code, key) else None
            st.rerun()


def leave() -> None:
    classroom = visitor().classroom
    classroom.code = classroom.teacher = classroom.scores = None


def teacher_tools(code: str, images: np.ndarray, labels: np.ndarray) -> None:
    """Download the class's drawings (`images`, `labels`: all of them, this one's included) as MNIST-style
    .npz, and delete the class (teacher key from this session)."""
    teacher = visitor().classroom.teacher
    st.download_button(f"Download the {drawings(len(labels))} (.npz)", export_npz(images, labels),
                       file_name=f"class-{code}.npz", mime="application/octet-stream", key="class_download",
                       help="x_test: uint8 (N, 28, 28), y_test: uint8 (N,), the keys of keras's mnist.npz.")
    if st.button("Delete the class now", key="class_delete") and attempt(
            lambda: store().delete_class(code, teacher[1])) is not None:
        leave()
        st.rerun()
    st.caption(f"Teacher key: `{teacher[1]}`. Keep it to manage this class from another browser; students "
               "never need it.")


def contribute(code: str) -> None:
    """Add the drawing from the Draw page (where every drawing is checked) with the digit it was meant to be."""
    me = visitor()
    label = st.selectbox("The digit I meant", range(10), key=kept("class_label"))
    image, sentence = current_digit()
    drew = me.drawing is not None  # current_digit falls back to a test digit
    picture, act = st.columns([1, 3], vertical_alignment="center")
    picture.image(np.kron(image, np.ones((5, 5))), caption=sentence, width=140, clamp=True)
    if act.button(f"Add my current drawing as a {label}", key="class_add_current", disabled=not drew,
                  type="primary"):
        saved = attempt(lambda: store().add_drawing(code, me.classroom.token, image, label))
        if saved:
            st.toast(f"Saved your {label}: you have added {saved} of {store().visitor_cap} drawings.")
    act.caption("Draw your next digit on the Draw page, then come back here to add it.")


def mnist_scores(models: dict) -> dict:
    """Each model's evaluation on MNIST's test set: shared for shipped models, once per session for yours."""
    classroom = visitor().classroom
    scores = {name: or_stop(lambda n=name: shipped_evaluation(n)) for name in models if name != YOURS}
    if YOURS in models:
        if classroom.yours_mnist is None or classroom.yours_mnist[0] is not models[YOURS]:
            classroom.yours_mnist = (models[YOURS], evaluate_model(models[YOURS], *or_stop(test_set)))
        scores[YOURS] = classroom.yours_mnist[1]
    return scores


def class_scores(code: str, images: np.ndarray, labels: np.ndarray, models: dict) -> dict:
    """The class's evaluations, kept for one (class, drawing count, models) so reruns do not rescore."""
    classroom = visitor().classroom
    key = (code, len(labels), tuple(id(m) for m in models.values()))
    if classroom.scores is None or classroom.scores[0] != key:
        classroom.scores = (key, score_class(models, images, labels))
    return classroom.scores[1]
