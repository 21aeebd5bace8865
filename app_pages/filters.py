"""Filters and feature maps: a trained CNN's kernels, and what each of them finds in the digit."""

import numpy as np
import streamlit as st
from keras import layers

from mnist_core.i18n import _, integer, ngettext, number, percent
from mnist_core.inside.anatomy import (
    DARK,
    POOLING,
    conv_kernels,
    dark_maps,
    feature_layers,
    feature_maps,
    strongest_slices,
    weights_and_biases,
)
from mnist_core.models.registry import MODELS, YOURS, display_name
from mnist_core.plots.inside import heatmap, kernel_map_pairs
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.runs import my_runs
from ui.state import current_digit, kept

SHOWN = 24  # the strongest kernels and maps shown, three pairs to a row
PAIRS_PER_ROW, TILE_PX = 3, 140  # tiles ≈ 125 px wide at 1280×720: readable from the back of a classroom


def conv_model_names() -> list[str]:
    """The registry's convolutional models, and the visitor's own run when it is one too."""
    yours = my_runs().your_model()
    return [name for name, spec in MODELS.items() if spec.convolutional] + (
        [YOURS] if yours is not None and conv_kernels(yours) else [])


image, sentence = current_digit()
st.title(_("Filters and feature maps"))
st.caption(sentence)

pick_model, pick_layer = st.columns(2)
name = pick_model.selectbox(_("Model"), conv_model_names(), format_func=display_name, key=kept("filters_model"))
model = available_models()[name]
stack = feature_layers(model)
chosen = pick_layer.selectbox(_("Layer"), [layer.name for layer in stack], key=kept("filters_layer"))
# A pooling layer or a ReLU has no kernels: show those of the last convolution at or before it.
upto = model.layers[:[layer.name for layer in model.layers].index(chosen) + 1]
source = next(layer for layer in reversed(upto) if isinstance(layer, layers.Conv2D))
kernels = dict(conv_kernels(model))[source.name]  # (kh, kw, in, out)
maps = dict(feature_maps(model, image))[chosen]  # (H, W, C)
kh, kw, fan_in, count = kernels.shape
peaks = maps.max(axis=(0, 1))  # (C,) each map's strongest response
order = np.argsort(-peaks, kind="stable")[:SHOWN]  # strongest first, so the strongest is always on screen
dark = int(dark_maps(maps)[order].sum())  # dark beside the strongest, among the maps shown
slices, channel = strongest_slices(kernels)  # (count, kh, kw)
weights, biases = weights_and_biases(source)
learned = {"layer": source.name, "count": count, "weights": integer(weights), "biases": integer(biases)}
strongest_counts = {"dark": dark, "shown": len(order), "tenth": percent(DARK, 0)}


def explanation() -> str:
    """What the layer's kernels are, what the chosen layer shows, and which maps fire: whole sentences."""
    shape = f"{kh}×{kw}" + (f"×{fan_in}" if fan_in > 1 else "")
    said = [(ngettext("**{layer}** has {count} kernel of {shape}: {weights} weights and {biases} biases, learned from "
                      "the training digits.", "**{layer}** has {count} kernels of {shape}: {weights} weights and "
                      "{biases} biases, learned from the training digits.", count) if biases else
             ngettext("**{layer}** has {count} kernel of {shape}: {weights} weights and no biases (the batch "
                      "normalisation after it adds its own), learned from the training digits.",
                      "**{layer}** has {count} kernels of {shape}: {weights} weights and no biases (the batch "
                      "normalisation after it adds its own), learned from the training digits.", count)
             ).format(shape=shape, **learned),
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
    strongest = {"map": order[0], "peak": number(peaks[order[0]], 2), **strongest_counts}
    said.append(ngettext("Sorted by their strongest response on this digit: map #{map} fires strongest ({peak}); "
                         "{dark} of the {shown} maps shown stays dark (under {tenth} of that): its pattern is hardly "
                         "there.",
                         "Sorted by their strongest response on this digit: map #{map} fires strongest ({peak}); "
                         "{dark} of the {shown} maps shown stay dark (under {tenth} of that): their pattern is hardly "
                         "there.", dark).format(**strongest) if dark else
                _("Sorted by their strongest response on this digit: map #{map} fires strongest ({peak}); none of the "
                  "{shown} maps shown stays dark (under {tenth} of that): every one finds something.").format(
                    **strongest))
    return " ".join(said)


left, right = st.columns([1, 3])
left.plotly_chart(show(heatmap(image, _("Input ({n}×{n})").format(n=image.shape[0]), height=220)),
                  key="filters_input_fig")
right.markdown(explanation())
st.markdown(_("**Each kernel of {source}, then its map in {layer}** — kernels: blue = positive weight, red = "
              "negative; maps: bright = strong, dark = 0").format(source=source.name, layer=chosen))
titles = [(f"#{c}", _("max {value}").format(value=number(peaks[c], 1))) for c in order]
pairs = kernel_map_pairs(slices[order], np.moveaxis(maps, -1, 0)[order], titles, cols=2 * PAIRS_PER_ROW, cell=TILE_PX)
st.plotly_chart(show(pairs), key="filters_pairs_fig")
if len(order) < count:
    st.caption(_("The {shown} strongest of {count} kernels and maps are shown; hover over any for values.").format(
        shown=len(order), count=count))

teacher_notes(
    show=_("The first layer's kernels and maps, then a deeper layer, then the same layer of another model."),
    notice=_("Nobody designed these kernels: training found them. First-layer kernels look like edge and stroke "
             "detectors; deeper maps are smaller and respond to larger parts of the digit."),
    questions=[(_("How many numbers did {layer} learn?").format(layer=source.name),
                (ngettext("{weights} weights in {count} kernel, and {biases} biases.",
                          "{weights} weights in {count} kernels, and {biases} biases.", count) if biases else
                 ngettext("{weights} weights in {count} kernel, and no biases.",
                          "{weights} weights in {count} kernels, and no biases.", count)).format(**learned)),
               (_("Why do some maps stay dark?"),
                ngettext("{dark} of the {shown} maps shown here: its pattern hardly occurs in this digit.",
                         "{dark} of the {shown} maps shown here: their pattern hardly occurs in this digit.",
                         dark).format(**strongest_counts)) if dark else
               (_("Does every kernel find something in this digit?"),
                _("Here, yes: none of the {shown} maps shown stays under {tenth} of the strongest.").format(
                    **strongest_counts))],
)
