"""MLP vs CNN: what the MLP's units look for, what each model costs, and whether architecture or
training data decides which one a moved digit fools (models compared only with models trained alike)."""

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core import MODELS, predict_digit
from mnist_core.i18n import N_, _, integer, number, percent
from mnist_core.inside.anatomy import dense_templates, layer_parameters, template_activations
from mnist_core.inside.invariance import INVARIANCE_KINDS, MOVES, amount, holds, invariance_curve, transform, verdict
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
# TRANSLATORS: which templates to show; the chosen one fills {order} in "These are the {shown} that fire **{order}**".
ORDERS = [N_("strongest"), N_("weakest"), N_("random")]
TRAINING = [N_("without augmentation"), N_("with augmentation")]  # what the compared models learned from

image, sentence = current_digit()
st.title(_("MLP vs CNN"))
st.caption(sentence)
models = available_models()

st.subheader(_("What the MLP's hidden units look for"))
order = st.segmented_control(_("Templates that fire on this digit…"), ORDERS, format_func=_, default=ORDERS[0],
                             key=kept("mlp_vs_cnn_order")) or ORDERS[0]
activations = template_activations(models[DENSE], image)  # (units,) before the ReLU
picks = {"strongest": np.argsort(-activations), "weakest": np.argsort(activations),
         "random": np.random.default_rng(0).permutation(activations.size)}[order][:SHOWN]
words, grid = st.columns([1, 2])
words.markdown(_(
    "Each of the MLP's {units} hidden units weighs every one of the {pixels} pixels, so its weights form a picture "
    "the size of the digit: a template. Blue pixels push the unit up where the digit has ink, red pixels push it "
    "down. These are the {shown} that fire **{order}** on this digit (the number is the weighted sum before ReLU); "
    "{active} of {units} units pass a signal on. Every template is pinned to positions: ink one pixel to the side "
    "meets other weights.").format(units=integer(activations.size), pixels=integer(image.size), shown=integer(SHOWN),
                                   order=_(order), active=integer((activations > 0).sum())))
titles = [f"{unit_id}: {'+' if activations[unit_id] >= 0 else ''}{number(activations[unit_id], 1)}"
          for unit_id in picks]  # the sign always shown, as :+.1f writes it
grid.plotly_chart(show(heatmap_grid(dense_templates(models[DENSE])[picks], titles, cols=6, cell=72,
                                    diverging=True)), key="mlp_vs_cnn_templates_fig")

st.subheader(_("What each model costs"))
totals = {name: models[name].count_params() for name in MODELS}
first = {name: next(n for _layer, _kind, n in layer_parameters(models[name]) if n) for name in MODELS}
for column, name in zip(st.columns(len(MODELS)), MODELS):
    rows = [(f"{layer} ({type_})", count) for layer, type_, count in layer_parameters(models[name])]
    table = pd.DataFrame([*rows, (_("total"), totals[name])],
                         columns=[_("{model} layer").format(model=display_name(name)), _("parameters")])
    column.dataframe(table, hide_index=True, height=35 * (len(table) + 1) + 3,  # every row, no scrolling
                     column_config={_("parameters"): st.column_config.NumberColumn(format="localized")},
                     key=f"mlp_vs_cnn_params_{name}")
# TRANSLATORS: one item of "The {dense} has {ratios} parameters.", e.g. "4.4× the CNN's".
ratios = ", ".join(_("{ratio}× the {model}'s").format(ratio=number(totals[DENSE] / totals[n], 1), model=display_name(n))
                   for n in CONVS)
st.markdown(" ".join([
    _("The {dense} has {ratios} parameters.").format(dense=display_name(DENSE), ratios=ratios),
    _("{first} of them ({share}) sit in its first layer, one weight per pixel per unit.").format(
        first=integer(first[DENSE]), share=percent(first[DENSE] / totals[DENSE], 0)),
    # TRANSLATORS: {counts} lists each model's first-layer weights, e.g. "320 (CNN), 156 (LeNet-5)".
    _("The convolutional models' first layers need only {counts}, because each small kernel is reused at every "
      "position.").format(counts=", ".join(f"{integer(first[n])} ({display_name(n)})" for n in CONVS))]))

st.subheader(_("Move the digit: is it the architecture or the training data?"))
how, move, slide = st.columns([1.2, 1.2, 2])
augmented = how.segmented_control(_("Compare models trained"), TRAINING, format_func=_, default=TRAINING[0],
                                  key=kept("mlp_vs_cnn_training")) == TRAINING[1]
kind = move.selectbox(_("Move the digit"), list(MOVES), format_func=lambda k: _(MOVES[k][0]),
                      key=kept("mlp_vs_cnn_transform"))
label, (low, high, step, rest, unit) = _(MOVES[kind][0]), MOVES[kind][1:]
moved_by = slide.slider(label, low, high, rest, step, format=f"%g{unit}", key=kept("mlp_vs_cnn_amount"))
alike = {flag: or_stop(lambda flag=flag: trained_alike(flag)) for flag in (False, True)}
compared = alike[augmented]
sample = drawing().image is None
digit = int(or_stop(test_set)[1][SAMPLE_INDEX] if sample else consensus(predict_digit(compared, image)).argmax())
values = np.arange(low, high + step / 4, step / 2)
curves = {flag: invariance_curve(alike[flag], image, digit, kind, values) for flag in (False, True)}
reach = {flag: {n: holds(values, p, rest) for n, p in curves[flag].items()} for flag in (False, True)}
moved = transform(image, **INVARIANCE_KINDS[kind](moved_by))
st.markdown(" ".join([
    (_("Confidence in the digit **{digit}** (the test label of this sample digit).") if sample
     else _("Confidence in the digit **{digit}** (the models' combined reading of your drawing).")).format(digit=digit),
    _("Every model here learned from MNIST's training digits, all on randomly shifted, rotated and zoomed copies.")
    if augmented else _("Every model here learned from MNIST's training digits, all on the digits as drawn.")]))
for column, (name, p) in zip(st.columns(len(compared)), predict_digit(compared, moved).items()):
    column.metric(_("{model} at {amount}").format(model=display_name(name), amount=amount(moved_by, unit)),
                  f"{p.argmax()} ({percent(p.max(), 0)})", border=True)
picture, chart = st.columns([1, 2.5])
picture.plotly_chart(show(heatmap(moved, f"{label}: {amount(moved_by)}", height=300)), key="mlp_vs_cnn_moved_fig")
chart.plotly_chart(show(invariance_chart(values, curves[augmented], label, digit, moved_by)),
                   key="mlp_vs_cnn_curve_fig")

conclusion = verdict(reach[False], reach[True], DENSE, digit, unit)
st.markdown(conclusion)
teacher_notes(
    show=_("Shift the digit with '{plain}', then switch to '{augmented}' and shift again.").format(
        plain=_(TRAINING[0]), augmented=_(TRAINING[1])),
    notice=_("Every MLP template is pinned to pixel positions; a kernel is reused everywhere. The {dense} spends "
             "{weights} weights on its first layer alone.").format(dense=display_name(DENSE),
                                                                   weights=integer(first[DENSE])),
    questions=[(_("Is it the architecture or the training data?"), conclusion),
               (_("Why compare only models trained alike?"), _("Otherwise a difference could come from the data "
                "one model saw and the other did not, and we would credit it to the architecture."))])
