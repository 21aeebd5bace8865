"""MLP vs CNN: what the MLP's units look for, what each model costs, and which one a moved digit fools."""

import numpy as np
import pandas as pd
import streamlit as st

from mnist_core import MODELS, predict_digit
from mnist_core.anatomy import dense_templates, layer_parameters, template_activations
from mnist_core.inside_figures import heatmap, heatmap_grid, invariance_chart
from mnist_core.invariance import INVARIANCE_KINDS, invariance_curve, transform
from mnist_core.models import display_name
from mnist_core.predict import consensus
from ui.lesson import teacher_notes
from ui.present import show
from ui.resources import test_set
from ui.state import SAMPLE_INDEX, available_models, current_digit, kept, visitor

SHOWN = 24  # templates in the grid
TRANSFORMS = {  # kind → (slider label, lowest, highest, slider step, untouched value, unit)
    "shift_x": ("Shift right (pixels)", -6.0, 6.0, 1.0, 0.0, " px"),
    "shift_y": ("Shift down (pixels)", -6.0, 6.0, 1.0, 0.0, " px"),
    "rotate": ("Rotate anticlockwise (degrees)", -30.0, 30.0, 5.0, 0.0, "°"),
    "scale": ("Scale (times)", 0.6, 1.3, 0.05, 1.0, "×"),
}

with st.sidebar:
    order = st.radio("Templates: fire on this digit…", ["strongest", "weakest", "random"],
                     key=kept("mlp_vs_cnn_order"))
    kind = st.selectbox("Move the digit", list(TRANSFORMS), format_func=lambda k: TRANSFORMS[k][0],
                        key=kept("mlp_vs_cnn_transform"))
    label, low, high, step, rest, unit = TRANSFORMS[kind]
    amount = st.slider(label, low, high, rest, step, format=f"%g{unit}", key=kept("mlp_vs_cnn_amount"))

image, sentence = current_digit()
st.title("MLP vs CNN")
st.caption(sentence)

models = available_models()


def breaking_sentence(values: np.ndarray, curves: dict[str, np.ndarray]) -> str:
    """Which models' confidence falls below 50 % first, counting outwards from the untouched digit."""
    where = {name: values[p < 0.5][np.abs(values[p < 0.5] - rest).argmin()]
             for name, p in curves.items() if (p < 0.5).any()}
    if not where:
        return "Every model stays above 50 % over the whole range."
    ranked = [f"{display_name(n)} ({'even untouched' if np.isclose(where[n], rest) else f'at {where[n]:g}{unit}'})"
              for n in sorted(where, key=lambda n: abs(where[n] - rest))]
    steady = [display_name(name) for name in curves if name not in where]
    return (f"**{ranked[0]}** is the first to fall below 50 %" + "".join(f", then {r}" for r in ranked[1:])
            + "." + (f" {', '.join(steady)}: never below 50 % in this range." if steady else ""))


dense = next(name for name, spec in MODELS.items() if not spec.convolutional)  # the registry's MLP
convs = [name for name, spec in MODELS.items() if spec.convolutional]
activations = template_activations(models[dense], image)  # (units,) before the ReLU
picks = {"strongest": np.argsort(-activations), "weakest": np.argsort(activations),
         "random": np.random.default_rng(0).permutation(activations.size)}[order][:SHOWN]
sample = visitor().drawing is None
digit = int(test_set()[1][SAMPLE_INDEX] if sample else consensus(predict_digit(models, image)).argmax())
values = np.arange(low, high + step / 4, step / 2)
curves = invariance_curve(models, image, digit, kind, values)
moved = transform(image, **INVARIANCE_KINDS[kind](amount))

st.subheader("What the MLP's hidden units look for")
words, grid = st.columns([1, 2])
words.markdown(
    f"Each of the MLP's {activations.size} hidden units weighs every one of the {image.size} pixels, so "
    "its weights form a picture the size of the digit: a template. Blue pixels push the unit up where the "
    f"digit has ink, red pixels push it down. These are the {SHOWN} that fire **{order}** on this digit "
    f"(the number is the weighted sum before ReLU); {int((activations > 0).sum())} of {activations.size} "
    "units pass a signal on. Every template is pinned to positions: ink one pixel to the side meets other weights."
)
titles = [f"{unit_id}: {activations[unit_id]:+.1f}" for unit_id in picks]
grid.plotly_chart(show(heatmap_grid(dense_templates(models[dense])[picks], titles, cols=6, cell=72,
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
    f"The {display_name(dense)} has " + ", ".join(f"{totals[dense] / totals[n]:.1f}× the {display_name(n)}'s"
                                                  for n in convs)
    + f" parameters. {first[dense]:,} of them ({first[dense] / totals[dense]:.0%}) sit in its first layer, one "
    "weight per pixel per unit. The convolutional models' first layers need only "
    + ", ".join(f"{first[n]:,} ({display_name(n)})" for n in convs)
    + ", because each small kernel is reused at every position."
)

st.subheader("Move the digit: which model breaks first?")
st.markdown(f"Confidence in a **{digit}**, " + ("the test label of this sample digit." if sample
            else "the models' combined reading (their mean probabilities) of your untouched drawing."))
for column, (name, p) in zip(st.columns(len(models)), predict_digit(models, moved).items()):
    column.metric(f"{display_name(name)} at {amount:g}{unit}", f"{p.argmax()} ({p.max():.0%})", border=True)
picture, chart = st.columns([1, 2.5])
picture.plotly_chart(show(heatmap(moved, f"{label}: {amount:g}", height=300)), key="mlp_vs_cnn_moved_fig")
chart.plotly_chart(show(invariance_chart(values, curves, label, digit, amount)), key="mlp_vs_cnn_curve_fig")
st.markdown(breaking_sentence(values, curves) + " A convolution looks for a stroke wherever it is and "
            "pooling forgives small moves, while each MLP template only matches ink where it was learned.")

teacher_notes(
    show="The MLP's templates, the parameter tables, then shift the digit sideways until a model breaks.",
    notice=f"Every MLP template is pinned to pixel positions; a kernel is reused everywhere. The "
           f"{display_name(dense)} spends {first[dense]:,} weights on its first layer alone.",
    questions=[(f"Which model first falls below 50 % as the digit moves ({TRANSFORMS[kind][0].lower()})?",
                breaking_sentence(values, curves).replace("**", "")),
               ("Is it the architecture or the training data?", "Both can matter: a network trained on "
                "shifted copies (augmentation) learns to forgive shifts whatever its architecture.")],
)
