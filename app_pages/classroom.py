"""Our class's digits: a teacher opens a class, students add drawings with its code, and the class sees how
the models read its own handwriting next to MNIST's."""

import time

import pandas as pd
import streamlit as st

from mnist_core.classroom.rules import time_left
from mnist_core.classroom.scoring import accuracy_rows, caption, hardest, teacher_questions
from mnist_core.i18n import _, integer, ngettext
from mnist_core.models.registry import display_name
from mnist_core.plots.results import confusion_matrix
from ui.classroom_view import (
    attempt,
    choose_class,
    class_scores,
    class_visit,
    contribute,
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
BANNER = "<div style='font:700 5.5rem monospace;letter-spacing:.25em'>{code}</div>"  # the code, for the projector
me = class_visit()

st.title(_("Our class's digits"))
st.caption(_("Everyone draws, the models read, and we see whether they read us as well as they read MNIST. "
             "No names are asked for or kept; a class is seen only by those with its code."))
visitor_token()
if attempt(store) is None:  # the database cannot be opened: its one sentence is shown
    st.stop()
if me.code is None:
    choose_class()
    st.stop()

code = me.code
info = attempt(lambda: store().info(code))
if info is None:
    st.button(_("Back"), key="class_back", on_click=leave)
    st.stop()
teacher = me.teacher is not None
banner, side = st.columns([3, 2])
banner.markdown(BANNER.format(code=code), unsafe_allow_html=True)
about = banner.empty()  # filled, like the side column, once this run's drawing is saved

st.subheader(_("Add a drawing"))
contribute(code)

images, labels = store().drawings(code)
count = len(labels)
# TRANSLATORS: under the big class code; {time} is a duration such as "1 hour 59 minutes".
about.caption(ngettext("Class code · {n} drawing · closes in {time}", "Class code · {n} drawings · closes in {time}",
                       count).format(n=integer(count), time=time_left(info.expires_at - time.time())))
with side:
    if teacher:
        teacher_tools(code, images, labels)
    st.button(_("Leave this class"), key="class_leave", on_click=leave)
if count == 0:
    st.info(_("No drawings yet: add the first one above, and this class's results appear here."))
    st.stop()
models = available_models()
ours, mnist = class_scores(code, images, labels, models), mnist_scores(models)
mnist_accuracy = {name: evaluation.accuracy for name, evaluation in mnist.items()}
st.subheader(ngettext("How the models read our {n} drawing", "How the models read our {n} drawings", count).format(
    n=integer(count)))
formats = {_("our drawings"): "percent", _("MNIST test set"): "percent", _("gap (points)"): "%.1f"}  # accuracy_rows'
table(pd.DataFrame(accuracy_rows(ours, mnist_accuracy)), formats, hide_index=True, key="class_table")
name = st.selectbox(_("Look closer at"), list(models), format_func=display_name, key=kept("class_model"))
matrix, gallery = st.columns([2, 3])
with matrix:
    st.plotly_chart(show(confusion_matrix(ours[name].confusion)), key="class_confusion",
                    config={"displayModeBar": False})
    st.caption(_("Rows: the digit we meant; columns: the model's reading."))
with gallery:
    ours_hard, mnist_hard = hardest(ours[name], GALLERY), hardest(mnist[name], GALLERY)
    st.markdown(_("**Our hardest drawings** (lowest probability for the digit meant)"))
    st.image(enlarged(images[ours_hard]), caption=[caption(ours[name], i) for i in ours_hard])
    tested = len(mnist[name].labels)
    st.markdown(ngettext("**MNIST's hardest**, of its {n} test digit", "**MNIST's hardest**, of its {n} test digits",
                         tested).format(n=integer(tested)))
    st.image(enlarged(or_stop(test_set)[0][mnist_hard]), caption=[caption(mnist[name], i) for i in mnist_hard])

teacher_notes(
    show=_("The code on the projector; let everyone add a few digits, then open the results together."),
    notice=_("How far the accuracy on our drawings falls below MNIST's, which digits the confusion matrix lights "
             "up, and whether our hardest drawings look harder than MNIST's."),
    questions=list(teacher_questions(ours, mnist_accuracy)))
