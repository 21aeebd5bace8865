"""Filters and feature maps: a trained CNN's kernels, and what each of them finds in the digit."""

import numpy as np
import streamlit as st
from keras import layers

from mnist_core.anatomy import POOLING, conv_kernels, feature_layers, feature_maps
from mnist_core.inside_figures import heatmap, heatmap_grid
from mnist_core.models import MODELS, YOURS, display_name
from ui.state import available_models, current_digit, kept, visitor

SHOWN = 32  # more small maps than this stop being readable


def conv_model_names() -> list[str]:
    """The registry's convolutional models, and the visitor's own run when it is one too."""
    yours = visitor().your_model()
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
shown = min(SHOWN, count)
titles = [f"#{i}" for i in range(shown)]
strongest = int(maps.max(axis=(0, 1)).argmax())
silent = int((maps.max(axis=(0, 1)) == 0).sum())

if chosen == source.name:
    after = ""
elif isinstance(model.get_layer(chosen), POOLING):
    after = (f"**{chosen}** is a pooling layer with no weights of its own: it keeps the largest value in each "
             f"2×2 block of the maps before it. ")
else:
    after = f"**{chosen}** shows {source.name}'s maps after batch normalisation and ReLU (negatives set to 0). "

left, right = st.columns([1, 3])
left.plotly_chart(heatmap(image, f"Input ({image.shape[0]}×{image.shape[1]})", height=220), key="filters_input_fig")
right.markdown(
    f"**{source.name}** has {count} kernels of {kh}×{kw}"
    + (f"×{fan_in}" if fan_in > 1 else "")
    + f": {kernels.size:,} weights, learned from the training digits. Each kernel slides over the whole "
    f"input as on the Convolution page and makes one {maps.shape[0]}×{maps.shape[1]} feature map: map "
    "#i below came from kernel #i above it. "
    + (f"Here each kernel reads all {fan_in} maps of the layer below at once; the picture shows its "
       f"weights averaged over those {fan_in} input channels. " if fan_in > 1 else "")
    + after
    + f"On this digit, map #{strongest} fires strongest ({maps[..., strongest].max():.2f})"
    + (f", and {silent} of {maps.shape[-1]} maps stay at 0 everywhere: their pattern is not there."
       if silent else ", and every map finds something.")
)

st.markdown(f"**Kernels of {source.name}** (blue = positive weight, red = negative)")
averaged = np.moveaxis(kernels.mean(axis=2), -1, 0)[:shown]  # (shown, kh, kw)
st.plotly_chart(heatmap_grid(averaged, titles, cols=16, cell=48, diverging=True), key="filters_kernels_fig")
st.markdown(f"**Feature maps of {chosen} on this digit** (bright = strong, dark = 0)")
st.plotly_chart(heatmap_grid(np.moveaxis(maps, -1, 0)[:shown], titles, cell=80), key="filters_maps_fig")
if shown < count:
    st.caption(f"The first {shown} of {count} kernels and maps are shown; hover over any of them for values.")
