"""Filters and feature maps: a trained CNN's kernels, and what each of them finds in the digit."""

import numpy as np
import streamlit as st
from keras import layers

from mnist_core.inside.anatomy import POOLING, conv_kernels, feature_layers, feature_maps, strongest_slices
from mnist_core.models.registry import MODELS, YOURS, display_name
from mnist_core.plots.inside import heatmap, kernel_map_pairs
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.runs import my_runs
from ui.state import current_digit, kept

SHOWN = 32  # more small maps than this stop being readable


def conv_model_names() -> list[str]:
    """The registry's convolutional models, and the visitor's own run when it is one too."""
    yours = my_runs().your_model()
    return [name for name, spec in MODELS.items() if spec.convolutional] + (
        [YOURS] if yours is not None and conv_kernels(yours) else [])


with st.sidebar:
    name = st.selectbox("Model", conv_model_names(), format_func=display_name, key=kept("filters_model"))

image, sentence = current_digit()
st.title("Filters and feature maps")
st.caption(sentence)

model = available_models()[name]

stack = feature_layers(model)
chosen = st.sidebar.selectbox("Layer", [layer.name for layer in stack], key=kept("filters_layer"))
# A pooling layer has no weights: show the kernels of the conv layer whose maps it pools.
upto = stack[:[layer.name for layer in stack].index(chosen) + 1]
source = next(layer for layer in reversed(upto) if isinstance(layer, layers.Conv2D))
kernels = dict(conv_kernels(model))[source.name]  # (kh, kw, in, out)
maps = dict(feature_maps(model, image))[chosen]  # (H, W, C)
kh, kw, fan_in, count = kernels.shape
peaks = maps.max(axis=(0, 1))  # (C,) each map's strongest response
order = np.argsort(-peaks, kind="stable")[:SHOWN]  # strongest first, so the strongest is always on screen
silent = int((peaks == 0).sum())
slices, channel = strongest_slices(kernels)  # (count, kh, kw)

if chosen == source.name:
    after = ""
elif isinstance(model.get_layer(chosen), POOLING):
    after = (f"**{chosen}** is a pooling layer with no weights of its own: it keeps the largest value in each "
             f"2×2 block of the maps before it. ")
else:
    after = f"**{chosen}** shows {source.name}'s maps after batch normalisation and ReLU (negatives set to 0). "

left, right = st.columns([1, 3])
left.plotly_chart(show(heatmap(image, f"Input ({image.shape[0]}×{image.shape[1]})", height=220)),
                  key="filters_input_fig")
right.markdown(
    f"**{source.name}** has {count} kernels of {kh}×{kw}" + (f"×{fan_in}" if fan_in > 1 else "")
    + f": {kernels.size:,} weights, learned from the training digits. Each kernel slides over the whole "
    f"input as on the Convolution page and makes one {maps.shape[0]}×{maps.shape[1]} feature map, shown "
    "right beside it. "
    + (f"Here each kernel reads all {fan_in} maps of the layer below at once; its picture shows its weights "
       f"on the one input map it weighs most (averaging all {fan_in} would cancel them into grey noise). "
       if fan_in > 1 else "")
    + after
    + f"Sorted by their strongest response on this digit: map #{order[0]} fires strongest ({peaks[order[0]]:.2f})"
    + (f", and {silent} of {count} maps stay at 0 everywhere: their pattern is not there."
       if silent else ", and every map finds something.")
)
st.markdown(f"**Each kernel of {source.name}, then its map in {chosen}** — kernels: blue = positive weight, "
            "red = negative; maps: bright = strong, dark = 0")
titles = [(f"#{c}", f"max {peaks[c]:.1f}") for c in order]
st.plotly_chart(show(kernel_map_pairs(slices[order], np.moveaxis(maps, -1, 0)[order], titles)), key="filters_pairs_fig")
if len(order) < count:
    st.caption(f"The {len(order)} strongest of {count} kernels and maps are shown; hover over any for values.")

teacher_notes(
    show="The first layer's kernels and maps, then a deeper layer, then the same layer of another model.",
    notice="Nobody designed these kernels: training found them. First-layer kernels look like edge and stroke "
           "detectors; deeper maps are smaller and respond to larger parts of the digit.",
    questions=[(f"How many numbers did {source.name} learn?", f"{kernels.size:,} weights in {count} kernels."),
               ("Why do some maps stay dark?",
                f"{silent} of {count} here: their pattern does not occur in this digit.")],
)
