"""Your digit's journey: the drawing followed through every layer of one model, from pixels to ten
probabilities, as the model itself computes it."""

import numpy as np
import streamlit as st

from mnist_core.inside.anatomy import journey
from mnist_core.models.registry import MODELS, display_name
from mnist_core.plots.inside import activation_bars, heatmap, heatmap_grid
from mnist_core.plots.results import probability_bars
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.state import current_digit, kept

SHOWN = 8  # maps per layer: the strongest on this digit

image, sentence = current_digit()
st.title("Your digit's journey")
st.caption(sentence)
models = available_models()
first_conv = next(n for n, spec in MODELS.items() if spec.convolutional)  # maps make the better first journey
name = st.segmented_control("Follow it through", list(models), format_func=display_name,
                            default=first_conv, key=kept("journey_model")) or first_conv
stages = journey(models[name], image)
WHAT = {"convolution": "slides its kernels over the maps below it", "ReLU": "sets every negative value to 0",
        "pooling": "keeps the largest value in each 2×2 block", "dense": "weighs every number below it, for each unit"}

left, right = st.columns([1, 3])
left.plotly_chart(show(heatmap(image, "Input: 28×28 pixels", height=220)), key="journey_input")
right.markdown(f"The {display_name(name)} turns these {image.size} numbers into ten probabilities in "
               f"{len(stages)} steps. At each step below: what the layer does, how many numbers come out, and "
               "the strongest of them. Bright means large and dark 0; before a ReLU, blue is positive, red negative.")
for i, stage in enumerate(stages):
    if stage.kind == "output":
        p = stage.values
        st.markdown(f"**{i + 1}. {stage.name}, the output**: ten probabilities that add up to 1; the largest, "
                    f"**{p.argmax()}** at {p.max():.1%}, is the verdict.")
        st.plotly_chart(show(probability_bars({name: p})), key="journey_output")
    elif stage.values.ndim == 3:
        h, w, c = stage.values.shape
        peaks = stage.values.max(axis=(0, 1))
        order = np.argsort(-peaks)[:SHOWN]
        st.markdown(f"**{i + 1}. {stage.name}** ({stage.kind}) {WHAT[stage.kind]}: {c} maps of {h}×{w} = "
                    f"{stage.values.size:,} numbers; the {len(order)} strongest:")
        signed = bool(stage.values.min() < 0)  # a convolution before its ReLU: blue for, red against
        st.plotly_chart(show(heatmap_grid(np.moveaxis(stage.values, -1, 0)[order],
                                          [f"#{k} ({peaks[k]:.1f})" for k in order], cols=SHOWN, cell=80,
                                          diverging=signed)),
                        key=f"journey_{i}")
    else:
        active = int((stage.values > 0).sum())
        st.markdown(f"**{i + 1}. {stage.name}** ({stage.kind}) {WHAT[stage.kind]}: {stage.values.size} units, "
                    f"{active} of them active (above 0) on this digit.")
        st.plotly_chart(show(activation_bars(stage.values, f"{stage.name}: {stage.values.size} units")),
                        key=f"journey_{i}")

sizes = [stage.values.size for stage in stages]
teacher_notes(
    show="Follow the drawing down the page: pixels, maps that shrink and multiply, a row of units, ten numbers.",
    notice="The maps get smaller but more numerous: the network trades where for what.",
    questions=[(f"How many numbers does the {display_name(name)} hold at each step for this digit?",
                " → ".join(f"{n:,}" for n in [image.size, *sizes]) + "."),
               ("Where does the decision happen?", "Only in the last layer do the numbers become digits; "
                "every layer before builds the features it needs.")])
