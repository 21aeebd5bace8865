"""MLP vs CNN: what the MLP's units look for, what each model costs, and whether architecture or
training data decides which one a moved digit fools (models compared only with models trained alike)."""

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core import MODELS, predict_digit
from mnist_core.inside.anatomy import dense_templates, layer_parameters, template_activations
from mnist_core.inside.invariance import INVARIANCE_KINDS, MOVES, holds, invariance_curve, transform, verdict
from mnist_core.models.registry import display_name
from mnist_core.models.shipped import consensus
from mnist_core.plots.inside import heatmap, heatmap_grid, invariance_chart
from ui.lesson import teacher_notes
from ui.models import available_models
from ui.present import show
from ui.resources import test_set, trained_alike
from ui.state import SAMPLE_INDEX, current_digit, drawing, kept, or_stop

SHOWN = 24  # templates in the grid
DENSE = next(name for name, spec in MODELS.items() if not spec.convolutional)  # the registry's MLP
CONVS = [name for name, spec in MODELS.items() if spec.convolutional]

image, sentence = current_digit()
st.title("MLP vs CNN")
st.caption(sentence)
models = available_models()

st.subheader("What the MLP's hidden units look for")
order = st.segmented_control("Templates that fire on this digit…", ["strongest", "weakest", "random"],
                             default="strongest", key=kept("mlp_vs_cnn_order")) or "strongest"
activations = template_activations(models[DENSE], image)  # (units,) before the ReLU
picks = {"strongest": np.argsort(-activations), "weakest": np.argsort(activations),
         "random": np.random.default_rng(0).permutation(activations.size)}[order][:SHOWN]
words, grid = st.columns([1, 2])
words.markdown(
    f"Each of the MLP's {activations.size} hidden units weighs every one of the {image.size} pixels, so "
    "its weights form a picture the size of the digit: a template. Blue pixels push the unit up where the "
    f"digit has ink, red pixels push it down. These are the {SHOWN} that fire **{order}** on this digit "
    f"(the number is the weighted sum before ReLU); {int((activations > 0).sum())} of {activations.size} "
    "units pass a signal on. Every template is pinned to positions: ink one pixel to the side meets other weights.")
titles = [f"{unit_id}: {activations[unit_id]:+.1f}" for unit_id in picks]
grid.plotly_chart(show(heatmap_grid(dense_templates(models[DENSE])[picks], titles, cols=6, cell=72,
                                    diverging=True)), key="mlp_vs_cnn_templates_fig")

st.subheader("What each model costs")
totals = {name: models[name].count_params() for name in MODELS}
first = {name: next(n for _, _, n in layer_parameters(models[name]) if n) for name in MODELS}
for column, name in zip(st.columns(len(MODELS)), MODELS):
    rows = [(f"{layer} ({type_})", count) for layer, type_, count in layer_parameters(models[name])]
    table = pd.DataFrame([*rows, ("total", totals[name])], columns=[f"{display_name(name)} layer", "parameters"])
    column.dataframe(table, hide_index=True, height=35 * (len(table) + 1) + 3,  # every row, no scrolling
                     column_config={"parameters": st.column_config.NumberColumn(format="localized")},
                     key=f"mlp_vs_cnn_params_{name}")
st.markdown(
    f"The {display_name(DENSE)} has " + ", ".join(f"{totals[DENSE] / totals[n]:.1f}× the {display_name(n)}'s"
                                                  for n in CONVS)
    + f" parameters. {first[DENSE]:,} of them ({first[DENSE] / totals[DENSE]:.0%}) sit in its first layer, one "
    "weight per pixel per unit. The convolutional models' first layers need only "
    + ", ".join(f"{first[n]:,} ({display_name(n)})" for n in CONVS)
    + ", because each small kernel is reused at every position.")

st.subheader("Move the digit: is it the architecture or the training data?")
how, move, slide = st.columns([1.2, 1.2, 2])
augmented = how.segmented_control("Compare models trained", ["without augmentation", "with augmentation"],
                                  default="without augmentation", key=kept("mlp_vs_cnn_training"))
augmented = augmented == "with augmentation"
kind = move.selectbox("Move the digit", list(MOVES), format_func=lambda k: MOVES[k][0],
                      key=kept("mlp_vs_cnn_transform"))
label, low, high, step, rest, unit = MOVES[kind]
amount = slide.slider(label, low, high, rest, step, format=f"%g{unit}", key=kept("mlp_vs_cnn_amount"))
alike = {flag: or_stop(lambda flag=flag: trained_alike(flag)) for flag in (False, True)}
compared = alike[augmented]
sample = drawing().image is None
digit = int(or_stop(test_set)[1][SAMPLE_INDEX] if sample else consensus(predict_digit(compared, image)).argmax())
values = np.arange(low, high + step / 4, step / 2)
curves = {flag: invariance_curve(alike[flag], image, digit, kind, values) for flag in (False, True)}
reach = {flag: {n: holds(values, p, rest) for n, p in curves[flag].items()} for flag in (False, True)}
moved = transform(image, **INVARIANCE_KINDS[kind](amount))
st.markdown(f"Confidence in a **{digit}** ("
            + ("the test label of this sample digit" if sample else "the models' combined reading of your drawing")
            + "). Every model here learned from MNIST's training digits, "
            + ("all on randomly shifted, rotated and zoomed copies." if augmented else "all on the digits as drawn."))
for column, (name, p) in zip(st.columns(len(compared)), predict_digit(compared, moved).items()):
    column.metric(f"{display_name(name)} at {amount:g}{unit}", f"{p.argmax()} ({p.max():.0%})", border=True)
picture, chart = st.columns([1, 2.5])
picture.plotly_chart(show(heatmap(moved, f"{label}: {amount:g}", height=300)), key="mlp_vs_cnn_moved_fig")
chart.plotly_chart(show(invariance_chart(values, curves[augmented], label, digit, amount)),
                   key="mlp_vs_cnn_curve_fig")


conclusion = verdict(reach[False], reach[True], DENSE, digit, unit)
st.markdown(conclusion)
teacher_notes(
    show="Shift the digit with 'without augmentation', then switch to 'with augmentation' and shift again.",
    notice=f"Every MLP template is pinned to pixel positions; a kernel is reused everywhere. The "
           f"{display_name(DENSE)} spends {first[DENSE]:,} weights on its first layer alone.",
    questions=[("Is it the architecture or the training data?", conclusion),
               ("Why compare only models trained alike?", "Otherwise a difference could come from the data "
                "one model saw and the other did not, and we would credit it to the architecture.")])
