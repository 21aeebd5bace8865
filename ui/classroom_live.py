"""The two live parts of "Our class's digits": a student's drawing added in one step (the Draw page's canvas,
ten digit buttons with none chosen, every model's reading), and the class's results, which ask the store every
`REFRESH_S` seconds whether a drawing came (from this server or another on the same database)."""

import time

import pandas as pd
import streamlit as st

from mnist_core.classroom.rules import time_left
from mnist_core.classroom.scoring import accuracy_rows, caption, compared, comparisons, hardest, teacher_questions
from mnist_core.classroom.stats import MIN_TO_COMPARE
from mnist_core.i18n import _, integer, ngettext
from mnist_core.models.inference import fingerprint
from mnist_core.models.registry import YOURS, display_name
from mnist_core.plots.results import confusion_matrix
from ui.classroom_view import add, attempt, class_drawings, class_visit, enlarged, store
from ui.draw_view import CANVAS_PX, clear_canvas, drawn, verdicts
from ui.lesson import teacher_notes
from ui.models import available_models, test_set_evaluation
from ui.present import show, table
from ui.resources import shipped_evaluation
from ui.state import kept, or_stop

REFRESH_S = 2  # a projector shows a new drawing within this, plus one script run
GALLERY = 7    # hardest drawings on the projector: one row of 110 px at 1280×720 (seen in Chromium)
STROKE = 18    # the Draw page's default pen
# A phone (390 px) leaves ≈ 358 px for the Draw page's 400 px canvas: shrink it to fit, as fabric.js maps a
# touch through the canvas's on-screen size (checked in Chromium at 390×844: a touch-drawn 1 is read as 1, where
# it was drawn); and let the ten digits wrap instead of hiding the 9 (Streamlit's pills keep to one line).
PHONE_CSS = """<style>@media (max-width: 440px) { .st-key-draw_canvas { zoom: 0.85; } }
.st-key-class_digit [role="radiogroup"] { flex-wrap: wrap; }</style>"""


@st.fragment
def add_drawing(code: str) -> None:
    """Draw, see every model read it, tap the digit meant: the tap adds it (a stroke reruns only this part)."""
    me, models = class_visit(), available_models()
    st.html(PHONE_CSS)
    pad, seen = st.columns([CANVAS_PX + 20, 400])
    with pad:
        if st.button(_("Clear"), key="class_clear"):
            clear_canvas()
            me.cleared = True
        me.pending = drawn(st.session_state.get("draw_stroke_width", STROKE), True, me.cleared)
        me.cleared = False
        st.pills(_("The digit I meant (tapping it adds my drawing to the class)"), range(10), default=None,
                 key="class_digit", on_change=_chosen, args=(code,), disabled=me.pending is None)  # wrap on phones
        if me.note:
            (st.success if me.note[0] == "success" else st.error)(me.note[1])
    with seen:
        if me.pending is not None:
            st.caption(_("Your drawing, as each model reads it:"))
            verdicts(models, me.pending)
        elif me.last is not None:
            st.caption(_("Your last drawing, labelled {digit}, as each model read it:").format(digit=me.last[1]))
            verdicts(models, me.last[0])
        else:
            st.info(_("Draw a digit on the black square, then tap the digit you meant."))


def _chosen(code: str) -> None:
    """A digit button was tapped: add the drawing as that digit, and free the buttons for the next one."""
    digit, me = st.session_state.get("class_digit"), class_visit()
    st.session_state["class_digit"] = None
    me.note = None
    if digit is not None and me.pending is not None:
        add(code, int(digit))
        if me.last is not None and me.pending is None:
            clear_canvas()


def mnist_accuracy(models: dict) -> dict[str, float]:
    """Each model's accuracy on MNIST's test set (shared for shipped models, once per visitor for theirs)."""
    return {name: (test_set_evaluation(fingerprint(model), model) if name == YOURS else
                   or_stop(lambda n=name: shipped_evaluation(n))).accuracy for name, model in models.items()}


@st.fragment(run_every=REFRESH_S)
def results(code: str, projector: bool) -> None:
    """Count, time left, each model's accuracy with its interval, and (on the projector) the hardest drawings."""
    info = attempt(lambda: store().info(code))
    if info is None:
        return
    count = info.drawings
    # TRANSLATORS: beside the big class code; {time} is a duration such as "1 hour 59 minutes".
    st.markdown(ngettext("**{n}** drawing · closes in {time}", "**{n}** drawings · closes in {time}", count).format(
        n=integer(count), time=time_left(info.expires_at - time.time())))
    if count == 0:
        st.info(_("No drawings yet: each drawing added with this class's code appears here within seconds."))
        return
    models = available_models()
    scored = class_drawings(info, models)
    if scored is None:
        return
    images, labels, ours = scored
    mnist = mnist_accuracy(models)
    table(pd.DataFrame(accuracy_rows(ours, mnist)), hide_index=True, key="class_table")
    if count < MIN_TO_COMPARE:
        st.caption(ngettext("Percentages and intervals appear from {least} drawings on; this class has {n}.",
                            "Percentages and intervals appear from {least} drawings on; this class has {n}.",
                            count).format(least=integer(MIN_TO_COMPARE), n=integer(count)))
    if projector:
        _hardest(images, ours)
    _closer(ours, mnist)


def _hardest(images, ours: dict) -> None:
    """The drawings the best model on them found hardest, in one row."""
    best = max(ours, key=lambda name: ours[name].accuracy)
    shown = hardest(ours[best], GALLERY)
    st.markdown(_("**Our hardest drawings for {model}** (lowest probability for the digit meant)").format(
        model=display_name(best)))
    st.image(enlarged(images[shown]), caption=[caption(ours[best], i) for i in shown], width=110)


def _closer(ours: dict, mnist: dict) -> None:
    """Each model's comparison in words, and one model's confusion matrix, folded away."""
    with st.expander(_("Look closer: every model in words, and a confusion matrix")):
        for name, c in comparisons(ours, mnist).items():
            st.markdown(compared(c, name))
        name = st.selectbox(_("Confusion matrix of"), list(ours), format_func=display_name, key=kept("class_model"))
        st.plotly_chart(show(confusion_matrix(ours[name].confusion)), key="class_confusion",
                        config={"displayModeBar": False})
        st.caption(_("Rows: the digit we meant; columns: the model's reading."))
    teacher_notes(
        show=_("The code on the projector; let everyone add a few digits, and watch the results fill in."),
        notice=_("Whether the class's accuracy is higher or lower than MNIST's, whether MNIST's figure lies inside "
                 "our interval, which digits the confusion matrix lights up."),
        questions=list(teacher_questions(ours, mnist)))
