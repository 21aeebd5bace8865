"""Your digit's journey: the drawing followed through every layer of one model, from pixels to ten
probabilities, as the model itself computes it."""

import numpy as np
import streamlit as st

from mnist_core.i18n import _, integer, ngettext, number
from mnist_core.inside.anatomy import journey
from mnist_core.models.registry import MODELS, display_name
from mnist_core.models.shipped import percent
from mnist_core.plots.inside import activation_bars, heatmap, heatmap_grid
from mnist_core.plots.results import probability_bars
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.state import current_digit, kept

SHOWN = 8  # maps per layer: the strongest on this digit

image, sentence = current_digit()
st.title(_("Your digit's journey"))
st.caption(sentence)
models = available_models()
first_conv = next(n for n, spec in MODELS.items() if spec.convolutional)  # maps make the better first journey
name = st.segmented_control(_("Follow it through"), list(models), format_func=display_name,
                            default=first_conv, key=kept("journey_model")) or first_conv
stages = journey(models[name], image)
# TRANSLATORS: what a layer does, after its name: "**2. conv1** (convolution) slides its kernels over the maps…"
does = {"convolution": _("(convolution) slides its kernels over the maps below it"),
        "ReLU": _("(ReLU) sets every negative value to 0"),
        "pooling": _("(pooling) keeps the largest value in each 2×2 block"),
        "dense": _("(dense) weighs every number below it, for each unit")}

left, right = st.columns([1, 3])
left.plotly_chart(show(heatmap(image, _("Input: {side}×{side} pixels").format(side=image.shape[0]), height=220)),
                  key="journey_input")
right.markdown(_("The {model} turns these {pixels} numbers into ten probabilities in {steps} steps. At each step "
                 "below: what the layer does, how many numbers come out, and the strongest of them. Bright means "
                 "large and dark 0; before a ReLU, blue is positive, red negative.").format(
    model=display_name(name), pixels=integer(image.size), steps=len(stages)))
for i, stage in enumerate(stages):
    step = {"step": i + 1, "layer": stage.name}
    if stage.kind == "output":
        p = stage.values
        st.markdown(_("**{step}. {layer}, the output**: ten probabilities that add up to 1; the largest, "
                      "**{digit}** at {probability}, is the verdict.").format(
            **step, digit=p.argmax(), probability=percent(p.max())))
        st.plotly_chart(show(probability_bars({name: p})), key="journey_output")
    elif stage.values.ndim == 3:
        h, w, c = stage.values.shape
        peaks = stage.values.max(axis=(0, 1))
        order = np.argsort(-peaks)[:SHOWN]
        st.markdown(ngettext("**{step}. {layer}** {does}: {maps} map of {h}×{w} = {numbers} numbers; the {shown} "
                             "strongest:", "**{step}. {layer}** {does}: {maps} maps of {h}×{w} = {numbers} numbers; "
                             "the {shown} strongest:", c).format(
            **step, does=does[stage.kind], maps=c, h=h, w=w, numbers=integer(stage.values.size), shown=len(order)))
        signed = bool(stage.values.min() < 0)  # a convolution before its ReLU: blue for, red against
        st.plotly_chart(show(heatmap_grid(np.moveaxis(stage.values, -1, 0)[order],
                                          [f"#{k} ({number(peaks[k], 1)})" for k in order], cols=SHOWN, cell=80,
                                          diverging=signed)),
                        key=f"journey_{i}")
    else:
        units = stage.values.size
        st.markdown(ngettext("**{step}. {layer}** {does}: {units} unit, {active} of them active (above 0) on this "
                             "digit.", "**{step}. {layer}** {does}: {units} units, {active} of them active (above 0) "
                             "on this digit.", units).format(
            **step, does=does[stage.kind], units=integer(units), active=integer(int((stage.values > 0).sum()))))
        title = ngettext("{layer}: {units} unit", "{layer}: {units} units", units).format(
            layer=stage.name, units=integer(units))
        st.plotly_chart(show(activation_bars(stage.values, title)), key=f"journey_{i}")

sizes = [stage.values.size for stage in stages]
teacher_notes(
    show=_("Follow the drawing down the page: pixels, maps that shrink and multiply, a row of units, ten numbers."),
    notice=_("The maps get smaller but more numerous: the network trades where for what."),
    questions=[(_("How many numbers does the {model} hold at each step for this digit?").format(
                    model=display_name(name)),
                " → ".join(integer(n) for n in [image.size, *sizes]) + "."),
               (_("Where does the decision happen?"),
                _("Only in the last layer do the numbers become digits; every layer before builds the features it "
                  "needs."))])
