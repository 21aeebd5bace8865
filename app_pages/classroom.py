"""Our class's digits: a teacher opens a class, students add drawings with its code, and the class sees how
the models read its own handwriting next to MNIST's."""

import time

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_drawable_canvas import st_canvas

from mnist_core import evaluate_model
from mnist_core.classroom import ClassroomStore, database_url
from mnist_core.classroom_data import MAX_HOURS, ClassroomError, export_npz, new_secret, time_left
from mnist_core.classroom_score import accuracy_rows, caption, hardest, score_class, teacher_questions
from mnist_core.figures import confusion_matrix
from mnist_core.models import display_name
from mnist_core.preprocess import canvas_to_mnist
from ui.resources import shipped_evaluation, test_set
from ui.state import available_models, current_digit, or_stop

LIFETIMES = {"1 hour": 1, "2 hours": 2, "1 day": 24, "1 week": 168, "30 days": MAX_HOURS}
GALLERY = 12


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
                                    key="class_lifetime")
        if st.button("Open a class", key="class_open", type="primary"):
            opened = attempt(lambda: store().open_class(LIFETIMES[lifetime]))
            if opened:
                st.session_state["class_code"], st.session_state["class_teacher"] = opened[0], opened
                st.rerun()
    with join:
        st.subheader("I have a class code")
        typed = st.text_input("Class code", max_chars=8, key="class_code_input", placeholder="e.g. K7MP2Q")
        key = st.text_input("Teacher key (teachers only)", type="password", key="class_key_input")
        joined = attempt(lambda: store().info(typed)) if st.button("Join", key="class_join") else None
        if joined:
            code = st.session_state["class_code"] = joined.code
            st.session_state["class_teacher"] = (code, key) if key and store().is_teacher(code, key) else None
            st.rerun()


def leave() -> None:
    st.session_state["class_code"] = st.session_state["class_teacher"] = st.session_state["class_scores"] = None


def teacher_tools(code: str) -> None:
    """Download the drawings as MNIST-style .npz, and delete the class (teacher key from this session)."""
    images, labels = store().drawings(code)
    st.download_button(f"Download the {len(labels)} drawings (.npz)", export_npz(images, labels),
                       file_name=f"class-{code}.npz", mime="application/octet-stream", key="class_download",
                       help="x_test: uint8 (N, 28, 28), y_test: uint8 (N,), the keys of keras's mnist.npz.")
    if st.button("Delete the class now", key="class_delete") and attempt(
            lambda: store().delete_class(code, st.session_state["class_teacher"][1])) is not None:
        leave()
        st.rerun()
    st.caption(f"Teacher key: `{st.session_state['class_teacher'][1]}`. Keep it to manage this class from "
               "another browser; students never need it.")


def add(code: str, image: np.ndarray, label: int) -> None:
    saved = attempt(lambda: store().add_drawing(code, st.session_state["class_visitor"], image, label))
    if saved:
        st.toast(f"Saved your {label}: you have added {saved} of {store().visitor_cap} drawings.")


def contribute(code: str) -> None:
    """Add the Draw page's drawing, or draw here, with the digit it was meant to be."""
    label = st.selectbox("The digit I meant", range(10), key="class_label")
    mine, here = st.columns(2)
    with mine:
        image, sentence = current_digit()
        drew = st.session_state.get("drawing") is not None  # current_digit falls back to a test digit
        st.image(np.kron(image, np.ones((5, 5))), caption=sentence, width=140, clamp=True)
        if st.button(f"Add my current drawing as a {label}", key="class_add_current", disabled=not drew):
            add(code, image, label)
    with here:
        version = st.session_state.setdefault("class_canvas_version", 0)
        result = st_canvas(stroke_width=18, stroke_color="#FFFFFF", background_color="#000000", width=196,
                           height=196, drawing_mode="freedraw", return_image_data=True,
                           key=f"class_canvas_{version}")
        drawn = canvas_to_mnist(result.image_data) if result is not None and result.image_data is not None else None
        if st.button(f"Add this drawing as a {label}", key="class_add_canvas", disabled=drawn is None):
            add(code, drawn, label)
            st.session_state["class_canvas_version"] += 1  # a fresh, empty canvas for the next one
            st.rerun()


def mnist_scores(models: dict) -> dict:
    """Each model's evaluation on MNIST's test set: shared for shipped models, once per session for yours."""
    scores = {name: or_stop(lambda n=name: shipped_evaluation(n)) for name in models if name != "yours"}
    if "yours" in models:
        kept = st.session_state.get("class_yours_mnist")
        if kept is None or kept[0] is not models["yours"]:
            kept = st.session_state["class_yours_mnist"] = (models["yours"], evaluate_model(models["yours"],
                                                                                            *or_stop(test_set)))
        scores["yours"] = kept[1]
    return scores


def class_scores(code: str, images: np.ndarray, labels: np.ndarray, models: dict) -> dict:
    """The class's evaluations, kept for one (class, drawing count, models) so reruns do not rescore."""
    key = (code, len(labels), tuple(id(m) for m in models.values()))
    kept = st.session_state.get("class_scores")
    if kept is None or kept[0] != key:
        kept = st.session_state["class_scores"] = (key, score_class(models, images, labels))
    return kept[1]


st.title("Our class's digits")
st.caption("Everyone draws, the models read, and we see whether they read us as well as they read MNIST. "
           "No names are asked for or kept; a class is seen only by those with its code.")
st.session_state.setdefault("class_visitor", new_secret())  # a random token, for the per-visitor cap only
for state_key in ("class_code", "class_teacher", "class_scores"):
    st.session_state.setdefault(state_key, None)
if attempt(store) is None:  # the database cannot be opened: its one sentence is shown
    st.stop()
if st.session_state["class_code"] is None:
    choose_class()
    st.stop()

code = st.session_state["class_code"]
info = attempt(lambda: store().info(code))
if info is None:
    st.button("Back", key="class_back", on_click=leave)
    st.stop()
teacher = st.session_state["class_teacher"] is not None
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
name = st.selectbox("Look closer at", list(models), format_func=lambda n: "Your model" if n == "yours"
                    else display_name(n), key="class_model")
matrix, gallery = st.columns([2, 3])
with matrix:
    st.plotly_chart(confusion_matrix(ours[name].confusion), key="class_confusion", config={"displayModeBar": False})
    st.caption("Rows: the digit we meant; columns: the model's reading.")
with gallery:
    ours_hard, mnist_hard = hardest(ours[name], GALLERY), hardest(mnist[name], GALLERY)
    st.markdown("**Our hardest drawings** (lowest probability for the digit meant)")
    st.image(enlarged(images[ours_hard]), caption=[caption(ours[name], i) for i in ours_hard])
    st.markdown(f"**MNIST's hardest**, of its {len(mnist[name].labels):,} test digits")
    st.image(enlarged(or_stop(test_set)[0][mnist_hard]), caption=[caption(mnist[name], i) for i in mnist_hard])

with st.expander("Teacher's notes"):
    st.markdown("**Show** the code on the projector; let everyone add a few digits, then open the results "
                "together. **Notice** how far the accuracy on our drawings falls below MNIST's, which digits "
                "the confusion matrix lights up, and whether our hardest drawings look harder than MNIST's.")
    for question, answer in teacher_questions(ours, mnist_accuracy):
        st.markdown(f"- **{question}** {answer}")
