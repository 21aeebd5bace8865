"""Home: the three shipped models, their sizes and their accuracy measured here on the test set."""

from functools import partial

import numpy as np
import streamlit as st

from mnist_core import MODELS
from mnist_core.drawing.prepare import BOX
from mnist_core.models.inference import SIDE
from mnist_core.models.registry import display_name
from mnist_core.plots.live import pixelated
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.resources import device, shipped_evaluation, test_set
from ui.state import or_stop

st.title("MNIST Lab")
st.caption("How neural networks read handwritten digits: draw one, look inside, train your own.")

models = available_models()  # stops the page with one sentence if a model file is missing
test_images = len(or_stop(test_set)[1])
st.markdown(f"Three networks were trained on MNIST's training set of handwritten digits. Below, each is scored "
            f"right now on the {test_images:,} official test digits it never saw during training.")

for column, (name, spec) in zip(st.columns(len(MODELS)), MODELS.items()):
    with column:
        st.subheader(spec.display_name)
        st.metric("Parameters", f"{models[name].count_params():,}", border=True)
        evaluation = or_stop(partial(shipped_evaluation, name))
        errors = int(round((1 - evaluation.accuracy) * len(evaluation.labels)))
        st.metric("Test accuracy", f"{evaluation.accuracy:.2%}", border=True,
                  help=f"{errors} of {len(evaluation.labels):,} official test digits misread.")
        st.write(spec.description)

st.subheader("What MNIST's digits look like")
images, labels = or_stop(test_set)
firsts = [int(np.flatnonzero(labels == d)[0]) for d in range(10)]  # the first test digit of each class
st.image([pixelated(images[i]) for i in firsts],
         caption=[f"test #{i}: a {labels[i]}" for i in firsts])
st.caption("Written by American high-school students and Census Bureau employees, scanned, then cropped, fitted "
           f"into a {BOX}×{BOX} box and centred in {SIDE}×{SIDE} pixels: what the models learned from.")

st.divider()
st.markdown(f"**Training device:** {device()}. Training runs use it automatically.")

scores = {name: or_stop(partial(shipped_evaluation, name)).accuracy for name in MODELS}
best, worst = max(scores, key=scores.get), min(scores, key=scores.get)
sizes = {name: models[name].count_params() for name in MODELS}
largest = max(sizes, key=sizes.get)
teacher_notes(
    show=f"The {len(MODELS)} cards: how big each network is, and how often it is right on digits it never saw.",
    notice=(f"More weights do not mean more accuracy: the {display_name(largest)} is the largest "
            f"({sizes[largest]:,} weights), the {display_name(best)} the most accurate." if largest != best else
            f"The {display_name(best)} is both the largest ({sizes[best]:,} weights) and the most accurate."),
    questions=[(f"How many of the {test_images:,} test digits does the {display_name(worst)} get wrong, and the "
                f"{display_name(best)}?",
                f"{round((1 - scores[worst]) * test_images)} and {round((1 - scores[best]) * test_images)}."),
               ("Why score on a separate test set?", "A network can memorise the digits it trained on; only "
                "digits it never saw show whether it learned to read.")],
)
