"""Filters and feature maps: a trained CNN's kernels, and what each of them finds in the digit."""

import numpy as np
import streamlit as st
from keras import layers

from mnist_core.i18n import _, integer, ngettext, number
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
    name = st.selectbox(_("Model"), conv_model_names(), format_func=display_name, key=kept("filters_model"))

image, sentence = current_digit()
st.title(_("Filters and feature maps"))
st.caption(sentence)

model = available_models()[name]

stack = feature_layers(model)
chosen = st.sidebar.selectbox(_("Layer"), [layer.name for layer in stack], key=kept("filters_layer"))
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
weights = integer(kernels.size)


def explanation() -> str:
    """What the layer's kernels are, what the chosen layer shows, and which maps fire: whole sentences."""
    shape = f"{kh}×{kw}" + (f"×{fan_in}" if fan_in > 1 else "")
    said = [ngettext("**{layer}** has {count} kernel of {shape}: {weights} weights, learned from the training digits.",
                     "**{layer}** has {count} kernels of {shape}: {weights} weights, learned from the training "
                     "digits.", count).format(layer=source.name, count=count, shape=shape, weights=weights),
            _("Each kernel slides over the whole input as on the Convolution page and makes one {h}×{w} feature map, "
              "shown right beside it.").format(h=maps.shape[0], w=maps.shape[1])]
    if fan_in > 1:
        said.append(_("Here each kernel reads all {maps} maps of the layer below at once; its picture shows its "
                      "weights on the one input map it weighs most (averaging all {maps} would cancel them into grey "
                      "noise).").format(maps=fan_in))
    if isinstance(model.get_layer(chosen), POOLING):
        said.append(_("**{layer}** is a pooling layer with no weights of its own: it keeps the largest value in each "
                      "2×2 block of the maps before it.").format(layer=chosen))
    elif chosen != source.name:
        said.append(_("**{layer}** shows {source}'s maps after batch normalisation and ReLU (negatives set to "
                      "0).").format(layer=chosen, source=source.name))
    strongest = {"map": order[0], "peak": number(peaks[order[0]], 2), "silent": silent, "count": count}
    said.append(ngettext("Sorted by their strongest response on this digit: map #{map} fires strongest ({peak}), and "
                         "{silent} of {count} maps stay at 0 everywhere: their pattern is not there.",
                         "Sorted by their strongest response on this digit: map #{map} fires strongest ({peak}), and "
                         "{silent} of {count} maps stay at 0 everywhere: their pattern is not there.",
                         silent).format(**strongest) if silent else
                _("Sorted by their strongest response on this digit: map #{map} fires strongest ({peak}), and every "
                  "map finds something.").format(**strongest))
    return " ".join(said)


left, right = st.columns([1, 3])
left.plotly_chart(show(heatmap(image, _("Input ({n}×{n})").format(n=image.shape[0]), height=220)),
                  key="filters_input_fig")
right.markdown(explanation())
st.markdown(_("**Each kernel of {source}, then its map in {layer}** — kernels: blue = positive weight, red = "
              "negative; maps: bright = strong, dark = 0").format(source=source.name, layer=chosen))
titles = [(f"#{c}", _("max {value}").format(value=number(peaks[c], 1))) for c in order]
st.plotly_chart(show(kernel_map_pairs(slices[order], np.moveaxis(maps, -1, 0)[order], titles)), key="filters_pairs_fig")
if len(order) < count:
    st.caption(_("The {shown} strongest of {count} kernels and maps are shown; hover over any for values.").format(
        shown=len(order), count=count))

teacher_notes(
    show=_("The first layer's kernels and maps, then a deeper layer, then the same layer of another model."),
    notice=_("Nobody designed these kernels: training found them. First-layer kernels look like edge and stroke "
             "detectors; deeper maps are smaller and respond to larger parts of the digit."),
    questions=[(_("How many numbers did {layer} learn?").format(layer=source.name),
                ngettext("{weights} weights in {count} kernel.", "{weights} weights in {count} kernels.",
                         count).format(weights=weights, count=count)),
               (_("Why do some maps stay dark?"),
                ngettext("{silent} of {count} here: their pattern does not occur in this digit.",
                         "{silent} of {count} here: their pattern does not occur in this digit.",
                         silent).format(silent=silent, count=count))],
)
