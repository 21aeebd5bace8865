"""Evaluate: a model's test accuracy, per-class scores, confusion matrix and the digits it gets wrong."""

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core.evaluate import format_report
from mnist_core.plots.live import pixelated
from mnist_core.plots.results import confusion_matrix
from ui.lesson import teacher_notes
from ui.models import evaluation_of, model_choices
from ui.present import show, table
from ui.state import drawing, kept

GALLERY = 24     # most confident mistakes shown
CELL_SHOWN = 48  # images shown for one square of the confusion matrix

choices = model_choices()
with st.sidebar:
    label = st.selectbox("Model", list(choices), key=kept("eval_model"))

st.title("Evaluate a model")
evaluation, images = evaluation_of(choices[label])
st.caption(f"Every number here is computed on the {len(images):,} official MNIST test digits, none of which "
           "the models saw during training.")
wrong = np.flatnonzero(evaluation.predictions != evaluation.labels)
st.metric("Test accuracy", f"{evaluation.accuracy:.2%}",
          help=f"{len(wrong)} of {len(evaluation.labels):,} test digits misread.")


def enlarged(indices: np.ndarray) -> list[np.ndarray]:
    return [pixelated(images[i]) for i in indices]


def guesses(i: int) -> str:
    top = np.argsort(evaluation.probabilities[i])[::-1][:2]
    p = evaluation.probabilities[i]
    return f"true {evaluation.labels[i]}: {top[0]} ({p[top[0]]:.0%}), {top[1]} ({p[top[1]]:.0%})"


matrix, scores = st.columns([3, 2])
with scores:
    table(pd.DataFrame({"precision": evaluation.precision, "recall": evaluation.recall,
                        "F1": evaluation.f1, "support": evaluation.confusion.sum(axis=1)}),
          dict.fromkeys(("precision", "recall", "F1"), "%.4f"))
    st.caption("Precision: of the images called *d*, how many were *d*. Recall: of the *d*s, how many "
               "were found. F1 balances the two.")
with matrix:
    event = st.plotly_chart(show(confusion_matrix(evaluation.confusion)), on_select="rerun", selection_mode="points",
                            key="eval_confusion", config={"displayModeBar": False})
    st.caption("Rows: the true digit; columns: the model's answer. Click a square to see those images.")

points = event.selection.points if event and event.selection else []
off_diagonal = evaluation.confusion * (1 - np.eye(10, dtype=int))
true_top, predicted_top = np.unravel_index(off_diagonal.argmax(), off_diagonal.shape)
true, predicted = (points[0]["y"], points[0]["x"]) if points else (true_top, predicted_top)
cell = np.flatnonzero((evaluation.labels == true) & (evaluation.predictions == predicted))
shown = cell[:CELL_SHOWN]
st.subheader(f"True {true}, read as {predicted}: {len(cell)} images"
             + (f", the first {len(shown)} shown" if len(shown) < len(cell) else "")
             + ("" if points else " (the most common mistake; click another square)"))
if len(cell):
    st.image(enlarged(shown), caption=[guesses(i) for i in shown])

worst = wrong[np.argsort(-evaluation.probabilities[wrong].max(axis=1))][:GALLERY]
st.subheader(f"Misread digits, most confident mistakes first: {len(worst)} of {len(wrong)}")
st.image(enlarged(worst), caption=[guesses(i) for i in worst])


def look_closer(index: int) -> None:
    """Make test digit `index` the digit every look-inside page shows, and say so there."""
    sent = drawing()
    sent.image = images[index].astype(np.float32) / 255
    sent.note = (f"Showing test digit #{index}, a {evaluation.labels[index]} that {label} read as "
                       f"{evaluation.predictions[index]}, sent from Evaluate. Draw on the Draw page to see your own.")


pick, go = st.columns([3, 1], vertical_alignment="bottom")
chosen = pick.selectbox("Look closer at a misread digit", worst, format_func=lambda i: f"#{i}: {guesses(i)}",
                        key="eval_misread")
if chosen is not None and go.button("See where the models looked", key="eval_look", width="stretch"):
    look_closer(int(chosen))
    st.switch_page("app_pages/saliency.py")

with st.expander("The same numbers as `python -m mnist_core.evaluate`"):
    st.code(format_report(evaluation), language=None)

teacher_notes(
    show="The accuracy, then the darkest red square of the confusion matrix, then the most confident mistakes.",
    notice="The mistakes are not random: a few pairs of digits account for many of them, and some misread "
           "digits would fool a person too.",
    questions=[("Which mistake does this model make most?",
                f"Reading a {true_top} as a {predicted_top}: {off_diagonal.max()} times in "
                f"{len(evaluation.labels):,} digits."),
               ("Is accuracy enough?", f"No: {len(wrong)} misreads are spread unevenly; recall per digit runs "
                f"from {evaluation.recall.min():.1%} to {evaluation.recall.max():.1%}.")],
)
