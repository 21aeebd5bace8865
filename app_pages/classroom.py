"""Our class's digits: a teacher opens a class, students add drawings with its code, and the class sees how
the models read its own handwriting next to MNIST's."""

import time

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core import evaluate_model
from mnist_core.classroom import ClassroomStore, database_url
from mnist_core.classroom_data import MAX_HOURS, ClassroomError, export_npz, new_secret, time_left
from mnist_core.classroom_score import accuracy_rows, caption, hardest, score_class, teacher_questions
from mnist_core.figures import confusion_matrix
from mnist_core.models import YOURS, display_name
from ui.lesson import teacher_notes
from ui.present import show
from ui.resources import shipped_evaluation, test_set
from ui.state import available_models, current_digit, kept, or_stop, visitor

LIFETIMES = {"1 hour": 1, "2 hours": 2, "1 day": 24, "1 week": 168, "30 days": MAX_HOURS}
GALLERY = 12
me = visitor()


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
    return [np.kron(image, np.ones((3, 3), np.uint8)) for image in images]  # 84×84, crisp pixels


def choose_class() -> None:
    """The first screen: open a class (teacher) or join one with its code (student)."""
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
    me.classroom.code = me.classroom.teacher = me.classroom.scores = None


def teacher_tools(code: str) -> None:
    """Download the drawings as MNIST-style .npz, and delete the class (teacher key from this session)."""
    images, labels = store().drawings(code)
    st.download_button(f"Download the {len(labels)} drawings (.npz)", export_npz(images, labels),
                       file_name=f"class-{code}.npz", mime="application/octet-stream", key="class_download",
                       help="x_test: uint8 (N, 28, 28), y_test: uint8 (N,), the keys of keras's mnist.npz.")
    if st.button("Delete the class now", key="class_delete") and attempt(
            lambda: store().delete_class(code, me.classroom.teacher[1])) is not None:
        leave()
        st.rerun()
    st.caption(f"Teacher key: `{me.classroom.teacher[1]}`. Keep it to manage this class from "
               "another browser; students never need it.")


def add(code: str, image: np.ndarray, label: int) -> None:
    saved = attempt(lambda: store().add_drawing(code, me.classroom.token, image, label))
    if saved:
        st.toast(f"Saved your {label}: you have added {saved} of {store().visitor_cap} drawings.")


def contribute(code: str) -> None:
    """Add the drawing from the Draw page (where every drawing is checked) with the digit it was meant to be."""
    label = st.selectbox("The digit I meant", range(10), key=kept("class_label"))
    image, sentence = current_digit()
    drew = me.drawing is not None  # current_digit falls back to a test digit
    picture, act = st.columns([1, 3], vertical_alignment="center")
    picture.image(np.kron(image, np.ones((5, 5))), caption=sentence, width=140, clamp=True)
    if act.button(f"Add my current drawing as a {label}", key="class_add_current", disabled=not drew,
                  type="primary"):
        add(code, image, label)
    act.caption("Draw your next digit on the Draw page, then come back here to add it.")


def mnist_scores(models: dict) -> dict:
    """Each model's evaluation on MNIST's test set: shared for shipped models, once per session for yours."""
    scores = {name: or_stop(lambda n=name: shipped_evaluation(n)) for name in models if name != YOURS}
    if YOURS in models:
        if me.classroom.yours_mnist is None or me.classroom.yours_mnist[0] is not models[YOURS]:
            me.classroom.yours_mnist = (models[YOURS], evaluate_model(models[YOURS], *or_stop(test_set)))
        scores[YOURS] = me.classroom.yours_mnist[1]
    return scores


def class_scores(code: str, images: np.ndarray, labels: np.ndarray, models: dict) -> dict:
    """The class's evaluations, kept for one (class, drawing count, models) so reruns do not rescore."""
    key = (code, len(labels), tuple(id(m) for m in models.values()))
    if me.classroom.scores is None or me.classroom.scores[0] != key:
        me.classroom.scores = (key, score_class(models, images, labels))
    return me.classroom.scores[1]


st.title("Our class's digits")
st.caption("Everyone draws, the models read, and we see whether they read us as well as they read MNIST. "
           "No names are asked for or kept; a class is seen only by those with its code.")
me.classroom.token = me.classroom.token or new_secret()  # a random token, for the per-visitor cap only
if attempt(store) is None:  # the database cannot be opened: its one sentence is shown
    st.stop()
if me.classroom.code is None:
    choose_class()
    st.stop()

code = me.classroom.code
info = attempt(lambda: store().info(code))
if info is None:
    st.button("Back", key="class_back", on_click=leave)
    st.stop()
teacher = me.classroom.teacher is not None
banner, side = st.columns([3, 2])
banner.markdown(f"<div style='font:700 5.5rem monospace;letter-spacing:.25em'>{code}</div>",
                unsafe_allow_html=True)
about = banner.empty()  # filled once this run's drawing is saved
with side:
    if teacher:
        teacher_tools(code)
    st.button("Leave this class", key="class_leave", on_click=leave)

st.subheader("Add a drawing")
contribute(code)

images, labels = store().drawings(code)
about.caption(f"Class code · {len(labels)} drawings · closes in {time_left(info.expires_at - time.time())}")
if len(labels) == 0:
    st.info("No drawings yet: add the first one above, and this class's results appear here.")
    st.stop()
models = available_models()
ours, mnist = class_scores(code, images, labels, models), mnist_scores(models)
mnist_accuracy = {name: evaluation.accuracy for name, evaluation in mnist.items()}
st.subheader(f"How the models read our {len(labels)} drawings")
st.dataframe(pd.DataFrame(accuracy_rows(ours, mnist_accuracy)), hide_index=True, key="class_table",
             column_config={c: st.column_config.NumberColumn(format="percent") for c in ("our drawings",
                                                                                          "MNIST test set")}
             | {"gap (points)": st.column_config.NumberColumn(format="%.1f")})
name = st.selectbox("Look closer at", list(models), format_func=display_name, key=kept("class_model"))
matrix, gallery = st.columns([2, 3])
with matrix:
    st.plotly_chart(show(confusion_matrix(ours[name].confusion)), key="class_confusion",
                    config={"displayModeBar": False})
    st.caption("Rows: the digit we meant; columns: the model's reading.")
with gallery:
    ours_hard, mnist_hard = hardest(ours[name], GALLERY), hardest(mnist[name], GALLERY)
    st.markdown("**Our hardest drawings** (lowest probability for the digit meant)")
    st.image(enlarged(images[ours_hard]), caption=[caption(ours[name], i) for i in ours_hard])
    st.markdown(f"**MNIST's hardest**, of its {len(mnist[name].labels):,} test digits")
    st.image(enlarged(or_stop(test_set)[0][mnist_hard]), caption=[caption(mnist[name], i) for i in mnist_hard])

teacher_notes(
    show="The code on the projector; let everyone add a few digits, then open the results together.",
    notice="How far the accuracy on our drawings falls below MNIST's, which digits the confusion matrix lights "
           "up, and whether our hardest drawings look harder than MNIST's.",
    questions=list(teacher_questions(ours, mnist_accuracy)))
