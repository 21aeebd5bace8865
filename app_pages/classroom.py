"""Our class's digits: a teacher opens a class, students add drawings with its code, and the class sees how
the models read its own handwriting next to MNIST's."""

import time

import pandas as pd
import streamlit as st

from mnist_core.classroom.rules import time_left
from mnist_core.classroom.scoring import accuracy_rows, caption, hardest, teacher_questions
from mnist_core.models.registry import display_name
from mnist_core.plots.results import confusion_matrix
from ui.classroom_view import (
    attempt,
    choose_class,
    class_scores,
    class_visit,
    contribute,
    drawings,
    enlarged,
    leave,
    mnist_scores,
    store,
    teacher_tools,
    visitor_token,
)
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show, table
from ui.resources import test_set
from ui.state import kept, or_stop

GALLERY = 12
me = class_visit()

st.title("Our class's digits")
st.caption("Everyone draws, the models read, and we see whether they read us as well as they read MNIST. "
           "No names are asked for or kept; a class is seen only by those with its code.")
visitor_token()
if attempt(store) is None:  # the database cannot be opened: its one sentence is shown
    st.stop()
if me.code is None:
    choose_class()
    st.stop()

code = me.code
info = attempt(lambda: store().info(code))
if info is None:
    st.button("Back", key="class_back", on_click=leave)
    st.stop()
teacher = me.teacher is not None
banner, side = st.columns([3, 2])
banner.markdown(f"<div style='font:700 5.5rem monospace;letter-spacing:.25em'>{code}</div>",
                unsafe_allow_html=True)
about = banner.empty()  # filled, like the side column, once this run's drawing is saved

st.subheader("Add a drawing")
contribute(code)

images, labels = store().drawings(code)
about.caption(f"Class code · {drawings(len(labels))} · closes in {time_left(info.expires_at - time.time())}")
with side:
    if teacher:
        teacher_tools(code, images, labels)
    st.button("Leave this class", key="class_leave", on_click=leave)
if len(labels) == 0:
    st.info("No drawings yet: add the first one above, and this class's results appear here.")
    st.stop()
models = available_models()
ours, mnist = class_scores(code, images, labels, models), mnist_scores(models)
mnist_accuracy = {name: evaluation.accuracy for name, evaluation in mnist.items()}
st.subheader(f"How the models read our {drawings(len(labels))}")
table(pd.DataFrame(accuracy_rows(ours, mnist_accuracy)), {"our drawings": "percent", "MNIST test set": "percent",
                                                           "gap (points)": "%.1f"}, hide_index=True, key="class_table")
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
