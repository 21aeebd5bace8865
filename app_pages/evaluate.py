"""Evaluate: a model's test accuracy, per-class scores, confusion matrix and the digits it gets wrong."""

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.evaluate import format_report
from mnist_core.i18n import _, integer, ngettext, percent
from mnist_core.models.shipped import percent as probability  # a probability as the verdict cards write it
from mnist_core.plots.live import pixelated
from mnist_core.plots.results import confusion_matrix
from ui.lesson import teacher_notes
from ui.models import evaluation_of, model_choices
from ui.present import show, table
from ui.selection import chosen
from ui.state import drawing, kept

GALLERY = 24     # most confident mistakes shown
CELL_SHOWN = 48  # images shown for one square of the confusion matrix

choices = model_choices()
with st.sidebar:
    label = st.selectbox(_("Model"), list(choices), key=kept("eval_model"))

st.title(_("Evaluate a model"))
evaluation, images = evaluation_of(choices[label])
st.caption(_("Every number here is computed on the {digits} official MNIST test digits, none of which the models "
             "saw during training.").format(digits=integer(len(images))))
wrong = np.flatnonzero(evaluation.predictions != evaluation.labels)
st.metric(_("Test accuracy"), percent(evaluation.accuracy, 2),
          help=_("{wrong} of {digits} test digits misread.").format(wrong=integer(len(wrong)),
                                                                    digits=integer(len(evaluation.labels))))


def enlarged(indices: np.ndarray) -> list[np.ndarray]:
    return [pixelated(images[i]) for i in indices]


def guesses(i: int) -> str:
    top = np.argsort(evaluation.probabilities[i])[::-1][:2]
    p = evaluation.probabilities[i]
    # TRANSLATORS: an image's caption: its true digit, then the model's two likeliest answers and their probabilities.
    return _("true {digit}: {first} ({p_first}), {second} ({p_second})").format(
        digit=evaluation.labels[i], first=top[0], p_first=probability(p[top[0]]), second=top[1],
        p_second=probability(p[top[1]]))


matrix, scores = st.columns([1, 1])  # the per-digit table needs ≈ 400 px at presenter size
with scores:
    written = {name: [percent(v, 2) for v in values] for name, values in
               ((_("precision"), evaluation.precision), (_("recall"), evaluation.recall), ("F1", evaluation.f1))}
    table(pd.DataFrame({_("digit"): range(10), **written, _("support"): evaluation.confusion.sum(axis=1)}),
          hide_index=True)
    st.caption(_("Precision: of the images called *d*, how many were *d*. Recall: of the *d*s, how many were "
                 "found. F1 balances the two."))
with matrix:
    event = st.plotly_chart(show(confusion_matrix(evaluation.confusion)), on_select="rerun", selection_mode="points",
                            key="eval_confusion", config={"displayModeBar": False})
    st.caption(_("Rows: the true digit; columns: the model's answer. Click a square to see those images."))

points = chosen(event, "y", "x", below=len(evaluation.confusion))  # (true, predicted), checked
off_diagonal = evaluation.confusion * (1 - np.eye(10, dtype=int))
true_top, predicted_top = np.unravel_index(off_diagonal.argmax(), off_diagonal.shape)
true, predicted = points or (true_top, predicted_top)
cell = np.flatnonzero((evaluation.labels == true) & (evaluation.predictions == predicted))
shown = cell[:CELL_SHOWN]
if len(shown) < len(cell):
    heading = _("True {true}, read as {predicted}: {n} images, the first {shown} shown")
else:
    heading = ngettext("True {true}, read as {predicted}: {n} image", "True {true}, read as {predicted}: {n} images",
                       len(cell))
heading = heading.format(true=true, predicted=predicted, n=integer(len(cell)), shown=integer(len(shown)))
st.subheader(heading if points else heading + " " + _("(the most common mistake; click another square)"))
if len(cell):
    st.image(enlarged(shown), caption=[guesses(i) for i in shown])

worst = wrong[np.argsort(-evaluation.probabilities[wrong].max(axis=1))][:GALLERY]
st.subheader(_("Misread digits, most confident mistakes first: {shown} of {wrong}").format(
    shown=integer(len(worst)), wrong=integer(len(wrong))))
st.image(enlarged(worst), caption=[guesses(i) for i in worst])


def look_closer(index: int) -> None:
    """Make test digit `index` the digit every look-inside page shows, and say so there."""
    sent = drawing()
    sent.image = images[index].astype(np.float32) / 255
    sent.note = _("Showing test digit #{index}, labelled {digit}, that {model} read as {predicted}, sent from "
                  "Evaluate. Draw on the Draw page to see your own.").format(
        index=index, digit=evaluation.labels[index], model=label, predicted=evaluation.predictions[index])


pick, go = st.columns([3, 1], vertical_alignment="bottom")
chosen = pick.selectbox(_("Look closer at a misread digit"), worst, format_func=lambda i: f"#{i}: {guesses(i)}",
                        key="eval_misread")
if chosen is not None and go.button(_("See where the models looked"), key="eval_look", width="stretch"):
    look_closer(int(chosen))
    st.switch_page("app_pages/saliency.py")

with st.expander(_("The same numbers as {command}").format(command="`python -m mnist_core.evaluate`")):
    st.code(format_report(evaluation), language=None)

teacher_notes(
    show=_("The accuracy, then the darkest red square of the confusion matrix, then the most confident mistakes."),
    notice=_("The mistakes are not random: a few pairs of digits account for many of them, and some misread digits "
             "would fool a person too."),
    questions=[(_("Which mistake does this model make most?"),
                _("A true {true} read as {predicted}: {count} times in {digits} digits.").format(
                    true=true_top, predicted=predicted_top, count=integer(off_diagonal.max()),
                    digits=integer(len(evaluation.labels)))),
               (_("Is accuracy enough?"), _("No: {wrong} misreads are spread unevenly; recall per digit runs from "
                "{lowest} to {highest}.").format(wrong=integer(len(wrong)), lowest=percent(evaluation.recall.min()),
                                                 highest=percent(evaluation.recall.max())))],
)
